package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** PostgreSQL: exactly one of embedded, external or cloudNativePG (none: embedded). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "(has(self.embedded) ? 1 : 0) + (has(self.external) ? 1 : 0) + (has(self.cloudNativePG) ? 1 : 0)"
            + " <= 1",
    message = "spec.database: " + DatabaseSpec.EXACTLY_ONE)
public class DatabaseSpec {

  /** The refusal of two modes at once, word for word the operator's own (SpecValidator). */
  public static final String EXACTLY_ONE = "set exactly one of embedded, external or cloudNativePG";

  @JsonPropertyDescription(
      "A PostgreSQL StatefulSet run by the operator, with its data on a retained"
          + " PersistentVolumeClaim <name>-postgres-data. The default.")
  private EmbeddedDatabaseSpec embedded;

  @JsonPropertyDescription("A PostgreSQL server you run (a managed service, a server of your own).")
  private ExternalDatabaseSpec external;

  @JsonPropertyDescription(
      "A highly available PostgreSQL run by CloudNativePG (which must be installed: the cluster"
          + " must serve postgresql.cnpg.io/v1): the operator declares the Cluster <name>-postgres and wires Loomio to"
          + " <name>-postgres-rw with TLS (verify-full). The mode of an existing stack cannot change (docs/database.md).")
  private CloudNativePGDatabaseSpec cloudNativePG;

  public EmbeddedDatabaseSpec getEmbedded() {
    return embedded;
  }

  public void setEmbedded(EmbeddedDatabaseSpec embedded) {
    this.embedded = embedded;
  }

  public ExternalDatabaseSpec getExternal() {
    return external;
  }

  public void setExternal(ExternalDatabaseSpec external) {
    this.external = external;
  }

  public CloudNativePGDatabaseSpec getCloudNativePG() {
    return cloudNativePG;
  }

  public void setCloudNativePG(CloudNativePGDatabaseSpec cloudNativePG) {
    this.cloudNativePG = cloudNativePG;
  }
}

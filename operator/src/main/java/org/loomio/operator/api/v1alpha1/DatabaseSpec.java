package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** PostgreSQL: exactly one of embedded or external. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!(has(self.embedded) && has(self.external))",
    message = "spec.database: set exactly one of embedded or external")
public class DatabaseSpec {

  @JsonPropertyDescription("A PostgreSQL StatefulSet run by the operator, with its data on a retained"
      + " PersistentVolumeClaim <name>-postgres-data. The default.")
  private EmbeddedDatabaseSpec embedded;

  @JsonPropertyDescription("A PostgreSQL server you run (managed service, CloudNativePG, ...).")
  private ExternalDatabaseSpec external;

  public EmbeddedDatabaseSpec getEmbedded() { return embedded; }
  public void setEmbedded(EmbeddedDatabaseSpec embedded) { this.embedded = embedded; }
  public ExternalDatabaseSpec getExternal() { return external; }
  public void setExternal(ExternalDatabaseSpec external) { this.external = external; }
}

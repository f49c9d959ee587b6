package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/**
 * A highly available PostgreSQL run by CloudNativePG: the operator declares a {@code postgresql.cnpg.io/v1}
 * Cluster named {@code <name>-postgres}, owned by the stack, and wires Loomio to its {@code -rw} Service.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CloudNativePGDatabaseSpec {

  public static final int DEFAULT_INSTANCES = 3;

  @Default("3")
  @Min(1)
  @Max(9)
  @JsonPropertyDescription(
      "PostgreSQL instances: one primary, the rest streaming replicas that CloudNativePG promotes"
          + " on failover, each on another node (required anti-affinity). Default 3; 1 has no failover.")
  private Integer instances = DEFAULT_INSTANCES;

  @Default("17")
  @Min(14)
  @Max(18)
  @JsonPropertyDescription(
      "PostgreSQL major version (image ghcr.io/cloudnative-pg/postgresql:<version>). Default 17."
          + " Fixed once the Cluster exists: a major upgrade follows CloudNativePG's own procedure (docs/database.md).")
  private Integer version = 17;

  @JsonPropertyDescription("Each instance's data volume. Default size 10Gi.")
  private VolumeClaimSpec storage = new VolumeClaimSpec("10Gi");

  @JsonPropertyDescription(
      "CPU, memory and ephemeral-storage requests and limits of each instance. Keys you set"
          + " replace the defaults (requests 250m/512Mi, limits 1 CPU/1Gi).")
  private ResourceRequirements resources;

  @JsonPropertyDescription(
      "Use another PostgreSQL image (a mirror of ghcr.io/cloudnative-pg/postgresql); it must be"
          + " a CloudNativePG operand image, from the operator's image allowlist.")
  private ImageOverride image;

  @JsonPropertyDescription(
      "Optional continuous backup (WAL archiving and base backups by CloudNativePG's Barman"
          + " Cloud) to an S3 bucket, for point-in-time recovery. A second layer beside spec.backup, not instead of it.")
  private ContinuousBackupSpec backup;

  public Integer getInstances() {
    return instances;
  }

  public void setInstances(Integer instances) {
    this.instances = instances;
  }

  public Integer getVersion() {
    return version;
  }

  public void setVersion(Integer version) {
    this.version = version;
  }

  public VolumeClaimSpec getStorage() {
    return storage;
  }

  public void setStorage(VolumeClaimSpec storage) {
    this.storage = storage;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  public ImageOverride getImage() {
    return image;
  }

  public void setImage(ImageOverride image) {
    this.image = image;
  }

  public ContinuousBackupSpec getBackup() {
    return backup;
  }

  public void setBackup(ContinuousBackupSpec backup) {
    this.backup = backup;
  }
}

package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** The backups claim {@code <name>-backups}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupVolumeSpec {

  @Default("true")
  @JsonPropertyDescription("Keep backups on the claim. Default true.")
  private Boolean enabled = true;

  @Default("50Gi")
  @Pattern(VolumeClaimSpec.QUANTITY_PATTERN)
  @JsonPropertyDescription(
      "Requested size, greater than zero. Default 50Gi. Read when the claim is created.")
  private String size = "50Gi";

  @Size(max = 253)
  @JsonPropertyDescription(
      "StorageClass of the claim. Default: the cluster's default StorageClass. Prefer one"
          + " on different disks than the database's.")
  private String storageClassName;

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public String getSize() {
    return size;
  }

  public void setSize(String size) {
    this.size = size;
  }

  public String getStorageClassName() {
    return storageClassName;
  }

  public void setStorageClassName(String storageClassName) {
    this.storageClassName = storageClassName;
  }
}

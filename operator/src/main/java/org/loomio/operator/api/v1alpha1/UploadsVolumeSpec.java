package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** The uploads volume. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class UploadsVolumeSpec {

  @Default("20Gi")
  @Pattern(VolumeClaimSpec.QUANTITY_PATTERN)
  @JsonPropertyDescription(
      "Requested size, greater than zero. Default 20Gi. Read when the claim is created.")
  private String size = "20Gi";

  @Size(max = 253)
  @JsonPropertyDescription(
      "StorageClass of the claim. Default: the cluster's default StorageClass.")
  private String storageClassName;

  @Default("ReadWriteOnce")
  @JsonPropertyDescription(
      "ReadWriteOnce (default): the web and worker pods are scheduled onto the same node"
          + " so they can share it, and web runs one replica. ReadWriteMany: any node, several web replicas.")
  private AccessMode accessMode = AccessMode.ReadWriteOnce;

  public enum AccessMode {
    ReadWriteOnce,
    ReadWriteMany
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

  public AccessMode getAccessMode() {
    return accessMode;
  }

  public void setAccessMode(AccessMode accessMode) {
    this.accessMode = accessMode;
  }
}

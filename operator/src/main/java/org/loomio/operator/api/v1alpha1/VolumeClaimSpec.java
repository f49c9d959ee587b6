package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** Size and class of a PersistentVolumeClaim the operator creates once. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VolumeClaimSpec {

  /**
   * A storage size greater than zero: digits with at least one that is not 0 (before or after the decimal
   * point), then an optional binary or decimal suffix. {@code 0}, {@code 0Gi} and {@code 0.0} are refused: a claim
   * of size 0 is refused by the API server, and an emptyDir limited to 0 evicts its pod at the first byte.
   */
  public static final String QUANTITY_PATTERN =
      "^([0-9]*[1-9][0-9]*(\\.[0-9]+)?|[0-9]+\\.[0-9]*[1-9][0-9]*)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$";

  @Pattern(QUANTITY_PATTERN)
  @JsonPropertyDescription(
      "Requested size, greater than zero, for example 10Gi. Read when the claim is created; to grow it later,"
          + " resize the PersistentVolumeClaim (if its StorageClass allows expansion).")
  private String size;

  @Size(max = 253)
  @JsonPropertyDescription(
      "StorageClass of the claim. Default: the cluster's default StorageClass.")
  private String storageClassName;

  public VolumeClaimSpec() {}

  public VolumeClaimSpec(String size) {
    this.size = size;
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

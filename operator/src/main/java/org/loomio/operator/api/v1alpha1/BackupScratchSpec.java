package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** The pod-local emptyDir of backup and restore pods: plaintext never leaves it, and it ends with the pod. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupScratchSpec {

  @Default("10Gi")
  @Pattern(VolumeClaimSpec.QUANTITY_PATTERN)
  @JsonPropertyDescription(
      "Size limit of the scratch emptyDir, greater than zero. It holds the database dump plus the encrypted"
          + " copy of the largest object while it is uploaded: about twice the dump, or the uploads archive if that"
          + " is larger. Default 10Gi.")
  private String size = "10Gi";

  public String getSize() {
    return size;
  }

  public void setSize(String size) {
    this.size = size;
  }
}

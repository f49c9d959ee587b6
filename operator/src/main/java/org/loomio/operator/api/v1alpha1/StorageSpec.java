package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** Where uploads (ActiveStorage) live: exactly one of volume or s3. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!(has(self.volume) && has(self.s3))",
    message = "spec.storage: set exactly one of volume or s3")
public class StorageSpec {

  @JsonPropertyDescription(
      "A PersistentVolumeClaim <name>-uploads mounted at /loomio/storage in the web and"
          + " worker pods; retained when the LoomioDeployment is deleted. The default.")
  private UploadsVolumeSpec volume;

  @JsonPropertyDescription("An S3-compatible bucket (ACTIVE_STORAGE_SERVICE=s3_compatible).")
  private S3StorageSpec s3;

  public UploadsVolumeSpec getVolume() {
    return volume;
  }

  public void setVolume(UploadsVolumeSpec volume) {
    this.volume = volume;
  }

  public S3StorageSpec getS3() {
    return s3;
  }

  public void setS3(S3StorageSpec s3) {
    this.s3 = s3;
  }
}

package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** The off-site bucket for backups. TLS is always verified. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.kmsKeyId) || (has(self.serverSideEncryption) && self.serverSideEncryption == 'aws:kms')",
    message = "spec.backup.s3.kmsKeyId: " + BackupS3Spec.KMS_NEEDS_AWS_KMS)
public class BackupS3Spec extends S3BucketSpec {

  /** The refusal of the rule above, word for word the operator's own (SpecValidator). */
  public static final String KMS_NEEDS_AWS_KMS = "needs serverSideEncryption aws:kms";

  public enum ServerSideEncryption {
    AES256, @com.fasterxml.jackson.annotation.JsonProperty("aws:kms") AWS_KMS
  }

  @Pattern("^[A-Za-z0-9!_.*'()/-]*$")
  @Size(max = 512)
  @JsonPropertyDescription("Key prefix. Default <namespace>/<name>. Objects: <prefix>/<backup name>/...")
  private String prefix;

  @JsonPropertyDescription("Server-side encryption as a second layer (the objects are already encrypted):"
      + " AES256 or aws:kms.")
  private ServerSideEncryption serverSideEncryption;

  @Size(max = 2048)
  @JsonPropertyDescription("KMS key id or ARN for serverSideEncryption aws:kms. Default: the bucket's.")
  private String kmsKeyId;

  public String getPrefix() { return prefix; }
  public void setPrefix(String prefix) { this.prefix = prefix; }
  public ServerSideEncryption getServerSideEncryption() { return serverSideEncryption; }
  public void setServerSideEncryption(ServerSideEncryption serverSideEncryption) { this.serverSideEncryption = serverSideEncryption; }
  public String getKmsKeyId() { return kmsKeyId; }
  public void setKmsKeyId(String kmsKeyId) { this.kmsKeyId = kmsKeyId; }
}

package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** The off-site bucket for backups. TLS is always verified. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.kmsKeyId) || (has(self.serverSideEncryption) && self.serverSideEncryption == 'aws:kms')",
    message = "spec.backup.s3.kmsKeyId: " + BackupS3Spec.KMS_NEEDS_AWS_KMS)
@ValidationRule(
    value = "self.endpoint.startsWith('https://')",
    message = "spec.backup.s3.endpoint: " + BackupS3Spec.HTTPS_REQUIRED)
public class BackupS3Spec extends S3BucketSpec {

  /** The refusal of the rule above, word for word the operator's own (SpecValidator). */
  public static final String KMS_NEEDS_AWS_KMS = "needs serverSideEncryption aws:kms";
  /** The refusal of the endpoint rule, word for word the operator's own (SpecValidator). */
  public static final String HTTPS_REQUIRED =
      "must be https://: the backups and their credentials travel to it;"
          + " for a server in the cluster with its own CA, set caSecretRef";

  public enum ServerSideEncryption {
    AES256,
    @JsonProperty("aws:kms")
    AWS_KMS
  }

  /**
   * Segments of S3's safe characters separated by single '/', each without a leading, trailing or double '.':
   * no empty, '.' or '..' segment (some stores and proxies normalise those, and the key would name another
   * place), no '..' at all.
   */
  public static final String PREFIX_PATTERN = "^[A-Za-z0-9!_*'()-]+([.][A-Za-z0-9!_*'()-]+)*"
      + "(/[A-Za-z0-9!_*'()-]+([.][A-Za-z0-9!_*'()-]+)*)*$";
  /** The operator's refusal of a prefix that is not this stack's own (SpecValidator). */
  public static final String PREFIX_NOT_OWN =
      "must be <namespace>/<name> or end with /<namespace>/<name>, so that"
          + " no two stacks share a prefix and none reaches another stack's backups";

  @Pattern(PREFIX_PATTERN)
  @Size(max = 512)
  @JsonPropertyDescription(
      "Key prefix: <namespace>/<name>, or under a path of your choice <path>/<namespace>/<name>"
          + " (the operator refuses others, so no stack reaches another's backups). Segments of letters, digits and"
          + " ! _ * ' ( ) - with single dots inside; no empty, '.' or '..' segment. Default <namespace>/<name>. Objects:"
          + " <prefix>/<backup name>/...")
  private String prefix;

  @JsonPropertyDescription(
      "Server-side encryption as a second layer (the objects are already encrypted):"
          + " AES256 or aws:kms.")
  private ServerSideEncryption serverSideEncryption;

  /**
   * An AWS KMS key as AWS writes it (key id, multi-Region key id, key or alias ARN, alias/NAME), or an
   * S3-compatible store's key name (MinIO/KES: letters, digits, '_' and '-'). Never a '$' or a space: the backup
   * agent receives it as an argument.
   */
  public static final String KMS_KEY_ID_PATTERN =
      "^(arn:aws[a-z-]{0,16}:kms:[a-z0-9-]{1,32}:[0-9]{12}:(key|alias)/"
          + "[A-Za-z0-9/_-]{1,256}|alias/[A-Za-z0-9/_-]{1,256}|[A-Za-z0-9][A-Za-z0-9_-]{0,255})$";

  @Size(max = 2048)
  @Pattern(KMS_KEY_ID_PATTERN)
  @JsonPropertyDescription(
      "KMS key for serverSideEncryption aws:kms: a key id (1234abcd-12ab-34cd-56ef-1234567890ab,"
          + " mrk-...), a key or alias ARN (arn:aws:kms:<region>:<account>:key/<id>), alias/<name>, or an S3-compatible"
          + " store's key name (letters, digits, _ and -). Default: the bucket's.")
  private String kmsKeyId;

  @JsonPropertyDescription(
      "CA certificates (PEM) an https endpoint's certificate must chain to, instead of the"
          + " public ones: for an S3 server in the cluster with its own CA. The Secret needs the stack's consent like any"
          + " other (loomio.org/allowed-stacks).")
  private SecretKeyRef caSecretRef;

  public SecretKeyRef getCaSecretRef() {
    return caSecretRef;
  }

  public void setCaSecretRef(SecretKeyRef caSecretRef) {
    this.caSecretRef = caSecretRef;
  }

  public String getPrefix() {
    return prefix;
  }

  public void setPrefix(String prefix) {
    this.prefix = prefix;
  }

  public ServerSideEncryption getServerSideEncryption() {
    return serverSideEncryption;
  }

  public void setServerSideEncryption(ServerSideEncryption serverSideEncryption) {
    this.serverSideEncryption = serverSideEncryption;
  }

  public String getKmsKeyId() {
    return kmsKeyId;
  }

  public void setKmsKeyId(String kmsKeyId) {
    this.kmsKeyId = kmsKeyId;
  }
}

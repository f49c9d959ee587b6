package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * CloudNativePG's continuous backup (barmanObjectStore) of the stack's Cluster, always under
 * {@code s3://<bucket>/<namespace>/<name>/cloudnativepg}: a path of this stack's own, beside (never inside) the
 * path of spec.backup's encrypted backups.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.s3.endpoint.startsWith('https://')",
    message = "spec.database.cloudNativePG.backup.s3.endpoint: " + BackupS3Spec.HTTPS_REQUIRED)
public class ContinuousBackupSpec {

  @Required
  @JsonPropertyDescription(
      "The bucket: endpoint, bucket, region and credentialsSecretRef (keys access-key-id and"
          + " secret-access-key, marked for this stack with loomio.org/allowed-stacks like every Secret you reference).")
  private S3BucketSpec s3;

  @JsonPropertyDescription("CA certificate (PEM) of the endpoint, for a store with a private CA.")
  private SecretKeyRef caSecretRef;

  @Default("30")
  @Min(1)
  @Max(3650)
  @JsonPropertyDescription(
      "Days of base backups and WAL that CloudNativePG keeps (its retentionPolicy). Default 30.")
  private Integer retentionDays = 30;

  public S3BucketSpec getS3() {
    return s3;
  }

  public void setS3(S3BucketSpec s3) {
    this.s3 = s3;
  }

  public SecretKeyRef getCaSecretRef() {
    return caSecretRef;
  }

  public void setCaSecretRef(SecretKeyRef caSecretRef) {
    this.caSecretRef = caSecretRef;
  }

  public Integer getRetentionDays() {
    return retentionDays;
  }

  public void setRetentionDays(Integer retentionDays) {
    this.retentionDays = retentionDays;
  }
}

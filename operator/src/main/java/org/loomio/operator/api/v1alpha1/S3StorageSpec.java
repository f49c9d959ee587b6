package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * The S3-compatible bucket that holds uploads. Enable versioning or replication on it: uploads in S3 are
 * not part of the operator's backups (the backup manifest records that).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class S3StorageSpec extends S3BucketSpec {

  @JsonPropertyDescription("CA certificate (PEM) of a private endpoint (AWS_CA_BUNDLE).")
  private SecretKeyRef caSecretRef;

  public SecretKeyRef getCaSecretRef() {
    return caSecretRef;
  }

  public void setCaSecretRef(SecretKeyRef caSecretRef) {
    this.caSecretRef = caSecretRef;
  }
}

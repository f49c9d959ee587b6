package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** An S3-compatible bucket: where it is and how to sign in. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class S3BucketSpec {

  /**
   * http(s)://host[:port][/path]: no query, no fragment, no user, and none of the characters a shell or the
   * kubelet reads ({@code $}, {@code (}, quotes, spaces). The backup agent receives the endpoint as an argument.
   */
  public static final String ENDPOINT_PATTERN =
      "^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%/-]*)?$";
  /** A region: lower-case letters, digits and '-' (us-east-1, eu-central-1, or a self-hosted store's name). */
  public static final String REGION_PATTERN = "^[a-z0-9-]{1,64}$";

  @Required
  @Pattern(ENDPOINT_PATTERN)
  @Size(max = 2048)
  @JsonPropertyDescription(
      "Endpoint URL, for example https://s3.eu-central-1.amazonaws.com: http(s)://host[:port]"
          + "[/path], the path of letters, digits and . _ ~ % / - only (no query, no $). Use https outside the cluster.")
  private String endpoint;

  @Required
  @Pattern("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
  @JsonPropertyDescription("Bucket name.")
  private String bucket;

  @Default("us-east-1")
  @Pattern(REGION_PATTERN)
  @JsonPropertyDescription("Region: lower-case letters, digits and '-'. Default us-east-1.")
  private String region = "us-east-1";

  @Default("false")
  @JsonPropertyDescription(
      "Address the bucket as <endpoint>/<bucket> (MinIO, Ceph and most self-hosted stores)"
          + " instead of <bucket>.<endpoint>. Default false.")
  private Boolean forcePathStyle = false;

  @Required
  @JsonPropertyDescription("Secret with the keys access-key-id and secret-access-key.")
  private SecretRef credentialsSecretRef;

  public static final String ACCESS_KEY_ID = "access-key-id";
  public static final String SECRET_ACCESS_KEY = "secret-access-key";

  public String getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(String endpoint) {
    this.endpoint = endpoint;
  }

  public String getBucket() {
    return bucket;
  }

  public void setBucket(String bucket) {
    this.bucket = bucket;
  }

  public String getRegion() {
    return region;
  }

  public void setRegion(String region) {
    this.region = region;
  }

  public Boolean getForcePathStyle() {
    return forcePathStyle;
  }

  public void setForcePathStyle(Boolean forcePathStyle) {
    this.forcePathStyle = forcePathStyle;
  }

  public SecretRef getCredentialsSecretRef() {
    return credentialsSecretRef;
  }

  public void setCredentialsSecretRef(SecretRef credentialsSecretRef) {
    this.credentialsSecretRef = credentialsSecretRef;
  }
}

package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** A Redis the user runs. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ExternalRedisSpec {

  @Required
  @JsonPropertyDescription("Secret key holding the full URL (redis://:password@host:6379/0 or rediss://...),"
      + " passed as REDIS_CACHE_URL.")
  private SecretKeyRef urlSecretRef;

  public SecretKeyRef getUrlSecretRef() { return urlSecretRef; }
  public void setUrlSecretRef(SecretKeyRef urlSecretRef) { this.urlSecretRef = urlSecretRef; }
}

package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A Redis the user runs. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = ServerHosts.CEL_NOT_LOCAL,
    message = "spec.redis.external.host: " + ServerHosts.NOT_LOCAL)
@ValidationRule(
    value = ServerHosts.CEL_NUMERIC_IS_IPV4,
    message = "spec.redis.external.host: " + ServerHosts.NUMERIC_IS_IPV4)
public class ExternalRedisSpec {

  @Required
  @JsonPropertyDescription(
      "Secret key holding the full URL (redis://:password@host:6379/0 or rediss://...),"
          + " passed as REDIS_CACHE_URL.")
  private SecretKeyRef urlSecretRef;

  @Pattern(ExternalDatabaseSpec.HOST_PATTERN)
  @Size(max = 253)
  @JsonPropertyDescription(
      "The host of that URL (name or IPv4 address, no port), for the NetworkPolicy only: the"
          + " URL is in a Secret the operator does not parse. An in-cluster Service name (<service>.<namespace>.svc or"
          + " ...svc.cluster.local) admits that namespace's pods on spec.networkPolicy.egress.redisPort, an IPv4"
          + " address exactly that address, any other name public addresses only. Unset: public addresses only."
          + " spec.networkPolicy.egress.redis, when set, replaces all of this. Not the loopback, a link-local address"
          + " or a cloud metadata service.")
  private String host;

  public String getHost() {
    return host;
  }

  public void setHost(String host) {
    this.host = host;
  }

  public SecretKeyRef getUrlSecretRef() {
    return urlSecretRef;
  }

  public void setUrlSecretRef(SecretKeyRef urlSecretRef) {
    this.urlSecretRef = urlSecretRef;
  }
}

package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * HTTPRoutes (gateway.networking.k8s.io/v1) attached to a Gateway you run. The Gateway's HTTPS listener
 * holds the certificate; the routes add the security headers and send plain HTTP to HTTPS.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GatewaySpec {

  @Required
  @Pattern(SecretKeyRef.NAME_PATTERN)
  @Size(max = 253)
  @JsonPropertyDescription("Name of the Gateway.")
  private String name;

  @Pattern(SecretKeyRef.NAME_PATTERN)
  @Size(max = 63)
  @JsonPropertyDescription(
      "Namespace of the Gateway. Default: this namespace. The Gateway's listeners must allow"
          + " routes from this namespace.")
  private String namespace;

  @Default("https")
  @Size(max = 253)
  @JsonPropertyDescription(
      "The Gateway's HTTPS listener (sectionName) for the routes. Default https.")
  private String httpsListener = "https";

  @Default("http")
  @Size(max = 253)
  @JsonPropertyDescription(
      "The Gateway's plain-HTTP listener, which only redirects to HTTPS. Default http.")
  private String httpListener = "http";

  @JsonPropertyDescription(
      "Security headers on every response, set with the ResponseHeaderModifier filter. On by"
          + " default. (Core Gateway API has no rate limit or body size: use your implementation's policy resources.)")
  private SecurityHeadersSpec headers = new SecurityHeadersSpec();

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getNamespace() {
    return namespace;
  }

  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  public String getHttpsListener() {
    return httpsListener;
  }

  public void setHttpsListener(String httpsListener) {
    this.httpsListener = httpsListener;
  }

  public String getHttpListener() {
    return httpListener;
  }

  public void setHttpListener(String httpListener) {
    this.httpListener = httpListener;
  }

  public SecurityHeadersSpec getHeaders() {
    return headers;
  }

  public void setHeaders(SecurityHeadersSpec headers) {
    this.headers = headers;
  }
}

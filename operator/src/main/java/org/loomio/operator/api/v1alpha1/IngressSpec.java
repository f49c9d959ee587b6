package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.LinkedHashMap;
import java.util.Map;

/** An Ingress (networking.k8s.io/v1) for the main host and the hocuspocus host, TLS only. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = EdgeAnnotations.CEL_NOT_OWNED,
    message = "spec.ingress.annotations: " + EdgeAnnotations.OWNED_MESSAGE)
@ValidationRule(
    value = EdgeAnnotations.CEL_ALLOWED,
    message = "spec.ingress.annotations: " + EdgeAnnotations.NOT_ALLOWED_MESSAGE)
public class IngressSpec {

  @Required
  @Size(max = 253)
  @JsonPropertyDescription("ingressClassName of the controller that serves this Ingress.")
  private String className;

  @JsonPropertyDescription(
      "Which controller that class is, for headers, limits and timeouts: nginx (ingress-nginx)"
          + " or traefik. Default: nginx when className contains \"nginx\", traefik when it contains \"traefik\".")
  private Controller controller;

  @Required
  @JsonPropertyDescription("Where the certificate for host and hocuspocusHost comes from.")
  private TlsSpec tls;

  @JsonPropertyDescription(
      "Security headers on every response (HSTS, CSP, X-Frame-Options, ...). On by default.")
  private SecurityHeadersSpec headers = new SecurityHeadersSpec();

  @JsonPropertyDescription("Per-client rate limits at the edge. On by default.")
  private RateLimitSpec rateLimit = new RateLimitSpec();

  @JsonPropertyDescription(
      "ingress-nginx only: the controller's ConfigMap (namespace/name). When set, the operator"
          + " reads it and reports in the Edge condition whether global-allowed-response-headers allows the security"
          + " headers (without that, ingress-nginx refuses them); otherwise Edge says it cannot tell.")
  private String nginxControllerConfigMap;

  @Size(max = 64)
  @JsonPropertyDescription(
      "Extra annotations on the Ingress objects, from an allowlist (docs/api.md, \"Edge"
          + " annotations\"): external-dns ttl/target, cert-manager certificate settings, harmless ingress-nginx"
          + " tuning (timeouts, buffers, source ranges) or Traefik's certresolver. Anything that reroutes, authenticates,"
          + " mirrors, injects configuration or bypasses TLS, headers or limits is refused, and so are the annotations"
          + " the operator sets. Values: at most 2048 characters, no control characters.")
  private Map<
          String,
          @Size(max = EdgeAnnotations.MAX_VALUE_LENGTH) @Pattern(EdgeAnnotations.VALUE_PATTERN)
          String>
      annotations = new LinkedHashMap<>();

  public enum Controller {
    @JsonProperty("nginx")
    NGINX,
    @JsonProperty("traefik")
    TRAEFIK
  }

  public String getClassName() {
    return className;
  }

  public void setClassName(String className) {
    this.className = className;
  }

  public Controller getController() {
    return controller;
  }

  public void setController(Controller controller) {
    this.controller = controller;
  }

  public TlsSpec getTls() {
    return tls;
  }

  public void setTls(TlsSpec tls) {
    this.tls = tls;
  }

  public SecurityHeadersSpec getHeaders() {
    return headers;
  }

  public void setHeaders(SecurityHeadersSpec headers) {
    this.headers = headers;
  }

  public RateLimitSpec getRateLimit() {
    return rateLimit;
  }

  public void setRateLimit(RateLimitSpec rateLimit) {
    this.rateLimit = rateLimit;
  }

  public String getNginxControllerConfigMap() {
    return nginxControllerConfigMap;
  }

  public void setNginxControllerConfigMap(String v) {
    this.nginxControllerConfigMap = v;
  }

  public Map<String, String> getAnnotations() {
    return annotations;
  }

  public void setAnnotations(Map<String, String> annotations) {
    this.annotations = annotations;
  }
}

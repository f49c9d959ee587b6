package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/**
 * Security headers the edge adds to every response. The defaults follow the OWASP Secure Headers Project,
 * relaxed only where Loomio needs it (it frames itself, and its SPA loads its own scripts and styles).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecurityHeadersSpec {

  public static final String DEFAULT_CSP =
      "frame-ancestors 'self'; object-src 'none'; base-uri 'self'";
  public static final String DEFAULT_PERMISSIONS =
      "camera=(), microphone=(), geolocation=(), payment=(), usb=()";
  /** Header values as ingress-nginx accepts them in its custom-headers ConfigMap (no newlines, no quotes trouble). */
  public static final String HEADER_VALUE_PATTERN =
      "^[a-zA-Z0-9_ :;.,\\\\/\"'?!(){}\\[\\]@<>=\\-+*#$&`|~^%]*$";

  @Default("true")
  @JsonPropertyDescription("Add the headers. Default true.")
  private Boolean enabled = true;

  @Default("31536000")
  @Min(31536000)
  @Max(126144000)
  @JsonPropertyDescription(
      "Strict-Transport-Security max-age in seconds (at least one year). Default 31536000.")
  private Long hstsMaxAgeSeconds = 31536000L;

  @Default("true")
  @JsonPropertyDescription("Strict-Transport-Security includeSubDomains. Default true.")
  private Boolean hstsIncludeSubDomains = true;

  @Default("false")
  @JsonPropertyDescription(
      "Strict-Transport-Security preload: a domain-wide, hard-to-undo decision (hstspreload.org)."
          + " Default false.")
  private Boolean hstsPreload = false;

  @Default(DEFAULT_CSP)
  @Size(max = 4096)
  @Pattern(HEADER_VALUE_PATTERN)
  @JsonPropertyDescription(
      "Content-Security-Policy. The default (" + DEFAULT_CSP + ") cannot break Loomio; tighten"
          + " it with script-src, connect-src (include wss://<hocuspocusHost>), ... and try it with"
          + " contentSecurityPolicyReportOnly first.")
  private String contentSecurityPolicy = DEFAULT_CSP;

  @Default("false")
  @JsonPropertyDescription(
      "Send the policy as Content-Security-Policy-Report-Only (browsers report, do not block)."
          + " Default false.")
  private Boolean contentSecurityPolicyReportOnly = false;

  @Default("SAMEORIGIN")
  @JsonPropertyDescription(
      "X-Frame-Options: SAMEORIGIN (default, consistent with frame-ancestors 'self') or DENY.")
  private FrameOptions frameOptions = FrameOptions.SAMEORIGIN;

  @Default("strict-origin-when-cross-origin")
  @JsonPropertyDescription(
      "Referrer-Policy: strict-origin-when-cross-origin (default), no-referrer, same-origin or"
          + " strict-origin.")
  private ReferrerPolicy referrerPolicy = ReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN;

  @Default(DEFAULT_PERMISSIONS)
  @Size(max = 2048)
  @Pattern(HEADER_VALUE_PATTERN)
  @JsonPropertyDescription("Permissions-Policy. Default: " + DEFAULT_PERMISSIONS + ".")
  private String permissionsPolicy = DEFAULT_PERMISSIONS;

  public enum FrameOptions {
    SAMEORIGIN,
    DENY
  }

  public enum ReferrerPolicy {
    @JsonProperty("strict-origin-when-cross-origin")
    STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
    @JsonProperty("no-referrer")
    NO_REFERRER,
    @JsonProperty("same-origin")
    SAME_ORIGIN,
    @JsonProperty("strict-origin")
    STRICT_ORIGIN;

    public String value() {
      return name().toLowerCase().replace('_', '-');
    }
  }

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public Long getHstsMaxAgeSeconds() {
    return hstsMaxAgeSeconds;
  }

  public void setHstsMaxAgeSeconds(Long hstsMaxAgeSeconds) {
    this.hstsMaxAgeSeconds = hstsMaxAgeSeconds;
  }

  public Boolean getHstsIncludeSubDomains() {
    return hstsIncludeSubDomains;
  }

  public void setHstsIncludeSubDomains(Boolean hstsIncludeSubDomains) {
    this.hstsIncludeSubDomains = hstsIncludeSubDomains;
  }

  public Boolean getHstsPreload() {
    return hstsPreload;
  }

  public void setHstsPreload(Boolean hstsPreload) {
    this.hstsPreload = hstsPreload;
  }

  public String getContentSecurityPolicy() {
    return contentSecurityPolicy;
  }

  public void setContentSecurityPolicy(String contentSecurityPolicy) {
    this.contentSecurityPolicy = contentSecurityPolicy;
  }

  public Boolean getContentSecurityPolicyReportOnly() {
    return contentSecurityPolicyReportOnly;
  }

  public void setContentSecurityPolicyReportOnly(Boolean v) {
    this.contentSecurityPolicyReportOnly = v;
  }

  public FrameOptions getFrameOptions() {
    return frameOptions;
  }

  public void setFrameOptions(FrameOptions frameOptions) {
    this.frameOptions = frameOptions;
  }

  public ReferrerPolicy getReferrerPolicy() {
    return referrerPolicy;
  }

  public void setReferrerPolicy(ReferrerPolicy referrerPolicy) {
    this.referrerPolicy = referrerPolicy;
  }

  public String getPermissionsPolicy() {
    return permissionsPolicy;
  }

  public void setPermissionsPolicy(String permissionsPolicy) {
    this.permissionsPolicy = permissionsPolicy;
  }
}

package org.loomio.operator.render.edge;

import java.util.LinkedHashMap;
import java.util.Map;
import org.loomio.operator.api.v1alpha1.SecurityHeadersSpec;

/**
 * The response headers of the edge, in one place for every controller flavour (hardening rule R35): HSTS,
 * Content-Security-Policy (or its report-only form), X-Content-Type-Options, X-Frame-Options,
 * Referrer-Policy, Permissions-Policy. Never the obsolete X-XSS-Protection. Each controller sets them,
 * replacing any copy from Loomio, so each appears exactly once.
 */
public final class SecurityHeaders {

  public static final String HSTS = "Strict-Transport-Security";
  /** Headers the edge removes from Loomio's responses where the controller can (they advertise software). */
  public static final String[] REMOVED = {"Server", "X-Powered-By"};

  private SecurityHeaders() {}

  /** The headers to set, in a stable order; empty when switched off. */
  public static Map<String, String> of(SecurityHeadersSpec spec) {
    SecurityHeadersSpec h = spec == null ? new SecurityHeadersSpec() : spec;
    SecurityHeadersSpec d = new SecurityHeadersSpec();
    Map<String, String> headers = new LinkedHashMap<>();
    if (Boolean.FALSE.equals(h.getEnabled())) {
      return headers;
    }
    headers.put(HSTS, hsts(h, d));
    boolean reportOnly = Boolean.TRUE.equals(h.getContentSecurityPolicyReportOnly());
    headers.put(
        reportOnly ? "Content-Security-Policy-Report-Only" : "Content-Security-Policy",
        or(h.getContentSecurityPolicy(), d.getContentSecurityPolicy()));
    headers.put("X-Content-Type-Options", "nosniff");
    headers.put("X-Frame-Options", or(h.getFrameOptions(), d.getFrameOptions()).name());
    headers.put(
        "Referrer-Policy", or(h.getReferrerPolicy(), d.getReferrerPolicy()).value());
    headers.put("Permissions-Policy", or(h.getPermissionsPolicy(), d.getPermissionsPolicy()));
    return headers;
  }

  static String hsts(SecurityHeadersSpec h, SecurityHeadersSpec d) {
    StringBuilder v = new StringBuilder("max-age=")
        .append(or(h.getHstsMaxAgeSeconds(), d.getHstsMaxAgeSeconds()));
    if (or(h.getHstsIncludeSubDomains(), d.getHstsIncludeSubDomains())) {
      v.append("; includeSubDomains");
    }
    if (or(h.getHstsPreload(), d.getHstsPreload())) {
      v.append("; preload");
    }
    return v.toString();
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
  }
}

package org.loomio.operator.render.edge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.loomio.operator.api.v1alpha1.IngressSpec;
import org.loomio.operator.api.v1alpha1.RateLimitSpec;
import org.loomio.operator.api.v1alpha1.SecurityHeadersSpec;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.ObjectMetas;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.thirdparty.TraefikMiddleware;

/**
 * Traefik Middlewares (traefik.io/v1alpha1) the Ingresses chain: HTTP to HTTPS, security headers (Server
 * and X-Powered-By removed), rate limit and concurrent requests per client, and the request body limit (not
 * on the websocket routes).
 */
public final class TraefikMiddlewares {

  public static final String API_VERSION = "traefik.io/v1alpha1";
  public static final String KIND = "Middleware";

  private TraefikMiddlewares() {}

  public static List<TraefikMiddleware> render(RenderContext ctx) {
    ResolvedSpec spec = ctx.spec();
    if (spec.ingress().isEmpty() || spec.ingressController() != IngressSpec.Controller.TRAEFIK) {
      return List.of();
    }
    if (!ctx.cluster().serves(ClusterCapabilities.TRAEFIK_MIDDLEWARE)) {
      ctx.omit(
          "traefik.io/v1alpha1 Middleware",
          "the Ingress gets no HTTPS redirect, security headers or rate limits");
      return List.of();
    }
    IngressSpec ingress = spec.ingress().get();
    String name = ctx.name();
    List<TraefikMiddleware> m = new ArrayList<>();
    m.add(middleware(
        ctx,
        name + "-https-redirect",
        "redirectScheme",
        ordered("scheme", "https", "permanent", true)));
    Map<String, String> headers = SecurityHeaders.of(ingress.getHeaders());
    if (!headers.isEmpty()) {
      m.add(middleware(ctx, name + "-headers", "headers", headers(ingress.getHeaders(), headers)));
    }
    RateLimitSpec rate =
        ingress.getRateLimit() == null ? new RateLimitSpec() : ingress.getRateLimit();
    if (!Boolean.FALSE.equals(rate.getEnabled())) {
      RateLimitSpec d = new RateLimitSpec();
      m.add(middleware(
          ctx,
          name + "-ratelimit",
          "rateLimit",
          ordered(
              "average",
                  rate.getRequestsPerSecond() != null
                      ? rate.getRequestsPerSecond()
                      : d.getRequestsPerSecond(),
              "burst", rate.getBurst() != null ? rate.getBurst() : d.getBurst(),
              "period", "1s")));
      m.add(middleware(
          ctx,
          name + "-inflight",
          "inFlightReq",
          ordered(
              "amount",
              rate.getConnections() != null ? rate.getConnections() : d.getConnections())));
    }
    m.add(middleware(
        ctx,
        name + "-body-limit",
        "buffering",
        ordered("maxRequestBodyBytes", (long) EdgeRoutes.bodyLimitMB(spec) * 1024 * 1024)));
    return m;
  }

  /** The router.middlewares annotation value: namespace-name@kubernetescrd, in order. */
  static List<String> chain(RenderContext ctx, boolean websockets) {
    List<String> chain = new ArrayList<>();
    for (TraefikMiddleware m : render(ctx)) {
      String n = m.getMetadata().getName();
      if (websockets && n.endsWith("-body-limit")) {
        continue;
      }
      chain.add(ctx.namespace() + "-" + n + "@kubernetescrd");
    }
    return chain;
  }

  private static Map<String, Object> headers(
      SecurityHeadersSpec spec, Map<String, String> headers) {
    SecurityHeadersSpec h = spec == null ? new SecurityHeadersSpec() : spec;
    SecurityHeadersSpec d = new SecurityHeadersSpec();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(
        "stsSeconds",
        h.getHstsMaxAgeSeconds() != null ? h.getHstsMaxAgeSeconds() : d.getHstsMaxAgeSeconds());
    m.put("stsIncludeSubdomains", !Boolean.FALSE.equals(h.getHstsIncludeSubDomains()));
    m.put("stsPreload", Boolean.TRUE.equals(h.getHstsPreload()));
    if (headers.containsKey("Content-Security-Policy")) {
      m.put("contentSecurityPolicy", headers.get("Content-Security-Policy"));
    } else {
      m.put("contentSecurityPolicyReportOnly", headers.get("Content-Security-Policy-Report-Only"));
    }
    m.put("contentTypeNosniff", true);
    m.put("customFrameOptionsValue", headers.get("X-Frame-Options"));
    m.put("referrerPolicy", headers.get("Referrer-Policy"));
    m.put("permissionsPolicy", headers.get("Permissions-Policy"));
    Map<String, String> removed = new LinkedHashMap<>();
    for (String r : SecurityHeaders.REMOVED) {
      removed.put(r, "");
    }
    m.put("customResponseHeaders", removed);
    return m;
  }

  private static TraefikMiddleware middleware(
      RenderContext ctx, String name, String type, Map<String, Object> config) {
    TraefikMiddleware r = new TraefikMiddleware();
    r.setMetadata(ObjectMetas.of(ctx, name, Component.EDGE));
    r.setSpec(ordered(type, config));
    return r;
  }

  /** A map in the order given (Map.of has none, and the CLI's output must be stable). */
  public static Map<String, Object> ordered(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }
}

package org.loomio.operator.render.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Labels;
import org.loomio.operator.render.Stack;
import org.loomio.operator.render.base.Omission;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.thirdparty.TraefikMiddleware;

/**
 * The edge for each flavour, checked statically (no controller runs here): TLS on every host, HTTP to
 * HTTPS, security headers present exactly once with compliant values (rule R35), no snippet annotation
 * (R34), limits and websocket timeouts (R37), internal paths unreachable from outside.
 */
class EdgeTest {

  private static final String NGINX = """
      host: a.example.org
      uploadLimitMB: 250
      ingress:
        className: nginx
        tls: {clusterIssuer: letsencrypt}
        annotations: {external-dns.alpha.kubernetes.io/ttl: "300"}
      """;
  private static final String TRAEFIK = """
      host: a.example.org
      ingress: {className: traefik, tls: {secretName: a-cert}, rateLimit: {requestsPerSecond: 10, burst: 40, connections: 20}}
      """;
  private static final String GATEWAY = """
      host: a.example.org
      gateway: {name: public, namespace: gateways, headers: {hstsPreload: true, contentSecurityPolicyReportOnly: true}}
      """;

  // --- R35: the header checks of the hardening checklist ---

  static List<String> headerProblems(Map<String, String> headers, boolean hstsExpected) {
    List<String> problems = new ArrayList<>();
    Map<String, Integer> counts = new LinkedHashMap<>();
    headers.keySet().forEach(k -> counts.merge(k.toLowerCase(), 1, Integer::sum));
    counts.forEach((k, n) -> {
      if (n > 1) {
        problems.add(k + " appears " + n + " times");
      }
    });
    Map<String, String> h = new LinkedHashMap<>();
    headers.forEach((k, v) -> h.put(k.toLowerCase(), v));
    if (hstsExpected) {
      String hsts = h.getOrDefault("strict-transport-security", "");
      if (!hsts.matches("max-age=(\\d+); includeSubDomains(; preload)?")
          || Long.parseLong(hsts.replaceAll("max-age=(\\d+).*", "$1")) < 31536000) {
        problems.add("HSTS: " + hsts);
      }
    } else if (h.containsKey("strict-transport-security")) {
      problems.add("HSTS must not be sent twice (the controller sends it)");
    }
    String csp =
        h.getOrDefault("content-security-policy", h.get("content-security-policy-report-only"));
    if (csp == null
        || !csp.contains("object-src 'none'")
        || !csp.contains("frame-ancestors")
        || !csp.contains("base-uri")
        || csp.matches(".*(default-src|script-src) [^;]*\\*(;|$).*")) {
      problems.add("CSP: " + csp);
    }
    if (!"nosniff".equals(h.get("x-content-type-options"))) {
      problems.add("X-Content-Type-Options");
    }
    if (!List.of("DENY", "SAMEORIGIN").contains(h.get("x-frame-options"))) {
      problems.add("X-Frame-Options");
    }
    if (!List.of("no-referrer", "strict-origin", "strict-origin-when-cross-origin", "same-origin")
        .contains(h.get("referrer-policy"))) {
      problems.add("Referrer-Policy");
    }
    String pp = h.getOrDefault("permissions-policy", "");
    for (String feature :
        List.of("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()")) {
      if (!pp.contains(feature)) {
        problems.add("Permissions-Policy lacks " + feature);
      }
    }
    if (h.containsKey("x-xss-protection")) {
      problems.add("X-XSS-Protection is obsolete");
    }
    return problems;
  }

  private static Stack stack(String spec) {
    return Fixtures.render(Fixtures.resource("team", spec));
  }

  private static void noSnippets(Stack stack) {
    for (HasMetadata o : stack.objects()) {
      var a = o.getMetadata().getAnnotations();
      if (a != null) {
        assertThat(a.keySet())
            .as(o.getKind() + "/" + o.getMetadata().getName())
            .noneMatch(k -> k.contains("snippet"));
      }
    }
  }

  private static void everyHostHasTls(Ingress i) {
    List<String> tlsHosts =
        i.getSpec().getTls().stream().flatMap(t -> t.getHosts().stream()).toList();
    assertThat(i.getSpec().getTls())
        .allSatisfy(t -> assertThat(t.getSecretName()).isNotBlank());
    i.getSpec().getRules().forEach(r -> assertThat(tlsHosts).contains(r.getHost()));
  }

  @Test
  void ingressNginx() {
    Stack s = stack(NGINX);
    List<Ingress> ingresses = s.all(Ingress.class);
    assertThat(ingresses)
        .extracting(i -> i.getMetadata().getName())
        .containsExactly("team-web", "team-websockets");
    ingresses.forEach(EdgeTest::everyHostHasTls);
    noSnippets(s);
    Ingress web = ingresses.get(0);
    Ingress sockets = ingresses.get(1);
    assertThat(web.getSpec().getIngressClassName()).isEqualTo("nginx");
    assertThat(web.getSpec().getTls().get(0).getSecretName()).isEqualTo("team-tls");
    assertThat(web.getSpec().getTls().get(0).getHosts())
        .containsExactly("a.example.org", "hocuspocus.a.example.org");
    Map<String, String> a = web.getMetadata().getAnnotations();
    assertThat(a)
        .containsEntry("cert-manager.io/cluster-issuer", "letsencrypt")
        .containsEntry("nginx.ingress.kubernetes.io/ssl-redirect", "true")
        .containsEntry("nginx.ingress.kubernetes.io/force-ssl-redirect", "true")
        .containsEntry("nginx.ingress.kubernetes.io/proxy-body-size", "251m")
        .containsEntry("nginx.ingress.kubernetes.io/custom-headers", "loomio/team-edge-headers")
        .containsEntry("nginx.ingress.kubernetes.io/limit-rps", "20")
        .containsEntry("nginx.ingress.kubernetes.io/limit-burst-multiplier", "5")
        .containsEntry("nginx.ingress.kubernetes.io/limit-connections", "50")
        .containsEntry("external-dns.alpha.kubernetes.io/ttl", "300")
        .doesNotContainKey("nginx.ingress.kubernetes.io/proxy-read-timeout");
    assertThat(sockets.getMetadata().getAnnotations())
        .doesNotContainKey("cert-manager.io/cluster-issuer")
        .containsEntry("nginx.ingress.kubernetes.io/proxy-read-timeout", "3600")
        .containsEntry("nginx.ingress.kubernetes.io/proxy-send-timeout", "3600");
    assertThat(paths(sockets))
        .containsExactly(
            "a.example.org/cable -> team-web", "hocuspocus.a.example.org/ -> team-hocuspocus");
    assertThat(paths(web))
        .containsExactly(
            "a.example.org/ -> team-web",
            "a.example.org/api/hocuspocus -> team-closed",
            "a.example.org/rails/action_mailbox -> team-closed");
    ConfigMap headers = s.get(ConfigMap.class, "team-edge-headers").orElseThrow();
    assertThat(headerProblems(headers.getData(), false)).isEmpty();
    assertThat(headers.getData()).containsEntry("X-Frame-Options", "SAMEORIGIN");
    headers
        .getData()
        .values()
        .forEach(v -> assertThat(v)
            .matches(org.loomio.operator.api.v1alpha1.SecurityHeadersSpec.HEADER_VALUE_PATTERN));
  }

  @Test
  void theClosedServiceSelectsNoPod() {
    Service closed = stack(NGINX).get(Service.class, "team-closed").orElseThrow();
    assertThat(closed.getSpec().getSelector()).containsEntry(Labels.COMPONENT, "closed");
    for (var d : stack(NGINX).all(io.fabric8.kubernetes.api.model.apps.Deployment.class)) {
      assertThat(d.getSpec().getTemplate().getMetadata().getLabels().get(Labels.COMPONENT))
          .isNotEqualTo("closed");
    }
    assertThat(stack("host: a.example.org").get(Service.class, "team-closed")).isEmpty();
  }

  @Test
  void traefik() {
    Stack s = stack(TRAEFIK);
    noSnippets(s);
    List<TraefikMiddleware> middlewares = s.all(TraefikMiddleware.class);
    assertThat(middlewares)
        .extracting(m -> m.getMetadata().getName())
        .containsExactly(
            "team-https-redirect",
            "team-headers",
            "team-ratelimit",
            "team-inflight",
            "team-body-limit");
    Map<String, Object> headers = spec(middlewares.get(1), "headers");
    assertThat(headers)
        .containsEntry("stsSeconds", 31536000L)
        .containsEntry("stsIncludeSubdomains", true)
        .containsEntry("stsPreload", false)
        .containsEntry("contentTypeNosniff", true)
        .containsEntry("customFrameOptionsValue", "SAMEORIGIN")
        .doesNotContainKey("browserXssFilter")
        .containsEntry("customResponseHeaders", Map.of("Server", "", "X-Powered-By", ""));
    assertThat(spec(middlewares.get(0), "redirectScheme")).containsEntry("scheme", "https");
    assertThat(spec(middlewares.get(2), "rateLimit"))
        .containsEntry("average", 10)
        .containsEntry("burst", 40);
    assertThat(spec(middlewares.get(3), "inFlightReq")).containsEntry("amount", 20);
    assertThat(spec(middlewares.get(4), "buffering"))
        .containsEntry("maxRequestBodyBytes", 101L * 1024 * 1024);
    List<Ingress> ingresses = s.all(Ingress.class);
    ingresses.forEach(EdgeTest::everyHostHasTls);
    assertThat(ingresses.get(0).getMetadata().getAnnotations())
        .containsEntry(
            "traefik.ingress.kubernetes.io/router.middlewares",
            "loomio-team-https-redirect@kubernetescrd,"
                + "loomio-team-headers@kubernetescrd,loomio-team-ratelimit@kubernetescrd,loomio-team-inflight@kubernetescrd,"
                + "loomio-team-body-limit@kubernetescrd")
        .containsEntry("traefik.ingress.kubernetes.io/router.tls", "true")
        .noneSatisfy((k, v) -> assertThat(k).startsWith("nginx.ingress"));
    assertThat(ingresses
            .get(1)
            .getMetadata()
            .getAnnotations()
            .get("traefik.ingress.kubernetes.io/router.middlewares"))
        .doesNotContain("body-limit");
    assertThat(s.get(ConfigMap.class, "team-edge-headers")).isEmpty();
  }

  @Test
  void gatewayApi() {
    Stack s = stack(GATEWAY);
    List<HTTPRoute> routes = s.all(HTTPRoute.class);
    assertThat(routes)
        .extracting(r -> r.getMetadata().getName())
        .containsExactly("team-web", "team-hocuspocus", "team-https-redirect");
    HTTPRoute web = routes.get(0);
    assertThat(web.getSpec().getParentRefs()).singleElement().satisfies(p -> {
      assertThat(p.getName()).isEqualTo("public");
      assertThat(p.getNamespace()).isEqualTo("gateways");
      assertThat(p.getSectionName()).isEqualTo("https");
    });
    assertThat(web.getSpec().getHostnames()).containsExactly("a.example.org");
    for (HTTPRoute r : routes.subList(0, 2)) {
      for (HTTPRouteRule rule : r.getSpec().getRules()) {
        assertThat(rule.getFilters())
            .as("one ResponseHeaderModifier per rule")
            .singleElement()
            .satisfies(f -> {
              Map<String, String> set = new LinkedHashMap<>();
              f.getResponseHeaderModifier()
                  .getSet()
                  .forEach(h -> set.put(h.getName(), h.getValue()));
              assertThat(set.size()).isLessThanOrEqualTo(16);
              assertThat(headerProblems(set, true)).isEmpty();
              assertThat(set)
                  .containsKey("Content-Security-Policy-Report-Only")
                  .containsEntry(
                      "Strict-Transport-Security", "max-age=31536000; includeSubDomains; preload");
              assertThat(f.getResponseHeaderModifier().getRemove())
                  .containsExactly("Server", "X-Powered-By");
            });
      }
    }
    HTTPRouteRule internal = web.getSpec().getRules().get(0);
    assertThat(internal.getMatches())
        .extracting(m -> m.getPath().getValue())
        .containsExactly("/api/hocuspocus", "/rails/action_mailbox");
    assertThat(internal.getBackendRefs())
        .singleElement()
        .satisfies(b -> assertThat(b.getName()).isEqualTo("team-closed"));
    HTTPRoute redirect = routes.get(2);
    assertThat(redirect.getSpec().getParentRefs().get(0).getSectionName()).isEqualTo("http");
    assertThat(redirect.getSpec().getHostnames())
        .containsExactly("a.example.org", "hocuspocus.a.example.org");
    assertThat(redirect.getSpec().getRules()).singleElement().satisfies(rule -> {
      assertThat(rule.getBackendRefs()).isNullOrEmpty();
      assertThat(rule.getFilters()).singleElement().satisfies(f -> {
        assertThat(f.getRequestRedirect().getScheme()).isEqualTo("https");
        assertThat(f.getRequestRedirect().getStatusCode()).isEqualTo(301);
      });
    });
    assertThat(s.all(Ingress.class)).isEmpty();
  }

  @Test
  void headersCanBeSwitchedOffAndTheCspTightened() {
    var h = new org.loomio.operator.api.v1alpha1.SecurityHeadersSpec();
    assertThat(headerProblems(SecurityHeaders.of(h), true)).isEmpty();
    h.setContentSecurityPolicy(
        "default-src 'self'; frame-ancestors 'self'; object-src 'none'; base-uri 'self'");
    h.setFrameOptions(org.loomio.operator.api.v1alpha1.SecurityHeadersSpec.FrameOptions.DENY);
    assertThat(headerProblems(SecurityHeaders.of(h), true)).isEmpty();
    assertThat(SecurityHeaders.of(h)).containsEntry("X-Frame-Options", "DENY");
    h.setEnabled(false);
    assertThat(SecurityHeaders.of(h)).isEmpty();
    Stack off = stack(
        "host: a.example.org\ningress: {className: nginx, tls: {secretName: x}, headers: {enabled: false},"
            + " rateLimit: {enabled: false}}");
    assertThat(off.get(ConfigMap.class, "team-edge-headers")).isEmpty();
    assertThat(off.all(Ingress.class).get(0).getMetadata().getAnnotations())
        .doesNotContainKeys(
            "nginx.ingress.kubernetes.io/custom-headers", "nginx.ingress.kubernetes.io/limit-rps");
  }

  @Test
  void missingApisAreLeftOutAndReported() {
    var r = Fixtures.resource("team", GATEWAY);
    var old = new ClusterCapabilities(
        1, 30, java.util.Set.of(ClusterCapabilities.INGRESS_V1, ClusterCapabilities.PDB_V1));
    Stack s = Fixtures.render(r, old);
    assertThat(s.all(HTTPRoute.class)).isEmpty();
    assertThat(s.omissions())
        .extracting(Omission::api)
        .contains("gateway.networking.k8s.io/v1 HTTPRoute");
    Stack t = Fixtures.render(Fixtures.resource("team", TRAEFIK), old);
    assertThat(t.all(TraefikMiddleware.class)).isEmpty();
    assertThat(t.all(Ingress.class)).hasSize(2);
    assertThat(t.omissions()).extracting(Omission::api).contains("traefik.io/v1alpha1 Middleware");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(TraefikMiddleware m, String type) {
    return (Map<String, Object>) m.getSpec().get(type);
  }

  private static List<String> paths(Ingress i) {
    List<String> out = new ArrayList<>();
    i.getSpec().getRules().forEach(r -> {
      for (HTTPIngressPath p : r.getHttp().getPaths()) {
        out.add(r.getHost() + p.getPath() + " -> " + p.getBackend().getService().getName());
      }
    });
    return out;
  }
}

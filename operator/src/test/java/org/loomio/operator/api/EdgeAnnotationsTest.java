package org.loomio.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.EdgeAnnotations;
import org.loomio.operator.api.v1alpha1.IngressSpec;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.testing.Fixtures;

class EdgeAnnotationsTest {

  private static final String NGINX = "nginx.ingress.kubernetes.io/";
  private static final String TRAEFIK = "traefik.ingress.kubernetes.io/";

  /** The keys a regular expression of the form prefix(a|b)|prefix(c) accepts, as plain strings. */
  private static Set<String> keys(String regex) {
    Set<String> keys = new TreeSet<>();
    Matcher m = Pattern.compile("([^|()]+)\\(([^()]+)\\)").matcher(regex);
    while (m.find()) {
      for (String name : m.group(2).split("\\|")) {
        keys.add((m.group(1) + name).replace("[.]", "."));
      }
    }
    return keys;
  }

  private static List<String> nginx(Map<String, String> annotations) {
    return EdgeAnnotations.problems(annotations, false);
  }

  @Test
  void everyAllowedKeyHasAValueFormatAndNoOtherKeyHasOne() {
    Set<String> allowed = new TreeSet<>();
    allowed.addAll(keys(EdgeAnnotations.ANY_CONTROLLER_KEYS));
    allowed.addAll(keys(EdgeAnnotations.NGINX_KEYS));
    allowed.addAll(keys(EdgeAnnotations.TRAEFIK_KEYS));
    assertThat(allowed)
        .hasSize(28)
        .isEqualTo(new TreeSet<>(EdgeAnnotations.VALUE_FORMATS.keySet()));
    Pattern owned = Pattern.compile("(?i)^(" + EdgeAnnotations.OWNED_KEYS + ")$");
    assertThat(allowed).noneMatch(k -> owned.matcher(k).matches());
  }

  @Test
  void noAllowedKeyBelongsToAFamilyThatReroutesAuthenticatesMirrorsOrInjects() {
    assertThat(EdgeAnnotations.VALUE_FORMATS.keySet())
        .allSatisfy(k -> assertThat(k)
            .doesNotContain("snippet")
            .doesNotContain("auth")
            .doesNotContain("mirror")
            .doesNotContain("redirect")
            .doesNotContain("rewrite")
            .doesNotContain("backend")
            .doesNotContain("upstream-vhost")
            .doesNotContain("alias")
            .doesNotContain("ssl-passthrough")
            .doesNotContain("middlewares")
            .doesNotContain("canary")
            .doesNotContain("cors")
            .doesNotContain("hostname")
            .doesNotContain("common-name")
            .doesNotContain("sans"));
  }

  @Test
  void theKnownAttackAnnotationsAreRefusedInAnyCase() {
    for (String key : List.of(
        NGINX + "auth-url",
        NGINX + "auth-tls-match-cn",
        NGINX + "auth-tls-secret",
        NGINX + "mirror-target",
        NGINX + "mirror-host",
        NGINX + "server-snippet",
        NGINX + "Server-Snippet",
        NGINX + "configuration-snippet",
        NGINX + "CONFIGURATION-SNIPPET",
        "NGINX.ingress.kubernetes.io/auth-url",
        NGINX + "custom-http-errors",
        NGINX + "default-backend",
        NGINX + "permanent-redirect",
        NGINX + "rewrite-target",
        NGINX + "use-regex",
        NGINX + "backend-protocol",
        NGINX + "upstream-vhost",
        NGINX + "server-alias",
        NGINX + "ssl-passthrough",
        NGINX + "enable-access-log",
        NGINX + "limit-allowlist",
        NGINX + "canary",
        "external-dns.alpha.kubernetes.io/hostname",
        "cert-manager.io/common-name",
        "kubernetes.io/tls-acme",
        "acme.cert-manager.io/http01-edit-in-place",
        NGINX + "Proxy-Connect-Timeout")) {
      assertThat(nginx(Map.of(key, "x")))
          .as(key)
          .containsExactly(key + ": " + EdgeAnnotations.NOT_ALLOWED_MESSAGE);
    }
  }

  @Test
  void theOperatorsOwnAnnotationsAreRefusedWithTheirOwnMessageInAnyCase() {
    for (String key : List.of(
        NGINX + "proxy-body-size",
        NGINX + "SSL-Redirect",
        NGINX + "limit-rps",
        NGINX + "custom-headers",
        TRAEFIK + "router.middlewares",
        TRAEFIK + "Router.Middlewares",
        TRAEFIK + "router.entrypoints",
        "cert-manager.io/cluster-issuer",
        "cert-manager.io/issuer",
        "kubernetes.io/ingress.class")) {
      assertThat(nginx(Map.of(key, "x")))
          .as(key)
          .containsExactly(key + ": " + EdgeAnnotations.OWNED_MESSAGE);
      assertThat(EdgeAnnotations.problems(Map.of(key, "x"), true))
          .as(key)
          .containsExactly(key + ": " + EdgeAnnotations.OWNED_MESSAGE);
    }
  }

  @Test
  void everyAnnotationTheOperatorRendersIsOneItOwns() {
    Pattern owned = Pattern.compile("(?i)^(" + EdgeAnnotations.OWNED_KEYS + ")$");
    List<String> rendered = new ArrayList<>();
    for (String spec : List.of(
        "host: a.example.org\ningress: {className: nginx, tls: {clusterIssuer: letsencrypt}}",
        "host: a.example.org\ningress: {className: nginx, tls: {issuer: ca}, rateLimit: {enabled: false}}",
        "host: a.example.org\ningress: {className: traefik, tls: {clusterIssuer: letsencrypt}}",
        "host: a.example.org\ningress: {className: public, controller: traefik, tls: {issuer: ca}}")) {
      Fixtures.render(Fixtures.resource("team", spec)).objects().stream()
          .filter(Ingress.class::isInstance)
          .forEach(o -> rendered.addAll(o.getMetadata().getAnnotations().keySet()));
    }
    assertThat(rendered).isNotEmpty().allMatch(k -> owned.matcher(k).matches());
    assertThat(new TreeSet<>(rendered))
        .contains(
            NGINX + "proxy-read-timeout",
            TRAEFIK + "router.middlewares",
            "cert-manager.io/issuer",
            "cert-manager.io/cluster-issuer");
  }

  @Test
  void eachControllerHasItsOwnList() {
    Map<String, String> nginxKey = Map.of(NGINX + "proxy-connect-timeout", "10");
    Map<String, String> traefikKey = Map.of(TRAEFIK + "router.tls.certresolver", "le");
    Map<String, String> anyKey = Map.of("external-dns.alpha.kubernetes.io/ttl", "300");
    assertThat(nginx(nginxKey)).isEmpty();
    assertThat(nginx(traefikKey)).hasSize(1);
    assertThat(EdgeAnnotations.problems(traefikKey, true)).isEmpty();
    assertThat(EdgeAnnotations.problems(nginxKey, true)).hasSize(1);
    assertThat(nginx(anyKey)).isEmpty();
    assertThat(EdgeAnnotations.problems(anyKey, true)).isEmpty();
  }

  @Test
  void theControllerIsTheOneTheIngressIsRenderedFor() {
    for (String ingress : List.of(
        "{className: nginx}",
        "{className: traefik}",
        "{className: Traefik-Public}",
        "{className: public}",
        "{className: traefik, controller: nginx}",
        "{className: public, controller: traefik}")) {
      var resource = Fixtures.resource("team", "host: a.example.org\ningress: " + ingress);
      IngressSpec spec = resource.getSpec().getIngress();
      assertThat(EdgeAnnotations.traefik(spec))
          .as(ingress)
          .isEqualTo(ResolvedSpec.of(resource, ImageDefaults.BUILT_IN).ingressController()
              == IngressSpec.Controller.TRAEFIK);
    }
  }

  @Test
  void valuesHoldNoControlCharacterAndKeepTheirKeysFormat() {
    String key = NGINX + "proxy-buffer-size";
    assertThat(nginx(Map.of(key, "16k"))).isEmpty();
    assertThat(nginx(Map.of(key, "16k\nserver_tokens on")))
        .containsExactly(key + ": " + EdgeAnnotations.CONTROL_CHARACTER_MESSAGE);
    assertThat(nginx(Map.of(key, "16k\u0000")))
        .containsExactly(key + ": " + EdgeAnnotations.CONTROL_CHARACTER_MESSAGE);
    assertThat(nginx(Map.of(key, "16k\u007f")))
        .containsExactly(key + ": " + EdgeAnnotations.CONTROL_CHARACTER_MESSAGE);
    assertThat(nginx(Map.of(key, "16k; }")))
        .containsExactly(key + ": the value must be a size such as 16k or 1m");
    String range = NGINX + "allowlist-source-range";
    assertThat(nginx(Map.of(range, "10.0.0.0/8, 192.168.0.0/16,2001:db8::/32"))).isEmpty();
    assertThat(nginx(Map.of(range, ("10.0.0.0/8,").repeat(200) + "10.0.0.0/8")))
        .containsExactly(range + ": " + EdgeAnnotations.TOO_LONG_MESSAGE);
    assertThat(nginx(Map.of(NGINX + "enable-modsecurity", "false")))
        .containsExactly(
            NGINX + "enable-modsecurity: the value must be true (it may be turned on, not off)");
  }

  @Test
  void aTypicalValueOfEveryAllowedKeyPasses() {
    Map<String, String> typical = new LinkedHashMap<>();
    typical.put("external-dns.alpha.kubernetes.io/ttl", "300");
    typical.put("external-dns.alpha.kubernetes.io/target", "lb.example.net");
    typical.put("external-dns.alpha.kubernetes.io/cloudflare-proxied", "true");
    typical.put("cert-manager.io/issuer-kind", "ClusterIssuer");
    typical.put("cert-manager.io/issuer-group", "cas-issuer.jetstack.io");
    typical.put("cert-manager.io/duration", "2160h");
    typical.put("cert-manager.io/renew-before", "360h");
    typical.put("cert-manager.io/private-key-algorithm", "ECDSA");
    typical.put("cert-manager.io/private-key-size", "384");
    typical.put("cert-manager.io/private-key-rotation-policy", "Always");
    typical.put("cert-manager.io/revision-history-limit", "3");
    typical.put(NGINX + "proxy-connect-timeout", "10");
    typical.put(NGINX + "proxy-buffer-size", "16k");
    typical.put(NGINX + "proxy-buffers-number", "8");
    typical.put(NGINX + "proxy-buffering", "off");
    typical.put(NGINX + "proxy-request-buffering", "off");
    typical.put(NGINX + "proxy-max-temp-file-size", "0");
    typical.put(NGINX + "proxy-next-upstream-tries", "3");
    typical.put(NGINX + "proxy-next-upstream-timeout", "30");
    typical.put(NGINX + "client-body-buffer-size", "1m");
    typical.put(NGINX + "allowlist-source-range", "10.0.0.0/8");
    typical.put(NGINX + "denylist-source-range", "192.0.2.1/32");
    typical.put(NGINX + "service-upstream", "true");
    typical.put(NGINX + "load-balance", "ewma");
    typical.put(NGINX + "enable-opentelemetry", "true");
    typical.put(NGINX + "enable-modsecurity", "true");
    typical.put(NGINX + "enable-owasp-core-rules", "true");
    assertThat(nginx(typical)).isEmpty();
    assertThat(EdgeAnnotations.problems(
            Map.of(TRAEFIK + "router.tls.certresolver", "letsencrypt"), true))
        .isEmpty();
    Set<String> covered = new TreeSet<>(typical.keySet());
    covered.add(TRAEFIK + "router.tls.certresolver");
    assertThat(covered).isEqualTo(EdgeAnnotations.VALUE_FORMATS.keySet());
  }

  @Test
  void aKeyWithControlCharactersIsShownWithoutThem() {
    assertThat(nginx(Map.of("evil\nkey", "x")))
        .containsExactly("evil?key: " + EdgeAnnotations.NOT_ALLOWED_MESSAGE);
  }

  @Test
  void theCelRulesUseTheSameExpressionsAndNoBackslash() {
    assertThat(EdgeAnnotations.CEL_NOT_OWNED).contains(EdgeAnnotations.OWNED_KEYS);
    assertThat(EdgeAnnotations.CEL_ALLOWED)
        .contains(EdgeAnnotations.OWNED_KEYS)
        .contains(EdgeAnnotations.ANY_CONTROLLER_KEYS)
        .contains(EdgeAnnotations.NGINX_KEYS)
        .contains(EdgeAnnotations.TRAEFIK_KEYS);
    assertThat(EdgeAnnotations.CEL_NOT_OWNED + EdgeAnnotations.CEL_ALLOWED).doesNotContain("\\");
  }
}

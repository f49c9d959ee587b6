package org.loomio.operator.api.v1alpha1;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The annotations a user may add to the operator's Ingresses ({@code spec.ingress.annotations}): an allowlist
 * per controller, the only place it is written. Everything not listed is refused, in particular every key that
 * reroutes traffic, adds authentication or mirroring, injects controller configuration or bypasses the
 * operator's TLS, headers and limits (docs/api.md, "Edge annotations", gives the reason for each family).
 *
 * <ul>
 *   <li>Keys the operator sets itself ({@link #OWNED_KEYS}) are refused with their own message, in any case.
 *   <li>Other keys must be exactly (lower case) one of {@link #ANY_CONTROLLER_KEYS}, or of the keys of the
 *       Ingress's controller ({@link #NGINX_KEYS}, {@link #TRAEFIK_KEYS}). A case variant of a forbidden key
 *       ({@code Server-Snippet}) is therefore refused like the key itself, and so is a case variant of an allowed
 *       key (the controllers would ignore it; the API server refuses upper case in a key's prefix).
 *   <li>Values: at most {@link #MAX_VALUE_LENGTH} characters, no control character (schema), and the format of
 *       the key ({@link #VALUE_FORMATS}: numbers, on/off, CIDR lists, ...; operator only).
 * </ul>
 *
 * The CRD's CEL rules ({@link #CEL_NOT_OWNED}, {@link #CEL_ALLOWED}) check the keys with the same expressions;
 * the value formats are checked by the operator alone (a CEL lookup of a map value per key has no size bound
 * the API server's cost estimate accepts).
 */
public final class EdgeAnnotations {

  /** The longest value accepted (a long allowlist of CIDRs fits; nothing legitimate here is longer). */
  public static final int MAX_VALUE_LENGTH = 2048;
  /** No control character (U+0000 to U+001F, U+007F): a newline in a value is how configuration is injected. */
  public static final String VALUE_PATTERN = "^[^\\x00-\\x1f\\x7f]*$";

  static final String EXTERNAL_DNS = "external-dns[.]alpha[.]kubernetes[.]io/";
  static final String CERT_MANAGER = "cert-manager[.]io/";
  static final String NGINX = "nginx[.]ingress[.]kubernetes[.]io/";
  static final String TRAEFIK = "traefik[.]ingress[.]kubernetes[.]io/";

  /** Keys the operator sets (compared case-insensitively). Regular expression alternatives, no backslash. */
  public static final String OWNED_KEYS =
      NGINX + "(ssl-redirect|force-ssl-redirect|proxy-body-size|custom-headers"
          + "|limit-rps|limit-burst-multiplier|limit-connections|proxy-read-timeout|proxy-send-timeout)"
          + "|" + TRAEFIK + "(router[.]entrypoints|router[.]tls|router[.]middlewares)"
          + "|" + CERT_MANAGER + "(cluster-issuer|issuer)"
          + "|kubernetes[.]io/ingress[.]class";
  /** Keys allowed whatever the controller. */
  public static final String ANY_CONTROLLER_KEYS = EXTERNAL_DNS + "(ttl|target|cloudflare-proxied)"
      + "|" + CERT_MANAGER
      + "(issuer-kind|issuer-group|duration|renew-before|private-key-algorithm|private-key-size"
      + "|private-key-rotation-policy|revision-history-limit)";
  /** Keys allowed on an ingress-nginx Ingress. */
  public static final String NGINX_KEYS =
      NGINX + "(proxy-connect-timeout|proxy-buffer-size|proxy-buffers-number"
          + "|proxy-buffering|proxy-request-buffering|proxy-max-temp-file-size|proxy-next-upstream-tries"
          + "|proxy-next-upstream-timeout|client-body-buffer-size|allowlist-source-range|denylist-source-range"
          + "|service-upstream|load-balance|enable-opentelemetry|enable-modsecurity|enable-owasp-core-rules)";
  /** Keys allowed on a Traefik Ingress. */
  public static final String TRAEFIK_KEYS = TRAEFIK + "(router[.]tls[.]certresolver)";

  public static final String OWNED_MESSAGE =
      "the operator sets this annotation: use the field instead (tls.issuer or"
          + " tls.clusterIssuer, rateLimit, headers, spec.uploadLimitMB, className)";
  public static final String NOT_ALLOWED_MESSAGE =
      "not on the list of safe annotations for this Ingress's"
          + " controller (docs/api.md, \"Edge annotations\"; keys are lower case)";
  public static final String CONTROL_CHARACTER_MESSAGE =
      "the value holds a control character (a newline, a tab," + " ...): refused";
  public static final String TOO_LONG_MESSAGE =
      "the value is longer than " + MAX_VALUE_LENGTH + " characters";

  private static final String IS_TRAEFIK =
      "(has(self.controller) ? self.controller == 'traefik' : has(self.className) && self.className.matches('(?i)traefik'))";
  private static final String OWNED = "k.matches('(?i)^(" + OWNED_KEYS + ")$')";

  /**
   * The longest annotation key Kubernetes accepts (a 253-character prefix, '/', a 63-character name). A CRD
   * cannot bound a map's keys, so each rule tests a key's length before matching it: that bounds the rule's
   * cost (CelRulesTest); a longer key is on no list, and the second rule refuses it.
   */
  public static final int MAX_KEY_LENGTH = 317;

  /** CEL on IngressSpec: no key the operator sets. */
  public static final String CEL_NOT_OWNED =
      "!has(self.annotations) || self.annotations.all(k, size(k) > " + MAX_KEY_LENGTH + " || !"
          + OWNED + ")";
  /** CEL on IngressSpec: every other key on the list of its controller. */
  public static final String CEL_ALLOWED =
      "!has(self.annotations) || self.annotations.all(k, size(k) <= "
          + MAX_KEY_LENGTH + " && (" + OWNED + " || k.matches('^(" + ANY_CONTROLLER_KEYS
          + ")$') || (" + IS_TRAEFIK
          + " ? k.matches('^(" + TRAEFIK_KEYS + ")$') : k.matches('^(" + NGINX_KEYS + ")$'))))";

  /** A value format: a regular expression and how to say it. */
  public record Format(String regex, String description) {
    boolean accepts(String value) {
      return Pattern.compile(regex).matcher(value).matches();
    }
  }

  private static final Format SECONDS = new Format("[0-9]{1,4}", "a number of seconds");
  private static final Format COUNT = new Format("[0-9]{1,3}", "a number");
  private static final Format NGINX_SIZE =
      new Format("[0-9]{1,6}[kKmM]?", "a size such as 16k or 1m");
  private static final Format ON_OFF = new Format("on|off", "on or off");
  private static final Format TRUE_FALSE = new Format("true|false", "true or false");
  private static final Format ONLY_TRUE = new Format("true", "true (it may be turned on, not off)");
  private static final Format GO_DURATION =
      new Format("([0-9]{1,6}(h|m|s))+", "a duration such as 2160h or 90m");
  private static final Format CIDRS = new Format(
      "[0-9a-fA-F.:/]{2,43}( *, *[0-9a-fA-F.:/]{2,43})*",
      "a comma-separated list of addresses or CIDRs");

  /** Every allowed key (lower case) with the format of its value. */
  public static final Map<String, Format> VALUE_FORMATS = formats();

  private static Map<String, Format> formats() {
    Map<String, Format> f = new LinkedHashMap<>();
    String dns = "external-dns.alpha.kubernetes.io/";
    f.put(
        dns + "ttl",
        new Format("[0-9]{1,10}|([0-9]{1,6}(h|m|s)){1,3}", "seconds or a duration such as 5m"));
    f.put(
        dns + "target",
        new Format(
            "[A-Za-z0-9.:-]{1,253}(,[A-Za-z0-9.:-]{1,253}){0,15}",
            "a comma-separated list of host names or addresses"));
    f.put(dns + "cloudflare-proxied", TRUE_FALSE);
    String cm = "cert-manager.io/";
    f.put(cm + "issuer-kind", new Format("[A-Z][A-Za-z0-9]{0,62}", "a kind such as ClusterIssuer"));
    f.put(cm + "issuer-group", new Format("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?", "an API group"));
    f.put(cm + "duration", GO_DURATION);
    f.put(cm + "renew-before", GO_DURATION);
    f.put(cm + "private-key-algorithm", new Format("RSA|ECDSA|Ed25519", "RSA, ECDSA or Ed25519"));
    f.put(cm + "private-key-size", new Format("[0-9]{3,4}", "a key size in bits"));
    f.put(cm + "private-key-rotation-policy", new Format("Always|Never", "Always or Never"));
    f.put(cm + "revision-history-limit", COUNT);
    String n = "nginx.ingress.kubernetes.io/";
    f.put(n + "proxy-connect-timeout", SECONDS);
    f.put(n + "proxy-buffer-size", NGINX_SIZE);
    f.put(n + "proxy-buffers-number", COUNT);
    f.put(n + "proxy-buffering", ON_OFF);
    f.put(n + "proxy-request-buffering", ON_OFF);
    f.put(
        n + "proxy-max-temp-file-size",
        new Format("[0-9]{1,6}[kKmMgG]?", "a size such as 1024m or 0"));
    f.put(n + "proxy-next-upstream-tries", COUNT);
    f.put(n + "proxy-next-upstream-timeout", SECONDS);
    f.put(n + "client-body-buffer-size", NGINX_SIZE);
    f.put(n + "allowlist-source-range", CIDRS);
    f.put(n + "denylist-source-range", CIDRS);
    f.put(n + "service-upstream", TRUE_FALSE);
    f.put(n + "load-balance", new Format("round_robin|ewma", "round_robin or ewma"));
    f.put(n + "enable-opentelemetry", ONLY_TRUE);
    f.put(n + "enable-modsecurity", ONLY_TRUE);
    f.put(n + "enable-owasp-core-rules", ONLY_TRUE);
    f.put(
        "traefik.ingress.kubernetes.io/router.tls.certresolver",
        new Format("[A-Za-z0-9_-]{1,63}", "the name of a certificate resolver"));
    return Collections.unmodifiableMap(f);
  }

  private EdgeAnnotations() {}

  /** Whether the Ingress is read by Traefik (else ingress-nginx): the same default as the rendered objects. */
  public static boolean traefik(IngressSpec ingress) {
    return ingress.getController() != null
        ? ingress.getController() == IngressSpec.Controller.TRAEFIK
        : ingress.getClassName() != null
            && ingress.getClassName().toLowerCase(Locale.ROOT).contains("traefik");
  }

  /** What is wrong with the annotations, one {@code "<key>: <message>"} per problem; empty if nothing. */
  public static List<String> problems(Map<String, String> annotations, boolean traefik) {
    return problemsByKey(annotations, traefik).stream()
        .map(p -> p.getKey() + ": " + p.getValue())
        .toList();
  }

  /**
   * What is wrong with the annotations, per key (as it may be shown: control characters replaced, long keys
   * cut): the same messages as the CEL rules' for the keys they refuse.
   */
  public static List<Map.Entry<String, String>> problemsByKey(
      Map<String, String> annotations, boolean traefik) {
    List<Map.Entry<String, String>> problems = new ArrayList<>();
    if (annotations == null) {
      return problems;
    }
    Pattern owned = Pattern.compile("(?i)^(" + OWNED_KEYS + ")$");
    Pattern allowed = Pattern.compile(
        "^(" + ANY_CONTROLLER_KEYS + "|" + (traefik ? TRAEFIK_KEYS : NGINX_KEYS) + ")$");
    annotations.forEach((key, value) -> {
      String shown = printable(key);
      if (owned.matcher(key).matches()) {
        problems.add(Map.entry(shown, OWNED_MESSAGE));
        return;
      }
      if (key.length() > MAX_KEY_LENGTH || !allowed.matcher(key).matches()) {
        problems.add(Map.entry(shown, NOT_ALLOWED_MESSAGE));
        return;
      }
      if (value == null) {
        return;
      }
      if (!Pattern.compile(VALUE_PATTERN).matcher(value).matches()) {
        problems.add(Map.entry(shown, CONTROL_CHARACTER_MESSAGE));
      } else if (value.length() > MAX_VALUE_LENGTH) {
        problems.add(Map.entry(shown, TOO_LONG_MESSAGE));
      } else if (!VALUE_FORMATS.get(key).accepts(value)) {
        problems.add(
            Map.entry(shown, "the value must be " + VALUE_FORMATS.get(key).description()));
      }
    });
    return problems;
  }

  /** A key as it may appear in a message, an event or a log line: control characters replaced. */
  private static String printable(String key) {
    String k = key.length() > 100 ? key.substring(0, 100) + "..." : key;
    return k.replaceAll("[\\x00-\\x1f\\x7f]", "?");
  }
}

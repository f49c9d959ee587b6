package org.loomio.operator.api.v1alpha1;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which keys a tenant may put in {@code spec.*.pod.labels} and {@code spec.*.pod.annotations}, the only place
 * the rules are written (docs/api.md, "Pod options", gives the reasons).
 *
 * <ul>
 *   <li>Labels: a denylist. Keys whose prefix (the part before {@code /}) is one of {@link #RESERVED_LABEL_DOMAINS}
 *       or a subdomain of one are refused: Kubernetes' own ({@code kubernetes.io}, {@code k8s.io}, so also
 *       {@code app.kubernetes.io}, which selects the stack's pods), the operator's ({@code loomio.org}), and the
 *       ones that make a service mesh, a cloud identity webhook or an APM/tracing injector (Datadog's
 *       {@code admission.datadoghq.com/enabled}, Kuma, OSM, Dapr, Consul and Vault, OpenTelemetry, New Relic,
 *       Dynatrace, Instana) change the pod. Any other label stays possible,
 *       and it may still match the selector of another Service or NetworkPolicy in the namespace: no rule can see
 *       every selector that exists or will exist (docs/hardening.md says so).
 *   <li>Annotations: an allowlist, because other integrations act on annotations (Multus attaches networks,
 *       meshes inject sidecars and rewrite traffic, Kata and CRI-O take runtime settings, autoscalers and
 *       kube2iam/Vault act on them). Admitted: plain keys, without a prefix and without a dot ({@code team},
 *       {@code description}; container runtimes read dotted ones such as {@code io.katacontainers.*}), the
 *       {@link #DEFAULT_ANNOTATIONS}, and what the operator's setting adds ({@code ALLOWED_POD_ANNOTATIONS}). The
 *       operator's own ({@code loomio.org} and its subdomains) never; keys that change the security profile only
 *       under their own setting (validation.TenantPolicy#securityAnnotation).
 * </ul>
 *
 * Both are checked by the operator (and render); the CRD has no CEL rule for them, because a rule over a map's
 * keys, whose length the schema cannot bound, exceeds the API server's cost budget.
 */
public final class PodMetadataKeys {

  /** Label prefixes that are not the tenant's, with their subdomains. */
  public static final List<String> RESERVED_LABEL_DOMAINS = List.of(
      "kubernetes.io",
      "k8s.io",
      "loomio.org",
      "istio.io",
      "linkerd.io",
      "azure.workload.identity",
      "datadoghq.com",
      "kuma.io",
      "openservicemesh.io",
      "dapr.io",
      "hashicorp.com",
      "opentelemetry.io",
      "newrelic.com",
      "dynatrace.com",
      "instana.io");

  /** Annotation entries admitted on every operator, besides plain keys (no prefix, no dot). */
  public static final List<String> DEFAULT_ANNOTATIONS = List.of("prometheus.io/*");

  /** The operator's own annotation domain (roll-out hashes): never a tenant's. */
  public static final String OPERATOR_DOMAIN = "loomio.org";

  /** How the operator's annotation list is extended; quoted by every refusal. */
  public static final String ANNOTATION_SETTING =
      "the operator's ALLOWED_POD_ANNOTATIONS, chart value" + " tenancy.allowedPodAnnotations";

  public static final String RESERVED_LABEL_MESSAGE =
      "is in a namespace that is not the stack's to set ("
          + String.join(", ", RESERVED_LABEL_DOMAINS)
          + " and their subdomains: Kubernetes', the operator's selectors,"
          + " service-mesh injection, cloud identity); use a key of your own, such as team or example.org/team";

  public static final String NOT_ALLOWED_ANNOTATION_MESSAGE =
      "not on the operator's list of pod annotations (plain"
          + " keys without a prefix or a dot, " + String.join(", ", DEFAULT_ANNOTATIONS)
          + ", and what the operator adds); other"
          + " annotations are read by the cluster's integrations (networks, service meshes, container runtimes,"
          + " autoscalers, cloud identities) and could take the pods out of their NetworkPolicies or hardening. "
          + ANNOTATION_SETTING + ", admits more";

  public static final String OPERATORS_ANNOTATION_MESSAGE =
      "loomio.org annotations are the operator's (roll-out" + " hashes); refused whatever "
          + ANNOTATION_SETTING + " admits";

  /** An allowlist entry: {@code *}, {@code prefix/*}, {@code prefix/name} or a name without prefix. */
  private static final Pattern ENTRY = Pattern.compile("^\\*$|^([a-z0-9]([-a-z0-9]*[a-z0-9])?"
      + "([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?|\\*)$");

  private PodMetadataKeys() {}

  /** Whether a pod label key is refused: its prefix is a reserved domain or under one. */
  public static boolean reservedLabel(String key) {
    String prefix = prefix(key);
    return RESERVED_LABEL_DOMAINS.stream().anyMatch(d -> inDomain(prefix, d));
  }

  /** Whether an annotation key is the operator's own. */
  public static boolean operatorsAnnotation(String key) {
    return inDomain(prefix(key), OPERATOR_DOMAIN);
  }

  /** Whether an annotation key is admitted by the defaults or by one of the operator's extra entries. */
  public static boolean admittedAnnotation(String key, List<String> extraEntries) {
    if (!key.contains("/") && !key.contains(".")) {
      return true;
    }
    return DEFAULT_ANNOTATIONS.stream().anyMatch(e -> matches(key, e))
        || extraEntries.stream().anyMatch(e -> matches(key, e));
  }

  /** Fails on an entry of the operator's annotation list that is neither a key nor a {@code prefix/*}. */
  public static void checkEntry(String entry) {
    if (!ENTRY.matcher(entry).matches()) {
      throw new IllegalArgumentException("allowed pod annotation '" + entry
          + "': write a key (example.org/team), a" + " prefix ending in /* (example.org/*), or *");
    }
  }

  private static boolean matches(String key, String entry) {
    if (entry.equals("*")) {
      return true;
    }
    return entry.endsWith("/*")
        ? key.startsWith(entry.substring(0, entry.length() - 1))
        : key.equals(entry);
  }

  private static String prefix(String key) {
    int slash = key.indexOf('/');
    return slash < 0 ? "" : key.substring(0, slash).toLowerCase(Locale.ROOT);
  }

  private static boolean inDomain(String prefix, String domain) {
    return prefix.equals(domain) || prefix.endsWith("." + domain);
  }
}

package org.loomio.operator.validation;

import io.fabric8.kubernetes.api.model.Toleration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.loomio.operator.api.v1alpha1.ImageSpec;
import org.loomio.operator.api.v1alpha1.PodMetadataKeys;
import org.loomio.operator.model.Defaults;
import org.loomio.operator.model.ImageDefaults;

/**
 * What a tenant (whoever may create a LoomioDeployment, a narrower right than creating Pods or reading
 * Secrets) may ask the operator for: which image repositories a stack may run, and whether pod options may
 * weaken the hardening (security annotations, {@code system-*} priority classes, tolerations of control-plane
 * taints). One per operator, set by its flags, environment or chart values ({@code tenancy.*}); the render
 * CLI takes the same flags. {@link SpecValidator#validate(org.loomio.operator.api.v1alpha1.LoomioDeployment,
 * TenantPolicy)} applies it.
 *
 * <p>Image repositories are compared without tag or digest, with Docker Hub's forms normalised:
 * {@code loomio/loomio}, {@code docker.io/loomio/loomio} and {@code index.docker.io/loomio/loomio} are one
 * repository, and {@code postgres} is {@code docker.io/library/postgres}. An entry ending in {@code /*} admits
 * every repository under it ({@code registry.example.org/mirror/*}); {@code *} alone admits every repository.
 *
 * @param images the operator's default images: their repositories are always admitted, and the backup agent
 *     is always {@link ImageDefaults#agent()}
 * @param extraImageRepositories repositories (or {@code /*} prefixes) admitted besides the others
 * @param builtInImageRepositories whether {@link #BUILT_IN_IMAGE_REPOSITORIES} are admitted (false: only the
 *     default images' repositories and the extra ones, for example an air-gapped mirror)
 * @param allowSecurityAnnotations whether pod annotations may change the security profile (see
 *     {@link #securityAnnotation})
 * @param allowSystemPriorityClasses whether pods may use the {@code system-*} priority classes
 * @param allowControlPlaneTolerations whether pods may tolerate control-plane taints, or every taint
 * @param requireSecretConsent whether a Secret or ConfigMap a stack references must carry its owner's consent
 *     (reconcile.ReferencedSecrets); false only for a single-tenant cluster
 * @param nginxControllerConfigMap the one ingress-nginx controller ConfigMap ({@code namespace/name}) the
 *     operator may read for a stack (spec.ingress.nginxControllerConfigMap), or null: none
 * @param allowedPodAnnotations pod annotation keys (or {@code prefix/*}, or {@code *}) admitted besides keys
 *     without a prefix and {@link PodMetadataKeys#DEFAULT_ANNOTATIONS}; never the operator's own, and security
 *     annotations only with {@code allowSecurityAnnotations}
 */
public record TenantPolicy(
    ImageDefaults images,
    List<String> extraImageRepositories,
    boolean builtInImageRepositories,
    boolean allowSecurityAnnotations,
    boolean allowSystemPriorityClasses,
    boolean allowControlPlaneTolerations,
    boolean requireSecretConsent,
    String nginxControllerConfigMap,
    List<String> allowedPodAnnotations) {

  /** CloudNativePG's operand image: PostgreSQL built for Kubernetes, a common choice of mirror. */
  public static final String CLOUDNATIVE_PG_POSTGRESQL =
      Defaults.CLOUDNATIVE_PG_POSTGRES_REPOSITORY;

  /** Loomio's, PostgreSQL's and Redis' official repositories, the operator's own, CloudNativePG's PostgreSQL. */
  public static final List<String> BUILT_IN_IMAGE_REPOSITORIES = List.of(
      Defaults.LOOMIO_REPOSITORY,
      Defaults.POSTGRES_REPOSITORY,
      Defaults.REDIS_REPOSITORY,
      Defaults.AGENT_REPOSITORY,
      CLOUDNATIVE_PG_POSTGRESQL);

  /** The control-plane taints a tenant's pods may not tolerate (the kubeadm names, current and old). */
  public static final List<String> CONTROL_PLANE_TAINTS =
      List.of("node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master");

  /** How a person extends the image allowlist; quoted by every refusal. */
  public static final String IMAGE_SETTING =
      "the operator's ALLOWED_IMAGE_REPOSITORIES, chart value"
          + " tenancy.allowedImageRepositories";

  private static final Pattern REPOSITORY = Pattern.compile(ImageSpec.REPOSITORY_PATTERN);
  private static final List<String> DOCKER_HUB_ALIASES =
      List.of("docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com");

  public TenantPolicy {
    Objects.requireNonNull(images, "images");
    List<String> extra = new ArrayList<>();
    for (String entry : Objects.requireNonNull(extraImageRepositories, "extraImageRepositories")) {
      String e = entry == null ? "" : entry.trim();
      if (!e.isEmpty()) {
        checkEntry(e);
        extra.add(e);
      }
    }
    extraImageRepositories = List.copyOf(extra);
    List<String> annotations = new ArrayList<>();
    for (String entry : Objects.requireNonNull(allowedPodAnnotations, "allowedPodAnnotations")) {
      String e = entry == null ? "" : entry.trim();
      if (!e.isEmpty()) {
        PodMetadataKeys.checkEntry(e);
        annotations.add(e);
      }
    }
    allowedPodAnnotations = List.copyOf(annotations);
    nginxControllerConfigMap =
        nginxControllerConfigMap == null || nginxControllerConfigMap.isBlank()
            ? null
            : nginxControllerConfigMap.strip();
    if (nginxControllerConfigMap != null
        && !nginxControllerConfigMap.matches(
            "^[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$")) {
      throw new IllegalArgumentException(
          "the ingress-nginx controller ConfigMap must be namespace/name, not '"
              + nginxControllerConfigMap + "'");
    }
  }

  /**
   * The policy of an operator with these default images and no tenancy settings: the built-in
   * repositories and the default images' ones, no security annotations, no {@code system-*} priority
   * classes, no control-plane tolerations.
   */
  public static TenantPolicy defaults(ImageDefaults images) {
    return new TenantPolicy(images, List.of(), true, false, false, false, true, null, List.of());
  }

  public TenantPolicy withImages(ImageDefaults value) {
    return new TenantPolicy(
        value,
        extraImageRepositories,
        builtInImageRepositories,
        allowSecurityAnnotations,
        allowSystemPriorityClasses,
        allowControlPlaneTolerations,
        requireSecretConsent,
        nginxControllerConfigMap,
        allowedPodAnnotations);
  }

  public TenantPolicy withExtraImageRepositories(List<String> value) {
    return new TenantPolicy(
        images,
        value,
        builtInImageRepositories,
        allowSecurityAnnotations,
        allowSystemPriorityClasses,
        allowControlPlaneTolerations,
        requireSecretConsent,
        nginxControllerConfigMap,
        allowedPodAnnotations);
  }

  public TenantPolicy withBuiltInImageRepositories(boolean value) {
    return new TenantPolicy(
        images,
        extraImageRepositories,
        value,
        allowSecurityAnnotations,
        allowSystemPriorityClasses,
        allowControlPlaneTolerations,
        requireSecretConsent,
        nginxControllerConfigMap,
        allowedPodAnnotations);
  }

  public TenantPolicy withAllowSecurityAnnotations(boolean value) {
    return new TenantPolicy(
        images,
        extraImageRepositories,
        builtInImageRepositories,
        value,
        allowSystemPriorityClasses,
        allowControlPlaneTolerations,
        requireSecretConsent,
        nginxControllerConfigMap,
        allowedPodAnnotations);
  }

  public TenantPolicy withAllowSystemPriorityClasses(boolean value) {
    return new TenantPolicy(
        images,
        extraImageRepositories,
        builtInImageRepositories,
        allowSecurityAnnotations,
        value,
        allowControlPlaneTolerations,
        requireSecretConsent,
        nginxControllerConfigMap,
        allowedPodAnnotations);
  }

  public TenantPolicy withAllowControlPlaneTolerations(boolean value) {
    return new TenantPolicy(
        images,
        extraImageRepositories,
        builtInImageRepositories,
        allowSecurityAnnotations,
        allowSystemPriorityClasses,
        value,
        requireSecretConsent,
        nginxControllerConfigMap,
        allowedPodAnnotations);
  }

  public TenantPolicy withRequireSecretConsent(boolean value) {
    return new TenantPolicy(
        images,
        extraImageRepositories,
        builtInImageRepositories,
        allowSecurityAnnotations,
        allowSystemPriorityClasses,
        allowControlPlaneTolerations,
        value,
        nginxControllerConfigMap,
        allowedPodAnnotations);
  }

  public TenantPolicy withAllowedPodAnnotations(List<String> value) {
    return new TenantPolicy(
        images,
        extraImageRepositories,
        builtInImageRepositories,
        allowSecurityAnnotations,
        allowSystemPriorityClasses,
        allowControlPlaneTolerations,
        requireSecretConsent,
        nginxControllerConfigMap,
        value);
  }

  /** Whether a stack's pods may carry this annotation key (apart from the security-profile rule). */
  public boolean admitsPodAnnotation(String key) {
    return !PodMetadataKeys.operatorsAnnotation(key)
        && PodMetadataKeys.admittedAnnotation(key, allowedPodAnnotations);
  }

  public TenantPolicy withNginxControllerConfigMap(String value) {
    return new TenantPolicy(
        images,
        extraImageRepositories,
        builtInImageRepositories,
        allowSecurityAnnotations,
        allowSystemPriorityClasses,
        allowControlPlaneTolerations,
        requireSecretConsent,
        value,
        allowedPodAnnotations);
  }

  /**
   * Every admitted repository or prefix as written, in order (built-in ones, the default images', the extra
   * ones), each normalised form once.
   */
  public List<String> allowedImageRepositories() {
    Map<String, String> byForm = new LinkedHashMap<>();
    List<String> all = new ArrayList<>();
    if (builtInImageRepositories) {
      all.addAll(BUILT_IN_IMAGE_REPOSITORIES);
    }
    all.addAll(List.of(
        images.loomio().repository(),
        images.postgresRepository(),
        images.redis().repository(),
        images.agent().repository()));
    all.addAll(extraImageRepositories);
    for (String entry : all) {
      byForm.putIfAbsent(entryForm(entry), entry);
    }
    return List.copyOf(byForm.values());
  }

  /** Whether a stack may run images from this repository (no tag, no digest). */
  public boolean admitsRepository(String repository) {
    String form = normalize(repository);
    for (String entry : allowedImageRepositories()) {
      if (entry.equals("*")) {
        return true;
      }
      String e = entryForm(entry);
      if (e.endsWith("/") ? form.startsWith(e) : form.equals(e)) {
        return true;
      }
    }
    return false;
  }

  /** The backup agent every backup and restore pod runs: the operator's own image. */
  public String agentImage() {
    return images.agent().toString();
  }

  /**
   * A repository in one canonical form: {@code registry/path}, Docker Hub as {@code docker.io} and its
   * official images under {@code library/}. The first path part is a registry when it holds a '.' or a ':'
   * or is {@code localhost} (Docker's rule).
   */
  public static String normalize(String repository) {
    String[] parts = split(repository);
    String path = parts[1];
    if (parts[0].equals("docker.io") && !path.contains("/")) {
      path = "library/" + path;
    }
    return parts[0] + "/" + path;
  }

  /** {@code [registry, path]}, the registry normalised. */
  private static String[] split(String repository) {
    String r = repository.trim().toLowerCase(Locale.ROOT);
    int slash = r.indexOf('/');
    String first = slash < 0 ? "" : r.substring(0, slash);
    boolean registry =
        slash >= 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"));
    String host = registry ? first : "docker.io";
    if (DOCKER_HUB_ALIASES.contains(host)) {
      host = "docker.io";
    }
    return new String[] {host, registry ? r.substring(slash + 1) : r};
  }

  /** An entry's canonical form: a repository, or a prefix ending in '/' (for {@code X/*}), or "*". */
  private static String entryForm(String entry) {
    if (entry.equals("*")) {
      return "*";
    }
    if (!entry.endsWith("/*")) {
      return normalize(entry);
    }
    String prefix = entry.substring(0, entry.length() - 2).toLowerCase(Locale.ROOT);
    if (!prefix.contains("/")) {
      // a registry (registry.example.org/*) or a Docker Hub namespace (bitnami/*)
      boolean registry = prefix.contains(".") || prefix.contains(":") || prefix.equals("localhost");
      String host = registry ? prefix : "docker.io/" + prefix;
      return (DOCKER_HUB_ALIASES.contains(host) ? "docker.io" : host) + "/";
    }
    String[] parts = split(prefix);
    return parts[0] + "/" + parts[1] + "/";
  }

  private static void checkEntry(String entry) {
    if (entry.equals("*")) {
      return;
    }
    String repository = entry.endsWith("/*") ? entry.substring(0, entry.length() - 2) : entry;
    if (!REPOSITORY.matcher(repository).matches()) {
      throw new IllegalArgumentException(
          "allowed image repository '" + entry + "': write a repository (lower-case,"
              + " e.g. registry.example.org/mirror/loomio), a prefix ending in /* (registry.example.org/mirror/*), or *");
    }
    if (!entry.endsWith("/*") && repository.lastIndexOf(':') > repository.lastIndexOf('/')) {
      throw new IllegalArgumentException(
          "allowed image repository '" + entry + "': give the repository without a"
              + " tag (tags are not compared); for a whole registry write host:port/*");
    }
  }

  // --- pod options ---

  /**
   * Whether a pod annotation changes the pod's security profile, compared case-insensitively: its prefix (the
   * part before '/') has a DNS label {@code security} (every {@code *.security.*} key, among them
   * {@code container.apparmor.security.beta.kubernetes.io/<container>},
   * {@code seccomp.security.alpha.kubernetes.io/pod}, {@code container.seccomp.security.alpha.kubernetes.io/<c>},
   * {@code security.alpha.kubernetes.io/sysctls}); or the key names AppArmor or seccomp anywhere (for example
   * CRI-O's {@code seccomp-profile.kubernetes.cri-o.io/<c>}); or it is one of CRI-O's runtime overrides
   * ({@code io.kubernetes.cri-o.*}: user namespaces, devices, the seccomp notifier).
   */
  public static boolean securityAnnotation(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    int slash = k.indexOf('/');
    if (slash >= 0) {
      for (String label : k.substring(0, slash).split("\\.")) {
        if (label.equals("security")) {
          return true;
        }
      }
    }
    return k.contains("apparmor") || k.contains("seccomp") || k.startsWith("io.kubernetes.cri-o.");
  }

  /** Whether a priority class is one of Kubernetes' own ({@code system-cluster-critical}, ...). */
  public static boolean systemPriorityClass(String name) {
    return name != null && name.startsWith("system-");
  }

  /**
   * Whether a toleration lets pods onto control-plane nodes: it names a {@link #CONTROL_PLANE_TAINTS} key, or it
   * has no key (with operator Exists it tolerates every taint; with any other operator Kubernetes refuses it).
   */
  public static boolean controlPlaneToleration(Toleration t) {
    return t.getKey() == null || t.getKey().isEmpty() || CONTROL_PLANE_TAINTS.contains(t.getKey());
  }
}

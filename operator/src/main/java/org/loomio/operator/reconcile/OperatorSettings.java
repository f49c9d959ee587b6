package org.loomio.operator.reconcile;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.loomio.operator.model.CloudNativePGSettings;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.validation.TenantPolicy;

/**
 * How one operator process runs: what it watches, which images a stack gets when its spec names none,
 * what a tenant may ask for (images, pod options), how often every stack is reconciled even without a change,
 * and whether it must hold a Lease first.
 * Built from flags and environment variables by {@link org.loomio.operator.cli.RunCommand}.
 *
 * @param namespaces namespaces to watch; empty for all
 * @param tenancy what a LoomioDeployment may ask for; its images are always {@code images}
 * @param resyncPeriod the longest time between two reconciles of a stack (drift correction, referenced
 *     Secrets that changed)
 * @param leaderElection the Lease to hold before reconciling, or empty to reconcile at once
 * @param terminationTimeout how long a stopping operator lets running reconciles finish
 * @param cloudNativePG what the installation says about CloudNativePG (its operator's namespace, monitoring, the API
 *     server's addresses) for stacks in spec.database.cloudNativePG mode
 * @param reconcileThreads how many stacks (and backups, restores) are reconciled at once; also the size of the
 *     pool that applies one stack's objects in parallel (docs/performance.md, "Reconcile threads")
 */
public record OperatorSettings(
    Set<String> namespaces,
    ImageDefaults images,
    TenantPolicy tenancy,
    Duration resyncPeriod,
    Optional<LeaderElection> leaderElection,
    Duration terminationTimeout,
    CloudNativePGSettings cloudNativePG,
    int reconcileThreads) {

  public static final Duration DEFAULT_RESYNC = Duration.ofMinutes(10);
  public static final Duration DEFAULT_TERMINATION_TIMEOUT = Duration.ofSeconds(20);

  /** See docs/performance.md, "Reconcile threads": the figures this default is taken from. */
  public static final int DEFAULT_RECONCILE_THREADS = 4;

  /** More would only queue more requests at the API server than it can answer. */
  public static final int MAX_RECONCILE_THREADS = 200;

  /** The Lease several replicas compete for; only its holder reconciles. */
  public record LeaderElection(
      String leaseName,
      String leaseNamespace,
      String identity,
      Duration leaseDuration,
      Duration renewDeadline,
      Duration retryPeriod) {

    public static final String DEFAULT_LEASE_NAME = "loomio-operator";

    public LeaderElection {
      Objects.requireNonNull(leaseName, "leaseName");
      if (leaseNamespace == null || leaseNamespace.isBlank()) {
        throw new IllegalArgumentException(
            "leader election needs the Lease's namespace (POD_NAMESPACE or"
                + " --lease-namespace)");
      }
      if (!(leaseDuration.compareTo(renewDeadline) > 0
          && renewDeadline.compareTo(retryPeriod) > 0)) {
        throw new IllegalArgumentException(
            "leader election needs leaseDuration > renewDeadline > retryPeriod");
      }
    }

    /** JOSDK's defaults: a new leader within about 15 s of the old one stopping renewing. */
    public static LeaderElection of(String leaseNamespace, String identity) {
      return new LeaderElection(
          DEFAULT_LEASE_NAME,
          leaseNamespace,
          identity,
          Duration.ofSeconds(15),
          Duration.ofSeconds(10),
          Duration.ofSeconds(2));
    }
  }

  public OperatorSettings {
    namespaces = Set.copyOf(namespaces);
    Objects.requireNonNull(images, "images");
    if (!Objects.requireNonNull(tenancy, "tenancy").images().equals(images)) {
      throw new IllegalArgumentException(
          "the tenant policy must be built for the operator's default images");
    }
    if (resyncPeriod.isNegative() || resyncPeriod.compareTo(Duration.ofSeconds(10)) < 0) {
      throw new IllegalArgumentException(
          "the resync period must be at least 10s, was " + resyncPeriod);
    }
    Objects.requireNonNull(leaderElection, "leaderElection");
    Objects.requireNonNull(terminationTimeout, "terminationTimeout");
    Objects.requireNonNull(cloudNativePG, "cloudNativePG");
    if (reconcileThreads < 1 || reconcileThreads > MAX_RECONCILE_THREADS) {
      throw new IllegalArgumentException("the reconcile threads must be 1 to "
          + MAX_RECONCILE_THREADS + ", was " + reconcileThreads);
    }
  }

  public OperatorSettings withCloudNativePG(CloudNativePGSettings value) {
    return new OperatorSettings(
        namespaces,
        images,
        tenancy,
        resyncPeriod,
        leaderElection,
        terminationTimeout,
        value,
        reconcileThreads);
  }

  /**
   * All namespaces, built-in images, the default tenant policy, a resync every 10 minutes, no leader
   * election.
   */
  public static OperatorSettings defaults() {
    return new OperatorSettings(
        Set.of(),
        ImageDefaults.BUILT_IN,
        TenantPolicy.defaults(ImageDefaults.BUILT_IN),
        DEFAULT_RESYNC,
        Optional.empty(),
        DEFAULT_TERMINATION_TIMEOUT,
        CloudNativePGSettings.DEFAULTS,
        DEFAULT_RECONCILE_THREADS);
  }

  public OperatorSettings withNamespaces(Set<String> value) {
    return new OperatorSettings(
        value,
        images,
        tenancy,
        resyncPeriod,
        leaderElection,
        terminationTimeout,
        cloudNativePG,
        reconcileThreads);
  }

  /** Other default images; the tenant policy keeps its settings and admits the new images' repositories. */
  public OperatorSettings withImages(ImageDefaults value) {
    return new OperatorSettings(
        namespaces,
        value,
        tenancy.withImages(value),
        resyncPeriod,
        leaderElection,
        terminationTimeout,
        cloudNativePG,
        reconcileThreads);
  }

  /** Another tenant policy; it must be built for these settings' images. */
  public OperatorSettings withTenancy(TenantPolicy value) {
    return new OperatorSettings(
        namespaces,
        images,
        value,
        resyncPeriod,
        leaderElection,
        terminationTimeout,
        cloudNativePG,
        reconcileThreads);
  }

  public OperatorSettings withReconcileThreads(int value) {
    return new OperatorSettings(
        namespaces,
        images,
        tenancy,
        resyncPeriod,
        leaderElection,
        terminationTimeout,
        cloudNativePG,
        value);
  }

  public OperatorSettings withResyncPeriod(Duration value) {
    return new OperatorSettings(
        namespaces,
        images,
        tenancy,
        value,
        leaderElection,
        terminationTimeout,
        cloudNativePG,
        reconcileThreads);
  }

  public OperatorSettings withLeaderElection(LeaderElection value) {
    return new OperatorSettings(
        namespaces,
        images,
        tenancy,
        resyncPeriod,
        Optional.ofNullable(value),
        terminationTimeout,
        cloudNativePG,
        reconcileThreads);
  }

  /**
   * Parses a duration as people write it in values files: {@code 90s}, {@code 10m}, {@code 1h}, or
   * ISO-8601 ({@code PT10M}).
   */
  public static Duration parseDuration(String text) {
    String s = text == null ? "" : text.trim();
    var m = Pattern.compile("^(\\d{1,9})(s|m|h)$").matcher(s);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    }
    try {
      return Duration.parse(s);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "not a duration: '" + text + "' (write for example 90s, 10m, 1h)");
    }
  }
}

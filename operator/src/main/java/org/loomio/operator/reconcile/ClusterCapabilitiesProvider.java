package org.loomio.operator.reconcile;

import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.loomio.operator.model.ClusterCapabilities;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the API server what it is (version) and what it serves (discovery), for rendering. The answer is
 * cached for a while, so a cluster upgrade is noticed without asking on every reconcile.
 */
public final class ClusterCapabilitiesProvider implements Supplier<ClusterCapabilities> {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterCapabilitiesProvider.class);

  /** The optional kinds the operator can use, by group/version. */
  private static final Map<String, String> PROBED = Map.of(
      "policy/v1", "PodDisruptionBudget",
      "policy/v1beta1", "PodDisruptionBudget",
      "batch/v1", "CronJob",
      "batch/v1beta1", "CronJob",
      "networking.k8s.io/v1", "Ingress",
      "gateway.networking.k8s.io/v1", "HTTPRoute",
      "traefik.io/v1alpha1", "Middleware",
      "cert-manager.io/v1", "Certificate",
      "postgresql.cnpg.io/v1", "Cluster");

  private final Supplier<ClusterCapabilities> discovery;
  private final Duration maxAge;
  private final Clock clock;
  private volatile ClusterCapabilities cached;
  private volatile Instant cachedAt = Instant.MIN;
  private boolean refreshing;

  private ClusterCapabilitiesProvider(
      Supplier<ClusterCapabilities> discovery, Duration maxAge, Clock clock) {
    this.discovery = discovery;
    this.maxAge = maxAge;
    this.clock = clock;
  }

  /** Discovers from the server, refreshing at most every {@code maxAge}. */
  public static ClusterCapabilitiesProvider discovering(KubernetesClient client, Duration maxAge) {
    return new ClusterCapabilitiesProvider(() -> discover(client), maxAge, Clock.systemUTC());
  }

  /** With this discovery (tests: a discovery that counts its calls, or blocks). */
  static ClusterCapabilitiesProvider of(
      Supplier<ClusterCapabilities> discovery, Duration maxAge, Clock clock) {
    return new ClusterCapabilitiesProvider(discovery, maxAge, clock);
  }

  /**
   * Runs the first discovery now, on a daemon thread, so that it overlaps the informers' initial lists
   * instead of following them: a restart's first reconciles then find the answer cached (measured on the rig
   * at 200 stacks: about 0.9 s, ten requests to a loaded API server, that every restart waited for
   * before its first repair). A reconcile that asks while it runs waits for it; one that asks after it failed
   * discovers for itself.
   */
  public ClusterCapabilitiesProvider discoverInBackground() {
    Thread thread = new Thread(
        () -> {
          try {
            get();
          } catch (RuntimeException e) {
            LOG.debug(
                "discovery at start failed, the first reconcile asks again: {}", e.toString());
          }
        },
        "api-discovery");
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  /** Always the same answer (tests, and clusters whose discovery is not reachable). */
  public static ClusterCapabilitiesProvider fixed(ClusterCapabilities capabilities) {
    return new ClusterCapabilitiesProvider(
        () -> capabilities, Duration.ofDays(36500), Clock.systemUTC());
  }

  /**
   * The cluster's capabilities. The first call discovers them (or waits for the discovery under way); later
   * calls return the cached answer at once, and once it is older than {@code maxAge} the first of them starts
   * one refresh on a daemon thread, so no reconcile waits for the about ten requests of a discovery, nor
   * for an API server that does not answer them (fabric8 retries each for up to minutes). A failed refresh
   * (any request but a 404 failed) keeps the last answer and is tried again after {@link
   * #RETRY_AFTER_FAILURE}; a failed first discovery fails the reconcile that asked, which JOSDK retries.
   */
  @Override
  public ClusterCapabilities get() {
    ClusterCapabilities current;
    synchronized (this) {
      if (cached == null) {
        store(discovery.get(), clock.instant());
        return cached;
      }
      current = cached;
      if (refreshing || !cachedAt.plus(maxAge).isBefore(clock.instant())) {
        return current;
      }
      refreshing = true;
    }
    try {
      Thread refresh = new Thread(this::refresh, "api-rediscovery");
      refresh.setDaemon(true);
      refresh.start();
    } catch (RuntimeException | Error e) {
      synchronized (this) {
        refreshing = false;
      }
      LOG.warn(
          "could not start the refresh of the API discovery, the next reconcile tries again: {}",
          e.toString());
    }
    return current;
  }

  /** How long a failed refresh keeps the last answer before the next one is tried. */
  static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(30);

  /** Whether a refresh runs now (tests). */
  synchronized boolean refreshInProgress() {
    return refreshing;
  }

  private void refresh() {
    try {
      ClusterCapabilities fresh = discovery.get();
      synchronized (this) {
        store(fresh, clock.instant());
      }
    } catch (RuntimeException | Error e) {
      LOG.warn(
          "asking the API server what it serves failed, keeping the last answer and asking again in {} s: {}",
          RETRY_AFTER_FAILURE.toSeconds(),
          e.toString());
      synchronized (this) {
        cachedAt = clock.instant().minus(maxAge).plus(RETRY_AFTER_FAILURE);
      }
    } finally {
      synchronized (this) {
        refreshing = false;
      }
    }
  }

  private void store(ClusterCapabilities fresh, Instant at) {
    if (cached == null || !fresh.equals(cached)) {
      LOG.info("Kubernetes {} serves {}", fresh.version(), new TreeSet<>(fresh.servedApis()));
      logSupport(fresh);
    }
    cached = fresh;
    cachedAt = at;
  }

  /**
   * The supported-versions statement for this server: info when supported, a warning naming the gaps for
   * 1.20 to 1.26, an error below (the operator still leaves out what the server cannot hold, and reports it
   * through APIAvailable).
   */
  static void logSupport(ClusterCapabilities cluster) {
    if (cluster.supported()) {
      LOG.info(cluster.support());
    } else if (cluster.runnable()) {
      LOG.warn(cluster.support());
    } else {
      LOG.error(cluster.support());
    }
  }

  /** Asks the server once (also used by the end-to-end suite to know what the operator will render). */
  public static ClusterCapabilities discover(KubernetesClient client) {
    VersionInfo version = client.getKubernetesVersion();
    int major = Integer.parseInt(version.getMajor().replaceAll("\\D", ""));
    int minor = Integer.parseInt(version.getMinor().replaceAll("\\D", ""));
    Set<String> served = new HashSet<>();
    for (var probe : PROBED.entrySet()) {
      // a group version the server does not serve is a 404, which the client answers with null;
      // any other failure (a timeout, 429, 503) fails the whole discovery: counted as "not served",
      // it would make the stacks leave out that API's objects until the next discovery
      APIResourceList list;
      try {
        list = client.getApiResources(probe.getKey());
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          throw e;
        }
        list = null;
      }
      if (list != null
          && list.getResources().stream().anyMatch(r -> probe.getValue().equals(r.getKind()))) {
        served.add(probe.getKey() + "/" + probe.getValue());
      }
    }
    return new ClusterCapabilities(major, minor, served);
  }
}

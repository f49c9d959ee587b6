package org.loomio.operator.reconcile;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.loomio.operator.model.ClusterCapabilities;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the operator as it runs in production: server-side apply for every owned object and for the
 * status (a stable field manager, {@value LoomioDeploymentReconciler#NAME}), watching all namespaces or
 * the given ones, optionally behind a Lease. Tests pass an extra overrider (for example to turn SSA off on
 * the mock API server, which cannot do it); production passes none.
 */
public final class LoomioOperator {

  private static final Logger LOG = LoggerFactory.getLogger(LoomioOperator.class);

  /** How long discovery results are trusted before the server is asked again. */
  public static final Duration DISCOVERY_MAX_AGE = Duration.ofMinutes(10);

  private LoomioOperator() {}

  /**
   * All namespaces (or the given ones), built-in images, the default tenant policy, no leader election,
   * metrics in memory.
   */
  public static Operator create(
      KubernetesClient client,
      Set<String> namespaces,
      Supplier<ClusterCapabilities> capabilities,
      Consumer<ConfigurationServiceOverrider> testOverrides) {
    return create(
        client,
        OperatorSettings.defaults().withNamespaces(namespaces),
        capabilities,
        OperatorMetrics.inMemory(),
        null,
        testOverrides);
  }

  /**
   * @param capabilities what the cluster serves (null: discover from the server)
   * @param onStopLeading called when this replica stops holding the Lease (lost, or released on shutdown);
   *     the caller decides (the runtime exits unless it is shutting down, so two leaders never reconcile
   *     at once). Required with leader election.
   * @param testOverrides a test-only configuration override, or null
   */
  public static Operator create(
      KubernetesClient client,
      OperatorSettings settings,
      Supplier<ClusterCapabilities> capabilities,
      OperatorMetrics metrics,
      Runnable onStopLeading,
      Consumer<ConfigurationServiceOverrider> testOverrides) {
    return create(
        client, settings, capabilities, metrics, onStopLeading, testOverrides, Clock.systemUTC());
  }

  /**
   * As above, with the clock the LoomioBackup and LoomioRestore controllers read (their timestamps, and how long
   * a LoomioBackup has waited for its stack).
   */
  public static Operator create(
      KubernetesClient client,
      OperatorSettings settings,
      Supplier<ClusterCapabilities> capabilities,
      OperatorMetrics metrics,
      Runnable onStopLeading,
      Consumer<ConfigurationServiceOverrider> testOverrides,
      Clock clock) {
    Operator operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withCloseClientOnStop(false)
          // SSA for ConfigMaps too (JOSDK leaves ConfigMap and Secret out by default); the
          // generated
          // Secret is written by read-check-write instead (never-overwrite), see
          // GeneratedCredentials.
          .withDefaultNonSSAResource(Set.of())
          .withSSABasedCreateUpdateMatchForDependentResources(true)
          .withUseSSAToPatchPrimaryResource(true)
          .withMetrics(metrics.josdkMetrics())
          // one pool size for both: the reconciles, and the workflow's parallel applies within them
          .withConcurrentReconciliationThreads(settings.reconcileThreads())
          .withConcurrentWorkflowExecutorThreads(settings.reconcileThreads())
          .withReconciliationTerminationTimeout(settings.terminationTimeout());
      settings
          .leaderElection()
          .ifPresent(le -> o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(
              le.leaseName(),
              le.leaseNamespace(),
              le.leaseDuration(),
              le.renewDeadline(),
              le.retryPeriod(),
              le.identity(),
              new LeaderCallbacks(
                  () -> LOG.info(
                      "{} leads (Lease {}/{}): reconciling",
                      le.identity(),
                      le.leaseNamespace(),
                      le.leaseName()),
                  Objects.requireNonNull(onStopLeading, "onStopLeading"),
                  leader -> LOG.info(
                      "Lease {}/{} is held by {}", le.leaseNamespace(), le.leaseName(), leader)),
              // JOSDK would exit on every stop of leading, a graceful shutdown included
              // (System.exit while
              // shutdown hooks run never returns); onStopLeading decides instead
              false)));
      if (testOverrides != null) {
        testOverrides.accept(o);
      }
    });
    Supplier<ClusterCapabilities> discovered = capabilities != null
        ? capabilities
        : ClusterCapabilitiesProvider.discovering(client, DISCOVERY_MAX_AGE).discoverInBackground();
    operator.register(
        new LoomioDeploymentReconciler(discovered, settings.tenancy(), metrics)
            .withCloudNativePGSettings(settings.cloudNativePG()),
        c -> {
          c.withReconciliationMaxInterval(settings.resyncPeriod());
          watch(c, settings);
        });
    operator.register(
        new LoomioBackupReconciler(discovered, settings.tenancy(), clock), c -> watch(c, settings));
    operator.register(
        new LoomioRestoreReconciler(discovered, settings.tenancy(), clock),
        c -> watch(c, settings));
    metrics.cacheSizes(operator);
    return operator;
  }

  private static void watch(ControllerConfigurationOverrider<?> c, OperatorSettings settings) {
    if (settings.namespaces().isEmpty()) {
      c.watchingAllNamespaces();
    } else {
      c.settingNamespaces(settings.namespaces());
    }
  }
}

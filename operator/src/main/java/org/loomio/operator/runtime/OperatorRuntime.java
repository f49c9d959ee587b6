package org.loomio.operator.runtime;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.loomio.operator.model.BackupSchedule;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.reconcile.LoomioOperator;
import org.loomio.operator.reconcile.OperatorMetrics;
import org.loomio.operator.reconcile.OperatorSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running operator process: the health and metrics endpoints (up first, so the kubelet sees a
 * starting process), then the operator. {@link #close()} is the graceful shutdown: stop taking work, let
 * running reconciles finish (up to the termination timeout), release the Lease, close the endpoints.
 */
public final class OperatorRuntime implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OperatorRuntime.class);

  private final AtomicBoolean stopping = new AtomicBoolean();
  private final OperatorMetrics metrics;
  private final HttpEndpoints health;
  private final HttpEndpoints metricsEndpoint;
  private volatile Operator operator;

  /** Ports: 0 for any free port, negative to serve none. */
  public record Ports(int health, int metrics) {}

  private OperatorRuntime(
      OperatorMetrics metrics, HttpEndpoints health, HttpEndpoints metricsEndpoint) {
    this.metrics = metrics;
    this.health = health;
    this.metricsEndpoint = metricsEndpoint;
  }

  /**
   * Starts the endpoints and the operator; returns once the operator's informers are synced (a standby
   * replica returns at once and reconciles when it gets the Lease).
   *
   * @param onLostLease called when a leading replica loses its Lease while not shutting down
   * @throws HttpEndpoints.PortUnavailableException a port cannot be bound (nothing is left running)
   */
  public static OperatorRuntime start(
      KubernetesClient client,
      OperatorSettings settings,
      Ports ports,
      Supplier<ClusterCapabilities> capabilities,
      Runnable onLostLease,
      Consumer<ConfigurationServiceOverrider> testOverrides)
      throws IOException {
    return start(
        client,
        OperatorMetrics.prometheus(),
        settings,
        ports,
        capabilities,
        onLostLease,
        testOverrides);
  }

  /**
   * As {@link #start(KubernetesClient, OperatorSettings, Ports, Supplier, Runnable, Consumer)}, on these metrics
   * (the client may count its API errors into them: {@link OperatorMetrics#apiErrorCounter()}).
   */
  public static OperatorRuntime start(
      KubernetesClient client,
      OperatorMetrics metrics,
      OperatorSettings settings,
      Ports ports,
      Supplier<ClusterCapabilities> capabilities,
      Runnable onLostLease,
      Consumer<ConfigurationServiceOverrider> testOverrides)
      throws IOException {
    OperatorRuntime[] self = new OperatorRuntime[1];
    HttpEndpoints health = ports.health() < 0
        ? null
        : HttpEndpoints.health(
            ports.health(),
            () -> self[0] == null || self[0].operator == null
                ? null
                : self[0].operator.getRuntimeInfo());
    HttpEndpoints metricsEndpoint;
    try {
      metricsEndpoint =
          ports.metrics() < 0 ? null : HttpEndpoints.metrics(ports.metrics(), metrics);
    } catch (IOException e) {
      if (health != null) {
        health.close();
      }
      throw e;
    }
    OperatorRuntime runtime = new OperatorRuntime(metrics, health, metricsEndpoint);
    // while the informers sync, not in the first reconciles (BackupSchedule#precomputeDefaults)
    Thread schedules = new Thread(BackupSchedule::precomputeDefaults, "default-schedules");
    schedules.setDaemon(true);
    schedules.start();
    self[0] = runtime;
    try {
      runtime.operator = LoomioOperator.create(
          client,
          settings,
          capabilities,
          metrics,
          () -> {
            if (runtime.stopping.get()) {
              LOG.info("stopped leading: shutting down");
            } else {
              LOG.error(
                  "lost the Lease {}/{}: stopping, so that only the new leader reconciles",
                  settings
                      .leaderElection()
                      .map(OperatorSettings.LeaderElection::leaseNamespace)
                      .orElse(""),
                  settings
                      .leaderElection()
                      .map(OperatorSettings.LeaderElection::leaseName)
                      .orElse(""));
              onLostLease.run();
            }
          },
          testOverrides);
      runtime.operator.start();
    } catch (RuntimeException e) {
      runtime.close();
      throw e;
    }
    LOG.info(
        "started: watching {}, health on {}, metrics on {}{}",
        settings.namespaces().isEmpty()
            ? "all namespaces"
            : String.join(",", settings.namespaces()),
        health == null ? "no port" : ":" + health.port(),
        metricsEndpoint == null ? "no port" : ":" + metricsEndpoint.port(),
        settings
            .leaderElection()
            .map(le -> ", leader election on Lease " + le.leaseNamespace() + "/" + le.leaseName()
                + " as " + le.identity())
            .orElse(""));
    return runtime;
  }

  public OperatorMetrics metrics() {
    return metrics;
  }

  public Operator operator() {
    return operator;
  }

  /** The health port actually bound (useful with port 0). */
  public int healthPort() {
    return health == null ? -1 : health.port();
  }

  public int metricsPort() {
    return metricsEndpoint == null ? -1 : metricsEndpoint.port();
  }

  @Override
  public void close() {
    if (!stopping.compareAndSet(false, true)) {
      return;
    }
    try {
      if (operator != null) {
        operator.stop();
      }
    } finally {
      if (health != null) {
        health.close();
      }
      if (metricsEndpoint != null) {
        metricsEndpoint.close();
      }
    }
  }
}

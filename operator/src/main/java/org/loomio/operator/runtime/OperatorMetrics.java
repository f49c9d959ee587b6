package org.loomio.operator.runtime;

import io.fabric8.kubernetes.api.model.Condition;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.loomio.operator.reconcile.Conditions;

/**
 * The operator's metrics: JOSDK's own (reconciliations started, succeeded, failed, retries, queue and
 * execution times, per controller; {@code operator_sdk_*}), the JVM's, and the operator's view of its
 * stacks:
 * <ul>
 *   <li>{@code loomio_stacks{condition, status}}: how many LoomioDeployments have condition Ready,
 *       Progressing, Degraded or BackupsHealthy at True, False or Unknown (alert on {@code loomio_stacks{condition="Degraded",
 *       status="True"} > 0});
 *   <li>{@code loomio_backup_oldest_last_success_age_seconds}: the age of the stalest stack's newest complete
 *       backup (alert when it exceeds your recovery point objective);
 *   <li>{@code loomio_operator_reconcile_failures_total{reason}}: reconciles that ended in an error or were
 *       blocked (invalid spec, missing Secret, ...), by condition reason.
 * </ul>
 * Labels never name a stack: the cardinality stays fixed however many stacks there are.
 */
public final class OperatorMetrics {

  private static final List<String> CONDITIONS = List.of(Conditions.READY, Conditions.PROGRESSING, Conditions.DEGRADED,
      Conditions.BACKUPS_HEALTHY);
  private static final List<String> STATUSES = List.of(Conditions.TRUE, Conditions.FALSE, "Unknown");

  private final MeterRegistry registry;
  private final Map<ResourceID, Map<String, String>> stacks = new ConcurrentHashMap<>();
  private final Map<ResourceID, java.time.Instant> lastBackups = new ConcurrentHashMap<>();

  private OperatorMetrics(MeterRegistry registry, boolean jvm) {
    this.registry = registry;
    for (String condition : CONDITIONS) {
      for (String status : STATUSES) {
        Gauge.builder("loomio.stacks", stacks, s -> count(s, condition, status))
            .description("LoomioDeployments by condition and status")
            .tag("condition", condition).tag("status", status)
            .register(registry);
      }
    }
    Gauge.builder("loomio.backup.oldest.last.success.age", lastBackups, OperatorMetrics::oldestAgeSeconds)
        .description("Seconds since the last complete backup of the stack whose last complete backup is oldest"
            + " (0 when no stack has one yet)")
        .baseUnit("seconds")
        .register(registry);
    if (jvm) {
      new JvmMemoryMetrics().bindTo(registry);
      new JvmThreadMetrics().bindTo(registry);
      new ProcessorMetrics().bindTo(registry);
      new UptimeMetrics().bindTo(registry);
    }
  }

  /** Metrics in Prometheus format, JVM metrics included (the operator process). */
  public static OperatorMetrics prometheus() {
    return new OperatorMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), true);
  }

  /** Metrics kept in memory only (tests, the benchmark). */
  public static OperatorMetrics inMemory() {
    return new OperatorMetrics(new SimpleMeterRegistry(), false);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** JOSDK's metrics on the same registry; aggregated per controller, not per resource. */
  public Metrics josdkMetrics() {
    return MicrometerMetrics.withoutPerResourceMetrics(registry);
  }

  /** Records the conditions a stack's status now has. */
  public void observed(ResourceID stack, List<Condition> conditions) {
    Map<String, String> byType = new ConcurrentHashMap<>();
    for (Condition c : conditions) {
      if (CONDITIONS.contains(c.getType()) && c.getStatus() != null) {
        byType.put(c.getType(), c.getStatus());
      }
    }
    stacks.put(stack, byType);
  }

  /** When the stack's newest complete backup was taken, if it has one. */
  public void lastBackup(ResourceID stack, java.time.Instant when) {
    if (when == null) {
      lastBackups.remove(stack);
    } else {
      lastBackups.put(stack, when);
    }
  }

  /** The stack is gone. */
  public void forget(ResourceID stack) {
    stacks.remove(stack);
    lastBackups.remove(stack);
  }

  private static double oldestAgeSeconds(Map<ResourceID, java.time.Instant> last) {
    java.time.Instant now = java.time.Instant.now();
    return last.values().stream().mapToLong(t -> java.time.Duration.between(t, now).toSeconds()).max().orElse(0);
  }

  /** A reconcile that failed or was blocked, by the reason its status gives. */
  public void failure(String reason) {
    Counter.builder("loomio.operator.reconcile.failures")
        .description("Reconciles that failed or were blocked, by reason")
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  /** The Prometheus text exposition, or empty if this registry is not a Prometheus one. */
  public String scrape() {
    return registry instanceof PrometheusMeterRegistry p ? p.scrape() : "";
  }

  private static double count(Map<ResourceID, Map<String, String>> stacks, String condition, String status) {
    return stacks.values().stream()
        .filter(m -> status.equals(m.getOrDefault(condition, "Unknown")))
        .count();
  }
}

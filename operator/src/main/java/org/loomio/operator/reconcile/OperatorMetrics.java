package org.loomio.operator.reconcile;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.AggregatedMetrics;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.Cache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;
import org.loomio.operator.api.v1alpha1.ComponentStatus;
import org.loomio.operator.api.v1alpha1.DrillStatus;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioDeploymentStatus;
import org.loomio.operator.backup.DrillAgent;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.status.BackupsHealthyReason;
import org.loomio.operator.status.Conditions;

/**
 * The operator's metrics (docs/operations.md, "Metrics"): JOSDK's own ({@code operator_sdk_*}), the JVM's, the
 * operator's work ({@code loomio_operator_*}: reconcile durations, errors, queue, API errors) and, per stack,
 * labelled {@code namespace} and {@code name} ({@code loomio_stack_*}):
 * <ul>
 *   <li>{@code loomio_stack_condition{condition, status, reason}} 1 for each condition the status has, and
 *       {@code loomio_stack_condition_last_transition_timestamp_seconds{condition}}: a changed status or reason
 *       replaces the series, so there is one per stack and condition;
 *   <li>{@code loomio_stack_backup_last_success_age_seconds} (absent until the first complete backup),
 *       {@code loomio_stack_backup_never_succeeded} (1 until then, with backups enabled) and
 *       {@code loomio_stack_backup_first_due_timestamp_seconds} (the first scheduled run after creation, while
 *       none succeeded);
 *   <li>{@code loomio_stack_backup_drill_last_success_timestamp_seconds} (absent until a restore drill passed) and
 *       {@code loomio_stack_backup_drill_last_failed} (1 when the newest drill failed, 0 when it passed);
 *   <li>{@code loomio_stack_credentials_oldest_age_seconds}, {@code loomio_stack_credentials_max_age_seconds},
 *       {@code loomio_stack_isolated}, {@code loomio_stack_upgrade_phase{phase}},
 *       {@code loomio_stack_component_ready_replicas{component}} and {@code _desired_replicas}.
 * </ul>
 * Cardinality is bounded: a handful of series per stack (condition types, components and phases are fixed
 * sets), nothing per pod or request; a deleted stack's series are removed. No value, label or name is ever a
 * secret: labels carry object names, condition types and reasons, component names and HTTP status codes.
 */
public final class OperatorMetrics {

  private static final List<String> CONDITIONS = List.of(
      Conditions.READY, Conditions.PROGRESSING, Conditions.DEGRADED, Conditions.BACKUPS_HEALTHY);
  private static final List<String> STATUSES =
      List.of(Conditions.TRUE, Conditions.FALSE, Conditions.UNKNOWN);
  /** Buckets of the reconcile duration histogram (seconds). */
  static final Duration[] DURATION_BUCKETS = {
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofSeconds(60)
  };

  /** What the metrics know of one stack, replaced as a whole on every status the operator computes. */
  record Snapshot(
      Instant created,
      Map<String, Condition> conditions,
      Instant lastBackup,
      boolean backupsEnabled,
      Instant firstBackupDue,
      Instant oldestCredential,
      Long credentialsMaxAgeSeconds,
      boolean isolated,
      String upgradePhase,
      Map<String, ComponentStatus> components,
      Instant lastDrillPassed,
      String lastDrillResult) {}

  /** One stack's registered series, and the snapshot their values read. */
  private static final class StackSeries {
    final AtomicReference<Snapshot> snapshot = new AtomicReference<>();
    final Map<Meter.Id, Meter> meters = new HashMap<>();
  }

  private final MeterRegistry registry;
  private final Clock clock;
  private final Map<ResourceID, StackSeries> stacks = new ConcurrentHashMap<>();
  private final Map<String, Map<ResourceID, Boolean>> queued = new ConcurrentHashMap<>();
  private final Map<String, Map<ResourceID, Boolean>> running = new ConcurrentHashMap<>();

  OperatorMetrics(MeterRegistry registry, boolean jvm, Clock clock) {
    this.registry = registry;
    this.clock = clock;
    for (String condition : CONDITIONS) {
      for (String status : STATUSES) {
        Gauge.builder("loomio.stacks", stacks, s -> count(s, condition, status))
            .description("LoomioDeployments by condition and status")
            .tag("condition", condition)
            .tag("status", status)
            .register(registry);
      }
    }
    Gauge.builder("loomio.backup.oldest.last.success.age", stacks, this::oldestAgeSeconds)
        .description(
            "Seconds since the newest complete backup of the stack with backups enabled whose newest"
                + " backup is oldest; a stack never backed up counts from its creation (NaN when no stack has"
                + " backups enabled)")
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
    return new OperatorMetrics(
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), true, Clock.systemUTC());
  }

  /** Metrics kept in memory only (tests, the benchmark). */
  public static OperatorMetrics inMemory() {
    return new OperatorMetrics(new SimpleMeterRegistry(), false, Clock.systemUTC());
  }

  /** Prometheus format without the JVM's metrics, on this clock (tests). */
  public static OperatorMetrics prometheus(Clock clock) {
    return new OperatorMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), false, clock);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /**
   * JOSDK's metrics on the same registry (aggregated per controller, not per resource), together with the
   * operator's own: reconcile durations, errors and the queue, per controller.
   */
  public Metrics josdkMetrics() {
    // AggregatedMetrics times an execution with its first member only: Work times it and lets
    // JOSDK's time it too
    MicrometerMetrics josdk = MicrometerMetrics.withoutPerResourceMetrics(registry);
    return new AggregatedMetrics(List.of(new Work(josdk), josdk));
  }

  /**
   * How many objects each informer of the operator holds ({@code loomio_operator_cache_objects{controller,
   * informer}}): what the operator's memory grows with (docs/performance.md). Read when scraped; NaN for an
   * informer not started (a standby replica).
   */
  public void cacheSizes(Operator operator) {
    operator
        .getRegisteredControllers()
        .forEach(c -> c.getControllerHealthInfo()
            .informerEventSourceHealthIndicators()
            .forEach((name, indicator) -> {
              if (indicator instanceof Cache<?> cache) {
                Gauge.builder("loomio.operator.cache.objects", cache, OperatorMetrics::cached)
                    .description(
                        "Objects the operator's informer holds (label-selected, trimmed to what the operator"
                            + " reads)")
                    .tag("controller", c.getConfiguration().getName())
                    .tag("informer", name)
                    .register(registry);
              }
            }));
  }

  private static double cached(Cache<?> cache) {
    try {
      return cache.keys().count();
    } catch (RuntimeException e) {
      return Double.NaN; // not started
    }
  }

  // --- per stack ---

  /** Records the stack's conditions and state from the status the operator just computed for it. */
  public void observed(LoomioDeployment resource, LoomioDeploymentStatus status) {
    observed(ResolvedSpec.of(resource, ImageDefaults.BUILT_IN), status);
  }

  /** {@link #observed(LoomioDeployment, LoomioDeploymentStatus)} with the reconcile's resolved spec. */
  public void observed(ResolvedSpec spec, LoomioDeploymentStatus status) {
    LoomioDeployment resource = spec.resource();
    ResourceID id = ResourceID.fromResource(resource);
    Snapshot snapshot = snapshot(spec, status);
    StackSeries series = stacks.computeIfAbsent(id, k -> new StackSeries());
    synchronized (series) {
      series.snapshot.set(snapshot);
      if (stacks.get(id) != series) {
        return; // forgotten meanwhile
      }
      register(id, series, snapshot);
    }
  }

  /** The stack is gone: its series are removed. */
  public void forget(ResourceID stack) {
    StackSeries series = stacks.remove(stack);
    if (series != null) {
      synchronized (series) {
        series.meters.values().forEach(registry::remove);
        series.meters.clear();
      }
    }
  }

  private Snapshot snapshot(ResolvedSpec spec, LoomioDeploymentStatus status) {
    LoomioDeployment resource = spec.resource();
    Instant created = instant(resource.getMetadata().getCreationTimestamp());
    Map<String, Condition> conditions = new LinkedHashMap<>();
    if (status.getConditions() != null) {
      status.getConditions().stream()
          .filter(c -> c.getType() != null && c.getStatus() != null)
          .forEach(c -> conditions.put(c.getType(), c));
    }
    Instant lastBackup =
        status.getBackup() == null ? null : instant(status.getBackup().getLastSuccessfulTime());
    String backupsReason = conditions.containsKey(Conditions.BACKUPS_HEALTHY)
        ? conditions.get(Conditions.BACKUPS_HEALTHY).getReason()
        : null;
    // spec.backup.enabled, as BackupsHealthy says; also where the cluster serves no CronJob
    // (APIMissing): such a
    // stack is never backed up on schedule, which is what the never-backed-up signal is for
    boolean enabled = backupsReason != null
        && !BackupsHealthyReason.BACKUPS_DISABLED.value().equals(backupsReason);
    Instant firstDue = null;
    Long maxAge = null;
    try {
      if (enabled && lastBackup == null && created != null) {
        firstDue = spec.backupSchedule()
            .next(ZonedDateTime.ofInstant(created, ZoneId.of(spec.backup().timeZone())))
            .map(ZonedDateTime::toInstant)
            .orElse(null);
      }
      maxAge = spec.secretsMaxAgeDays().map(d -> Duration.ofDays(d).toSeconds()).orElse(null);
    } catch (RuntimeException e) {
      // a spec the operator refuses (InvalidSpec) has no schedule or policy to read; its conditions
      // say so
    }
    Instant oldest = null;
    if (status.getSecrets() != null && status.getSecrets().getValueSince() != null) {
      oldest = status.getSecrets().getValueSince().entrySet().stream()
          .filter(e -> !e.getKey()
              .startsWith("VAPID_")) // exempt from the rotation policy, as in SecretsFresh
          .map(e -> instant(e.getValue()))
          .filter(Objects::nonNull)
          .min(Instant::compareTo)
          .orElse(null);
    }
    boolean isolated = conditions.containsKey(Conditions.ISOLATED)
        && Conditions.TRUE.equals(conditions.get(Conditions.ISOLATED).getStatus());
    String phase = status.getUpgrade() == null || status.getUpgrade().getPhase() == null
        ? null
        : status.getUpgrade().getPhase().name();
    Map<String, ComponentStatus> components =
        status.getComponents() == null ? Map.of() : new LinkedHashMap<>(status.getComponents());
    var drill = status.getBackup() == null ? null : status.getBackup().getLastDrill();
    return new Snapshot(
        created,
        conditions,
        lastBackup,
        enabled,
        firstDue,
        oldest,
        maxAge,
        isolated,
        phase,
        components,
        drill == null ? null : instant(drill.getLastPassedTime()),
        drill == null ? null : drill.getResult());
  }

  /** Registers the series the snapshot has and removes those it no longer has (a changed reason, a phase). */
  private void register(ResourceID id, StackSeries series, Snapshot s) {
    Tags stack = Tags.of("namespace", id.getNamespace().orElse(""), "name", id.getName());
    Map<Meter.Id, Runnable> wanted = new LinkedHashMap<>();
    AtomicReference<Snapshot> ref = series.snapshot;
    for (Condition c : s.conditions().values()) {
      String type = c.getType();
      gauge(
          wanted,
          series,
          "loomio.stack.condition",
          null,
          "1 for the stack's condition, labelled with its status and reason",
          stack.and(
              "condition",
              type,
              "status",
              c.getStatus(),
              "reason",
              c.getReason() == null ? "" : c.getReason()),
          ref,
          snap -> 1);
      if (c.getLastTransitionTime() != null) {
        gauge(
            wanted,
            series,
            "loomio.stack.condition.last.transition.timestamp",
            "seconds",
            "When the condition's status last changed (Unix time)",
            stack.and("condition", type),
            ref,
            snap -> epoch(
                snap.conditions().get(type) == null
                    ? null
                    : instant(snap.conditions().get(type).getLastTransitionTime())));
      }
    }
    if (s.lastBackup() != null) {
      gauge(
          wanted,
          series,
          "loomio.stack.backup.last.success.age",
          "seconds",
          "Seconds since the stack's newest complete backup (absent until its first)",
          stack,
          ref,
          snap -> age(snap.lastBackup()));
    }
    if (s.backupsEnabled()) {
      gauge(
          wanted,
          series,
          "loomio.stack.backup.never.succeeded",
          null,
          "1 while a stack with backups enabled has no complete backup yet, else 0",
          stack,
          ref,
          snap -> snap.lastBackup() == null ? 1 : 0);
    }
    if (s.firstBackupDue() != null) {
      gauge(
          wanted,
          series,
          "loomio.stack.backup.first.due.timestamp",
          "seconds",
          "When the first scheduled backup after the stack's creation was due (Unix time), while none succeeded",
          stack,
          ref,
          snap -> epoch(snap.firstBackupDue()));
    }
    if (s.lastDrillPassed() != null) {
      gauge(
          wanted,
          series,
          "loomio.stack.backup.drill.last.success.timestamp",
          "seconds",
          "When a restore drill of the stack last passed (Unix time; absent until the first pass)",
          stack,
          ref,
          snap -> epoch(snap.lastDrillPassed()));
    }
    if (s.lastDrillResult() != null && !DrillAgent.NO_BACKUP.equals(s.lastDrillResult())) {
      gauge(
          wanted,
          series,
          "loomio.stack.backup.drill.last.failed",
          null,
          "1 when the stack's newest restore drill failed, 0 when it passed (absent before the first drill)",
          stack,
          ref,
          snap -> DrillStatus.FAILED.equals(snap.lastDrillResult()) ? 1 : 0);
    }
    if (s.oldestCredential() != null) {
      gauge(
          wanted,
          series,
          "loomio.stack.credentials.oldest.age",
          "seconds",
          "Age of the oldest generated credential the rotation policy covers (the VAPID pair is exempt)",
          stack,
          ref,
          snap -> age(snap.oldestCredential()));
    }
    if (s.credentialsMaxAgeSeconds() != null) {
      gauge(
          wanted,
          series,
          "loomio.stack.credentials.max.age",
          "seconds",
          "spec.secrets.maxAgeDays in seconds (present only when set)",
          stack,
          ref,
          snap -> snap.credentialsMaxAgeSeconds() == null
              ? Double.NaN
              : snap.credentialsMaxAgeSeconds());
    }
    gauge(
        wanted,
        series,
        "loomio.stack.isolated",
        null,
        "1 while spec.isolation quarantines the stack, else 0",
        stack,
        ref,
        snap -> snap.isolated() ? 1 : 0);
    if (s.upgradePhase() != null) {
      gauge(
          wanted,
          series,
          "loomio.stack.upgrade.phase",
          null,
          "1 for the phase of an upgrade under way",
          stack.and("phase", s.upgradePhase()),
          ref,
          snap -> 1);
    }
    for (String component : s.components().keySet()) {
      gauge(
          wanted,
          series,
          "loomio.stack.component.ready.replicas",
          null,
          "Ready pods of the stack's component",
          stack.and("component", component),
          ref,
          snap -> replicas(snap, component, true));
      gauge(
          wanted,
          series,
          "loomio.stack.component.desired.replicas",
          null,
          "Desired pods of the stack's component",
          stack.and("component", component),
          ref,
          snap -> replicas(snap, component, false));
    }
    for (var it = series.meters.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      if (!wanted.containsKey(entry.getKey())) {
        registry.remove(entry.getValue());
        it.remove();
      }
    }
    wanted.values().forEach(Runnable::run);
  }

  /** Adds to {@code wanted} the gauge's id and how to register it when it is not registered yet. */
  private void gauge(
      Map<Meter.Id, Runnable> wanted,
      StackSeries series,
      String name,
      String unit,
      String description,
      Tags tags,
      AtomicReference<Snapshot> ref,
      ToDoubleFunction<Snapshot> value) {
    Gauge.Builder<AtomicReference<Snapshot>> builder = Gauge.builder(
            name, ref, r -> r.get() == null ? Double.NaN : value.applyAsDouble(r.get()))
        .description(description)
        .tags(tags)
        .strongReference(true);
    if (unit != null) {
      builder.baseUnit(unit);
    }
    Meter.Id id = new Meter.Id(name, tags, unit, description, Meter.Type.GAUGE);
    wanted.put(id, () -> {
      if (!series.meters.containsKey(id)) {
        series.meters.put(id, builder.register(registry));
      }
    });
  }

  private static double replicas(Snapshot snap, String component, boolean ready) {
    ComponentStatus c = snap.components().get(component);
    Integer n = c == null ? null : ready ? c.getReady() : c.getDesired();
    return n == null ? 0 : n;
  }

  private double age(Instant since) {
    return since == null
        ? Double.NaN
        : Duration.between(since, clock.instant()).toMillis() / 1000.0;
  }

  private static double epoch(Instant at) {
    return at == null ? Double.NaN : at.getEpochSecond();
  }

  private static Instant instant(String rfc3339) {
    if (rfc3339 == null) {
      return null;
    }
    try {
      return Instant.parse(rfc3339);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private double oldestAgeSeconds(Map<ResourceID, StackSeries> all) {
    return all.values().stream()
        .map(s -> s.snapshot.get())
        .filter(s -> s != null && s.backupsEnabled())
        .map(s -> s.lastBackup() != null ? s.lastBackup() : s.created())
        .filter(Objects::nonNull)
        .mapToDouble(this::age)
        .max()
        .orElse(Double.NaN);
  }

  private static double count(
      Map<ResourceID, StackSeries> stacks, String condition, String status) {
    return stacks.values().stream()
        .map(s -> s.snapshot.get())
        .filter(Objects::nonNull)
        .filter(s -> status.equals(
            s.conditions().containsKey(condition)
                ? s.conditions().get(condition).getStatus()
                : Conditions.UNKNOWN))
        .count();
  }

  // --- operator-wide ---

  /** A reconcile that failed or was blocked, by the reason its status gives. */
  public void failure(String reason) {
    Counter.builder("loomio.operator.reconcile.failures")
        .description("Reconciles that failed or were blocked, by reason")
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  /**
   * The first reconcile of a stack after the operator started ({@link RestartTriage}): reconciled at once, or
   * deferred because every object of its inventory is there.
   */
  public void firstPass(boolean deferred) {
    Counter.builder("loomio.operator.first.pass")
        .description(
            "First reconciles of each stack after a start: at once, or deferred (nothing missing)")
        .tag("decision", deferred ? "deferred" : "now")
        .register(registry)
        .increment();
  }

  /** An answer of the API server that is an error (4xx, 5xx), by its status code. */
  public void apiError(int code) {
    Counter.builder("loomio.operator.api.errors")
        .description("Answers of the Kubernetes API server with an error status, by status code")
        .tag("code", Integer.toString(code))
        .register(registry)
        .increment();
  }

  /** A fabric8 HTTP interceptor that counts the API server's error answers ({@link #apiError}). */
  public Interceptor apiErrorCounter() {
    return new Interceptor() {
      @Override
      public void after(
          HttpRequest request,
          HttpResponse<?> response,
          AsyncBody.Consumer<List<ByteBuffer>> consumer) {
        if (response.code() >= 400) {
          apiError(response.code());
        }
      }
    };
  }

  /** The Prometheus text exposition, or empty if this registry is not a Prometheus one. */
  public String scrape() {
    return registry instanceof PrometheusMeterRegistry p ? p.scrape() : "";
  }

  /**
   * The operator's own view of JOSDK's work, per controller: how long reconciles take, which fail, and how
   * many resources wait for a thread (JOSDK has no work queue of its own: an event is submitted to the
   * executor, then runs) or run now.
   */
  private final class Work implements Metrics {

    private final Metrics timing;

    Work(Metrics timing) {
      this.timing = timing;
    }

    @Override
    public void controllerRegistered(Controller<? extends HasMetadata> c) {
      String name = c.getConfiguration().getName();
      Gauge.builder("loomio.operator.reconciles.queued", queued, q -> size(q, name))
          .description("Resources submitted for reconciliation that wait for a reconciler thread")
          .tag("controller", name)
          .register(registry);
      Gauge.builder("loomio.operator.reconciles.in.flight", running, q -> size(q, name))
          .description("Reconciles running now")
          .tag("controller", name)
          .register(registry);
      timer(name);
      errors(name);
    }

    @Override
    public void reconcileCustomResource(
        HasMetadata resource, RetryInfo retry, Map<String, Object> metadata) {
      set(queued, metadata).put(ResourceID.fromResource(resource), Boolean.TRUE);
    }

    @Override
    public void reconciliationExecutionStarted(HasMetadata resource, Map<String, Object> metadata) {
      ResourceID id = ResourceID.fromResource(resource);
      set(queued, metadata).remove(id);
      set(running, metadata).put(id, Boolean.TRUE);
    }

    @Override
    public void reconciliationExecutionFinished(
        HasMetadata resource, Map<String, Object> metadata) {
      ResourceID id = ResourceID.fromResource(resource);
      set(queued, metadata).remove(id);
      set(running, metadata).remove(id);
    }

    @Override
    public void failedReconciliation(
        HasMetadata resource, Exception exception, Map<String, Object> metadata) {
      errors(controller(metadata)).increment();
    }

    @Override
    public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
      if (!"reconcile".equals(execution.name())) {
        return timing.timeControllerExecution(execution);
      }
      Timer.Sample sample = Timer.start(registry);
      try {
        return timing.timeControllerExecution(execution);
      } finally {
        sample.stop(timer(execution.controllerName()));
      }
    }

    private Timer timer(String controller) {
      return Timer.builder("loomio.operator.reconcile.duration")
          .description("How long a reconcile took, successful or not")
          .tag("controller", controller)
          .serviceLevelObjectives(DURATION_BUCKETS)
          .register(registry);
    }

    private Counter errors(String controller) {
      return Counter.builder("loomio.operator.reconcile.errors")
          .description("Reconciles that ended in an exception (each retry counts)")
          .tag("controller", controller)
          .register(registry);
    }

    private Map<ResourceID, Boolean> set(
        Map<String, Map<ResourceID, Boolean>> all, Map<String, Object> metadata) {
      return all.computeIfAbsent(controller(metadata), k -> new ConcurrentHashMap<>());
    }

    private static String controller(Map<String, Object> metadata) {
      Object name = metadata == null ? null : metadata.get(Constants.CONTROLLER_NAME);
      return name == null ? "unknown" : name.toString();
    }

    private static double size(Map<String, Map<ResourceID, Boolean>> all, String controller) {
      Map<ResourceID, Boolean> m = all.get(controller);
      return m == null ? 0 : m.size();
    }
  }
}

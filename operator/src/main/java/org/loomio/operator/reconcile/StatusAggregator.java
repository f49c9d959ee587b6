package org.loomio.operator.reconcile;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.loomio.operator.api.v1alpha1.ComponentStatus;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioDeploymentStatus;
import org.loomio.operator.api.v1alpha1.MigratedStatus;
import org.loomio.operator.api.v1alpha1.SecretsStatus;
import org.loomio.operator.api.v1alpha1.UpgradeStatus;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.JobState;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.Stack;
import org.loomio.operator.render.base.Omission;
import org.loomio.operator.render.network.NetworkPolicies;
import org.loomio.operator.status.APIAvailableReason;
import org.loomio.operator.status.ConditionReason;
import org.loomio.operator.status.Conditions;
import org.loomio.operator.status.DegradedReason;
import org.loomio.operator.status.IsolatedReason;
import org.loomio.operator.status.MailDeliveryReason;
import org.loomio.operator.status.NetworkPoliciesReason;
import org.loomio.operator.status.ProgressingReason;
import org.loomio.operator.status.ReadyReason;
import org.loomio.operator.status.SecretsFreshReason;
import org.loomio.operator.upgrade.LoomioReleases;

/**
 * Turns what the operator observed into the status: pod counts per component and the conditions of
 * docs/api.md. Pure (the clock is a parameter), so every transition is unit-tested without a server.
 * Where nothing can be known yet (no pod has run), the conditions say what is awaited instead of
 * claiming readiness.
 */
public final class StatusAggregator {

  private StatusAggregator() {}

  /** What was observed of the stack's workloads (by object name) and its migration Job. */
  public record Observed(
      Map<String, Deployment> deployments,
      Map<String, StatefulSet> statefulSets,
      Optional<Job> migration,
      EdgeObserver.EdgeState edge,
      BackupObserver.BackupState backup,
      String restore,
      DayTwo dayTwo,
      CloudNativePGDatabase.State database) {

    public Observed(
        Map<String, Deployment> deployments,
        Map<String, StatefulSet> statefulSets,
        Optional<Job> migration) {
      this(deployments, statefulSets, migration, null, null, null, DayTwo.NONE, null);
    }

    public Observed(
        Map<String, Deployment> deployments,
        Map<String, StatefulSet> statefulSets,
        Optional<Job> migration,
        EdgeObserver.EdgeState edge,
        BackupObserver.BackupState backup,
        String restore) {
      this(deployments, statefulSets, migration, edge, backup, restore, DayTwo.NONE, null);
    }

    public Observed with(DayTwo d) {
      return new Observed(deployments, statefulSets, migration, edge, backup, restore, d, database);
    }

    /** A database the stack does not run as a workload of its own (CloudNativePG), as observed. */
    public Observed with(CloudNativePGDatabase.State db) {
      return new Observed(deployments, statefulSets, migration, edge, backup, restore, dayTwo, db);
    }
  }

  /** A reason and message for Degraded. */
  public record Problem(String reason, String message) {}

  /**
   * What the day-2 machinery decided: the database's version and the upgrade under way (UpgradeGuard), the
   * credentials' ages and rotation (CredentialRotation), and the migration Job's log tail (redacted).
   */
  public record DayTwo(
      MigratedStatus migrated,
      UpgradeStatus upgrade,
      Problem upgradeProblem,
      SecretsStatus secrets,
      String rotationFailure,
      String migrationLog,
      String roleSetupFailure) {
    public static final DayTwo NONE = new DayTwo(null, null, null, null, null, null, null);

    public DayTwo(
        MigratedStatus migrated,
        UpgradeStatus upgrade,
        Problem upgradeProblem,
        SecretsStatus secrets,
        String rotationFailure,
        String migrationLog) {
      this(migrated, upgrade, upgradeProblem, secrets, rotationFailure, migrationLog, null);
    }
  }

  /** Where a Job stands (migration, gate, rotation). */
  public enum MigrationState {
    SUCCEEDED,
    FAILED,
    RUNNING,
    PENDING
  }

  /** The status after a successful apply of {@code stack}, resolved with the built-in images (tests, tools). */
  public static LoomioDeploymentStatus applied(
      LoomioDeployment resource, Stack stack, Observed observed, Instant now) {
    return applied(ResolvedSpec.of(resource, ImageDefaults.BUILT_IN), stack, observed, now);
  }

  /** The status after a successful apply of {@code stack}. */
  public static LoomioDeploymentStatus applied(
      ResolvedSpec spec, Stack stack, Observed observed, Instant now) {
    LoomioDeployment resource = spec.resource();
    LoomioDeploymentStatus previous = resource.getStatus();
    Applied a = new Applied(stack, observed, generation(resource));
    a.migration();
    a.database();
    a.restoring();
    a.migrateOnly();
    a.upgrade();
    a.degraded();
    String isolatedSince = a.isolated(spec, previous, now);
    secretsFresh(spec, a.dayTwo.secrets(), now, a.generation).ifPresent(a.conditions::add);
    a.conditions.add(mailDelivery(spec, a.generation));
    a.backupsHealthy();
    a.edge();
    CloudNativePGDatabase.State db = observed.database();
    a.conditions.add(
        networkPolicies(spec, db == null ? List.of() : db.networkAssumptions(), a.generation));
    a.conditions.add(apiAvailable(stack.omissions(), a.generation));
    return status(spec, a, isolatedSince, now);
  }

  /** The status fields beside the conditions, and the conditions merged with the previous ones. */
  private static LoomioDeploymentStatus status(
      ResolvedSpec spec, Applied a, String isolatedSince, Instant now) {
    LoomioDeploymentStatus previous = spec.resource().getStatus();
    DayTwo d = a.dayTwo;
    LoomioDeploymentStatus status = new LoomioDeploymentStatus();
    status.setObservedGeneration(a.generation);
    status.setUrl(spec.publicUrl());
    status.setImage(a.stack.image());
    status.setVersion(a.stack.version());
    status.setMigration(a.jobName);
    status.setComponents(a.components);
    status.setBackup(
        a.observed.backup() != null
            ? a.observed.backup().status()
            : previous == null ? null : previous.getBackup());
    status.setRestore(a.observed.restore());
    status.setMigrated(d.migrated());
    status.setUpgrade(d.upgrade());
    status.setIsolatedSince(isolatedSince);
    status.setSecrets(
        d.secrets() != null ? d.secrets() : previous == null ? null : previous.getSecrets());
    status.setInventory(Inventory.of(a.stack));
    List<Condition> merged =
        Conditions.merge(previous == null ? null : previous.getConditions(), a.conditions, now);
    if (spec.secretsMaxAgeDays().isEmpty() || spec.existingSecret() != null) {
      merged.removeIf(c -> Conditions.SECRETS_FRESH.equals(c.getType()));
    }
    status.setConditions(merged);
    return status;
  }

  /**
   * The conditions of an applied generation, built in steps: the migration's Degraded, Ready and Progressing
   * first, then each situation that overrides Ready and Progressing (a database not ready, a restore, a
   * migrate-only stone, an upgrade, isolation), in that order, then the conditions of their own.
   */
  private static final class Applied {
    private final Stack stack;
    private final Observed observed;
    private final DayTwo dayTwo;
    private final long generation;
    private final Job job;
    private final String jobName;
    private final MigrationState migration;
    private final Map<String, ComponentStatus> components = new LinkedHashMap<>();
    private final List<String> notReady = new ArrayList<>();
    private boolean rollingOut;
    private final List<Condition> conditions = new ArrayList<>();

    Applied(Stack stack, Observed observed, long generation) {
      this.stack = stack;
      this.observed = observed;
      this.dayTwo = observed.dayTwo();
      this.generation = generation;
      for (HasMetadata workload : workloads(stack)) {
        String component = componentName(workload);
        HasMetadata seen = workload instanceof Deployment
            ? observed.deployments().get(workload.getMetadata().getName())
            : observed.statefulSets().get(workload.getMetadata().getName());
        Rollout r = rollout(workload, seen);
        components.put(component, new ComponentStatus(r.ready, r.desired));
        if (!r.complete) {
          notReady.add(component + " " + r.ready + "/" + r.desired + " ready");
          rollingOut = true;
        }
      }
      this.job = observed.migration().orElse(null);
      this.migration = migrationState(job);
      this.jobName = stack.migrationJob();
    }

    private void add(ConditionReason reason, String status, String message) {
      conditions.add(Conditions.of(reason, status, message, generation));
    }

    /** A condition whose reason was observed as a word (a backup's, the edge's, an upgrade's problem). */
    private void add(String type, String status, String reason, String message) {
      conditions.add(Conditions.of(type, status, reason, message, generation));
    }

    private void replace(List<String> types) {
      conditions.removeIf(c -> types.contains(c.getType()));
    }

    private static final List<String> READY_AND_PROGRESSING =
        List.of(Conditions.READY, Conditions.PROGRESSING);

    /** Degraded, Ready and Progressing from where the migration Job stands, and the workloads' rollout. */
    void migration() {
      switch (migration) {
        case FAILED -> migrationFailed();
        case RUNNING, PENDING -> migrationPending();
        case SUCCEEDED -> migrated();
      }
    }

    private void migrationFailed() {
      String why = failureMessage(job)
          + (dayTwo.migrationLog() == null ? "" : "; its log ends: " + tail(dayTwo.migrationLog()));
      add(
          DegradedReason.MIGRATION_FAILED,
          Conditions.TRUE,
          "migration Job " + jobName + " failed" + why
              + "; web and worker keep waiting for the schema."
              + " Fix the cause (kubectl logs job/" + jobName
              + "), then delete the Job to run it again, or set"
              + " spec.image back to the previous image");
      add(
          ReadyReason.MIGRATION_FAILED,
          Conditions.FALSE,
          "migration Job " + jobName + " failed" + why);
      add(
          ProgressingReason.MIGRATION_FAILED,
          Conditions.FALSE,
          "the rollout stopped: migration Job " + jobName + " failed");
    }

    private void migrationPending() {
      String what = migration == MigrationState.RUNNING
          ? "has not finished (" + activePods(job) + ")"
          : "has not started a pod yet";
      add(DegradedReason.AS_EXPECTED, Conditions.FALSE, "no problem found");
      add(
          ReadyReason.MIGRATION_PENDING,
          Conditions.FALSE,
          "waiting for migration Job " + jobName + ", which " + what
              + "; web and worker start once the schema" + " is current"
              + (notReady.isEmpty() ? "" : " (" + String.join(", ", notReady) + ")"));
      add(
          ProgressingReason.MIGRATION_PENDING,
          Conditions.TRUE,
          "migrating the database for " + stack.image() + " (Job " + jobName + ")");
    }

    private void migrated() {
      add(DegradedReason.AS_EXPECTED, Conditions.FALSE, "no problem found");
      if (notReady.isEmpty()) {
        add(
            ReadyReason.ALL_COMPONENTS_READY,
            Conditions.TRUE,
            "every component is ready at " + stack.image());
      } else {
        add(
            ReadyReason.WORKLOADS_NOT_READY,
            Conditions.FALSE,
            "waiting for pods: " + String.join(", ", notReady));
      }
      if (rollingOut) {
        add(
            ProgressingReason.ROLLING_OUT,
            Conditions.TRUE,
            "rolling out " + stack.image() + ": " + String.join(", ", notReady));
      } else {
        add(ProgressingReason.STABLE, Conditions.FALSE, "nothing is rolling out");
      }
    }

    /**
     * A database the stack does not run as a workload (CloudNativePG): its component, and Ready says when it
     * is not (yet) as asked, in CloudNativePG's own words, although the app may be up.
     */
    void database() {
      CloudNativePGDatabase.State db = observed.database();
      if (db == null || !db.applies()) {
        return;
      }
      components.put("database", db.component());
      if (!db.healthy() && migration != MigrationState.FAILED) {
        replace(List.of(Conditions.READY));
        add(
            ReadyReason.DATABASE_NOT_READY,
            Conditions.FALSE,
            db.message() + (notReady.isEmpty() ? "" : " (" + String.join(", ", notReady) + ")"));
      }
    }

    /** A restore holds web, worker and hocuspocus at zero: "every component ready" would be untrue. */
    void restoring() {
      String restore = observed.restore();
      if (restore == null) {
        return;
      }
      replace(READY_AND_PROGRESSING);
      add(
          ReadyReason.RESTORING,
          Conditions.FALSE,
          "LoomioRestore " + restore
              + " is restoring the data; web, worker and hocuspocus are stopped"
              + " until it is done (kubectl describe loomiorestore " + restore + ")");
      add(
          ProgressingReason.RESTORING,
          Conditions.TRUE,
          "restoring from a backup (LoomioRestore " + restore + ")");
    }

    /** A migrate-only stepping stone: its migration is all that runs. */
    void migrateOnly() {
      if (dayTwo.upgrade() != null
          || migration == MigrationState.FAILED
          || observed.restore() != null
          || LoomioReleases.support(stack.version()) != LoomioReleases.Support.MIGRATE_ONLY) {
        return;
      }
      String next = LoomioReleases.nextStone(stack.version())
          .map(v -> " Set spec.image.tag to " + v + " next.")
          .orElse("");
      String what = "Loomio " + stack.version() + " is a migrate-only stepping stone (older than "
          + LoomioReleases.OLDEST_SERVED
          + ", whose image the operator's pods cannot run): web, worker and hocuspocus"
          + " stay at zero, and only its migration runs";
      replace(READY_AND_PROGRESSING);
      if (migration == MigrationState.SUCCEEDED) {
        add(ReadyReason.MIGRATE_ONLY, Conditions.FALSE, what + "; it succeeded." + next);
        add(
            ProgressingReason.MIGRATE_ONLY,
            Conditions.FALSE,
            "migrated to " + stack.version() + "; nothing else runs until spec.image moves on."
                + next);
      } else {
        add(ReadyReason.MIGRATE_ONLY, Conditions.FALSE, what + " (Job " + jobName + ")");
        add(
            ProgressingReason.MIGRATION_PENDING,
            Conditions.TRUE,
            "migrating the database for " + stack.image() + " (Job " + jobName + ")");
      }
    }

    /**
     * An upgrade under way: a maintenance window's migration or stop, or preparing (gate, backup) or waiting,
     * while the old image serves and spec.image is not reached yet.
     */
    void upgrade() {
      UpgradeStatus upgrade = dayTwo.upgrade();
      if (upgrade == null) {
        return;
      }
      boolean window = Boolean.TRUE.equals(upgrade.getMaintenanceWindow());
      Problem problem = dayTwo.upgradeProblem();
      if (window && problem == null && upgrade.getPhase() == UpgradeStatus.Phase.Migrating) {
        // the migration of a maintenance window: web, worker and hocuspocus are stopped, not merely
        // not ready
        replace(List.of(Conditions.READY));
        add(ReadyReason.MAINTENANCE_WINDOW, Conditions.FALSE, upgrade.getMessage());
      } else if (window && problem == null && upgrade.getPhase() == UpgradeStatus.Phase.Stopping) {
        replace(READY_AND_PROGRESSING);
        add(ReadyReason.MAINTENANCE_WINDOW, Conditions.FALSE, upgrade.getMessage());
        add(ProgressingReason.UPGRADING, Conditions.TRUE, upgrade.getMessage());
      } else if (problem != null
          || upgrade.getPhase() != UpgradeStatus.Phase.Migrating
              && upgrade.getPhase() != UpgradeStatus.Phase.Failed) {
        replace(READY_AND_PROGRESSING);
        add(
            ReadyReason.UPGRADING,
            Conditions.FALSE,
            upgrade.getMessage() + "; " + shortImage(upgrade.getFrom()) + " serves meanwhile");
        add(
            Conditions.PROGRESSING,
            problem == null ? Conditions.TRUE : Conditions.FALSE,
            problem == null ? ProgressingReason.UPGRADING.value() : problem.reason(),
            upgrade.getMessage());
      }
    }

    /**
     * Degraded says the first problem of a stopped upgrade, a failed role setup or a failed rotation, unless it
     * already says one (a failed migration).
     */
    void degraded() {
      Problem problem = dayTwo.upgradeProblem() != null
          ? dayTwo.upgradeProblem()
          : dayTwo.roleSetupFailure() != null
              ? new Problem(DegradedReason.ROLE_SETUP_FAILED.value(), dayTwo.roleSetupFailure())
              : dayTwo.rotationFailure() != null
                  ? new Problem(DegradedReason.ROTATION_FAILED.value(), dayTwo.rotationFailure())
                  : null;
      if (problem != null
          && conditions.stream()
              .noneMatch(c -> Conditions.DEGRADED.equals(c.getType())
                  && Conditions.TRUE.equals(c.getStatus()))) {
        replace(List.of(Conditions.DEGRADED));
        add(Conditions.DEGRADED, Conditions.TRUE, problem.reason(), problem.message());
      }
    }

    /**
     * Isolated (and Ready and Progressing while isolated, unless a restore runs), or lifted once it was
     * isolated; returns since when it is isolated, null when it is not.
     */
    String isolated(ResolvedSpec spec, LoomioDeploymentStatus previous, Instant now) {
      if (!spec.isolated()) {
        if (previous != null
            && Conditions.find(previous.getConditions(), Conditions.ISOLATED).isPresent()) {
          add(
              IsolatedReason.ISOLATION_LIFTED,
              Conditions.FALSE,
              "not isolated: the NetworkPolicies, workloads, edge and backups are as the spec says");
        }
        return null;
      }
      String since = isolatedSince(previous, now);
      String what = isolation(
              since,
              spec.name(),
              observed.restore() == null ? "" : " (except the restore's own Jobs and the database)")
          + ". Set spec.isolation to false to bring it back";
      add(IsolatedReason.ISOLATED, Conditions.TRUE, what);
      if (observed.restore() == null) {
        replace(READY_AND_PROGRESSING);
        add(ReadyReason.ISOLATED, Conditions.FALSE, what);
        add(ProgressingReason.ISOLATED, Conditions.FALSE, "nothing rolls out while isolated");
      }
      return since;
    }

    /** BackupsHealthy, as the backup observer saw it. */
    void backupsHealthy() {
      BackupObserver.BackupState backup = observed.backup();
      if (backup != null) {
        add(
            Conditions.BACKUPS_HEALTHY,
            backup.conditionStatus(),
            backup.reason(),
            backup.message());
      }
    }

    /** Edge, as the edge observer saw it. */
    void edge() {
      EdgeObserver.EdgeState edge = observed.edge();
      if (edge != null) {
        add(Conditions.EDGE, edge.status(), edge.reason(), edge.message());
      }
    }
  }

  /** SecretsFresh, when spec.secrets.maxAgeDays asks for it: which generated credentials are older. */
  static Optional<Condition> secretsFresh(
      ResolvedSpec spec, SecretsStatus secrets, Instant now, long generation) {
    if (spec.secretsMaxAgeDays().isEmpty() || secrets == null || spec.existingSecret() != null) {
      return Optional.empty();
    }
    int max = spec.secretsMaxAgeDays().get();
    List<String> old = new ArrayList<>();
    secrets.getValueSince().forEach((key, since) -> {
      if (key.startsWith("VAPID_")) {
        return; // kept stable on purpose: never due
      }
      long days = Duration.between(Instant.parse(since), now).toDays();
      if (days > max) {
        old.add(key + " (" + days + " days)");
      }
    });
    return Optional.of(
        old.isEmpty()
            ? Conditions.of(
                SecretsFreshReason.WITHIN_MAX_AGE,
                Conditions.TRUE,
                "every generated credential is" + " younger than " + max
                    + " days (the VAPID pair is exempt)",
                generation)
            : Conditions.of(
                SecretsFreshReason.ROTATION_DUE,
                Conditions.FALSE,
                "older than " + max + " days: " + String.join(", ", old)
                    + ". Rotate them with spec.secrets.rotate and a new token (docs/operations.md)",
                generation));
  }

  private static String shortImage(String reference) {
    return reference == null ? "the old image" : reference;
  }

  /** The last lines of a log, at most 600 characters. */
  static String tail(String log) {
    String t = log.strip();
    return t.length() <= 600 ? t : "…" + t.substring(t.length() - 600);
  }

  /**
   * The status when the spec cannot be applied (invalid, or a referenced Secret is missing): Degraded and
   * not Ready, with the reason; every other field stays as it was, like the objects themselves.
   */
  public static LoomioDeploymentStatus blocked(
      LoomioDeployment resource, String reason, String message, Instant now) {
    long generation = generation(resource);
    LoomioDeploymentStatus previous = resource.getStatus();
    LoomioDeploymentStatus status = copy(previous);
    status.setObservedGeneration(generation);
    List<Condition> conditions = List.of(
        Conditions.of(Conditions.DEGRADED, Conditions.TRUE, reason, message, generation),
        Conditions.of(
            Conditions.READY,
            Conditions.FALSE,
            reason,
            notApplied(previous, reason, generation),
            generation),
        Conditions.of(
            Conditions.PROGRESSING,
            Conditions.FALSE,
            reason,
            "nothing is applied until this is fixed",
            generation));
    status.setConditions(
        Conditions.merge(previous == null ? null : previous.getConditions(), conditions, now));
    return status;
  }

  /**
   * What Ready says of a generation that is not applied: the objects of the last good spec stay only if a spec
   * was ever applied (the status then records its image); a failed apply may have applied part of it.
   */
  private static String notApplied(
      LoomioDeploymentStatus previous, String reason, long generation) {
    boolean everApplied = previous != null && previous.getImage() != null;
    if (DegradedReason.RECONCILE_FAILED.value().equals(reason)) {
      return "generation " + generation
          + " is not fully applied (see the Degraded condition); the operator tries" + " again";
    }
    return everApplied
        ? "generation " + generation
            + " is not applied (see the Degraded condition); the objects of the last good"
            + " spec are left as they were"
        : "generation " + generation
            + " is not applied (see the Degraded condition), and no earlier one was:"
            + " nothing of this stack has been applied yet";
  }

  /**
   * A blocked status for a stack isolated from its name alone ({@link EmergencyIsolation}): Isolated=True and
   * since when, beside the Degraded reason that blocks everything else.
   */
  static LoomioDeploymentStatus isolatedWhileBlocked(
      LoomioDeployment resource, LoomioDeploymentStatus status, Instant now) {
    long generation = generation(resource);
    LoomioDeploymentStatus previous = resource.getStatus();
    String since = isolatedSince(previous, now);
    status.setIsolatedSince(since);
    status.setConditions(Conditions.merge(
        status.getConditions(),
        List.of(Conditions.of(
            IsolatedReason.ISOLATED,
            Conditions.TRUE,
            isolation(since, resource.getMetadata().getName(), "")
                + ", although the rest of the spec cannot be" + " applied (see Degraded)",
            generation)),
        now));
    return status;
  }

  /** Since when the stack is isolated: as recorded, or from now. */
  private static String isolatedSince(LoomioDeploymentStatus previous, Instant now) {
    return previous != null && previous.getIsolatedSince() != null
        ? previous.getIsolatedSince()
        : now.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** What isolation does, for the Isolated condition (and Ready while isolated). */
  private static String isolation(String since, String instance, String exception) {
    return "isolated since " + since + ": every pod of the stack is cut off by NetworkPolicy "
        + NetworkPolicies.denyAllName(instance)
        + " with no allow policy beside it"
        + exception
        + ", web, worker and hocuspocus are stopped, the edge is removed and backups are paused; data,"
        + " Secrets and backups are untouched";
  }

  /** The status after an unexpected failure (the reconcile is retried). */
  public static LoomioDeploymentStatus failed(
      LoomioDeployment resource, String message, Instant now) {
    return blocked(resource, DegradedReason.RECONCILE_FAILED.value(), message, now);
  }

  static Condition mailDelivery(ResolvedSpec spec, long generation) {
    return spec.smtp()
        .map(s -> Conditions.of(
            MailDeliveryReason.SMTP_CONFIGURED,
            Conditions.TRUE,
            "mail goes out through " + s.host() + ":" + s.port() + " ("
                + s.tls().name().toLowerCase()
                + (s.verifyCertificate() ? ", certificate verified" : ", certificate NOT verified")
                + ")",
            generation))
        .orElseGet(() -> Conditions.of(
            MailDeliveryReason.SMTP_NOT_CONFIGURED,
            Conditions.FALSE,
            "spec.smtp.host is not set: Loomio sends no mail at all (no sign-in links, invitations or"
                + " notifications) and reports no error",
            generation));
  }

  /**
   * NetworkPolicies: off; on with every destination from the spec; or Unknown where an external server is
   * reached at public addresses only because its host says nothing more (the message says how to give its range).
   */
  static Condition networkPolicies(ResolvedSpec spec, long generation) {
    return networkPolicies(spec, List.of(), generation);
  }

  /** With what the installation's settings leave open (a CloudNativePG database's API-server addresses). */
  static Condition networkPolicies(ResolvedSpec spec, List<String> more, long generation) {
    if (!spec.networkPoliciesEnabled()) {
      return Conditions.of(
          NetworkPoliciesReason.DISABLED,
          Conditions.FALSE,
          "spec.networkPolicy.enabled is false: no NetworkPolicy limits who reaches the stack's pods or what they"
              + " reach" + (spec.isolated() ? " (except the isolation's deny-all policy)" : ""),
          generation);
    }
    List<String> assumptions = new ArrayList<>(NetworkPolicies.assumptions(spec));
    assumptions.addAll(more);
    if (!assumptions.isEmpty()) {
      return Conditions.of(
          NetworkPoliciesReason.PUBLIC_ADDRESSES_ASSUMED,
          Conditions.UNKNOWN,
          String.join("; ", assumptions),
          generation);
    }
    return Conditions.of(
        NetworkPoliciesReason.AS_SPECIFIED,
        Conditions.TRUE,
        "every flow the NetworkPolicies admit is one the spec names (docs/networking.md); they take effect only"
            + " where the network plugin enforces NetworkPolicies",
        generation);
  }

  static Condition apiAvailable(List<Omission> omissions, long generation) {
    if (omissions.isEmpty()) {
      return Conditions.of(
          APIAvailableReason.ALL_APIS_SERVED,
          Conditions.TRUE,
          "the cluster serves every API this spec needs",
          generation);
    }
    return Conditions.of(
        APIAvailableReason.API_MISSING,
        Conditions.FALSE,
        "left out because the cluster does not serve it: "
            + omissions.stream().map(Omission::toString).collect(Collectors.joining("; ")),
        generation);
  }

  private record Rollout(int ready, int desired, boolean complete) {}

  private static Rollout rollout(HasMetadata desiredObject, HasMetadata seen) {
    int desired;
    String image;
    if (desiredObject instanceof Deployment d) {
      desired = orZero(d.getSpec().getReplicas());
      image = firstImage(d.getSpec().getTemplate());
    } else {
      StatefulSet s = (StatefulSet) desiredObject;
      desired = orZero(s.getSpec().getReplicas());
      image = firstImage(s.getSpec().getTemplate());
    }
    if (seen == null) {
      return new Rollout(0, desired, desired == 0);
    }
    if (seen instanceof Deployment d) {
      var st = d.getStatus();
      boolean current = st != null
          && st.getObservedGeneration() != null
          && st.getObservedGeneration() >= orZero(d.getMetadata().getGeneration())
          && Objects.equals(image, firstImage(d.getSpec().getTemplate()));
      int ready =
          st == null ? 0 : Math.min(orZero(st.getReadyReplicas()), orZero(st.getUpdatedReplicas()));
      boolean complete = current
          && orZero(d.getSpec().getReplicas()) == desired
          && orZero(st.getUpdatedReplicas()) >= desired
          && orZero(st.getAvailableReplicas()) >= desired
          && orZero(st.getReplicas()) <= desired;
      return new Rollout(current ? ready : 0, desired, complete);
    }
    StatefulSet s = (StatefulSet) seen;
    var st = s.getStatus();
    boolean current = st != null
        && st.getObservedGeneration() != null
        && st.getObservedGeneration() >= orZero(s.getMetadata().getGeneration())
        && Objects.equals(image, firstImage(s.getSpec().getTemplate()));
    int ready = st == null ? 0 : orZero(st.getReadyReplicas());
    boolean revisionDone = st != null
        && (st.getUpdateRevision() == null
            || Objects.equals(st.getCurrentRevision(), st.getUpdateRevision()));
    boolean complete = current && revisionDone && ready >= desired;
    return new Rollout(current ? ready : 0, desired, complete);
  }

  /** The state of a migration (or any) Job: {@link JobState} reads it, below both this and the rotation. */
  public static MigrationState migrationState(Job job) {
    return MigrationState.valueOf(JobState.of(job).name());
  }

  private static String activePods(Job job) {
    int active = orZero(job.getStatus().getActive());
    int failed = orZero(job.getStatus().getFailed());
    return active + " pod" + (active == 1 ? "" : "s") + " active, " + failed + " failed";
  }

  private static String failureMessage(Job job) {
    return job.getStatus().getConditions().stream()
        .filter(c -> "Failed".equals(c.getType()))
        .findFirst()
        .map(
            c -> " (" + c.getReason() + (c.getMessage() == null ? "" : ": " + c.getMessage()) + ")")
        .orElse("");
  }

  private static List<HasMetadata> workloads(Stack stack) {
    List<HasMetadata> w = new ArrayList<>();
    w.addAll(stack.all(Deployment.class));
    w.addAll(stack.all(StatefulSet.class));
    w.sort((a, b) -> Integer.compare(order(componentName(a)), order(componentName(b))));
    return w;
  }

  private static final List<String> COMPONENT_ORDER =
      List.of("web", "worker", "hocuspocus", "database", "redis");

  private static int order(String component) {
    int i = COMPONENT_ORDER.indexOf(component);
    return i < 0 ? COMPONENT_ORDER.size() : i;
  }

  /** Status names: the database is "database" whatever runs it. */
  static String componentName(HasMetadata workload) {
    String c = workload.getMetadata().getLabels().get(Labels.COMPONENT);
    return "postgres".equals(c) ? "database" : c;
  }

  private static String firstImage(PodTemplateSpec template) {
    if (template == null
        || template.getSpec() == null
        || template.getSpec().getContainers().isEmpty()) {
      return null;
    }
    return template.getSpec().getContainers().get(0).getImage();
  }

  private static long generation(LoomioDeployment resource) {
    Long g = resource.getMetadata().getGeneration();
    return g == null ? 0L : g;
  }

  private static int orZero(Integer i) {
    return i == null ? 0 : i;
  }

  private static long orZero(Long l) {
    return l == null ? 0L : l;
  }

  private static LoomioDeploymentStatus copy(LoomioDeploymentStatus s) {
    LoomioDeploymentStatus c = new LoomioDeploymentStatus();
    if (s != null) {
      c.setUrl(s.getUrl());
      c.setImage(s.getImage());
      c.setVersion(s.getVersion());
      c.setMigration(s.getMigration());
      c.setComponents(
          new LinkedHashMap<>(s.getComponents() == null ? Map.of() : s.getComponents()));
      c.setBackup(s.getBackup());
      c.setMigrated(s.getMigrated());
      c.setUpgrade(s.getUpgrade());
      c.setIsolatedSince(s.getIsolatedSince());
      c.setSecrets(s.getSecrets());
      c.setRestore(s.getRestore());
      c.setInventory(s.getInventory());
      c.setConditions(new ArrayList<>(s.getConditions() == null ? List.of() : s.getConditions()));
    }
    return c;
  }
}

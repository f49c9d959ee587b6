package org.loomio.operator.reconcile;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Instant;
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
import org.loomio.operator.model.JobState;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.Stack;
import org.loomio.operator.render.base.Omission;
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

  /** Ready reason while a CloudNativePG database is not there, has no primary, or is not healthy. */
  public static final String DATABASE_NOT_READY = "DatabaseNotReady";

  /** A reason and message for Degraded. */
  public record Problem(String reason, String message) {}

  /**
   * What the day-2 machinery decided: the database's version and the upgrade under way (UpgradeGuard), the
   * credentials' ages and rotation (CredentialRotation), and the migration Job's log tail (redacted).
   */
  public record DayTwo(
      org.loomio.operator.api.v1alpha1.MigratedStatus migrated,
      org.loomio.operator.api.v1alpha1.UpgradeStatus upgrade,
      Problem upgradeProblem,
      org.loomio.operator.api.v1alpha1.SecretsStatus secrets,
      String rotationFailure,
      String migrationLog,
      String roleSetupFailure) {
    public static final DayTwo NONE = new DayTwo(null, null, null, null, null, null, null);

    public DayTwo(
        org.loomio.operator.api.v1alpha1.MigratedStatus migrated,
        org.loomio.operator.api.v1alpha1.UpgradeStatus upgrade,
        Problem upgradeProblem,
        org.loomio.operator.api.v1alpha1.SecretsStatus secrets,
        String rotationFailure,
        String migrationLog) {
      this(migrated, upgrade, upgradeProblem, secrets, rotationFailure, migrationLog, null);
    }
  }

  /** Ready/Progressing reason while the stack is isolated, and the Isolated condition's reasons. */
  public static final String ISOLATED = "Isolated";

  public static final String ISOLATION_LIFTED = "IsolationLifted";
  public static final String ROTATION_DUE = "RotationDue";
  public static final String WITHIN_MAX_AGE = "WithinMaxAge";
  /** Ready/Progressing reason of a migrate-only stepping stone. */
  public static final String MIGRATE_ONLY = "MigrateOnly";

  /** Where a Job stands (migration, gate, rotation). */
  public enum MigrationState {
    SUCCEEDED,
    FAILED,
    RUNNING,
    PENDING
  }

  /** The status after a successful apply of {@code stack}. */
  public static LoomioDeploymentStatus applied(
      LoomioDeployment resource, Stack stack, Observed observed, Instant now) {
    long generation = generation(resource);
    LoomioDeploymentStatus previous = resource.getStatus();
    ResolvedSpec spec = new ResolvedSpec(resource);

    Map<String, ComponentStatus> components = new LinkedHashMap<>();
    List<String> notReady = new ArrayList<>();
    boolean rollingOut = false;
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

    Job job = observed.migration().orElse(null);
    MigrationState migration = migrationState(job);
    List<Condition> conditions = new ArrayList<>();
    String jobName = stack.migrationJob();
    switch (migration) {
      case FAILED -> {
        String why = failureMessage(job)
            + (observed.dayTwo().migrationLog() == null
                ? ""
                : "; its log ends: " + tail(observed.dayTwo().migrationLog()));
        conditions.add(Conditions.of(
            Conditions.DEGRADED,
            Conditions.TRUE,
            Conditions.MIGRATION_FAILED,
            "migration Job " + jobName + " failed" + why
                + "; web and worker keep waiting for the schema."
                + " Fix the cause (kubectl logs job/" + jobName
                + "), then delete the Job to run it again, or set"
                + " spec.image back to the previous image",
            generation));
        conditions.add(Conditions.of(
            Conditions.READY,
            Conditions.FALSE,
            Conditions.MIGRATION_FAILED,
            "migration Job " + jobName + " failed" + why,
            generation));
        conditions.add(Conditions.of(
            Conditions.PROGRESSING,
            Conditions.FALSE,
            Conditions.MIGRATION_FAILED,
            "the rollout stopped: migration Job " + jobName + " failed",
            generation));
      }
      case RUNNING, PENDING -> {
        String what = migration == MigrationState.RUNNING
            ? "has not finished (" + activePods(job) + ")"
            : "has not started a pod yet";
        conditions.add(Conditions.of(
            Conditions.DEGRADED,
            Conditions.FALSE,
            Conditions.AS_EXPECTED,
            "no problem found",
            generation));
        conditions.add(Conditions.of(
            Conditions.READY,
            Conditions.FALSE,
            Conditions.MIGRATION_PENDING,
            "waiting for migration Job " + jobName + ", which " + what
                + "; web and worker start once the schema" + " is current"
                + (notReady.isEmpty() ? "" : " (" + String.join(", ", notReady) + ")"),
            generation));
        conditions.add(Conditions.of(
            Conditions.PROGRESSING,
            Conditions.TRUE,
            Conditions.MIGRATION_PENDING,
            "migrating the database for " + stack.image() + " (Job " + jobName + ")",
            generation));
      }
      case SUCCEEDED -> {
        conditions.add(Conditions.of(
            Conditions.DEGRADED,
            Conditions.FALSE,
            Conditions.AS_EXPECTED,
            "no problem found",
            generation));
        if (notReady.isEmpty()) {
          conditions.add(Conditions.of(
              Conditions.READY,
              Conditions.TRUE,
              Conditions.ALL_READY,
              "every component is ready at " + stack.image(),
              generation));
        } else {
          conditions.add(Conditions.of(
              Conditions.READY,
              Conditions.FALSE,
              Conditions.WORKLOADS_NOT_READY,
              "waiting for pods: " + String.join(", ", notReady),
              generation));
        }
        conditions.add(
            rollingOut
                ? Conditions.of(
                    Conditions.PROGRESSING,
                    Conditions.TRUE,
                    Conditions.ROLLING_OUT,
                    "rolling out " + stack.image() + ": " + String.join(", ", notReady),
                    generation)
                : Conditions.of(
                    Conditions.PROGRESSING,
                    Conditions.FALSE,
                    Conditions.STABLE,
                    "nothing is rolling out",
                    generation));
      }
    }
    CloudNativePGDatabase.State db = observed.database();
    if (db != null && db.applies()) {
      components.put("database", db.component());
      if (!db.healthy() && migration != MigrationState.FAILED) {
        // the app may be up, but its database is not (yet) as asked: CloudNativePG's own status
        // says why
        conditions.removeIf(c -> Conditions.READY.equals(c.getType()));
        conditions.add(Conditions.of(
            Conditions.READY,
            Conditions.FALSE,
            DATABASE_NOT_READY,
            db.message() + (notReady.isEmpty() ? "" : " (" + String.join(", ", notReady) + ")"),
            generation));
      }
    }
    if (observed.restore() != null) {
      // a restore holds web, worker and hocuspocus at zero: "every component ready" would be untrue
      conditions.removeIf(
          c -> Conditions.READY.equals(c.getType()) || Conditions.PROGRESSING.equals(c.getType()));
      conditions.add(Conditions.of(
          Conditions.READY,
          Conditions.FALSE,
          Conditions.RESTORING,
          "LoomioRestore " + observed.restore()
              + " is restoring the data; web, worker and hocuspocus are stopped"
              + " until it is done (kubectl describe loomiorestore " + observed.restore() + ")",
          generation));
      conditions.add(Conditions.of(
          Conditions.PROGRESSING,
          Conditions.TRUE,
          Conditions.RESTORING,
          "restoring from a backup (LoomioRestore " + observed.restore() + ")",
          generation));
    }
    if (observed.dayTwo().upgrade() == null
        && migration != MigrationState.FAILED
        && observed.restore() == null
        && LoomioReleases.support(stack.version()) == LoomioReleases.Support.MIGRATE_ONLY) {
      // a migrate-only stepping stone: its migration is all that runs
      String next = LoomioReleases.nextStone(stack.version())
          .map(v -> " Set spec.image.tag to " + v + " next.")
          .orElse("");
      String what = "Loomio " + stack.version() + " is a migrate-only stepping stone (older than "
          + LoomioReleases.OLDEST_SERVED
          + ", whose image the operator's pods cannot run): web, worker and hocuspocus"
          + " stay at zero, and only its migration runs";
      conditions.removeIf(
          c -> Conditions.READY.equals(c.getType()) || Conditions.PROGRESSING.equals(c.getType()));
      if (migration == MigrationState.SUCCEEDED) {
        conditions.add(Conditions.of(
            Conditions.READY,
            Conditions.FALSE,
            MIGRATE_ONLY,
            what + "; it succeeded." + next,
            generation));
        conditions.add(Conditions.of(
            Conditions.PROGRESSING,
            Conditions.FALSE,
            MIGRATE_ONLY,
            "migrated to " + stack.version() + "; nothing else runs until spec.image moves on."
                + next,
            generation));
      } else {
        conditions.add(Conditions.of(
            Conditions.READY,
            Conditions.FALSE,
            MIGRATE_ONLY,
            what + " (Job " + jobName + ")",
            generation));
        conditions.add(Conditions.of(
            Conditions.PROGRESSING,
            Conditions.TRUE,
            Conditions.MIGRATION_PENDING,
            "migrating the database for " + stack.image() + " (Job " + jobName + ")",
            generation));
      }
    }
    DayTwo d = observed.dayTwo();
    boolean window = d.upgrade() != null && Boolean.TRUE.equals(d.upgrade().getMaintenanceWindow());
    if (window
        && d.upgradeProblem() == null
        && d.upgrade().getPhase()
            == org.loomio.operator.api.v1alpha1.UpgradeStatus.Phase.Migrating) {
      // the migration of a maintenance window: web, worker and hocuspocus are stopped, not merely
      // not ready
      conditions.removeIf(c -> Conditions.READY.equals(c.getType()));
      conditions.add(Conditions.of(
          Conditions.READY,
          Conditions.FALSE,
          UpgradeGuard.MAINTENANCE_WINDOW,
          d.upgrade().getMessage(),
          generation));
    } else if (window
        && d.upgradeProblem() == null
        && d.upgrade().getPhase()
            == org.loomio.operator.api.v1alpha1.UpgradeStatus.Phase.Stopping) {
      conditions.removeIf(
          c -> Conditions.READY.equals(c.getType()) || Conditions.PROGRESSING.equals(c.getType()));
      conditions.add(Conditions.of(
          Conditions.READY,
          Conditions.FALSE,
          UpgradeGuard.MAINTENANCE_WINDOW,
          d.upgrade().getMessage(),
          generation));
      conditions.add(Conditions.of(
          Conditions.PROGRESSING,
          Conditions.TRUE,
          UpgradeGuard.UPGRADING,
          d.upgrade().getMessage(),
          generation));
    } else if (d.upgrade() != null
        && (d.upgradeProblem() != null
            || d.upgrade().getPhase()
                    != org.loomio.operator.api.v1alpha1.UpgradeStatus.Phase.Migrating
                && d.upgrade().getPhase()
                    != org.loomio.operator.api.v1alpha1.UpgradeStatus.Phase.Failed)) {
      // preparing an upgrade (gate, backup) or waiting: the old image serves, spec.image is not
      // reached yet
      conditions.removeIf(
          c -> Conditions.READY.equals(c.getType()) || Conditions.PROGRESSING.equals(c.getType()));
      conditions.add(Conditions.of(
          Conditions.READY,
          Conditions.FALSE,
          UpgradeGuard.UPGRADING,
          d.upgrade().getMessage() + "; " + shortImage(d.upgrade().getFrom()) + " serves meanwhile",
          generation));
      conditions.add(Conditions.of(
          Conditions.PROGRESSING,
          d.upgradeProblem() == null ? Conditions.TRUE : Conditions.FALSE,
          d.upgradeProblem() == null
              ? UpgradeGuard.UPGRADING
              : d.upgradeProblem().reason(),
          d.upgrade().getMessage(),
          generation));
    }
    Problem problem = d.upgradeProblem() != null
        ? d.upgradeProblem()
        : d.roleSetupFailure() != null
            ? new Problem(Conditions.ROLE_SETUP_FAILED, d.roleSetupFailure())
            : d.rotationFailure() != null
                ? new Problem(
                    org.loomio.operator.secrets.CredentialRotation.ROTATION_FAILED,
                    d.rotationFailure())
                : null;
    if (problem != null
        && conditions.stream()
            .noneMatch(c ->
                Conditions.DEGRADED.equals(c.getType()) && Conditions.TRUE.equals(c.getStatus()))) {
      conditions.removeIf(c -> Conditions.DEGRADED.equals(c.getType()));
      conditions.add(Conditions.of(
          Conditions.DEGRADED, Conditions.TRUE, problem.reason(), problem.message(), generation));
    }
    String isolatedSince = null;
    if (spec.isolated()) {
      isolatedSince = isolatedSince(previous, now);
      String what = isolation(
              isolatedSince,
              spec.name(),
              observed.restore() == null ? "" : " (except the restore's own Jobs and the database)")
          + ". Set spec.isolation to false to bring it back";
      conditions.add(Conditions.of(ISOLATED, Conditions.TRUE, ISOLATED, what, generation));
      if (observed.restore() == null) {
        conditions.removeIf(c ->
            Conditions.READY.equals(c.getType()) || Conditions.PROGRESSING.equals(c.getType()));
        conditions.add(
            Conditions.of(Conditions.READY, Conditions.FALSE, ISOLATED, what, generation));
        conditions.add(Conditions.of(
            Conditions.PROGRESSING,
            Conditions.FALSE,
            ISOLATED,
            "nothing rolls out while isolated",
            generation));
      }
    } else if (previous != null
        && Conditions.find(previous.getConditions(), ISOLATED).isPresent()) {
      conditions.add(Conditions.of(
          ISOLATED,
          Conditions.FALSE,
          ISOLATION_LIFTED,
          "not isolated: the NetworkPolicies, workloads, edge and backups are as the spec says",
          generation));
    }
    secretsFresh(spec, d.secrets(), now, generation).ifPresent(conditions::add);
    conditions.add(mailDelivery(spec, generation));
    if (observed.backup() != null) {
      conditions.add(Conditions.of(
          Conditions.BACKUPS_HEALTHY,
          observed.backup().conditionStatus(),
          observed.backup().reason(),
          observed.backup().message(),
          generation));
    }
    if (observed.edge() != null) {
      conditions.add(Conditions.of(
          Conditions.EDGE,
          observed.edge().status(),
          observed.edge().reason(),
          observed.edge().message(),
          generation));
    }
    conditions.add(
        networkPolicies(spec, db == null ? List.of() : db.networkAssumptions(), generation));
    conditions.add(apiAvailable(stack.omissions(), generation));

    LoomioDeploymentStatus status = new LoomioDeploymentStatus();
    status.setObservedGeneration(generation);
    status.setUrl(spec.publicUrl());
    status.setImage(stack.image());
    status.setVersion(stack.version());
    status.setMigration(jobName);
    status.setComponents(components);
    status.setBackup(
        observed.backup() != null
            ? observed.backup().status()
            : previous == null ? null : previous.getBackup());
    status.setRestore(observed.restore());
    status.setMigrated(d.migrated());
    status.setUpgrade(d.upgrade());
    status.setIsolatedSince(isolatedSince);
    status.setSecrets(
        d.secrets() != null ? d.secrets() : previous == null ? null : previous.getSecrets());
    List<Condition> merged =
        Conditions.merge(previous == null ? null : previous.getConditions(), conditions, now);
    if (spec.secretsMaxAgeDays().isEmpty() || spec.existingSecret() != null) {
      merged.removeIf(c -> Conditions.SECRETS_FRESH.equals(c.getType()));
    }
    status.setConditions(merged);
    return status;
  }

  /** SecretsFresh, when spec.secrets.maxAgeDays asks for it: which generated credentials are older. */
  static Optional<Condition> secretsFresh(
      ResolvedSpec spec,
      org.loomio.operator.api.v1alpha1.SecretsStatus secrets,
      Instant now,
      long generation) {
    if (spec.secretsMaxAgeDays().isEmpty() || secrets == null || spec.existingSecret() != null) {
      return Optional.empty();
    }
    int max = spec.secretsMaxAgeDays().get();
    List<String> old = new ArrayList<>();
    secrets.getValueSince().forEach((key, since) -> {
      if (key.startsWith("VAPID_")) {
        return; // kept stable on purpose: never due
      }
      long days = java.time.Duration.between(Instant.parse(since), now).toDays();
      if (days > max) {
        old.add(key + " (" + days + " days)");
      }
    });
    return Optional.of(
        old.isEmpty()
            ? Conditions.of(
                Conditions.SECRETS_FRESH,
                Conditions.TRUE,
                WITHIN_MAX_AGE,
                "every generated credential is" + " younger than " + max
                    + " days (the VAPID pair is exempt)",
                generation)
            : Conditions.of(
                Conditions.SECRETS_FRESH,
                Conditions.FALSE,
                ROTATION_DUE,
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
    if (Conditions.RECONCILE_FAILED.equals(reason)) {
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
            ISOLATED,
            Conditions.TRUE,
            ISOLATED,
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
        : now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
  }

  /** What isolation does, for the Isolated condition (and Ready while isolated). */
  private static String isolation(String since, String instance, String exception) {
    return "isolated since " + since + ": every pod of the stack is cut off by NetworkPolicy "
        + org.loomio.operator.render.network.NetworkPolicies.denyAllName(instance)
        + " with no allow policy beside it"
        + exception
        + ", web, worker and hocuspocus are stopped, the edge is removed and backups are paused; data,"
        + " Secrets and backups are untouched";
  }

  /** The status after an unexpected failure (the reconcile is retried). */
  public static LoomioDeploymentStatus failed(
      LoomioDeployment resource, String message, Instant now) {
    return blocked(resource, Conditions.RECONCILE_FAILED, message, now);
  }

  static Condition mailDelivery(ResolvedSpec spec, long generation) {
    return spec.smtp()
        .map(s -> Conditions.of(
            Conditions.MAIL_DELIVERY,
            Conditions.TRUE,
            Conditions.SMTP_CONFIGURED,
            "mail goes out through " + s.host() + ":" + s.port() + " ("
                + s.tls().name().toLowerCase()
                + (s.verifyCertificate() ? ", certificate verified" : ", certificate NOT verified")
                + ")",
            generation))
        .orElseGet(() -> Conditions.of(
            Conditions.MAIL_DELIVERY,
            Conditions.FALSE,
            Conditions.SMTP_NOT_CONFIGURED,
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
          Conditions.NETWORK_POLICIES,
          Conditions.FALSE,
          Conditions.DISABLED,
          "spec.networkPolicy.enabled is false: no NetworkPolicy limits who reaches the stack's pods or what they"
              + " reach" + (spec.isolated() ? " (except the isolation's deny-all policy)" : ""),
          generation);
    }
    List<String> assumptions =
        new ArrayList<>(org.loomio.operator.render.network.NetworkPolicies.assumptions(spec));
    assumptions.addAll(more);
    if (!assumptions.isEmpty()) {
      return Conditions.of(
          Conditions.NETWORK_POLICIES,
          Conditions.UNKNOWN,
          Conditions.PUBLIC_ADDRESSES_ASSUMED,
          String.join("; ", assumptions),
          generation);
    }
    return Conditions.of(
        Conditions.NETWORK_POLICIES,
        Conditions.TRUE,
        Conditions.AS_SPECIFIED,
        "every flow the NetworkPolicies admit is one the spec names (docs/networking.md); they take effect only"
            + " where the network plugin enforces NetworkPolicies",
        generation);
  }

  static Condition apiAvailable(List<Omission> omissions, long generation) {
    if (omissions.isEmpty()) {
      return Conditions.of(
          Conditions.API_AVAILABLE,
          Conditions.TRUE,
          Conditions.ALL_APIS_SERVED,
          "the cluster serves every API this spec needs",
          generation);
    }
    return Conditions.of(
        Conditions.API_AVAILABLE,
        Conditions.FALSE,
        Conditions.API_MISSING,
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
      c.setConditions(new ArrayList<>(s.getConditions() == null ? List.of() : s.getConditions()));
    }
    return c;
  }
}

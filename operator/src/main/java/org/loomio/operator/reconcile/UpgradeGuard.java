package org.loomio.operator.reconcile;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.loomio.operator.api.v1alpha1.LoomioBackup;
import org.loomio.operator.api.v1alpha1.LoomioBackupStatus;
import org.loomio.operator.api.v1alpha1.LoomioDeploymentStatus;
import org.loomio.operator.api.v1alpha1.MigratedStatus;
import org.loomio.operator.api.v1alpha1.UpgradeStatus;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.LoomioImage;
import org.loomio.operator.model.Names;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.model.SecretDigests;
import org.loomio.operator.render.base.UpgradeGate;
import org.loomio.operator.status.Conditions;
import org.loomio.operator.status.DegradedReason;
import org.loomio.operator.status.ProgressingReason;
import org.loomio.operator.upgrade.LoomioReleases;
import org.loomio.operator.upgrade.LoomioVersion;
import org.loomio.operator.upgrade.UpgradePath;

/**
 * Decides how far a change of spec.image may go in this reconcile. Pure: what was observed in, a decision out.
 *
 * <p>The database's version is the image whose migration last succeeded ({@code status.migrated}). When
 * spec.image differs from it, the change is an upgrade and goes step by step, each step waiting for the last:
 * <ol>
 *   <li>the path is checked: a skipped stepping stone or a downgrade is refused (nothing is applied);
 *   <li>while isolated, it waits;
 *   <li>a version gate the change crosses (3.3) runs its check Job on the old image;
 *   <li>a pre-upgrade backup (a LoomioBackup) is taken and must succeed;
 *   <li>a release upgrade (a new series, a gated release crossed, a tag naming no version) opens a maintenance
 *       window: web, worker and hocuspocus scale to zero, and the migration waits until their pods are gone. A
 *       patch release within a series ({@link UpgradePath#patchRelease}) needs none;
 *   <li>the new image's migration Job runs: during a window with the app stopped, for a patch release while web,
 *       worker and hocuspocus keep serving the old image;
 *   <li>once it succeeded, the new image is the database's version and the app starts (or rolls) on it.
 * </ol>
 * A failed gate or backup stops there with Degraded saying why, and the old version keeps serving; a failed
 * migration in a window keeps the app stopped (the schema may be partly migrated).
 *
 * <p>A migrate-only stepping stone ({@link LoomioReleases.Support#MIGRATE_ONLY}) keeps the app at zero for as
 * long as spec.image names it: only its migration runs.
 */
final class UpgradeGuard {

  /** Warning event reasons at the start of an upgrade. */
  static final String PATH_UNCHECKED = "UpgradePathUnchecked";

  static final String JOB_BACKEND_SWITCH = "JobBackendSwitch";

  /**
   * The outcome.
   *
   * @param refusal the path is refused: Degraded with this reason and message, nothing applied
   * @param serving the image web, worker and hocuspocus run
   * @param migration the image the migration Job renders
   * @param gate a gate Job to render (created once)
   * @param backupToCreate a pre-upgrade LoomioBackup to create now
   * @param migrated status.migrated to write
   * @param upgrade status.upgrade to write (null: no upgrade under way)
   * @param problem Degraded reason and message while the upgrade is stopped (the app keeps serving)
   * @param warning something to say once as an event (an unchecked path, the Sidekiq switch)
   * @param appStopped web, worker and hocuspocus stay at zero: an upgrade's maintenance window, or a migrate-only
   *     stepping stone
   */
  record Decision(
      Optional<Problem> refusal,
      LoomioImage serving,
      LoomioImage migration,
      Optional<UpgradeGate> gate,
      Optional<String> backupToCreate,
      MigratedStatus migrated,
      UpgradeStatus upgrade,
      Optional<Problem> problem,
      Optional<Problem> warning,
      boolean appStopped) {

    Decision(
        Optional<Problem> refusal,
        LoomioImage serving,
        LoomioImage migration,
        Optional<UpgradeGate> gate,
        Optional<String> backupToCreate,
        MigratedStatus migrated,
        UpgradeStatus upgrade,
        Optional<Problem> problem,
        Optional<Problem> warning) {
      this(
          refusal,
          serving,
          migration,
          gate,
          backupToCreate,
          migrated,
          upgrade,
          problem,
          warning,
          false);
    }
  }

  record Problem(String reason, String message) {}

  /**
   * What the reconciler saw.
   *
   * @param deployments the stack's Deployments (a maintenance window waits until web, worker and hocuspocus
   *     have no pods left)
   */
  record Observed(
      LoomioDeploymentStatus previous,
      Map<String, Job> jobs,
      Collection<Pod> pods,
      Map<String, LoomioBackup> backups,
      boolean backupsPossible,
      boolean restoring,
      UnaryOperator<String> redact,
      Collection<Deployment> deployments) {

    Observed(
        LoomioDeploymentStatus previous,
        Map<String, Job> jobs,
        Collection<Pod> pods,
        Map<String, LoomioBackup> backups,
        boolean backupsPossible,
        boolean restoring,
        UnaryOperator<String> redact) {
      this(previous, jobs, pods, backups, backupsPossible, restoring, redact, List.of());
    }

    Observed(
        LoomioDeploymentStatus previous,
        Map<String, Job> jobs,
        Collection<Pod> pods,
        Map<String, LoomioBackup> backups,
        boolean backupsPossible) {
      this(previous, jobs, pods, backups, backupsPossible, false, UnaryOperator.identity());
    }
  }

  private UpgradeGuard() {}

  /**
   * The pre-upgrade LoomioBackup for one attempt (its start time) at an upgrade to the image whose migration Job
   * has this name: an upgrade tried again later takes a new backup.
   */
  static String backupName(String instance, String migrationJob, String attempt) {
    return instance + "-pre-upgrade-"
        + SecretDigests.sha256(migrationJob + "\n" + attempt).substring(0, 8);
  }

  /**
   * @param migrationJob the migration Job's name for an image (the hash of image and database)
   */
  static Decision decide(
      ResolvedSpec spec, Observed seen, Function<LoomioImage, String> migrationJob, Instant now) {
    LoomioImage target = spec.loomioImageRef();
    MigratedStatus migrated = migratedBefore(seen.previous());
    Optional<Job> targetJob = Optional.ofNullable(seen.jobs().get(migrationJob.apply(target)));
    boolean targetMigrated = targetJob
        .map(j -> StatusAggregator.migrationState(j) == StatusAggregator.MigrationState.SUCCEEDED)
        .orElse(false);
    String time = now.truncatedTo(ChronoUnit.SECONDS).toString();

    if (seen.restoring()) {
      // a LoomioRestore replaces the database (and migrates it with spec.image): the version it had
      // is gone, and is found again from the stack's migration Job once the restore is done
      return plain(target, null);
    }
    if (migrated == null || migrated.getImage().equals(target.reference())) {
      // a new database (or one at spec.image already): nothing to guard
      MigratedStatus next = migrated;
      if (targetMigrated && (migrated == null || !migrated.getImage().equals(target.reference()))) {
        next = new MigratedStatus(target.reference(), target.tag(), time);
      }
      return plain(target, next);
    }
    LoomioImage from = new LoomioImage(migrated.getImage(), migrated.getVersion());
    UpgradePath.Verdict verdict = UpgradePath.check(from.tag(), target.tag());
    if (verdict instanceof UpgradePath.Verdict.Refused r) {
      return refused(from, migrated, new Problem(r.reason(), r.message()));
    }
    if (targetMigrated) {
      // the new schema is in place: the new image serves from now on
      return new Decision(
          Optional.empty(),
          target,
          target,
          Optional.empty(),
          Optional.empty(),
          new MigratedStatus(target.reference(), target.tag(), time),
          null,
          Optional.empty(),
          Optional.empty(),
          migrateOnly(target));
    }
    Attempt attempt = new Attempt(spec, seen, migrationJob, from, target, migrated, verdict, time);
    return targetJob
        .map(attempt::migrating)
        .or(attempt::isolated)
        .or(attempt::gates)
        .or(attempt::preUpgradeBackup)
        .or(attempt::stopping)
        .orElseGet(attempt::migrate);
  }

  private static Decision refused(LoomioImage from, MigratedStatus migrated, Problem refusal) {
    return new Decision(
        Optional.of(refusal),
        from,
        from,
        Optional.empty(),
        Optional.empty(),
        migrated,
        null,
        Optional.empty(),
        Optional.empty());
  }

  /** Something to say once as an event at the start of an upgrade: an unchecked path, the Sidekiq switch. */
  private static Optional<Problem> warning(
      UpgradePath.Verdict verdict, LoomioImage from, LoomioImage target) {
    boolean solidQueue = verdict instanceof UpgradePath.Verdict.Allowed a && a.crossesSolidQueue();
    return verdict instanceof UpgradePath.Verdict.Unchecked u
        ? Optional.of(new Problem(PATH_UNCHECKED, u.message()))
        : solidQueue
            ? Optional.of(new Problem(
                JOB_BACKEND_SWITCH,
                "the upgrade to " + target.tag() + " crosses 3.1, where Loomio replaced Sidekiq"
                    + " with Solid Queue: jobs still queued in Redis for Sidekiq are not carried over (drain them on "
                    + from.tag()
                    + " first if they matter: docs/operations.md). Web, worker and hocuspocus stay stopped while"
                    + " the database migrates"))
            : Optional.empty();
  }

  /**
   * One attempt at an upgrade from the database's version to spec.image, in its steps: migrating (or failed),
   * waiting while isolated, the gate checks, the pre-upgrade backup, stopping the app for a maintenance window,
   * then the migration. Each step's decision is empty when the attempt goes past it.
   */
  private static final class Attempt {
    private final ResolvedSpec spec;
    private final Observed seen;
    private final Function<LoomioImage, String> migrationJob;
    private final LoomioImage from;
    private final LoomioImage target;
    private final MigratedStatus migrated;
    private final UpgradePath.Verdict verdict;
    private final String time;
    private final Optional<String> windowReason;
    private final Optional<Problem> warning;
    private final Optional<UpgradeStatus> previousUpgrade;
    private final String attempt;
    private final String window;
    private final UpgradeStatus upgrade = new UpgradeStatus();

    Attempt(
        ResolvedSpec spec,
        Observed seen,
        Function<LoomioImage, String> migrationJob,
        LoomioImage from,
        LoomioImage target,
        MigratedStatus migrated,
        UpgradePath.Verdict verdict,
        String time) {
      this.spec = spec;
      this.seen = seen;
      this.migrationJob = migrationJob;
      this.from = from;
      this.target = target;
      this.migrated = migrated;
      this.verdict = verdict;
      this.time = time;
      this.windowReason = windowReason(verdict, from, target);
      this.warning = warning(verdict, from, target);
      upgrade.setFrom(from.reference());
      upgrade.setTo(target.reference());
      this.previousUpgrade = Optional.ofNullable(seen.previous())
          .map(LoomioDeploymentStatus::getUpgrade)
          .filter(u -> target.reference().equals(u.getTo()));
      previousUpgrade.map(UpgradeStatus::getBackup).ifPresent(upgrade::setBackup);
      previousUpgrade.map(UpgradeStatus::getGateJob).ifPresent(upgrade::setGateJob);
      this.attempt = previousUpgrade.map(UpgradeStatus::getStartedAt).orElse(time);
      upgrade.setStartedAt(attempt);
      if (windowReason.isPresent()) {
        upgrade.setMaintenanceWindow(true);
      }
      this.window = windowReason
          .map(
              r -> "a maintenance window (" + r + "): web, worker and hocuspocus are stopped"
                  + " until the migration succeeded, for a time that depends on Loomio's migrations and the data")
          .orElse("");
    }

    /** Migrating (or failed: StatusAggregator reports the migration Job's failure and its log). */
    Decision migrating(Job targetJob) {
      boolean failed =
          StatusAggregator.migrationState(targetJob) == StatusAggregator.MigrationState.FAILED;
      upgrade.setPhase(failed ? UpgradeStatus.Phase.Failed : UpgradeStatus.Phase.Migrating);
      previousUpgrade
          .map(UpgradeStatus::getStoppedAt)
          .filter(x -> windowReason.isPresent())
          .or(() -> windowReason.map(r -> time))
          .ifPresent(upgrade::setStoppedAt);
      String stays = windowReason.isPresent()
          ? "web, worker and hocuspocus stay stopped (the schema may be partly" + " migrated)"
          : from.tag() + " keeps serving";
      upgrade.setMessage(
          failed
              ? "the migration to " + target.tag() + " failed; " + stays
                  + ". Roll back: set spec.image"
                  + " back to " + from.reference()
                  + (upgrade.getBackup() == null
                      ? ""
                      : ", and if the database was changed," + " restore LoomioBackup "
                          + upgrade.getBackup() + " with a LoomioRestore")
                  + " (docs/operations.md)"
              : "migrating the database to " + target.tag() + " (Job "
                  + targetJob.getMetadata().getName() + "); "
                  + (windowReason.isPresent() ? window : from.tag() + " serves until it succeeds"));
      return migrationDecision();
    }

    /** An isolated stack does not upgrade. */
    Optional<Decision> isolated() {
      if (!spec.isolated()) {
        return Optional.empty();
      }
      upgrade.setPhase(UpgradeStatus.Phase.Waiting);
      upgrade.setMessage("the stack is isolated: the upgrade to " + target.tag()
          + " waits until spec.isolation is false");
      return Optional.of(hold(
          from, migrated, upgrade, Optional.empty(), Optional.empty(), Optional.empty(), warning));
    }

    /** The gate checks on the old version, one Job per gate, in order. */
    Optional<Decision> gates() {
      if (!(verdict instanceof UpgradePath.Verdict.Allowed allowed)) {
        return Optional.empty();
      }
      for (LoomioVersion gated : allowed.gates()) {
        Optional<Decision> held = gate(gated);
        if (held.isPresent()) {
          return held;
        }
      }
      return Optional.empty();
    }

    private Optional<Decision> gate(LoomioVersion gated) {
      UpgradeGate gate = new UpgradeGate(gated.toString(), from, target, attempt);
      String name = gate.jobName(spec.name());
      upgrade.setGateJob(name);
      Job job = seen.jobs().get(name);
      StatusAggregator.MigrationState state = job == null
          ? StatusAggregator.MigrationState.PENDING
          : StatusAggregator.migrationState(job);
      if (state == StatusAggregator.MigrationState.FAILED) {
        String why = JobPods.failureMessage(seen.pods(), name)
            .map(seen.redact())
            .orElse("see kubectl logs job/" + name);
        upgrade.setPhase(UpgradeStatus.Phase.Failed);
        upgrade.setMessage("the " + gated + " gate check failed on " + from.tag() + ": " + why);
        return Optional.of(hold(
            from,
            migrated,
            upgrade,
            Optional.of(gate),
            Optional.empty(),
            Optional.of(new Problem(
                DegradedReason.UPGRADE_GATE_FAILED.value(),
                "upgrade to " + target.tag() + " stopped before migrating: Loomio " + gated
                    + " cannot migrate while"
                    + " anonymous stance polls remain (" + why + "). Close or convert them on "
                    + from.tag()
                    + " (docs/operations.md), then delete Job " + name + " to check again; "
                    + from.tag()
                    + " keeps serving")),
            warning));
      }
      if (state != StatusAggregator.MigrationState.SUCCEEDED) {
        upgrade.setPhase(UpgradeStatus.Phase.CheckingGate);
        upgrade.setMessage(
            "checking the " + gated + " upgrade gate on " + from.tag() + " (Job " + name + ")");
        return Optional.of(hold(
            from,
            migrated,
            upgrade,
            Optional.of(gate),
            Optional.empty(),
            Optional.empty(),
            warning));
      }
      return Optional.empty();
    }

    /** spec.upgrade.backupBeforeMigration: a LoomioBackup that completes before the migration. */
    Optional<Decision> preUpgradeBackup() {
      if (!spec.backupBeforeMigration()) {
        return Optional.empty();
      }
      if (!seen.backupsPossible()) {
        upgrade.setPhase(UpgradeStatus.Phase.Waiting);
        upgrade.setMessage("waiting for a pre-upgrade backup, but backups are off");
        return Optional.of(hold(
            from,
            migrated,
            upgrade,
            Optional.empty(),
            Optional.empty(),
            Optional.of(new Problem(
                DegradedReason.UPGRADE_NEEDS_BACKUP.value(),
                "upgrade to " + target.tag()
                    + " waits: a backup must complete before the migration, but spec.backup is"
                    + " disabled or has no destination. Enable backups, or set spec.upgrade.backupBeforeMigration to"
                    + " false to upgrade without one; " + from.tag() + " keeps serving")),
            warning));
      }
      String name = backupName(spec.name(), migrationJob.apply(target), attempt);
      upgrade.setBackup(name);
      LoomioBackup backup = seen.backups().get(name);
      LoomioBackupStatus.Phase phase = backup == null || backup.getStatus() == null
          ? null
          : backup.getStatus().getPhase();
      if (phase == LoomioBackupStatus.Phase.Failed) {
        upgrade.setPhase(UpgradeStatus.Phase.Failed);
        upgrade.setMessage(
            "the pre-upgrade backup failed: " + backup.getStatus().getMessage());
        return Optional.of(hold(
            from,
            migrated,
            upgrade,
            Optional.empty(),
            Optional.empty(),
            Optional.of(new Problem(
                DegradedReason.UPGRADE_BACKUP_FAILED.value(),
                "upgrade to " + target.tag()
                    + " stopped before migrating: pre-upgrade LoomioBackup " + name + " failed ("
                    + backup.getStatus().getMessage()
                    + "). Fix the cause, then delete LoomioBackup " + name
                    + " to take it again; " + from.tag() + " keeps serving")),
            warning));
      }
      if (phase != LoomioBackupStatus.Phase.Succeeded) {
        upgrade.setPhase(UpgradeStatus.Phase.BackingUp);
        upgrade.setMessage(
            "taking pre-upgrade backup " + name + " before migrating to " + target.tag());
        return Optional.of(hold(
            from,
            migrated,
            upgrade,
            Optional.empty(),
            backup == null ? Optional.of(name) : Optional.empty(),
            Optional.empty(),
            warning));
      }
      return Optional.empty();
    }

    /** A maintenance window opens: no migration while a pod of the old version may still write. */
    Optional<Decision> stopping() {
      if (windowReason.isEmpty()) {
        return Optional.empty();
      }
      String stoppedAt = previousUpgrade.map(UpgradeStatus::getStoppedAt).orElse(time);
      upgrade.setStoppedAt(stoppedAt);
      if (appStoppedNow(spec, seen.deployments())) {
        return Optional.empty();
      }
      upgrade.setPhase(UpgradeStatus.Phase.Stopping);
      upgrade.setMessage("upgrading to " + target.tag() + " in " + window
          + "; stopping them before the migration");
      return Optional.of(new Decision(
          Optional.empty(),
          from,
          from,
          Optional.empty(),
          Optional.empty(),
          migrated,
          upgrade,
          Optional.empty(),
          warning,
          true));
    }

    /** Everything is in place: the migration Job of spec.image runs. */
    Decision migrate() {
      upgrade.setPhase(UpgradeStatus.Phase.Migrating);
      upgrade.setMessage("migrating the database to " + target.tag() + "; "
          + (windowReason.isPresent() ? window : from.tag() + " serves until it succeeds"));
      return migrationDecision();
    }

    private Decision migrationDecision() {
      return new Decision(
          Optional.empty(),
          from,
          target,
          Optional.empty(),
          Optional.empty(),
          migrated,
          upgrade,
          Optional.empty(),
          warning,
          windowReason.isPresent() || migrateOnly(from));
    }
  }

  /**
   * The database's version as last recorded. A status written by an operator before status.migrated existed
   * gives its image, but only if its conditions say that image's migration had succeeded (a stack whose first
   * migration never ran, say with a mistyped tag, has no version to guard).
   */
  static MigratedStatus migratedBefore(LoomioDeploymentStatus previous) {
    if (previous == null) {
      return null;
    }
    if (previous.getMigrated() != null && previous.getMigrated().getImage() != null) {
      return previous.getMigrated();
    }
    boolean migrated = Conditions.find(previous.getConditions(), Conditions.PROGRESSING)
        .map(c -> ProgressingReason.ROLLING_OUT.value().equals(c.getReason())
            || ProgressingReason.STABLE.value().equals(c.getReason()))
        .orElse(false);
    if (migrated && previous.getImage() != null && previous.getVersion() != null) {
      return new MigratedStatus(previous.getImage(), previous.getVersion(), null);
    }
    return null;
  }

  private static Decision plain(LoomioImage target, MigratedStatus migrated) {
    return new Decision(
        Optional.empty(),
        target,
        target,
        Optional.empty(),
        Optional.empty(),
        migrated,
        null,
        Optional.empty(),
        Optional.empty(),
        migrateOnly(target));
  }

  /** A migrate-only stepping stone: its pods would never be ready, so web, worker and hocuspocus stay at zero. */
  static boolean migrateOnly(LoomioImage image) {
    return LoomioReleases.support(image.tag()) == LoomioReleases.Support.MIGRATE_ONLY;
  }

  /**
   * Why an allowed upgrade needs a maintenance window, or empty for a patch release. A patch release stays within
   * one series: Loomio updates a series in place ({@code docker compose pull}, {@code up -d}, deploy/README.md),
   * so its migrations are meant to run beside the code they follow.
   */
  static Optional<String> windowReason(
      UpgradePath.Verdict verdict, LoomioImage from, LoomioImage to) {
    if (verdict instanceof UpgradePath.Verdict.Unchecked) {
      return Optional.of(
          "a tag names no version, so whether this is a patch release cannot be told");
    }
    UpgradePath.Verdict.Allowed allowed = (UpgradePath.Verdict.Allowed) verdict;
    if (allowed.crossesSolidQueue()) {
      return Optional.of(
          "it crosses " + UpgradePath.SOLID_QUEUE + ", where Solid Queue replaces Sidekiq");
    }
    if (!allowed.gates().isEmpty()) {
      return Optional.of("it crosses the gated release " + allowed.gates().get(0));
    }
    if (!UpgradePath.patchRelease(from.tag(), to.tag())) {
      return Optional.of("it is a new release series (" + from.tag() + " to " + to.tag() + ")");
    }
    return Optional.empty();
  }

  /**
   * Whether web, worker and hocuspocus have no pods left: each Deployment is absent, or asks for none and its
   * controller has reported none for that spec (no status yet counts as not known), terminating ones included
   * where the cluster reports them ({@code status.terminatingReplicas}, Kubernetes 1.33+). Where it does not, a
   * pod may still finish its grace period (web 30 s, worker 60 s) while the migration Job's pod starts.
   */
  static boolean appStoppedNow(ResolvedSpec spec, Collection<Deployment> deployments) {
    for (Component c : List.of(Component.WEB, Component.WORKER, Component.HOCUSPOCUS)) {
      String name = Names.of(spec.name(), c);
      Optional<Deployment> d = deployments.stream()
          .filter(x -> name.equals(x.getMetadata().getName()))
          .findFirst();
      if (d.isEmpty()) {
        continue;
      }
      Integer wanted = d.get().getSpec() == null ? null : d.get().getSpec().getReplicas();
      if (wanted == null || wanted != 0) {
        return false;
      }
      DeploymentStatus status = d.get().getStatus();
      if (status == null
          || (positive(status.getReplicas())
              || positive(status.getTerminatingReplicas())
              || status.getObservedGeneration() != null
                  && d.get().getMetadata().getGeneration() != null
                  && status.getObservedGeneration() < d.get().getMetadata().getGeneration())) {
        return false;
      }
    }
    return true;
  }

  private static boolean positive(Integer n) {
    return n != null && n > 0;
  }

  private static Decision hold(
      LoomioImage from,
      MigratedStatus migrated,
      UpgradeStatus upgrade,
      Optional<UpgradeGate> gate,
      Optional<String> backupToCreate,
      Optional<Problem> problem,
      Optional<Problem> warning) {
    return new Decision(
        Optional.empty(),
        from,
        from,
        gate,
        backupToCreate,
        migrated,
        upgrade,
        problem,
        warning,
        migrateOnly(from));
  }
}

package org.loomio.operator.reconcile;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.loomio.operator.api.v1alpha1.LoomioBackup;
import org.loomio.operator.api.v1alpha1.LoomioBackupStatus;
import org.loomio.operator.api.v1alpha1.LoomioDeploymentStatus;
import org.loomio.operator.api.v1alpha1.MigratedStatus;
import org.loomio.operator.api.v1alpha1.UpgradeStatus;
import org.loomio.operator.render.LoomioImage;
import org.loomio.operator.render.ResolvedSpec;
import org.loomio.operator.render.SecretDigests;
import org.loomio.operator.render.UpgradeGateJob;
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
 *   <li>the new image's migration Job runs, while web, worker and hocuspocus keep serving the old image;
 *   <li>once it succeeded, the new image is the database's version and the app rolls to it.
 * </ol>
 * A failed gate, backup or migration stops there with Degraded saying why; the old version keeps serving.
 */
final class UpgradeGuard {

  /** Degraded reasons of a stopped upgrade. */
  static final String GATE_FAILED = "UpgradeGateFailed";
  static final String BACKUP_FAILED = "UpgradeBackupFailed";
  static final String NEEDS_BACKUP = "UpgradeNeedsBackup";
  /** Progressing reason while an upgrade prepares (gate, backup) or waits. */
  static final String UPGRADING = "Upgrading";
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
   * @param stopWorker the worker stays at zero: the migration crosses 3.1, where Sidekiq gives way to Solid
   *     Queue, and no old Sidekiq worker may run against the changing schema
   */
  record Decision(Optional<Problem> refusal, LoomioImage serving, LoomioImage migration,
      Optional<UpgradeGateJob.Gate> gate, Optional<String> backupToCreate, MigratedStatus migrated,
      UpgradeStatus upgrade, Optional<Problem> problem, Optional<Problem> warning, boolean stopWorker) {

    Decision(Optional<Problem> refusal, LoomioImage serving, LoomioImage migration,
        Optional<UpgradeGateJob.Gate> gate, Optional<String> backupToCreate, MigratedStatus migrated,
        UpgradeStatus upgrade, Optional<Problem> problem, Optional<Problem> warning) {
      this(refusal, serving, migration, gate, backupToCreate, migrated, upgrade, problem, warning, false);
    }
  }

  record Problem(String reason, String message) {}

  /** What the reconciler saw. */
  record Observed(LoomioDeploymentStatus previous, Map<String, Job> jobs, Collection<Pod> pods,
      Map<String, LoomioBackup> backups, boolean backupsPossible, boolean restoring,
      java.util.function.UnaryOperator<String> redact) {

    Observed(LoomioDeploymentStatus previous, Map<String, Job> jobs, Collection<Pod> pods,
        Map<String, LoomioBackup> backups, boolean backupsPossible) {
      this(previous, jobs, pods, backups, backupsPossible, false, java.util.function.UnaryOperator.identity());
    }
  }

  private UpgradeGuard() {}

  /**
   * The pre-upgrade LoomioBackup for one attempt (its start time) at an upgrade to the image whose migration Job
   * has this name: an upgrade tried again later takes a new backup.
   */
  static String backupName(String instance, String migrationJob, String attempt) {
    return instance + "-pre-upgrade-" + SecretDigests.sha256(migrationJob + "\n" + attempt).substring(0, 8);
  }

  /**
   * @param migrationJob the migration Job's name for an image (the hash of image and database)
   */
  static Decision decide(ResolvedSpec spec, Observed seen, Function<LoomioImage, String> migrationJob, Instant now) {
    LoomioImage target = spec.loomioImageRef();
    MigratedStatus migrated = migratedBefore(seen.previous());
    Optional<Job> targetJob = Optional.ofNullable(seen.jobs().get(migrationJob.apply(target)));
    boolean targetMigrated = targetJob.map(j -> StatusAggregator.migrationState(j) == StatusAggregator.MigrationState.SUCCEEDED)
        .orElse(false);
    String time = now.truncatedTo(ChronoUnit.SECONDS).toString();

    if (seen.restoring()) {
      // a LoomioRestore replaces the database (and migrates it with spec.image): the version it had is gone,
      // and is found again from the stack's migration Job once the restore is done
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
      return new Decision(Optional.of(new Problem(r.reason(), r.message())), from, from, Optional.empty(),
          Optional.empty(), migrated, null, Optional.empty(), Optional.empty());
    }
    boolean solidQueue = verdict instanceof UpgradePath.Verdict.Allowed a && a.crossesSolidQueue();
    Optional<Problem> warning = verdict instanceof UpgradePath.Verdict.Unchecked u
        ? Optional.of(new Problem(PATH_UNCHECKED, u.message()))
        : solidQueue ? Optional.of(new Problem(JOB_BACKEND_SWITCH, "the upgrade to " + target.tag() + " crosses 3.1, where Loomio replaced Sidekiq"
            + " with Solid Queue: jobs still queued in Redis for Sidekiq are not carried over (drain them on "
            + from.tag() + " first if they matter: docs/operations.md). The worker stays stopped while the database"
            + " migrates")) : Optional.empty();
    if (targetMigrated) {
      // the new schema is in place: the new image serves from now on
      return new Decision(Optional.empty(), target, target, Optional.empty(), Optional.empty(),
          new MigratedStatus(target.reference(), target.tag(), time), null, Optional.empty(), Optional.empty());
    }
    UpgradeStatus upgrade = new UpgradeStatus();
    upgrade.setFrom(from.reference());
    upgrade.setTo(target.reference());
    Optional<UpgradeStatus> previousUpgrade = Optional.ofNullable(seen.previous()).map(LoomioDeploymentStatus::getUpgrade)
        .filter(u -> target.reference().equals(u.getTo()));
    previousUpgrade.map(UpgradeStatus::getBackup).ifPresent(upgrade::setBackup);
    previousUpgrade.map(UpgradeStatus::getGateJob).ifPresent(upgrade::setGateJob);
    String attempt = previousUpgrade.map(UpgradeStatus::getStartedAt).orElse(time);
    upgrade.setStartedAt(attempt);

    if (targetJob.isPresent()) {
      // migrating (or failed: StatusAggregator reports the migration Job's failure and its log)
      boolean failed = StatusAggregator.migrationState(targetJob.get()) == StatusAggregator.MigrationState.FAILED;
      upgrade.setPhase(failed ? UpgradeStatus.Phase.Failed : UpgradeStatus.Phase.Migrating);
      upgrade.setMessage(failed
          ? "the migration to " + target.tag() + " failed; " + from.tag() + " keeps serving. Roll back: set spec.image"
              + " back to " + from.reference() + (upgrade.getBackup() == null ? "" : ", and if the database was changed,"
              + " restore LoomioBackup " + upgrade.getBackup() + " with a LoomioRestore") + " (docs/operations.md)"
          : "migrating the database to " + target.tag() + " (Job " + targetJob.get().getMetadata().getName() + "); "
              + from.tag() + " serves until it succeeds");
      return new Decision(Optional.empty(), from, target, Optional.empty(), Optional.empty(), migrated, upgrade,
          Optional.empty(), warning, solidQueue);
    }
    if (spec.isolated()) {
      upgrade.setPhase(UpgradeStatus.Phase.Waiting);
      upgrade.setMessage("the stack is isolated: the upgrade to " + target.tag() + " waits until spec.isolation is false");
      return hold(from, migrated, upgrade, Optional.empty(), Optional.empty(), Optional.empty(), warning);
    }
    if (verdict instanceof UpgradePath.Verdict.Allowed allowed) {
      for (LoomioVersion gated : allowed.gates()) {
        UpgradeGateJob.Gate gate = new UpgradeGateJob.Gate(gated.toString(), from, target, attempt);
        String name = gate.jobName(spec.name());
        upgrade.setGateJob(name);
        Job job = seen.jobs().get(name);
        StatusAggregator.MigrationState state = job == null ? StatusAggregator.MigrationState.PENDING
            : StatusAggregator.migrationState(job);
        if (state == StatusAggregator.MigrationState.FAILED) {
          String why = JobPods.failureMessage(seen.pods(), name).map(seen.redact()).orElse("see kubectl logs job/" + name);
          upgrade.setPhase(UpgradeStatus.Phase.Failed);
          upgrade.setMessage("the " + gated + " gate check failed on " + from.tag() + ": " + why);
          return hold(from, migrated, upgrade, Optional.of(gate), Optional.empty(), Optional.of(new Problem(GATE_FAILED,
              "upgrade to " + target.tag() + " stopped before migrating: Loomio " + gated + " cannot migrate while"
                  + " anonymous stance polls remain (" + why + "). Close or convert them on " + from.tag()
                  + " (docs/operations.md), then delete Job " + name + " to check again; " + from.tag()
                  + " keeps serving")), warning);
        }
        if (state != StatusAggregator.MigrationState.SUCCEEDED) {
          upgrade.setPhase(UpgradeStatus.Phase.CheckingGate);
          upgrade.setMessage("checking the " + gated + " upgrade gate on " + from.tag() + " (Job " + name + ")");
          return hold(from, migrated, upgrade, Optional.of(gate), Optional.empty(), Optional.empty(), warning);
        }
      }
    }
    if (spec.backupBeforeMigration()) {
      if (!seen.backupsPossible()) {
        upgrade.setPhase(UpgradeStatus.Phase.Waiting);
        upgrade.setMessage("waiting for a pre-upgrade backup, but backups are off");
        return hold(from, migrated, upgrade, Optional.empty(), Optional.empty(), Optional.of(new Problem(NEEDS_BACKUP,
            "upgrade to " + target.tag() + " waits: a backup must complete before the migration, but spec.backup is"
                + " disabled or has no destination. Enable backups, or set spec.upgrade.backupBeforeMigration to"
                + " false to upgrade without one; " + from.tag() + " keeps serving")), warning);
      }
      String name = backupName(spec.name(), migrationJob.apply(target), attempt);
      upgrade.setBackup(name);
      LoomioBackup backup = seen.backups().get(name);
      LoomioBackupStatus.Phase phase = backup == null || backup.getStatus() == null ? null : backup.getStatus().getPhase();
      if (phase == LoomioBackupStatus.Phase.Failed) {
        upgrade.setPhase(UpgradeStatus.Phase.Failed);
        upgrade.setMessage("the pre-upgrade backup failed: " + backup.getStatus().getMessage());
        return hold(from, migrated, upgrade, Optional.empty(), Optional.empty(), Optional.of(new Problem(BACKUP_FAILED,
            "upgrade to " + target.tag() + " stopped before migrating: pre-upgrade LoomioBackup " + name + " failed ("
                + backup.getStatus().getMessage() + "). Fix the cause, then delete LoomioBackup " + name
                + " to take it again; " + from.tag() + " keeps serving")), warning);
      }
      if (phase != LoomioBackupStatus.Phase.Succeeded) {
        upgrade.setPhase(UpgradeStatus.Phase.BackingUp);
        upgrade.setMessage("taking pre-upgrade backup " + name + " before migrating to " + target.tag());
        return hold(from, migrated, upgrade, Optional.empty(), backup == null ? Optional.of(name) : Optional.empty(),
            Optional.empty(), warning);
      }
    }
    upgrade.setPhase(UpgradeStatus.Phase.Migrating);
    upgrade.setMessage("migrating the database to " + target.tag() + "; " + from.tag() + " serves until it succeeds"
        + (solidQueue ? " (the worker stays stopped: the job backend changes from Sidekiq to Solid Queue)" : ""));
    return new Decision(Optional.empty(), from, target, Optional.empty(), Optional.empty(), migrated, upgrade,
        Optional.empty(), warning, solidQueue);
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
        .map(c -> Conditions.ROLLING_OUT.equals(c.getReason()) || Conditions.STABLE.equals(c.getReason()))
        .orElse(false);
    if (migrated && previous.getImage() != null && previous.getVersion() != null) {
      return new MigratedStatus(previous.getImage(), previous.getVersion(), null);
    }
    return null;
  }

  private static Decision plain(LoomioImage target, MigratedStatus migrated) {
    return new Decision(Optional.empty(), target, target, Optional.empty(), Optional.empty(), migrated, null,
        Optional.empty(), Optional.empty());
  }

  private static Decision hold(LoomioImage from, MigratedStatus migrated, UpgradeStatus upgrade,
      Optional<UpgradeGateJob.Gate> gate, Optional<String> backupToCreate, Optional<Problem> problem,
      Optional<Problem> warning) {
    return new Decision(Optional.empty(), from, from, gate, backupToCreate, migrated, upgrade, problem, warning);
  }
}

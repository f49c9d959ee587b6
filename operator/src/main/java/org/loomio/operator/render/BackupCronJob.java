package org.loomio.operator.render;

import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import java.util.List;

/**
 * The backup CronJob {@code <name>-backup}: the schedule and time zone of spec.backup, never two runs at
 * once (Forbid), a bounded start delay, explicit history limits, a small backoffLimit, a deadline, and no
 * TTL so a failed run stays visible (R38, R39). Its pods are {@link BackupPodTemplate#backup}.
 * Where the cluster does not serve batch/v1 CronJob (before 1.21), there is none: APIAvailable says so,
 * and on-demand LoomioBackups still work.
 */
public final class BackupCronJob {

  public static final int HISTORY_LIMIT = 3;
  public static final int BACKOFF_LIMIT = 1;
  /** A missed run may still start this long after its time (at most half the shortest interval). */
  static final long MAX_STARTING_DEADLINE_SECONDS = 3600;

  private BackupCronJob() {}

  public static List<CronJob> render(RenderContext ctx) {
    ResolvedSpec.Backup b = ctx.spec().backup();
    if (!b.enabled() || !b.hasDestination()) {
      return List.of();
    }
    if (!ctx.cluster().serves(ClusterCapabilities.CRONJOB_V1)) {
      ctx.omit("batch/v1 CronJob", "scheduled backups do not run; on-demand LoomioBackups still do");
      return List.of();
    }
    BackupSchedule schedule = BackupSchedule.parse(b.schedule());
    long deadline = Math.max(10, Math.min(MAX_STARTING_DEADLINE_SECONDS, schedule.shortestInterval().toSeconds() / 2));
    return List.of(new CronJobBuilder()
        .withMetadata(ObjectMetas.of(ctx, Component.BACKUP))
        .withNewSpec()
        .withSchedule(b.schedule())
        .withTimeZone(ctx.cluster().atLeast(1, 27) ? b.timeZone() : null)
        .withConcurrencyPolicy("Forbid")
        // paused while isolated: no backup of a compromised state may push good ones out of retention
        // (always set, so lifting isolation un-suspends it whatever way the object is written)
        .withSuspend(ctx.isolated())
        .withStartingDeadlineSeconds(deadline)
        .withSuccessfulJobsHistoryLimit(HISTORY_LIMIT)
        .withFailedJobsHistoryLimit(HISTORY_LIMIT)
        .withNewJobTemplate()
        .withNewMetadata().withLabels(Labels.of(ctx.name(), Component.BACKUP)).endMetadata()
        .withNewSpec()
        .withBackoffLimit(BACKOFF_LIMIT)
        .withActiveDeadlineSeconds((long) b.activeDeadlineSeconds())
        .withTemplate(BackupPodTemplate.backup(ctx))
        .endSpec()
        .endJobTemplate()
        .endSpec()
        .build());
  }
}

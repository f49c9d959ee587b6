package org.loomio.operator.render.backup;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.loomio.operator.model.BackupSchedule;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.ObjectMetas;
import org.loomio.operator.render.base.OlderApis;
import org.loomio.operator.render.base.RenderContext;

/**
 * The backup CronJob {@code <name>-backup}: the schedule and time zone of spec.backup, never two runs at
 * once (Forbid), a bounded start delay, explicit history limits, a small backoffLimit, a deadline, and no
 * TTL so a failed run stays visible (R38, R39). Its pods are {@link BackupPodTemplate#backup}.
 * Where the cluster does not serve batch/v1 CronJob (before 1.21) it is a batch/v1beta1 CronJob, the same
 * object in the older API; where it serves neither, there is none: APIAvailable says so, and on-demand
 * LoomioBackups still work. Before 1.27 a CronJob has no time zone: a zone other than UTC is reported.
 */
public final class BackupCronJob {

  public static final int HISTORY_LIMIT = 3;
  public static final int BACKOFF_LIMIT = 1;
  /** A missed run may still start this long after its time (at most half the shortest interval). */
  static final long MAX_STARTING_DEADLINE_SECONDS = 3600;

  private BackupCronJob() {}

  /** Zones the kube-controller-manager of a cluster without CronJob timeZone normally runs in. */
  private static final Set<String> UTC = Set.of(
      "Etc/UTC",
      "UTC",
      "Etc/Universal",
      "Universal",
      "Etc/Zulu",
      "Zulu",
      "Etc/GMT",
      "GMT",
      "Etc/UCT",
      "UCT");

  /** The CronJob in the API the cluster serves (batch/v1, or batch/v1beta1 before 1.21), or none. */
  public static List<HasMetadata> render(RenderContext ctx) {
    ResolvedSpec.Backup b = ctx.spec().backup();
    if (!b.enabled() || !b.hasDestination()) {
      return List.of();
    }
    Optional<String> api = ctx.cluster().cronJobApi();
    if (api.isEmpty()) {
      ctx.omit(
          "batch/v1 CronJob", "scheduled backups do not run; on-demand LoomioBackups still do");
      return List.of();
    }
    CronJob cronJob = cronJob(ctx, b);
    if (cronJob.getSpec().getTimeZone() == null
        && b.timeZone() != null
        && !UTC.contains(b.timeZone())) {
      ctx.omit(
          "CronJob spec.timeZone (Kubernetes 1.27)",
          "scheduled backups run in the kube-controller-manager's time zone, not " + b.timeZone());
    }
    return List.of(
        api.get().equals(ClusterCapabilities.CRONJOB_V1)
            ? cronJob
            : OlderApis.cronJobV1beta1(cronJob));
  }

  private static CronJob cronJob(RenderContext ctx, ResolvedSpec.Backup b) {
    BackupSchedule schedule = ctx.spec().backupSchedule();
    long deadline = Math.max(
        10, Math.min(MAX_STARTING_DEADLINE_SECONDS, schedule.shortestInterval().toSeconds() / 2));
    return new CronJobBuilder()
        .withMetadata(ObjectMetas.of(ctx, Component.BACKUP))
        .withNewSpec()
        .withSchedule(b.schedule())
        .withTimeZone(ctx.cluster().atLeast(1, 27) ? b.timeZone() : null)
        .withConcurrencyPolicy("Forbid")
        // paused while isolated: no backup of a compromised state may push good ones out of
        // retention
        // (always set, so lifting isolation un-suspends it whatever way the object is written)
        // and while a CloudNativePG database's Secrets do not exist yet (its pods would read them)
        .withSuspend(ctx.isolated() || ctx.databaseSecretsPending())
        .withStartingDeadlineSeconds(deadline)
        .withSuccessfulJobsHistoryLimit(HISTORY_LIMIT)
        .withFailedJobsHistoryLimit(HISTORY_LIMIT)
        .withNewJobTemplate()
        .withNewMetadata()
        .withLabels(Labels.of(ctx.name(), Component.BACKUP))
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(BACKOFF_LIMIT)
        .withActiveDeadlineSeconds((long) b.activeDeadlineSeconds())
        .withTemplate(BackupPodTemplate.backup(ctx))
        .endSpec()
        .endJobTemplate()
        .endSpec()
        .build();
  }
}

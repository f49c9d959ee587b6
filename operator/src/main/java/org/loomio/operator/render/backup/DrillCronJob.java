package org.loomio.operator.render.backup;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import java.util.List;
import java.util.Optional;
import org.loomio.operator.model.BackupSchedule;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.ObjectMetas;
import org.loomio.operator.render.base.OlderApis;
import org.loomio.operator.render.base.RenderContext;

/**
 * The restore drill CronJob {@code <name>-drill} (spec.backup.drill): on its schedule, in spec.backup.timeZone,
 * a Job restores the newest signed backup into a throwaway PostgreSQL in its own pod and checks it
 * ({@link BackupPodTemplate#drill}). Like the backup CronJob: never two at once, a bounded start delay, explicit
 * history limits, no retry (a failed drill is a finding, not a hiccup), the backup deadline, suspended while the
 * stack is isolated. Not rendered when drills are off, backups are off, or no decryption key is in the cluster
 * (the user's own recipients): the status says which.
 */
public final class DrillCronJob {

  private DrillCronJob() {}

  public static List<HasMetadata> render(RenderContext ctx) {
    ResolvedSpec.Backup b = ctx.spec().backup();
    ResolvedSpec.Drill d = ctx.spec().drill();
    if (!d.runs()) {
      return List.of();
    }
    Optional<String> api = ctx.cluster().cronJobApi();
    if (api.isEmpty()) {
      ctx.omit("batch/v1 CronJob", "restore drills do not run");
      return List.of();
    }
    BackupSchedule schedule = ctx.spec().drillSchedule();
    long deadline = Math.max(
        10,
        Math.min(
            BackupCronJob.MAX_STARTING_DEADLINE_SECONDS,
            schedule.shortestInterval().toSeconds() / 2));
    CronJob cronJob = new CronJobBuilder()
        .withMetadata(ObjectMetas.of(ctx, Component.DRILL))
        .withNewSpec()
        .withSchedule(d.schedule())
        .withTimeZone(ctx.cluster().atLeast(1, 27) ? b.timeZone() : null)
        .withConcurrencyPolicy("Forbid")
        .withSuspend(ctx.isolated())
        .withStartingDeadlineSeconds(deadline)
        .withSuccessfulJobsHistoryLimit(BackupCronJob.HISTORY_LIMIT)
        .withFailedJobsHistoryLimit(BackupCronJob.HISTORY_LIMIT)
        .withNewJobTemplate()
        .withNewMetadata()
        .withLabels(Labels.of(ctx.name(), Component.DRILL))
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(0)
        .withActiveDeadlineSeconds((long) b.activeDeadlineSeconds())
        .withTemplate(BackupPodTemplate.drill(ctx))
        .endSpec()
        .endJobTemplate()
        .endSpec()
        .build();
    return List.of(
        api.get().equals(ClusterCapabilities.CRONJOB_V1)
            ? cronJob
            : OlderApis.cronJobV1beta1(cronJob));
  }
}

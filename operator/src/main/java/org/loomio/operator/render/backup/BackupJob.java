package org.loomio.operator.render.backup;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Names;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.ObjectMetas;
import org.loomio.operator.render.base.RenderContext;

/**
 * An on-demand backup Job (for a LoomioBackup): the scheduled backup's pod, run once, with the same
 * backoffLimit and deadline. The LoomioBackup owns it (deleting that deletes the Job, never the backup).
 */
public final class BackupJob {

  private BackupJob() {}

  /** @param hash8 eight hex characters of the LoomioBackup's uid */
  public static Job render(RenderContext ctx, String hash8) {
    ResolvedSpec.Backup b = ctx.spec().backup();
    return new JobBuilder()
        .withMetadata(ObjectMetas.of(ctx, Names.backupJob(ctx.name(), hash8), Component.BACKUP))
        .withNewSpec()
        .withBackoffLimit(BackupCronJob.BACKOFF_LIMIT)
        .withActiveDeadlineSeconds((long) b.activeDeadlineSeconds())
        .withTemplate(BackupPodTemplate.backup(ctx))
        .endSpec()
        .build();
  }
}

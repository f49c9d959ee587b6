package org.loomio.operator.render.backup;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import org.loomio.operator.api.v1alpha1.LoomioRestoreSpec;
import org.loomio.operator.api.v1alpha1.SecretKeyRef;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Names;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.ObjectMetas;
import org.loomio.operator.render.base.RenderContext;

/**
 * A restore Job (for a LoomioRestore): {@link BackupPodTemplate#restore}, tried once (a half-done restore
 * must be looked at, not repeated blindly), with the backup deadline.
 */
public final class RestoreJob {

  private RestoreJob() {}

  /** @param hash8 eight hex characters of the LoomioRestore's uid */
  public static Job render(
      RenderContext ctx,
      String hash8,
      String backupName,
      LoomioRestoreSpec.Source source,
      boolean restoreUploads,
      SecretKeyRef privateKey,
      boolean restoreSecrets,
      SecretKeyRef verificationKey,
      boolean allowUnsigned) {
    ResolvedSpec.Backup b = ctx.spec().backup();
    return new JobBuilder()
        .withMetadata(ObjectMetas.of(ctx, Names.restoreJob(ctx.name(), hash8), Component.RESTORE))
        .withNewSpec()
        .withBackoffLimit(0)
        .withActiveDeadlineSeconds((long) b.activeDeadlineSeconds())
        .withTemplate(BackupPodTemplate.restore(
            ctx,
            backupName,
            source,
            restoreUploads,
            privateKey,
            restoreSecrets,
            verificationKey,
            allowUnsigned))
        .endSpec()
        .build();
  }
}

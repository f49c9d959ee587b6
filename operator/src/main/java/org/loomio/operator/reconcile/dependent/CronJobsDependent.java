package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import org.loomio.operator.model.Labels;

/**
 * The backup CronJob ({@link org.loomio.operator.render.backup.BackupCronJob}); deleted when backups are switched
 * off (the backups themselves stay).
 */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class CronJobsDependent extends StackBulkDependent<CronJob> {
  public CronJobsDependent() {
    super(CronJob.class);
  }
}

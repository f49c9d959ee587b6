package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.batch.v1beta1.CronJob;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import org.loomio.operator.model.Labels;

/**
 * The backup CronJob as batch/v1beta1, on clusters that serve no batch/v1 CronJob (Kubernetes 1.20); active
 * only there ({@link ServedApi.CronJobsV1beta1}), so {@link CronJobsDependent} takes over the same object
 * after a cluster upgrade.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class CronJobsV1beta1Dependent extends StackBulkDependent<CronJob> {
  public CronJobsV1beta1Dependent() {
    super(CronJob.class);
  }
}

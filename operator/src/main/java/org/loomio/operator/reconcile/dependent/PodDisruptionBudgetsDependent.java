package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import org.loomio.operator.model.Labels;

/**
 * The PodDisruptionBudgets ({@link org.loomio.operator.render.workload.PodDisruptionBudgets}); active only where the
 * cluster serves policy/v1 ({@link ServedApi.PodDisruptionBudgets}).
 */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class PodDisruptionBudgetsDependent extends StackBulkDependent<PodDisruptionBudget> {

  public PodDisruptionBudgetsDependent() {
    super(PodDisruptionBudget.class);
  }
}

package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.policy.v1beta1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import org.loomio.operator.model.Labels;

/**
 * The PodDisruptionBudgets as policy/v1beta1, on clusters that serve no policy/v1 (Kubernetes 1.20); active
 * only there ({@link ServedApi.PodDisruptionBudgetsV1beta1}).
 */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class PodDisruptionBudgetsV1beta1Dependent extends StackBulkDependent<PodDisruptionBudget> {

  public PodDisruptionBudgetsV1beta1Dependent() {
    super(PodDisruptionBudget.class);
  }
}

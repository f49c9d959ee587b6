package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.render.ClusterCapabilities;
import org.loomio.operator.render.Labels;

/**
 * The PodDisruptionBudgets ({@link org.loomio.operator.render.PodDisruptionBudgets}). Active only where
 * the cluster serves policy/v1: elsewhere not even its informer starts (it would fail), and the render
 * reports the omission through APIAvailable.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class PodDisruptionBudgetsDependent extends StackBulkDependent<PodDisruptionBudget> {

  public PodDisruptionBudgetsDependent() {
    super(PodDisruptionBudget.class);
  }

  /** The activation condition: the cluster serves policy/v1 PodDisruptionBudget. */
  public static class PolicyV1Served implements Condition<PodDisruptionBudget, LoomioDeployment> {
    @Override
    public boolean isMet(DependentResource<PodDisruptionBudget, LoomioDeployment> dependentResource,
        LoomioDeployment primary, Context<LoomioDeployment> context) {
      return DesiredStack.cluster(context).serves(ClusterCapabilities.PDB_V1);
    }
  }
}

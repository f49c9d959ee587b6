package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.Labels;
import org.loomio.operator.render.workload.PostgresStatefulSet;

/** The embedded PostgreSQL StatefulSet ({@link org.loomio.operator.render.workload.PostgresStatefulSet}). */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class StatefulSetsDependent extends StackBulkDependent<StatefulSet> {
  public StatefulSetsDependent() {
    super(StatefulSet.class);
  }

  /** A StatefulSet is created governed by the headless Service ({@link PostgresStatefulSet#toCreate}). */
  @Override
  public StatefulSet create(
      StatefulSet desired, LoomioDeployment primary, Context<LoomioDeployment> context) {
    return super.create(
        PostgresStatefulSet.toCreate(desired, primary.getMetadata().getName()), primary, context);
  }
}

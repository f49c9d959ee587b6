package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import org.loomio.operator.model.Labels;

/** The embedded PostgreSQL StatefulSet ({@link org.loomio.operator.render.workload.PostgresStatefulSet}). */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class StatefulSetsDependent extends StackBulkDependent<StatefulSet> {
  public StatefulSetsDependent() {
    super(StatefulSet.class);
  }
}

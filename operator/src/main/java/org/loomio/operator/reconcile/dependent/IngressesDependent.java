package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import org.loomio.operator.model.Labels;

/** The Ingresses ({@link org.loomio.operator.render.edge.Ingresses}); active where networking.k8s.io/v1 is served. */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class IngressesDependent extends StackBulkDependent<Ingress> {
  public IngressesDependent() {
    super(Ingress.class);
  }
}

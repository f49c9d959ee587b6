package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import org.loomio.operator.render.Labels;

/** The Services ({@link org.loomio.operator.render.Services}). */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class ServicesDependent extends StackBulkDependent<Service> {
  public ServicesDependent() {
    super(Service.class);
  }
}

package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import org.loomio.operator.render.Labels;

/**
 * The Services ({@link org.loomio.operator.render.Services}). Created by a plain apply: before 1.21 a
 * Service apply that carries a resourceVersion (JOSDK's create-only-if-absent guard) fails with
 * "resourceVersion should not be set on objects to be created".
 */
@KubernetesDependent(createResourceOnlyIfNotExistingWithSSA = false,
    informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class ServicesDependent extends StackBulkDependent<Service> {
  public ServicesDependent() {
    super(Service.class);
  }
}

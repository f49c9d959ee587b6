package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.Labels;

/**
 * The Services ({@link org.loomio.operator.render.network.Services}). A create must never take over a Service that
 * appeared meanwhile: like every other kind, the apply that creates one carries JOSDK's create-only guard (a
 * resourceVersion, so the API server refuses it when the name exists), except on API servers before 1.21,
 * which reject a Service apply that carries a resourceVersion ("resourceVersion should not be set on objects to
 * be created"); there the reconciler's name check just before ({@code NameConflicts}) is the only guard.
 */
@KubernetesDependent(
    createResourceOnlyIfNotExistingWithSSA = false,
    informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class ServicesDependent extends StackBulkDependent<Service> {
  public ServicesDependent() {
    super(Service.class);
  }

  @Override
  public Service create(
      Service desired, LoomioDeployment primary, Context<LoomioDeployment> context) {
    if (useSSA(context) && DesiredStack.cluster(context).atLeast(1, 21)) {
      desired.getMetadata().setResourceVersion("1");
    }
    return super.create(desired, primary, context);
  }
}

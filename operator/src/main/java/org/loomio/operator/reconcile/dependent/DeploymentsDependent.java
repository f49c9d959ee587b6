package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import org.loomio.operator.model.Labels;

/**
 * The Deployments: web, worker, hocuspocus and the embedded Redis ({@link
 * org.loomio.operator.render.workload.WebDeployment} and its siblings).
 */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class DeploymentsDependent extends StackBulkDependent<Deployment> {
  public DeploymentsDependent() {
    super(Deployment.class);
  }
}

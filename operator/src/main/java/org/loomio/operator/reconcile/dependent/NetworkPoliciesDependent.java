package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import org.loomio.operator.model.Labels;

/** The NetworkPolicies ({@link org.loomio.operator.render.network.NetworkPolicies}). */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class NetworkPoliciesDependent extends StackBulkDependent<NetworkPolicy> {
  public NetworkPoliciesDependent() {
    super(NetworkPolicy.class);
  }
}

package org.loomio.operator.reconcile.dependent;

import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import org.loomio.operator.reconcile.thirdparty.CloudNativePGCluster;
import org.loomio.operator.render.Labels;

/**
 * CloudNativePG Clusters ({@link org.loomio.operator.render.CloudNativePGClusters}); active only where
 * postgresql.cnpg.io/v1 is served ({@link ServedApi.CloudNativePGClusters}). The informer holds only the
 * operator's own Clusters (its labels): their status changes (a primary elected, a failover) reconcile the stack.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class CloudNativePGClustersDependent extends StackBulkDependent<CloudNativePGCluster> {
  public CloudNativePGClustersDependent() {
    super(CloudNativePGCluster.class);
  }
}

package org.loomio.operator.reconcile.dependent;

import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Matcher.Result;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.Labels;
import org.loomio.operator.thirdparty.CloudNativePGCluster;

/**
 * CloudNativePG Clusters ({@link org.loomio.operator.render.workload.CloudNativePGClusters}); active only where
 * postgresql.cnpg.io/v1 is served ({@link ServedApi.CloudNativePGClusters}). The informer holds only the
 * operator's own Clusters (its labels): their status changes (a primary elected, a failover) reconcile the stack.
 *
 * <p>A Cluster matches when everything the operator renders is in it as rendered ({@link #contains}), whatever
 * else it holds: CloudNativePG's defaulting webhook fills in fields during the operator's own apply, which the API
 * server then attributes to the operator's field manager, so comparing the fields the operator manages would see a
 * difference on every reconcile and re-apply forever.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class CloudNativePGClustersDependent extends StackBulkDependent<CloudNativePGCluster> {
  public CloudNativePGClustersDependent() {
    super(CloudNativePGCluster.class);
  }

  @Override
  public Result<CloudNativePGCluster> match(
      CloudNativePGCluster actual,
      CloudNativePGCluster desired,
      LoomioDeployment primary,
      Context<LoomioDeployment> context) {
    boolean owned = actual.getMetadata().getOwnerReferences() != null
        && actual.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> Objects.equals(o.getUid(), primary.getMetadata().getUid()));
    boolean same = owned
        && contains(actual.getMetadata().getLabels(), desired.getMetadata().getLabels())
        && contains(actual.getMetadata().getAnnotations(), desired.getMetadata().getAnnotations())
        && contains(actual.getSpec(), desired.getSpec());
    return Result.computed(same, desired);
  }

  /**
   * Whether {@code actual} holds {@code desired}: every key of a desired map with a value it holds, lists of the same
   * length element by element, numbers by value (JSON reads 3 as an Integer or a Long), anything else equal.
   */
  static boolean contains(Object actual, Object desired) {
    if (desired == null) {
      return true;
    }
    if (desired instanceof Map<?, ?> want) {
      if (!(actual instanceof Map<?, ?> have)) {
        return want.isEmpty() && actual == null;
      }
      return want.entrySet().stream()
          .allMatch(
              e -> have.containsKey(e.getKey()) && contains(have.get(e.getKey()), e.getValue()));
    }
    if (desired instanceof List<?> want) {
      if (!(actual instanceof List<?> have) || have.size() != want.size()) {
        return false;
      }
      for (int i = 0; i < want.size(); i++) {
        if (!contains(have.get(i), want.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (desired instanceof Number want && actual instanceof Number have) {
      return new BigDecimal(want.toString()).compareTo(new BigDecimal(have.toString())) == 0;
    }
    return desired.equals(actual);
  }
}

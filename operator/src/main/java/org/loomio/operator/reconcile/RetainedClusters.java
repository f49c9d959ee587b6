package org.loomio.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.HttpURLConnection;
import java.util.List;
import java.util.Optional;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.client.Preconditioned;
import org.loomio.operator.model.Names;
import org.loomio.operator.render.base.Ownership;
import org.loomio.operator.thirdparty.CloudNativePGCluster;

/**
 * The CloudNativePG Cluster of a stack deleted with deletionPolicy Retain. The Cluster is owned by the stack while
 * it lives (the garbage collector would delete it with the stack, and CloudNativePG then deletes its instances'
 * claims: the data); the stack's deletion with Retain orphans it instead ({@link #orphan}): its owner reference to
 * the LoomioDeployment is dropped and the LoomioDeployment's UID recorded in {@link Ownership#OWNER_UID}, as on the
 * retained claims. A re-created LoomioDeployment of the same name adopts it ({@link #adopt}) under
 * {@link Ownership#orphaned}: an owner reference again, the recorded UID removed. Every write carries the UID and
 * resource version of the Cluster as judged, so a Cluster replaced or changed in between is never touched.
 */
final class RetainedClusters {

  private RetainedClusters() {}

  /** Whether a rendered or observed object is a CloudNativePG Cluster. */
  static boolean isCluster(HasMetadata object) {
    return object instanceof CloudNativePGCluster;
  }

  /**
   * Drops the owner reference to {@code resource} from the stack's own Cluster and records its UID, so that the
   * garbage collector keeps the Cluster (and CloudNativePG the data). Nothing when there is no Cluster of the
   * stack's name, when CloudNativePG's API is not served, or when the Cluster is not the stack's own.
   *
   * @return the Cluster kept, for the log
   */
  static Optional<String> orphan(KubernetesClient client, LoomioDeployment resource) {
    String name = resource.getMetadata().getName();
    String uid = resource.getMetadata().getUid();
    CloudNativePGCluster cluster;
    try {
      cluster = client
          .resources(CloudNativePGCluster.class)
          .inNamespace(resource.getMetadata().getNamespace())
          .withName(Names.cnpgCluster(name))
          .get();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        return Optional.empty(); // postgresql.cnpg.io/v1 is not served: there is no Cluster
      }
      throw e; // the deletion is retried: the Cluster must not be left to the garbage collector
    }
    if (cluster == null || !Ownership.ours(Ownership.owned(cluster, name, uid))) {
      return Optional.empty();
    }
    List<OwnerReference> others = cluster.getMetadata().getOwnerReferences().stream()
        .filter(o -> !uid.equals(o.getUid()))
        .toList();
    String owners = others.isEmpty()
        ? "{\"op\":\"remove\",\"path\":\"/metadata/ownerReferences\"}"
        : "{\"op\":\"replace\",\"path\":\"/metadata/ownerReferences\",\"value\":"
            + Serialization.asJson(others) + "}";
    Preconditioned.patch(
        client, cluster, version(cluster) + "," + owners + "," + recordOwner(cluster, uid));
    return Optional.of(Ownership.describe(cluster));
  }

  /**
   * Gives an orphaned Cluster ({@link Ownership#orphaned} said ADOPT) an owner reference to {@code resource} again
   * and removes the recorded UID: from then on it is owned like every other object of the stack.
   */
  static void adopt(KubernetesClient client, LoomioDeployment resource, HasMetadata cluster) {
    CloudNativePGCluster scratch = new CloudNativePGCluster();
    scratch.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
        .withNamespace(resource.getMetadata().getNamespace())
        .build());
    OwnerReference owner = scratch.addOwnerReference(resource);
    Preconditioned.patch(
        client,
        cluster,
        version(cluster)
            + ",{\"op\":\"add\",\"path\":\"/metadata/ownerReferences\",\"value\":["
            + Serialization.asJson(owner) + "]}"
            + ",{\"op\":\"remove\",\"path\":\"/metadata/annotations/" + pointer(Ownership.OWNER_UID)
            + "\"}");
  }

  private static String version(HasMetadata o) {
    return "{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":"
        + Serialization.asJson(o.getMetadata().getResourceVersion()) + "}";
  }

  private static String recordOwner(HasMetadata o, String uid) {
    return o.getMetadata().getAnnotations() == null
        ? "{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{"
            + Serialization.asJson(Ownership.OWNER_UID) + ":" + Serialization.asJson(uid) + "}}"
        : "{\"op\":\"add\",\"path\":\"/metadata/annotations/" + pointer(Ownership.OWNER_UID)
            + "\",\"value\":" + Serialization.asJson(uid) + "}";
  }

  private static String pointer(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}

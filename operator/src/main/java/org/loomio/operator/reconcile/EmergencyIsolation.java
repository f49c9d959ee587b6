package org.loomio.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.List;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.reconcile.thirdparty.TraefikMiddleware;
import org.loomio.operator.render.Component;
import org.loomio.operator.render.Labels;
import org.loomio.operator.render.Names;
import org.loomio.operator.render.NetworkPolicies;
import org.loomio.operator.render.NginxHeadersConfigMap;

/**
 * Isolation when the spec cannot be rendered. spec.isolation is the lever for an incident, so it must work
 * even while the rest of the spec is invalid, a referenced Secret is gone or an upgrade is refused: from the
 * stack's name alone, the deny-all policy is ensured, every other policy of the stack deleted, web, worker and
 * hocuspocus scaled to zero, the edge deleted and the backup CronJob suspended. It never touches claims or
 * Secrets. Once the spec is valid again, the normal render takes over (and renders the same isolated stack).
 */
final class EmergencyIsolation {

  private EmergencyIsolation() {}

  /** Applies it; returns what it did, for the status and the log (empty when all was in place). */
  static List<String> apply(KubernetesClient client, LoomioDeployment resource) {
    String ns = resource.getMetadata().getNamespace();
    String name = resource.getMetadata().getName();
    List<String> done = new ArrayList<>();
    NetworkPolicy deny = NetworkPolicies.denyAll(ns, name);
    List<NetworkPolicy> policies = client.network().v1().networkPolicies().inNamespace(ns)
        .withLabel(Labels.MANAGED_BY, Labels.OPERATOR).withLabel(Labels.INSTANCE, name).list().getItems();
    // deny first, then remove the allow policies: never a moment with neither
    if (policies.stream().noneMatch(p -> p.getMetadata().getName().equals(deny.getMetadata().getName()))) {
      client.network().v1().networkPolicies().inNamespace(ns).resource(deny).create();
      done.add("created NetworkPolicy " + deny.getMetadata().getName());
    }
    for (NetworkPolicy p : policies) {
      if (!p.getMetadata().getName().equals(deny.getMetadata().getName())) {
        client.network().v1().networkPolicies().inNamespace(ns).withName(p.getMetadata().getName()).delete();
        done.add("deleted NetworkPolicy " + p.getMetadata().getName());
      }
    }
    for (Component c : List.of(Component.WEB, Component.WORKER, Component.HOCUSPOCUS)) {
      var d = client.apps().deployments().inNamespace(ns).withName(Names.of(name, c)).get();
      if (d != null && (d.getSpec().getReplicas() == null || d.getSpec().getReplicas() != 0)) {
        client.apps().deployments().inNamespace(ns).withName(Names.of(name, c))
            .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":0}}");
        done.add("scaled Deployment " + Names.of(name, c) + " to 0");
      }
    }
    deleteAll(client, client.network().v1().ingresses().inNamespace(ns).withLabel(Labels.MANAGED_BY, Labels.OPERATOR)
        .withLabel(Labels.INSTANCE, name).list().getItems(), done);
    try {
      deleteAll(client, client.resources(HTTPRoute.class).inNamespace(ns).withLabel(Labels.MANAGED_BY, Labels.OPERATOR)
          .withLabel(Labels.INSTANCE, name).list().getItems(), done);
      deleteAll(client, client.resources(TraefikMiddleware.class).inNamespace(ns)
          .withLabel(Labels.MANAGED_BY, Labels.OPERATOR).withLabel(Labels.INSTANCE, name).list().getItems(), done);
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
        throw e; // an API the cluster does not serve holds nothing to delete
      }
    }
    var headers = client.configMaps().inNamespace(ns).withName(NginxHeadersConfigMap.name(name));
    if (headers.get() != null) {
      headers.delete();
      done.add("deleted ConfigMap " + NginxHeadersConfigMap.name(name));
    }
    try {
      for (var cron : client.batch().v1().cronjobs().inNamespace(ns).withLabel(Labels.MANAGED_BY, Labels.OPERATOR)
          .withLabel(Labels.INSTANCE, name).list().getItems()) {
        if (!Boolean.TRUE.equals(cron.getSpec().getSuspend())) {
          client.batch().v1().cronjobs().inNamespace(ns).withName(cron.getMetadata().getName())
              .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"suspend\":true}}");
          done.add("suspended CronJob " + cron.getMetadata().getName());
        }
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
        throw e; // no batch/v1 CronJob API: no schedule to pause
      }
    }
    return done;
  }

  private static void deleteAll(KubernetesClient client, List<? extends HasMetadata> objects, List<String> done) {
    for (HasMetadata o : objects) {
      client.resource(o).delete();
      done.add("deleted " + o.getKind() + " " + o.getMetadata().getName());
    }
  }
}

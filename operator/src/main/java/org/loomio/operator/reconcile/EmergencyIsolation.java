package org.loomio.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.client.Preconditioned;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.Names;
import org.loomio.operator.render.base.Ownership;
import org.loomio.operator.render.edge.NginxHeadersConfigMap;
import org.loomio.operator.render.network.NetworkPolicies;
import org.loomio.operator.thirdparty.TraefikMiddleware;

/**
 * Isolation when the spec cannot be rendered. spec.isolation is the lever for an incident, so it must work
 * even while the rest of the spec is invalid, a referenced Secret is gone or an upgrade is refused: from the
 * stack's name alone, the deny-all policy is ensured, every other policy of the stack deleted, web, worker and
 * hocuspocus scaled to zero, the edge deleted and the backup CronJob suspended. It never touches claims or
 * Secrets, and never anything that is not the stack's own. Once the spec is valid again, the normal render takes over (and renders the same isolated stack).
 */
final class EmergencyIsolation {

  private EmergencyIsolation() {}

  /**
   * Applies it; returns what it did, for the status and the log (empty when all was in place). Only objects
   * that are the stack's own ({@link Ownership#owned}) are touched, each write preconditioned on the UID read;
   * an object of a stack name that is not the stack's is reported and left alone.
   */
  static List<String> apply(KubernetesClient client, LoomioDeployment resource) {
    Stack stack = Stack.of(client, resource);
    if (!isolateNetwork(stack)) {
      return stack.done();
    }
    scaleToZero(stack);
    deleteEdge(stack);
    suspendBackups(client, resource, stack.done());
    return stack.done();
  }

  /** The stack being isolated, from its name alone, and what was done to it so far. */
  private record Stack(
      KubernetesClient client,
      LoomioDeployment resource,
      String ns,
      String name,
      String uid,
      List<String> done) {

    static Stack of(KubernetesClient client, LoomioDeployment resource) {
      return new Stack(
          client,
          resource,
          resource.getMetadata().getNamespace(),
          resource.getMetadata().getName(),
          resource.getMetadata().getUid(),
          new ArrayList<>());
    }

    /** The objects that are the stack's own; the others are reported and left alone. */
    <T extends HasMetadata> List<T> ours(List<T> objects) {
      return EmergencyIsolation.ours(objects, name, uid, done);
    }
  }

  /**
   * Ensures the deny-all policy, then deletes the stack's other policies (deny first: never a moment with
   * neither); false, with nothing deleted, when a policy of the deny-all's name exists that is not among the
   * stack's own labelled ones.
   */
  private static boolean isolateNetwork(Stack stack) {
    NetworkPolicy deny = NetworkPolicies.denyAll(stack.ns(), stack.name());
    List<NetworkPolicy> policies = stack.ours(stack
        .client()
        .network()
        .v1()
        .networkPolicies()
        .inNamespace(stack.ns())
        .withLabel(Labels.MANAGED_BY, Labels.OPERATOR)
        .withLabel(Labels.INSTANCE, stack.name())
        .list()
        .getItems());
    // deny first, then remove the allow policies: never a moment with neither
    if (policies.stream()
            .noneMatch(p -> p.getMetadata().getName().equals(deny.getMetadata().getName()))
        && !createDenyAll(stack, deny)) {
      return false;
    }
    for (NetworkPolicy p : policies) {
      if (!p.getMetadata().getName().equals(deny.getMetadata().getName())) {
        deleted(stack.client(), p, stack.done());
      }
    }
    return true;
  }

  /** Creates the stack's deny-all; false (reported) when a policy of its name exists already. */
  private static boolean createDenyAll(Stack stack, NetworkPolicy deny) {
    KubernetesClient client = stack.client();
    NetworkPolicy existing = client
        .network()
        .v1()
        .networkPolicies()
        .inNamespace(stack.ns())
        .withName(deny.getMetadata().getName())
        .get();
    if (existing != null) {
      stack
          .done()
          .add("not isolated: "
              + Ownership.owned(existing, stack.name(), stack.uid()).why());
      return false; // without the stack's own deny-all, removing its allow policies would open the
      // stack wider
    }
    deny.getMetadata()
        .setOwnerReferences(List.of(new OwnerReferenceBuilder()
            .withApiVersion(stack.resource().getApiVersion())
            .withKind(stack.resource().getKind())
            .withName(stack.name())
            .withUid(stack.uid())
            .withController(true)
            .withBlockOwnerDeletion(false)
            .build()));
    client
        .network()
        .v1()
        .networkPolicies()
        .inNamespace(stack.ns())
        .resource(deny)
        .create();
    stack.done().add("created NetworkPolicy " + deny.getMetadata().getName());
    return true;
  }

  /** Scales the stack's own web, worker and hocuspocus to zero. */
  private static void scaleToZero(Stack stack) {
    KubernetesClient client = stack.client();
    String name = stack.name();
    for (Component c : List.of(Component.WEB, Component.WORKER, Component.HOCUSPOCUS)) {
      var d = client
          .apps()
          .deployments()
          .inNamespace(stack.ns())
          .withName(Names.of(name, c))
          .get();
      if (d == null) {
        continue;
      }
      Ownership.Verdict verdict = Ownership.owned(d, name, stack.uid());
      if (!Ownership.ours(verdict)) {
        stack.done().add("left alone: " + verdict.why());
      } else if (d.getSpec().getReplicas() == null || d.getSpec().getReplicas() != 0) {
        Preconditioned.patch(client, d, "{\"op\":\"add\",\"path\":\"/spec/replicas\",\"value\":0}");
        stack.done().add("scaled Deployment " + Names.of(name, c) + " to 0");
      }
    }
  }

  /** Deletes the stack's own edge: Ingresses, HTTPRoutes, Traefik Middlewares and the nginx headers ConfigMap. */
  private static void deleteEdge(Stack stack) {
    KubernetesClient client = stack.client();
    List<String> done = stack.done();
    deleteAll(
        client,
        stack.ours(client
            .network()
            .v1()
            .ingresses()
            .inNamespace(stack.ns())
            .withLabel(Labels.MANAGED_BY, Labels.OPERATOR)
            .withLabel(Labels.INSTANCE, stack.name())
            .list()
            .getItems()),
        done);
    try {
      deleteAll(client, stack.ours(labelled(stack, HTTPRoute.class)), done);
      deleteAll(client, stack.ours(labelled(stack, TraefikMiddleware.class)), done);
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
        throw e; // an API the cluster does not serve holds nothing to delete
      }
    }
    var headers = client
        .configMaps()
        .inNamespace(stack.ns())
        .withName(NginxHeadersConfigMap.name(stack.name()))
        .get();
    if (headers != null) {
      deleteAll(client, stack.ours(List.of(headers)), done);
    }
  }

  /** The objects of that type with the stack's operator labels (owned or not). */
  private static <T extends HasMetadata> List<T> labelled(Stack stack, Class<T> type) {
    return stack
        .client()
        .resources(type)
        .inNamespace(stack.ns())
        .withLabel(Labels.MANAGED_BY, Labels.OPERATOR)
        .withLabel(Labels.INSTANCE, stack.name())
        .list()
        .getItems();
  }

  /**
   * Suspends the stack's own backup CronJobs, batch/v1 or else (Kubernetes 1.20) batch/v1beta1, whichever the
   * cluster serves (one of another's is reported and left alone); adds what it did.
   */
  static void suspendBackups(
      KubernetesClient client, LoomioDeployment resource, List<String> done) {
    String ns = resource.getMetadata().getNamespace();
    String name = resource.getMetadata().getName();
    String uid = resource.getMetadata().getUid();
    if (!suspendCronJobs(
        client, CronJob.class, ns, name, uid, done, c -> c.getSpec().getSuspend())) {
      suspendCronJobs(
          client,
          io.fabric8.kubernetes.api.model.batch.v1beta1.CronJob.class,
          ns,
          name,
          uid,
          done,
          c -> c.getSpec().getSuspend());
    }
  }

  /** Suspends the stack's own CronJobs of that API version; false when the cluster does not serve it. */
  private static <T extends HasMetadata> boolean suspendCronJobs(
      KubernetesClient client,
      Class<T> type,
      String ns,
      String name,
      String uid,
      List<String> done,
      Function<T, Boolean> suspended) {
    try {
      for (T cron : ours(
          client
              .resources(type)
              .inNamespace(ns)
              .withLabel(Labels.MANAGED_BY, Labels.OPERATOR)
              .withLabel(Labels.INSTANCE, name)
              .list()
              .getItems(),
          name,
          uid,
          done)) {
        if (!Boolean.TRUE.equals(suspended.apply(cron))) {
          Preconditioned.patch(
              client, cron, "{\"op\":\"add\",\"path\":\"/spec/suspend\",\"value\":true}");
          done.add("suspended CronJob " + cron.getMetadata().getName());
        }
      }
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
        throw e;
      }
      return false; // this API is not served: no schedule in it to pause
    }
  }

  /** The objects that are the stack's own; the others are reported and left alone. */
  private static <T extends HasMetadata> List<T> ours(
      List<T> objects, String name, String uid, List<String> done) {
    List<T> own = new ArrayList<>();
    for (T o : objects) {
      Ownership.Verdict verdict = Ownership.owned(o, name, uid);
      if (Ownership.ours(verdict)) {
        own.add(o);
      } else {
        done.add("left alone: " + verdict.why());
      }
    }
    return own;
  }

  private static void deleteAll(
      KubernetesClient client, List<? extends HasMetadata> objects, List<String> done) {
    for (HasMetadata o : objects) {
      deleted(client, o, done);
    }
  }

  private static void deleted(KubernetesClient client, HasMetadata o, List<String> done) {
    if (Preconditioned.delete(client, o)) {
      done.add("deleted " + o.getKind() + " " + o.getMetadata().getName());
    }
  }
}

package org.loomio.operator.reconcile;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.ManagedInformerEventSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.client.ObjectPaths;
import org.loomio.operator.client.Preconditioned;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.render.Stack;
import org.loomio.operator.render.base.Ownership;

/**
 * Before the workflow applies anything: is every object of the rendered stack either absent or the stack's own
 * ({@link Ownership})? An object of the same name that the operator did not make for this stack stops the
 * reconcile (Degraded, reason NameConflict, naming every such object), so nothing of the stack is applied and
 * nothing of anyone else is written, adopted or deleted.
 *
 * <p>An object the informers hold (looked up by name) is checked from the cache (a converged stack costs no
 * request); any other is read from the API server once (a new stack: one read per object; the informers only
 * hold objects with the operator's labels). That read is served from the API server's watch cache
 * ({@code resourceVersion=0}: no etcd read) when the object's create refuses an existing name by itself
 * ({@link #createRefusesExisting}): an object created a moment before, which the watch cache may not show yet,
 * is then still never written, because the create fails; where the create is not guarded (a Service on an API
 * server before 1.21) the read is a quorum read. An object found in the informers or the watch cache that is not
 * the stack's, such as another stack's object just deleted, is read again with a quorum read before it counts
 * as a conflict. Retained claims of an earlier
 * resource of this name are re-stamped with this resource's UID, and a CloudNativePG Cluster it kept is owned
 * again ({@link Ownership#orphaned}), only when nothing conflicts.
 *
 * <p>With a cert-manager issuer the stack also causes a Secret it does not make: {@code <name>-tls}, which
 * cert-manager writes for the Certificate the stack's Ingress gets. One that exists and was not issued for that
 * Certificate (nor consented to by its owner) is a conflict too ({@link #certificateSecrets}).
 */
final class NameConflicts {

  /** The objects that are not the stack's (empty: the stack may be applied), and the claims to re-stamp. */
  record Check(List<String> conflicts, List<HasMetadata> adopt) {}

  private NameConflicts() {}

  static Check check(
      Context<LoomioDeployment> context,
      LoomioDeployment resource,
      Stack stack,
      ClusterCapabilities cluster,
      Predicate<String> live) {
    String name = resource.getMetadata().getName();
    String uid = resource.getMetadata().getUid();
    List<String> conflicts = new ArrayList<>();
    List<HasMetadata> adopt = new ArrayList<>();
    for (HasMetadata desired : stack.objects()) {
      if (desired instanceof Secret) {
        continue; // the credentials Secret: checked when it is ensured (GeneratedCredentials),
        // before this
      }
      Optional<HasMetadata> fromCache = cached(context, desired);
      boolean cheap = fromCache.isEmpty() && createRefusesExisting(desired, cluster);
      HasMetadata actual = fromCache.orElseGet(() -> cheap
          ? readFromWatchCache(context.getClient(), desired)
          : read(context.getClient(), desired));
      Ownership.Verdict verdict = verdict(desired, actual, name, uid, live);
      if ((fromCache.isPresent() || cheap) && verdict.state() == Ownership.State.FOREIGN) {
        // a cache may still hold an object just deleted (another stack's): etcd decides
        actual = read(context.getClient(), desired);
        verdict = verdict(desired, actual, name, uid, live);
      }
      switch (verdict.state()) {
        case FOREIGN -> conflicts.add(verdict.why());
        case ADOPT -> adopt.add(actual);
        default -> {}
      }
    }
    certificateSecrets(context, resource, stack).forEach(conflicts::add);
    return new Check(conflicts, adopt);
  }

  private static Ownership.Verdict verdict(
      HasMetadata desired, HasMetadata actual, String name, String uid, Predicate<String> live) {
    return retained(desired)
        ? Ownership.retained(actual, name, uid, live)
        : RetainedClusters.isCluster(desired)
            ? Ownership.orphaned(actual, name, uid, live)
            : Ownership.owned(actual, name, uid);
  }

  /** On a Secret cert-manager wrote: the Certificate it was issued for. */
  static final String CERTIFICATE_NAME = "cert-manager.io/certificate-name";
  /** cert-manager's Certificates, read by name (never listed, never written). */
  static final ResourceDefinitionContext CERTIFICATES = new ResourceDefinitionContext.Builder()
      .withGroup("cert-manager.io")
      .withVersion("v1")
      .withKind("Certificate")
      .withPlural("certificates")
      .withNamespaced(true)
      .build();

  /**
   * The certificate Secret of an Ingress with a cert-manager issuer ({@code <name>-tls}): the stack causes
   * cert-manager to write it (ingress-shim makes a Certificate of the Secret's name, owned by the Ingress), and
   * its edge serves whatever it holds. One that exists already is the stack's only when cert-manager issued it
   * for a Certificate the stack's own Ingress owns, or when its owner consented (ReferencedSecrets.CONSENT: then
   * cert-manager may write it). Anyone else's is a conflict: cert-manager would overwrite it, the edge would
   * serve it. The Secret is read, never written.
   */
  static List<String> certificateSecrets(
      Context<LoomioDeployment> context, LoomioDeployment resource, Stack stack) {
    String name = resource.getMetadata().getName();
    String ns = resource.getMetadata().getNamespace();
    List<String> conflicts = new ArrayList<>();
    for (Ingress wanted : stack.all(Ingress.class)) {
      Map<String, String> annotations = wanted.getMetadata().getAnnotations();
      boolean issued = annotations != null
          && (annotations.containsKey("cert-manager.io/cluster-issuer")
              || annotations.containsKey("cert-manager.io/issuer"));
      if (!issued || wanted.getSpec().getTls() == null) {
        continue;
      }
      for (var tls : wanted.getSpec().getTls()) {
        Secret secret = context
            .getClient()
            .secrets()
            .inNamespace(ns)
            .withName(tls.getSecretName())
            .get();
        if (secret == null
            || ReferencedSecrets.consented(secret, name)
            || issuedFor(context, resource, wanted.getMetadata().getName(), secret)) {
          continue;
        }
        conflicts.add(Ownership.describe(secret)
            + " exists and is not this stack's: cert-manager did not issue it for"
            + " this stack's Ingress " + wanted.getMetadata().getName() + " (no Certificate "
            + tls.getSecretName()
            + " owned by it), so cert-manager would overwrite it and the edge would serve it. Delete it if it is"
            + " stale (cert-manager then issues the stack's own), or its owner marks it for this stack ("
            + ReferencedSecrets.CONSENT + "=" + name + ")");
      }
    }
    return conflicts;
  }

  /**
   * Whether cert-manager wrote the Secret for a Certificate that the stack's own Ingress of this name owns (by its
   * UID: an Ingress of another stack or application, or a Certificate someone made by hand, does not count).
   */
  private static boolean issuedFor(
      Context<LoomioDeployment> context,
      LoomioDeployment resource,
      String ingressName,
      Secret secret) {
    Map<String, String> annotations = secret.getMetadata().getAnnotations();
    String certificate = annotations == null ? null : annotations.get(CERTIFICATE_NAME);
    if (certificate == null) {
      return false;
    }
    Ingress ours = context
        .getSecondaryResourcesAsStream(Ingress.class)
        .filter(i -> ingressName.equals(i.getMetadata().getName()))
        .filter(i -> Ownership.ours(Ownership.owned(
            i, resource.getMetadata().getName(), resource.getMetadata().getUid())))
        .findFirst()
        .orElse(null);
    if (ours == null) {
      return false; // the stack has no Ingress yet: nothing of it can have caused this Secret
    }
    GenericKubernetesResource cert;
    try {
      cert = context
          .getClient()
          .genericKubernetesResources(CERTIFICATES)
          .inNamespace(resource.getMetadata().getNamespace())
          .withName(certificate)
          .get();
    } catch (KubernetesClientException e) {
      return false; // cert-manager's API is not served, or not readable: not proven
    }
    if (cert == null || cert.getMetadata().getOwnerReferences() == null) {
      return false;
    }
    Object secretName = cert.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec
        ? spec.get("secretName")
        : null;
    return secret.getMetadata().getName().equals(secretName)
        && cert.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> ours.getMetadata().getUid().equals(o.getUid()));
  }

  /**
   * Records this resource's UID on retained objects it takes over, and owns again a CloudNativePG Cluster kept by
   * the deletion of an earlier resource of this name (RetainedClusters), after {@link #check} found no conflict.
   */
  static List<String> adopt(
      KubernetesClient client, LoomioDeployment resource, List<HasMetadata> objects) {
    List<String> adopted = new ArrayList<>();
    for (HasMetadata o : objects) {
      if (RetainedClusters.isCluster(o)) {
        RetainedClusters.adopt(client, resource, o);
      } else {
        Preconditioned.annotate(
            client, o, Ownership.OWNER_UID, resource.getMetadata().getUid());
      }
      adopted.add(Ownership.describe(o));
    }
    return adopted;
  }

  /** Objects without an owner reference, which outlive the resource. */
  static boolean retained(HasMetadata object) {
    return object instanceof PersistentVolumeClaim || object instanceof Secret;
  }

  /**
   * The object of that name the operator's informers hold, looked up by name in each informer of its kind (a
   * lookup, not a scan: asking for the stack's secondary resources of the kind built a set of all of them, hashing
   * each deeply, once per desired object). It may be another stack's: {@link Ownership} decides. No informer of
   * the kind (not registered yet): ask the server.
   */
  private static Optional<HasMetadata> cached(
      Context<LoomioDeployment> context, HasMetadata desired) {
    return lookup(informers(context, desired), desired);
  }

  /**
   * Whether an informer of the object's kind holds an object of its name (whoever's it is); empty when no
   * informer of the kind is registered (yet).
   */
  static Optional<Boolean> held(Context<LoomioDeployment> context, HasMetadata desired) {
    List<ManagedInformerEventSource<?, ?, ?>> informers = informers(context, desired);
    return informers.isEmpty()
        ? Optional.empty()
        : Optional.of(lookup(informers, desired).isPresent());
  }

  private static List<ManagedInformerEventSource<?, ?, ?>> informers(
      Context<LoomioDeployment> context, HasMetadata desired) {
    List<? extends EventSource<?, LoomioDeployment>> sources;
    try {
      sources = context.eventSourceRetriever().getEventSourcesFor(desired.getClass());
    } catch (IllegalArgumentException | IllegalStateException e) {
      return List.of();
    }
    List<ManagedInformerEventSource<?, ?, ?>> informers = new ArrayList<>();
    for (EventSource<?, LoomioDeployment> source : sources) {
      if (source instanceof ManagedInformerEventSource<?, ?, ?> informer) {
        informers.add(informer);
      }
    }
    return informers;
  }

  private static Optional<HasMetadata> lookup(
      List<ManagedInformerEventSource<?, ?, ?>> informers, HasMetadata desired) {
    ResourceID id = ResourceID.fromResource(desired);
    for (ManagedInformerEventSource<?, ?, ?> informer : informers) {
      Optional<? extends HasMetadata> found = informer.get(id);
      if (found.isPresent()) {
        return Optional.of(found.get());
      }
    }
    return Optional.empty();
  }

  /** A quorum read (etcd's current state). */
  private static HasMetadata read(KubernetesClient client, HasMetadata desired) {
    return client.resource(desired).get();
  }

  /**
   * Whether the API server refuses the create of this object when its name exists, so that a read that misses
   * an object created a moment before cannot lead to writing it. JOSDK applies a create with a
   * {@code resourceVersion} (its create-only guard), which every API server refuses for an existing name, except
   * for a Service before Kubernetes 1.21, where the guard cannot be sent at all ({@code ServicesDependent}). Only
   * kinds with a fixed API path (typed model classes) qualify; the others are read with a quorum read.
   */
  static boolean createRefusesExisting(HasMetadata desired, ClusterCapabilities cluster) {
    if (desired instanceof GenericKubernetesResource) {
      return false;
    }
    return !(desired instanceof Service) || cluster.atLeast(1, 21);
  }

  /**
   * A read served from the API server's watch cache ({@code resourceVersion=0}): the same view its watches, and
   * so the informers, have, at a fraction of a quorum read's cost (no etcd round trip). {@code null}: not there.
   */
  static HasMetadata readFromWatchCache(KubernetesClient client, HasMetadata desired) {
    String json = client.raw(ObjectPaths.of(desired) + "?resourceVersion=0");
    return json == null
        ? null
        : client.getKubernetesSerialization().unmarshal(json, desired.getClass());
  }
}

package org.loomio.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.client.Preconditioned;
import org.loomio.operator.render.Ownership;
import org.loomio.operator.render.Stack;

/**
 * Before the workflow applies anything: is every object of the rendered stack either absent or the stack's own
 * ({@link Ownership})? An object of the same name that the operator did not make for this stack stops the
 * reconcile (Degraded, reason NameConflict, naming every such object), so nothing of the stack is applied and
 * nothing of anyone else is written, adopted or deleted.
 *
 * <p>An object the informers already hold for this stack is checked from the cache (a converged stack costs no
 * request); any other is read from the API server once (a new stack: one read per object; the informers only
 * hold objects with the operator's labels, so a foreign object is never in them). Retained claims of an earlier
 * resource of this name are re-stamped with this resource's UID, only when nothing conflicts.
 */
final class NameConflicts {

  /** The objects that are not the stack's (empty: the stack may be applied), and the claims to re-stamp. */
  record Check(List<String> conflicts, List<HasMetadata> adopt) {}

  private NameConflicts() {}

  static Check check(Context<LoomioDeployment> context, LoomioDeployment resource, Stack stack,
      Predicate<String> live) {
    String name = resource.getMetadata().getName();
    String uid = resource.getMetadata().getUid();
    List<String> conflicts = new ArrayList<>();
    List<HasMetadata> adopt = new ArrayList<>();
    for (HasMetadata desired : stack.objects()) {
      if (desired instanceof Secret) {
        continue; // the credentials Secret: checked when it is ensured (GeneratedCredentials), before this
      }
      HasMetadata actual = cached(context, desired).orElseGet(() -> read(context.getClient(), desired));
      Ownership.Verdict verdict = retained(desired)
          ? Ownership.retained(actual, name, uid, live)
          : Ownership.owned(actual, name, uid);
      switch (verdict.state()) {
        case FOREIGN -> conflicts.add(verdict.why());
        case ADOPT -> adopt.add(actual);
        default -> { }
      }
    }
    return new Check(conflicts, adopt);
  }

  /** Records this resource's UID on retained objects it takes over (after {@link #check} found no conflict). */
  static List<String> adopt(KubernetesClient client, LoomioDeployment resource, List<HasMetadata> objects) {
    List<String> adopted = new ArrayList<>();
    for (HasMetadata o : objects) {
      Preconditioned.annotate(client, o, Ownership.OWNER_UID, resource.getMetadata().getUid());
      adopted.add(Ownership.describe(o));
    }
    return adopted;
  }

  /** Objects without an owner reference, which outlive the resource. */
  static boolean retained(HasMetadata object) {
    return object instanceof PersistentVolumeClaim || object instanceof Secret;
  }

  private static Optional<HasMetadata> cached(Context<LoomioDeployment> context, HasMetadata desired) {
    try {
      return context.getSecondaryResources(desired.getClass()).stream()
          .filter(o -> desired.getMetadata().getName().equals(o.getMetadata().getName()))
          .map(HasMetadata.class::cast)
          .findFirst();
    } catch (IllegalArgumentException | IllegalStateException e) {
      return Optional.empty(); // no informer for this kind in this reconcile: ask the server
    }
  }

  private static HasMetadata read(KubernetesClient client, HasMetadata desired) {
    return client.resource(desired).get();
  }
}

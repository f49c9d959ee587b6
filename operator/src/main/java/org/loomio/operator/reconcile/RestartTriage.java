package org.loomio.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioDeploymentStatus;

/**
 * Which stacks the first pass after a start reconciles first. JOSDK queues every LoomioDeployment at once, in
 * hash order, and a full reconcile of a converged stack (render, the server-side-apply matcher over its
 * objects, status) costs tens of milliseconds on a cold JVM: the stack that lost an object while the operator
 * was down waited for its turn among all the others (docs/performance.md, third round).
 *
 * <p>During the first {@link #WINDOW} after the operator's first reconcile (a standby replica's when it starts
 * to lead), the first reconcile of each stack is a triage that reads only caches: the names in its
 * {@code status.inventory} ({@link Inventory}) are looked up in the informers of their kinds. A stack is
 * reconciled at once when:
 *
 * <ul>
 *   <li>it has no status or no inventory, or its spec changed since its last reconcile
 *       ({@code status.observedGeneration});
 *   <li>an object of its inventory (other than Secrets and Jobs, see {@link #complete}) is missing from the
 *       informers of its kind.
 * </ul>
 *
 * The inventory only orders the first pass: it never decides what is created, adopted or deleted (whoever may
 * write a LoomioDeployment's status could forge it).
 *
 * <p>Any other stack is rescheduled {@link #DEFER} later, by which time the triage has gone past the others; its
 * full reconcile then repairs what a lookup by name cannot see (a changed field, an object the inventory does
 * not name). No stack is skipped: the triage decides only the order. A kind whose informer is not registered
 * yet (JOSDK registers the informers of served-API dependents in the first workflow that needs them) is not
 * looked up: a stack is not held up for what the triage cannot see.
 */
final class RestartTriage {

  static final Duration WINDOW = Duration.ofMinutes(2);
  static final Duration DEFER = Duration.ofSeconds(2);

  /** A longer inventory is not looked up (the stack is reconciled at once): a status is bounded by etcd, not by us. */
  static final int MAX_ENTRIES = 1000;

  private final Clock clock;
  /** The end of the window: set by the first reconcile (a standby replica's starts when it leads). */
  private final AtomicReference<Instant> until = new AtomicReference<>();

  private final Set<ResourceID> triaged = ConcurrentHashMap.newKeySet();
  private volatile boolean over;

  RestartTriage(Clock clock) {
    this.clock = clock;
  }

  /** What the triage decided for one reconcile. */
  enum Decision {
    /** Not triaged: not the stack's first reconcile since the start, or past the window. */
    NONE,
    /** Triaged, reconciled at once. */
    NOW,
    /** Triaged, rescheduled {@link #DEFER} later. */
    DEFERRED
  }

  Decision decide(LoomioDeployment resource, Context<LoomioDeployment> context) {
    if (over) {
      return Decision.NONE;
    }
    Instant now = clock.instant();
    until.compareAndSet(null, now.plus(WINDOW));
    if (now.isAfter(until.get())) {
      over = true;
      triaged.clear();
      return Decision.NONE;
    }
    if (!triaged.add(ResourceID.fromResource(resource))) {
      return Decision.NONE;
    }
    try {
      return settled(resource) && complete(resource, context) ? Decision.DEFERRED : Decision.NOW;
    } catch (RuntimeException e) {
      // a lookup that failed (an informer being registered) is no reason to fail the reconcile
      return Decision.NOW;
    }
  }

  /** Reconciled before, for the spec it has now, with an inventory (not too long), and not being deleted. */
  static boolean settled(LoomioDeployment resource) {
    LoomioDeploymentStatus status = resource.getStatus();
    return resource.getMetadata().getDeletionTimestamp() == null
        && status != null
        && status.getInventory() != null
        && !status.getInventory().isEmpty()
        && status.getInventory().size() <= MAX_ENTRIES
        && status.getObservedGeneration() != null
        && Objects.equals(status.getObservedGeneration(), resource.getMetadata().getGeneration());
  }

  /**
   * Every object of the inventory that an informer of its kind would hold is there, by name. Left out:
   * Secrets (the credentials Secret is ensured before anything else in every reconcile) and Jobs (run once,
   * and rendered only while their moment lasts: the database's readiness, a held migration, a rotation). A
   * malformed entry counts as missing.
   */
  static boolean complete(LoomioDeployment resource, Context<LoomioDeployment> context) {
    String namespace = resource.getMetadata().getNamespace();
    KubernetesSerialization serialization = context.getClient().getKubernetesSerialization();
    for (String entry : resource.getStatus().getInventory()) {
      Optional<HasMetadata> object = Inventory.object(entry, namespace, serialization);
      if (object.isEmpty()) {
        return false;
      }
      if (object.get() instanceof Secret || object.get() instanceof Job) {
        continue;
      }
      Optional<Boolean> held = NameConflicts.held(context, object.get());
      if (held.isPresent() && !held.get()) {
        return false;
      }
    }
    return true;
  }
}

package org.loomio.operator.reconcile;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Namespaces the API server has said are being deleted, so that the stacks in them are not reconciled again and
 * again while the namespace controller removes everything in them.
 *
 * <p>Once a namespace is terminating, the API server refuses every create in it with 403 and the status cause
 * {@code NamespaceTerminating} (the NamespaceLifecycle admission plugin). Each object the namespace controller
 * deletes is an event that starts a reconcile, and each reconcile tries to create the object again and fails:
 * at 200 stacks in one namespace (the benchmark on the rig) that was about 6800 failed reconciles with stack
 * traces over six minutes, and the finalizers' cleanups queued behind them. After the first such refusal the
 * namespace is held: a reconcile of a stack in it does nothing and looks again after {@link #HOLD}. Deletion is
 * not held (JOSDK's cleanup is another path), and neither is anything after the hold: the operator has no right
 * to read Namespaces, so a namespace deleted and made again under the same name is only reconciled again when the
 * hold has run out.
 */
public final class TerminatingNamespaces {

  /** How long a refusal holds a namespace's reconciles. */
  public static final Duration HOLD = Duration.ofSeconds(60);

  /** The cause type of the API server's refusal (k8s.io/api/core/v1 NamespaceTerminatingCause). */
  static final String CAUSE = "NamespaceTerminating";

  /** Causes chained deeper than this are not followed (a cycle would otherwise never end). */
  private static final int MAX_DEPTH = 32;

  private final Clock clock;
  private final ConcurrentHashMap<String, Instant> refusedAt = new ConcurrentHashMap<>();

  public TerminatingNamespaces(Clock clock) {
    this.clock = clock;
  }

  /**
   * Whether a failure is (or holds, in a workflow's aggregated failures) the API server's refusal to create in
   * this namespace because it is being deleted. Any other 403 (RBAC, admission) is not, and neither is a refusal
   * that names another namespace or names none: the cause's message is "namespace NAME is being terminated"
   * (NamespaceLifecycle admission), and a message worded otherwise only costs the hold, never a write.
   */
  public static boolean refused(Throwable e, String namespace) {
    return refused(e, namespace, 0);
  }

  private static boolean refused(Throwable e, String namespace, int depth) {
    int hops = depth;
    for (Throwable t = e; t != null && hops < MAX_DEPTH; t = t.getCause(), hops++) {
      if (t instanceof AggregatedOperatorException aggregated) {
        int next = hops + 1;
        if (aggregated.getAggregatedExceptions().values().stream()
            .anyMatch(x -> refused(x, namespace, next))) {
          return true;
        }
      }
      if (t instanceof KubernetesClientException k
          && k.getCode() == 403
          && namesNamespace(k.getStatus(), namespace)) {
        return true;
      }
    }
    return false;
  }

  private static boolean namesNamespace(Status status, String namespace) {
    return status != null
        && status.getDetails() != null
        && status.getDetails().getCauses() != null
        && status.getDetails().getCauses().stream()
            .anyMatch(c -> CAUSE.equals(c.getReason())
                && c.getMessage() != null
                && c.getMessage().contains("namespace " + namespace + " "));
  }

  /**
   * Holds the namespace from now on for {@link #HOLD}; true when it was not held yet (so that the caller says
   * so once, not once per stack).
   */
  public boolean hold(String namespace) {
    Instant now = clock.instant();
    // a deleted namespace's stacks are never reconciled again: nothing else would forget its hold
    refusedAt.values().removeIf(at -> expired(at, now));
    Instant before = refusedAt.put(namespace, now);
    return before == null || expired(before, now);
  }

  /** Whether reconciles of the namespace's stacks are held; a hold that has run out is forgotten. */
  public boolean held(String namespace) {
    Instant at = refusedAt.get(namespace);
    if (at == null) {
      return false;
    }
    if (expired(at, clock.instant())) {
      refusedAt.remove(namespace, at);
      return false;
    }
    return true;
  }

  /** How many namespaces are remembered (held, or run out and not yet forgotten). */
  int size() {
    return refusedAt.size();
  }

  private static boolean expired(Instant at, Instant now) {
    return !now.isBefore(at.plus(HOLD));
  }
}

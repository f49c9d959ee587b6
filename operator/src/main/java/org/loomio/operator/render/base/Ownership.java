package org.loomio.operator.render.base;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.Map;
import java.util.function.Predicate;
import org.loomio.operator.model.Labels;

/**
 * Whether an object of a name the stack uses is the stack's own: the one rule every write and every delete of
 * the operator goes through (docs/hardening.md, "Threat model"). An object the operator did not make is never
 * written, adopted or deleted, whatever its name.
 *
 * <ul>
 *   <li>Owned objects (everything with an owner reference: workloads, Services, ConfigMaps, policies, Jobs, the
 *       edge) are the stack's when they carry {@code app.kubernetes.io/managed-by=loomio-operator},
 *       {@code app.kubernetes.io/instance=<name>} and an owner reference to this resource's UID.
 *   <li>Retained objects (the data claims, the credentials, the pending rotation and the backup-key Secrets: they
 *       deliberately outlive the resource) carry the same labels and record the UID they were made for in
 *       {@value #OWNER_UID}. They are the stack's when that UID is this resource's; they are re-adopted (and
 *       re-stamped) when it names a resource that no longer exists, which is how a re-created LoomioDeployment
 *       finds its retained data; an object made before the operator recorded UIDs (no annotation) is adopted
 *       the same way. One recorded for another live LoomioDeployment is never taken.
 *   <li>Orphaned objects (the CloudNativePG Cluster of a stack deleted with deletionPolicy Retain, {@link #orphaned}):
 *       owned while the stack lives; its deletion drops the owner reference and records the UID in
 *       {@value #OWNER_UID}, so the garbage collector keeps it. A re-created resource of the same name adopts it
 *       (gives it back an owner reference) by the retained objects' rule, with no exception for a missing
 *       annotation: an object without an owner reference and without the recorded UID was never orphaned by the
 *       operator.
 * </ul>
 *
 * Pure: the caller supplies the object as read and which UIDs are live.
 */
public final class Ownership {

  /** On retained objects: the UID of the LoomioDeployment they were made for. */
  public static final String OWNER_UID = "loomio.org/owner-uid";

  /** What to do with an object of a name the stack uses. */
  public enum State {
    /** Nothing of that name exists: the stack may create it. */
    ABSENT,
    /** The stack's own: it may be written and deleted. */
    OURS,
    /** A retained object of an earlier resource of this name (or from before UIDs were recorded): re-stamp it. */
    ADOPT,
    /** Not the stack's: never written, adopted or deleted (reason {@code NameConflict}). */
    FOREIGN
  }

  /** The verdict and, for a foreign object, why (never anything of its contents). */
  public record Verdict(State state, String why) {
    public boolean usable() {
      return state != State.FOREIGN;
    }
  }

  private static final Verdict ABSENT = new Verdict(State.ABSENT, null);
  private static final Verdict OURS = new Verdict(State.OURS, null);

  private Ownership() {}

  /** An object that carries an owner reference to the stack's resource when it is the stack's. */
  public static Verdict owned(HasMetadata actual, String instance, String uid) {
    if (actual == null) {
      return ABSENT;
    }
    Verdict labels = labels(actual, instance);
    if (labels != null) {
      return labels;
    }
    boolean ownedByUs = actual.getMetadata().getOwnerReferences() != null
        && uid != null
        && actual.getMetadata().getOwnerReferences().stream()
            .map(OwnerReference::getUid)
            .anyMatch(uid::equals);
    return ownedByUs
        ? OURS
        : foreign(
            actual,
            "it carries the operator's labels but is not owned by this"
                + " LoomioDeployment (no owner reference to its UID)");
  }

  /**
   * An object that outlives the resource (no owner reference) and records the UID it was made for.
   *
   * @param live whether a UID belongs to a LoomioDeployment that exists now
   */
  public static Verdict retained(
      HasMetadata actual, String instance, String uid, Predicate<String> live) {
    if (actual == null) {
      return ABSENT;
    }
    Verdict labels = labels(actual, instance);
    if (labels != null) {
      return labels;
    }
    Map<String, String> annotations = actual.getMetadata().getAnnotations();
    String recorded = annotations == null ? null : annotations.get(OWNER_UID);
    if (recorded == null || recorded.isEmpty()) {
      return new Verdict(State.ADOPT, null);
    }
    if (recorded.equals(uid)) {
      return OURS;
    }
    if (live.test(recorded)) {
      return foreign(
          actual, "it was made for another LoomioDeployment that still exists (" + OWNER_UID + ")");
    }
    return new Verdict(State.ADOPT, null);
  }

  /**
   * An object that carries an owner reference to the stack's resource while it lives, and was orphaned (the owner
   * reference dropped, the UID recorded in {@value #OWNER_UID}) when an earlier resource of this name was deleted
   * with deletionPolicy Retain: OURS when owned by this resource, ADOPT when orphaned by a resource that no longer
   * exists (or by this one), FOREIGN otherwise: another owner reference of any kind, no recorded UID, or one
   * recorded for another live resource.
   */
  public static Verdict orphaned(
      HasMetadata actual, String instance, String uid, Predicate<String> live) {
    Verdict owned = owned(actual, instance, uid);
    if (owned.state() != State.FOREIGN || labels(actual, instance) != null) {
      return owned;
    }
    if (actual.getMetadata().getOwnerReferences() != null
        && !actual.getMetadata().getOwnerReferences().isEmpty()) {
      return owned; // owned by something else: never orphaned by the operator
    }
    Map<String, String> annotations = actual.getMetadata().getAnnotations();
    String recorded = annotations == null ? null : annotations.get(OWNER_UID);
    if (recorded == null || recorded.isEmpty()) {
      return foreign(
          actual,
          "it has no owner reference to this LoomioDeployment and no " + OWNER_UID
              + " of the LoomioDeployment it was kept for");
    }
    Verdict retained = retained(actual, instance, uid, live);
    return retained.state() == State.OURS ? new Verdict(State.ADOPT, null) : retained;
  }

  /** Whether an object is the stack's to write or delete now (OURS), as opposed to absent, adoptable or foreign. */
  public static boolean ours(Verdict v) {
    return v.state() == State.OURS;
  }

  /** {@code Kind name}, as messages name objects. */
  public static String describe(HasMetadata object) {
    return object.getKind() + " " + object.getMetadata().getName();
  }

  /** Throws {@link ConflictException} for a foreign object; returns the verdict otherwise. */
  public static Verdict require(Verdict v) {
    if (v.state() == State.FOREIGN) {
      throw new ConflictException(v.why());
    }
    return v;
  }

  /**
   * An object of a name the stack uses exists and is not the stack's: the reconcile stops before anything is
   * written (Degraded, reason NameConflict). The message names the object, never its contents.
   */
  public static final class ConflictException extends RuntimeException {
    public ConflictException(String message) {
      super(message);
    }
  }

  private static Verdict labels(HasMetadata actual, String instance) {
    Map<String, String> labels = actual.getMetadata().getLabels();
    String managedBy = labels == null ? null : labels.get(Labels.MANAGED_BY);
    String owner = labels == null ? null : labels.get(Labels.INSTANCE);
    if (!Labels.OPERATOR.equals(managedBy)) {
      return foreign(
          actual,
          "it was not created by the operator (no " + Labels.MANAGED_BY + "=" + Labels.OPERATOR
              + " label)");
    }
    if (!instance.equals(owner)) {
      return foreign(
          actual,
          "it belongs to " + (owner == null ? "no stack" : "stack " + owner) + " ("
              + Labels.INSTANCE + ")");
    }
    return null;
  }

  private static Verdict foreign(HasMetadata actual, String why) {
    return new Verdict(State.FOREIGN, describe(actual) + " exists and is not this stack's: " + why);
  }
}

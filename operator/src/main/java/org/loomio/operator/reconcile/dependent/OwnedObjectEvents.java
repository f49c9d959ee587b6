package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.status.EventRecorder;

/**
 * Events on the LoomioDeployment naming every owned object the operator created, changed or deleted, so
 * {@code kubectl describe loomio <name>} tells what it did and when. Dependents record their changes here
 * while the workflow runs (in parallel); the reconciler then writes one Event per kind of change
 * ({@code Created}, {@code Updated}, {@code Deleted}) naming the objects, grouped by kind. One Event per
 * object would double the API writes of a new stack; a converged stack records nothing.
 */
public final class OwnedObjectEvents {

  /** Longest list of names in one message; the rest is counted. */
  static final int MAX_MESSAGE = 1000;

  private enum Change {
    Created("Created %s: "),
    Updated("Updated %s to match the spec: "),
    Deleted("Deleted %s the spec no longer asks for: ");

    /** The message's head; %s is "1 object" or "N objects". */
    final String head;

    Change(String head) {
      this.head = head;
    }
  }

  private record Entry(Change change, String kind, String name) {}

  private final ConcurrentLinkedQueue<Entry> entries = new ConcurrentLinkedQueue<>();

  /** Starts collecting for this reconcile. */
  public static OwnedObjectEvents start(Context<LoomioDeployment> context) {
    OwnedObjectEvents events = new OwnedObjectEvents();
    context.managedWorkflowAndDependentResourceContext().put(OwnedObjectEvents.class, events);
    return events;
  }

  static void created(HasMetadata object, Context<LoomioDeployment> context) {
    record(context, Change.Created, object);
  }

  static void updated(HasMetadata object, Context<LoomioDeployment> context) {
    record(context, Change.Updated, object);
  }

  static void deleted(HasMetadata object, Context<LoomioDeployment> context) {
    record(context, Change.Deleted, object);
  }

  private static void record(Context<LoomioDeployment> context, Change change, HasMetadata object) {
    context
        .managedWorkflowAndDependentResourceContext()
        .get(OwnedObjectEvents.class, OwnedObjectEvents.class)
        .ifPresent(e -> e.entries.add(
            new Entry(change, object.getKind(), object.getMetadata().getName())));
  }

  /** Writes what was recorded (once; later calls write nothing new). */
  public void flush(LoomioDeployment primary, EventRecorder recorder) {
    List<Entry> all = new ArrayList<>();
    for (Entry e; (e = entries.poll()) != null; ) {
      all.add(e);
    }
    for (Change change : Change.values()) {
      Map<String, List<String>> byKind = new TreeMap<>();
      all.stream()
          .filter(e -> e.change() == change)
          .forEach(e -> byKind.computeIfAbsent(e.kind(), k -> new ArrayList<>()).add(e.name()));
      if (!byKind.isEmpty()) {
        recorder.normal(primary, change.name(), message(change, byKind));
      }
    }
  }

  static String message(String head, Map<String, List<String>> byKind) {
    int total = byKind.values().stream().mapToInt(List::size).sum();
    StringBuilder s =
        new StringBuilder(String.format(head, total + (total == 1 ? " object" : " objects")));
    int listed = 0;
    boolean firstKind = true;
    for (Map.Entry<String, List<String>> kind : byKind.entrySet()) {
      List<String> names = new ArrayList<>(kind.getValue());
      names.sort(null);
      String part = (firstKind ? "" : "; ") + kind.getKey() + " " + String.join(", ", names);
      if (s.length() + part.length() > MAX_MESSAGE) {
        s.append(firstKind ? "" : "; ").append("and ").append(total - listed).append(" more");
        return s.toString();
      }
      s.append(part);
      listed += names.size();
      firstKind = false;
    }
    return s.toString();
  }

  private static String message(Change change, Map<String, List<String>> byKind) {
    return message(change.head, new LinkedHashMap<>(byKind));
  }
}

package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResourceConfig;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * What the informers keep of each object: only what the operator reads (docs/performance.md). The objects
 * arrive whole from the API server; these transformations run once per object version as it enters the cache
 * (JOSDK's {@link TransformingItemStore}, which keeps name, namespace and resourceVersion as they were).
 *
 * <ul>
 *   <li>{@link #owned}: objects the workflow applies with server-side apply and matches. JOSDK's SSA matcher
 *       decides from the cached {@code managedFields} entry of the operator's own field manager whether to
 *       write, so that entry stays (in a compact, shared form); every other manager's entry (the
 *       controller-manager's status updates, kubectl's, ...) is dropped, and so is a client-side apply's
 *       last-applied-configuration annotation (these objects are only ever applied or JSON-patched, never
 *       updated from the cache).
 *   <li>{@link #readOnly}: objects the operator only reads, or creates once and never matches (claims and
 *       migration Jobs, the generated Secrets, Job pods): no {@code managedFields} at all. A cached Secret the
 *       operator updates (read-check-write) is sent without managedFields, which the API server reads as
 *       "unchanged", never as "cleared".
 *   <li>{@link #pod}: Job pods, read only for their labels and status (phase, termination messages): no spec.
 * </ul>
 *
 * <p>With several watched namespaces JOSDK hands one item store to one informer per namespace, and an informer's
 * re-list would drop the other namespaces' objects from a shared store; {@link #store} therefore returns a store
 * only where one informer fills it (all namespaces, or one), and null (fabric8's plain store) otherwise.
 */
public final class CacheTrim {

  /** The field manager whose managedFields entry the SSA matcher reads (the operator's). */
  public static final String FIELD_MANAGER = "loomio-operator";

  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  private CacheTrim() {}

  /** Owned, server-side applied and matched: keep only the operator's own managedFields, compacted. */
  public static <R extends HasMetadata> R owned(R object) {
    var meta = object.getMetadata();
    if (meta == null) {
      return object;
    }
    List<ManagedFieldsEntry> entries = meta.getManagedFields();
    if (entries != null) {
      List<ManagedFieldsEntry> kept = new ArrayList<>(1);
      for (ManagedFieldsEntry e : entries) {
        if (FIELD_MANAGER.equals(e.getManager())) {
          kept.add(compact(e));
        }
      }
      meta.setManagedFields(kept.isEmpty() ? null : List.copyOf(kept));
    }
    dropLastApplied(object);
    return object;
  }

  /**
   * Read (or created once and never matched): no managedFields. The annotations stay whole: a cached Secret may be
   * written back with an update, which replaces the annotations with those sent.
   */
  public static <R extends HasMetadata> R readOnly(R object) {
    if (object.getMetadata() != null) {
      object.getMetadata().setManagedFields(null);
    }
    return object;
  }

  /** A Job's pod: labels and status are read, the spec never. */
  public static Pod pod(Pod pod) {
    readOnly(pod);
    pod.setSpec(null);
    PodStatus status = pod.getStatus();
    if (status != null) {
      // read: phase, reason, message, (init) container statuses; never the addresses or conditions
      status.setConditions(null);
      status.setPodIPs(null);
      status.setHostIPs(null);
    }
    return pod;
  }

  /**
   * The item store for an informer of this event source, or null where JOSDK would share one store between
   * several informers (more than one watched namespace).
   */
  public static <R extends HasMetadata> ItemStore<R> store(
      EventSourceContext<?> context, UnaryOperator<R> transform) {
    Set<String> namespaces =
        context.getControllerConfiguration().getInformerConfig().getNamespaces();
    return singleInformer(namespaces) ? new TransformingItemStore<>(transform) : null;
  }

  /**
   * A dependent's configuration with a transforming item store added (when one informer fills it, see {@link
   * #store}); empty when nothing changes.
   */
  public static <R extends HasMetadata> Optional<KubernetesDependentResourceConfig<R>> withStore(
      Optional<KubernetesDependentResourceConfig<R>> configuration,
      EventSourceContext<?> context,
      UnaryOperator<R> transform) {
    return InformerConfigs.changed(configuration, informer -> {
      ItemStore<R> store = store(context, transform);
      return store == null ? null : informer.withItemStore(store);
    });
  }

  /** Whether an informer over these namespaces is one informer (all namespaces, or a single one). */
  public static boolean singleInformer(Set<String> namespaces) {
    return namespaces == null
        || namespaces.size() <= 1
        || InformerConfiguration.allNamespacesWatched(namespaces);
  }

  private static void dropLastApplied(HasMetadata object) {
    Map<String, String> annotations = object.getMetadata().getAnnotations();
    if (annotations != null && annotations.containsKey(LAST_APPLIED)) {
      annotations.remove(LAST_APPLIED);
    }
  }

  private static ManagedFieldsEntry compact(ManagedFieldsEntry e) {
    e.setApiVersion(intern(e.getApiVersion()));
    e.setFieldsType(intern(e.getFieldsType()));
    e.setManager(intern(e.getManager()));
    e.setOperation(intern(e.getOperation()));
    e.setSubresource(intern(e.getSubresource()));
    FieldsV1 fields = e.getFieldsV1();
    if (fields != null && fields.getAdditionalProperties() != null) {
      FieldsV1 compact = new FieldsV1();
      @SuppressWarnings("unchecked")
      Map<String, Object> tree =
          (Map<String, Object>) compactTree(fields.getAdditionalProperties());
      compact.setAdditionalProperties(tree);
      e.setFieldsV1(compact);
    }
    return e;
  }

  /**
   * A field set ({@code {"f:spec":{"f:replicas":{}}}}) as immutable maps with interned keys: every leaf is the one
   * shared empty map. The SSA matcher only reads it, in no particular order (it orders list entries by the
   * object's own lists).
   */
  static Object compactTree(Object node) {
    if (!(node instanceof Map<?, ?> map)) {
      return node;
    }
    if (map.isEmpty()) {
      return Map.of();
    }
    if (map.size() == 1) {
      var only = map.entrySet().iterator().next();
      return Map.of(intern(String.valueOf(only.getKey())), compactTree(only.getValue()));
    }
    @SuppressWarnings("unchecked")
    Map.Entry<String, Object>[] entries = new Map.Entry[map.size()];
    int i = 0;
    for (var entry : map.entrySet()) {
      entries[i++] =
          Map.entry(intern(String.valueOf(entry.getKey())), compactTree(entry.getValue()));
    }
    return Map.ofEntries(entries);
  }

  private static String intern(String s) {
    return s == null ? null : s.intern();
  }
}

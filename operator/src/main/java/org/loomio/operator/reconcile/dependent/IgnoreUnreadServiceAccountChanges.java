package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drops a ServiceAccount update event in which nothing the operator reads or owns changed, so that it does not
 * reconcile the whole stack (issue 18).
 *
 * <p>Why: up to Kubernetes 1.23 the controller-manager's token controller creates a token Secret for every
 * ServiceAccount and adds it to the ServiceAccount's {@code secrets} list (1.24 and later create no token
 * Secrets). Each such write is an update event on the owned ServiceAccount, and every event reconciled the
 * owning stack in full: eight ServiceAccounts per stack, 200 stacks, 1600 full reconciles that wrote nothing.
 * The operator never sets or reads {@code secrets}.
 *
 * <p>An update is dropped only when the two versions are equal once these are set aside: {@code secrets},
 * {@code resourceVersion}, the managedFields entries of every other field manager than the operator's, and a
 * client-side apply's last-applied-configuration annotation (which {@link CacheTrim#owned} drops from the
 * cache). Everything else counts, so an unforeseen change keeps its event: labels, annotations, owner
 * references, finalizers, the deletion timestamp, {@code automountServiceAccountToken},
 * {@code imagePullSecrets}, and the operator's own managedFields entry (which changes when another manager
 * takes over a field the operator applied). A dropped event would be repaired only at the next resync.
 *
 * <p>The old object comes from the informer's cache, trimmed by {@link CacheTrim#owned}; the new one is the
 * object the same transformation has just trimmed in place on its way into the cache (fabric8 notifies with the
 * instance it stored). The comparison does not rely on that: it reads both sides through the same view, without
 * changing either. Add and delete events are never filtered (only the update filter is set).
 */
public final class IgnoreUnreadServiceAccountChanges implements OnUpdateFilter<ServiceAccount> {

  /** Whether the update is propagated: true unless only what the operator does not read changed. */
  @Override
  public boolean accept(ServiceAccount newObject, ServiceAccount oldObject) {
    if (newObject == null || oldObject == null) {
      return true;
    }
    return !read(newObject).equals(read(oldObject));
  }

  /** A copy of the ServiceAccount without what the operator does not read; the argument is left unchanged. */
  static ServiceAccount read(ServiceAccount account) {
    return new ServiceAccountBuilder(account)
        .withMetadata(read(account.getMetadata()))
        .withSecrets((List<ObjectReference>) null)
        .build();
  }

  private static ObjectMeta read(ObjectMeta meta) {
    if (meta == null) {
      return null;
    }
    return new ObjectMetaBuilder(meta)
        .withResourceVersion(null)
        .withManagedFields(operatorsEntries(meta.getManagedFields()))
        .withAnnotations(annotationsRead(meta.getAnnotations()))
        .build();
  }

  private static List<ManagedFieldsEntry> operatorsEntries(List<ManagedFieldsEntry> entries) {
    if (entries == null) {
      return null;
    }
    return entries.stream()
        .filter(e -> CacheTrim.FIELD_MANAGER.equals(e.getManager()))
        .toList();
  }

  private static Map<String, String> annotationsRead(Map<String, String> annotations) {
    if (annotations == null || !annotations.containsKey(CacheTrim.LAST_APPLIED)) {
      return annotations;
    }
    Map<String, String> read = new LinkedHashMap<>(annotations);
    read.remove(CacheTrim.LAST_APPLIED);
    return read;
  }
}

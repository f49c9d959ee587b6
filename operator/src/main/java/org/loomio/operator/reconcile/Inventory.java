package org.loomio.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.loomio.operator.render.Stack;

/**
 * {@code status.inventory}: the objects of the stack's last applied render, one {@code apiVersion/kind/name}
 * entry each, in apply order (a name never holds a slash). Names only: what the objects hold stays in the
 * objects.
 */
final class Inventory {

  private Inventory() {}

  static List<String> of(Stack stack) {
    return stack.objects().stream().map(Inventory::entry).toList();
  }

  static String entry(HasMetadata object) {
    return object.getApiVersion() + "/" + object.getKind() + "/"
        + object.getMetadata().getName();
  }

  /**
   * The entry as an object of its model class (only apiVersion, kind, name and namespace set), to look up in
   * the informers; empty when the entry is malformed (the status is the operator's, but never trusted blindly).
   */
  static Optional<HasMetadata> object(
      String entry, String namespace, KubernetesSerialization serialization) {
    int name = entry == null ? -1 : entry.lastIndexOf('/');
    int kind = name <= 0 ? -1 : entry.lastIndexOf('/', name - 1);
    if (kind <= 0 || name == entry.length() - 1 || kind == name - 1) {
      return Optional.empty();
    }
    Map<String, Object> minimal = Map.of(
        "apiVersion", entry.substring(0, kind),
        "kind", entry.substring(kind + 1, name),
        "metadata", Map.of("name", entry.substring(name + 1), "namespace", namespace));
    try {
      return serialization.convertValue(minimal, KubernetesResource.class) instanceof HasMetadata h
          ? Optional.of(h)
          : Optional.empty();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}

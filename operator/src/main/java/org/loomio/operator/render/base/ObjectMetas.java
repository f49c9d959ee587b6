package org.loomio.operator.render.base;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.Names;

/** Metadata of an owned object: its name, the stack's namespace and the standard labels. */
public final class ObjectMetas {

  private ObjectMetas() {}

  public static ObjectMeta of(RenderContext ctx, String name, Component component) {
    return of(ctx.namespace(), ctx.name(), name, component);
  }

  public static ObjectMeta of(String namespace, String instance, String name, Component component) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(Labels.of(instance, component))
        .build();
  }

  /**
   * Metadata of a retained object (no owner reference; it outlives the resource): the standard labels and the
   * UID of the resource it is made for ({@link Ownership#OWNER_UID}), when there is one (not for the CLI).
   */
  public static ObjectMeta retained(
      String namespace, String instance, String uid, String name, Component component) {
    ObjectMeta meta = of(namespace, instance, name, component);
    if (uid != null) {
      meta.setAnnotations(new LinkedHashMap<>(Map.of(Ownership.OWNER_UID, uid)));
    }
    return meta;
  }

  public static ObjectMeta of(RenderContext ctx, Component component) {
    return of(ctx, Names.of(ctx.name(), component), component);
  }
}

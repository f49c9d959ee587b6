package org.loomio.operator.render;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

/** Metadata of an owned object: its name, the stack's namespace and the standard labels. */
public final class ObjectMetas {

  private ObjectMetas() {}

  static ObjectMeta of(RenderContext ctx, String name, Component component) {
    return of(ctx.namespace(), ctx.name(), name, component);
  }

  public static ObjectMeta of(String namespace, String instance, String name, Component component) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(Labels.of(instance, component))
        .build();
  }

  static ObjectMeta of(RenderContext ctx, Component component) {
    return of(ctx, Names.of(ctx.name(), component), component);
  }
}

package org.loomio.operator.render.workload;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.util.TreeMap;
import org.loomio.operator.model.Component;
import org.loomio.operator.render.base.LoomioSettings;
import org.loomio.operator.render.base.ObjectMetas;
import org.loomio.operator.render.base.RenderContext;

/** The {@code <name>-config} ConfigMap: Loomio's non-secret settings ({@link LoomioSettings}). */
public final class SettingsConfigMap {

  private SettingsConfigMap() {}

  public static ConfigMap render(RenderContext ctx) {
    return new ConfigMapBuilder()
        .withMetadata(ObjectMetas.of(ctx, Component.CONFIG))
        .withData(new TreeMap<>(ctx.settings()))
        .build();
  }
}

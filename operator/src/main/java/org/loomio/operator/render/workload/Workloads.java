package org.loomio.operator.render.workload;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Labels;
import org.loomio.operator.render.base.ObjectMetas;
import org.loomio.operator.render.base.RenderContext;

/** The Deployment around a hardened pod template: the same shape for web, worker, hocuspocus and Redis. */
final class Workloads {

  /** Old ReplicaSets kept for `kubectl rollout undo`. */
  static final int REVISION_HISTORY = 5;

  private Workloads() {}

  /** One extra pod at a time, never fewer than wanted: for anything behind a Service. */
  static DeploymentStrategy rolling() {
    return new DeploymentStrategyBuilder()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withMaxSurge(new IntOrString(1))
        .withMaxUnavailable(new IntOrString(0))
        .endRollingUpdate()
        .build();
  }

  /** The old pod stops before the new one starts: for what must never run twice. */
  static DeploymentStrategy recreate() {
    return new DeploymentStrategyBuilder().withType("Recreate").build();
  }

  static Deployment deployment(
      RenderContext ctx,
      Component component,
      int replicas,
      DeploymentStrategy strategy,
      PodTemplateSpec template) {
    // a restore holds the app at zero (web, worker, hocuspocus) while it replaces the data under
    // them;
    // isolation stops it too (the cache keeps running, cut off like everything else), and so do an
    // upgrade's
    // maintenance window and a migrate-only stepping stone; and a CloudNativePG database whose
    // Secrets do not
    // exist yet (no pod may read a Secret of that name before it is proven CloudNativePG's for this
    // stack)
    boolean held = (ctx.restoreHold().isPresent()
            || ctx.isolated()
            || ctx.appStopped()
            || ctx.databaseSecretsPending())
        && component != Component.REDIS;
    return new DeploymentBuilder()
        .withMetadata(ObjectMetas.of(ctx, component))
        .withNewSpec()
        .withReplicas(held ? 0 : replicas)
        .withRevisionHistoryLimit(REVISION_HISTORY)
        .withSelector(new LabelSelector(null, Labels.selector(ctx.name(), component)))
        .withStrategy(strategy)
        .withTemplate(template)
        .endSpec()
        .build();
  }
}

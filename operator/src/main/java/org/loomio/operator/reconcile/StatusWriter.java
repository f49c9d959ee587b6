package org.loomio.operator.reconcile;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import java.util.Objects;
import java.util.function.Supplier;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioDeploymentStatus;

/**
 * Writes the status, only when it changed, and only the status: server-side apply of a fresh object that
 * holds nothing but identity and status (production), or a JSON patch of the status (the test-only
 * non-SSA mode). The written resource goes into JOSDK's cache at once, so the next reconcile compares
 * against what was just written (no duplicate writes or events while the informer catches up).
 */
final class StatusWriter {

  private StatusWriter() {}

  /** @return true if the status was written */
  static boolean write(
      LoomioDeployment resource, LoomioDeploymentStatus status, Context<LoomioDeployment> context) {
    return write(resource, status, context, LoomioDeployment::new);
  }

  /**
   * The same for a LoomioBackup or LoomioRestore: {@code empty} makes a fresh instance of the resource's
   * class, which gets only identity and the status.
   */
  static <P extends CustomResource<?, S>, S> boolean write(
      P resource, S status, Context<P> context, Supplier<P> empty) {
    if (Objects.equals(status, resource.getStatus())) {
      return false;
    }
    boolean ssa = context
        .getControllerConfiguration()
        .getConfigurationService()
        .useSSAToPatchPrimaryResource();
    if (ssa) {
      P patch = empty.get();
      patch.setMetadata(new ObjectMetaBuilder()
          .withName(resource.getMetadata().getName())
          .withNamespace(resource.getMetadata().getNamespace())
          .build());
      patch.setSpec(null);
      patch.setStatus(status);
      PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(resource, patch, context);
    } else {
      PrimaryUpdateAndCacheUtils.patchStatusAndCacheResource(resource, context, r -> {
        r.setStatus(status);
        return r;
      });
    }
    return true;
  }

  /** A fresh object with only identity and status: the operator never sends spec or metadata back. */
  static LoomioDeployment withStatus(LoomioDeployment resource, LoomioDeploymentStatus status) {
    LoomioDeployment patch = new LoomioDeployment();
    patch.setMetadata(new ObjectMetaBuilder()
        .withName(resource.getMetadata().getName())
        .withNamespace(resource.getMetadata().getNamespace())
        .build());
    patch.setSpec(null);
    patch.setStatus(status);
    return patch;
  }
}

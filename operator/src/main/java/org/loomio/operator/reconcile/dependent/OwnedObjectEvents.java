package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.reconcile.EventRecorder;

/**
 * An Event on the LoomioDeployment for every owned object the operator creates, changes or deletes, so
 * {@code kubectl describe loomio <name>} tells what the operator did and when. A converged stack writes
 * nothing, so it records nothing.
 */
final class OwnedObjectEvents {

  private OwnedObjectEvents() {}

  static void created(LoomioDeployment primary, HasMetadata object, Context<LoomioDeployment> context) {
    new EventRecorder(context.getClient()).normal(primary, "Created", "Created " + describe(object));
  }

  static void updated(LoomioDeployment primary, HasMetadata object, Context<LoomioDeployment> context) {
    new EventRecorder(context.getClient()).normal(primary, "Updated",
        "Updated " + describe(object) + " to match the spec");
  }

  static void deleted(LoomioDeployment primary, HasMetadata object, Context<LoomioDeployment> context) {
    new EventRecorder(context.getClient()).normal(primary, "Deleted",
        "Deleted " + describe(object) + ": the spec no longer asks for it");
  }

  private static String describe(HasMetadata object) {
    return object.getKind() + " " + object.getMetadata().getName();
  }
}

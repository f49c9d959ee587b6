package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.LinkedHashMap;
import java.util.Map;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.render.Stack;

/**
 * Hands the stack rendered once per reconcile to the dependents. The reconciler renders, puts the result
 * here, then runs the workflow; every dependent's desired state is a lookup, never a second render.
 */
public final class DesiredStack {

  private DesiredStack() {}

  public static void put(
      Context<LoomioDeployment> context, Stack stack, ClusterCapabilities cluster) {
    context.managedWorkflowAndDependentResourceContext().put(Stack.class, stack);
    context.managedWorkflowAndDependentResourceContext().put(ClusterCapabilities.class, cluster);
  }

  public static Stack of(Context<LoomioDeployment> context) {
    return context
        .managedWorkflowAndDependentResourceContext()
        .getMandatory(Stack.class, Stack.class);
  }

  public static ClusterCapabilities cluster(Context<LoomioDeployment> context) {
    return context
        .managedWorkflowAndDependentResourceContext()
        .get(ClusterCapabilities.class, ClusterCapabilities.class)
        .orElseThrow(() ->
            new IllegalStateException("cluster capabilities are put before the workflow runs"));
  }

  /** The stack's objects of one type, keyed as JOSDK's bulk dependents key them. */
  public static <R extends HasMetadata> Map<ResourceID, R> objects(
      Context<LoomioDeployment> context, Class<R> type) {
    Map<ResourceID, R> byId = new LinkedHashMap<>();
    for (R r : of(context).all(type)) {
      byId.put(ResourceID.fromResource(r), r);
    }
    return byId;
  }
}

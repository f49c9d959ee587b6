package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.dependent.BulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.KubernetesBulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.Matcher.Result;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Map;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;

/**
 * Owned objects of one kind that are created when missing and then left alone: never updated, never
 * deleted by reconciliation. Subclasses say how an object is tied to its LoomioDeployment.
 */
public abstract class CreateOnlyBulkDependent<R extends HasMetadata>
    extends KubernetesDependentResource<R, LoomioDeployment>
    implements BulkDependentResource<R, LoomioDeployment, ResourceID>,
        Creator<R, LoomioDeployment>,
        KubernetesBulkDependentResource<R, LoomioDeployment>,
        SecondaryToPrimaryMapper<R> {

  protected CreateOnlyBulkDependent(Class<R> type) {
    super(type);
  }

  /** The informer's cache keeps no managedFields: a created-once object is never matched ({@link CacheTrim}). */
  @Override
  protected InformerEventSource<R, LoomioDeployment> createEventSource(
      EventSourceContext<LoomioDeployment> context) {
    CacheTrim.withStore(configuration(), context, CacheTrim::readOnly)
        .ifPresent(this::configureWith);
    return super.createEventSource(context);
  }

  @Override
  public Map<ResourceID, R> desiredResources(
      LoomioDeployment primary, Context<LoomioDeployment> context) {
    return DesiredStack.objects(context, resourceType());
  }

  @Override
  protected void onCreated(LoomioDeployment primary, R created, Context<LoomioDeployment> context) {
    super.onCreated(primary, created, context);
    OwnedObjectEvents.created(created, context);
  }

  /**
   * An existing object always counts as matching, so it is never updated. (JOSDK 5.2's bulk reconciler
   * would otherwise call update on a creator-only dependent.)
   */
  @Override
  public Result<R> match(
      R actual, R desired, LoomioDeployment primary, Context<LoomioDeployment> context) {
    return Result.computed(true, desired);
  }
}

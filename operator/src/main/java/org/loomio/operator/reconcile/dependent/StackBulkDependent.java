package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;
import io.javaoperatorsdk.operator.processing.dependent.CRUDKubernetesBulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.KubernetesBulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.util.Map;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.client.Preconditioned;
import org.loomio.operator.render.base.Ownership;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All owned objects of one kind: created, updated (server-side apply in production) and deleted when the
 * stack no longer wants them (a component switched off). Each carries an owner reference to the
 * LoomioDeployment, so the garbage collector removes them with it. The desired objects come from the
 * rendered {@link org.loomio.operator.render.Stack}; nothing is decided here.
 */
public abstract class StackBulkDependent<R extends HasMetadata>
    extends KubernetesDependentResource<R, LoomioDeployment>
    implements CRUDKubernetesBulkDependentResource<R, LoomioDeployment>,
        KubernetesBulkDependentResource<R, LoomioDeployment>,
        GarbageCollected<LoomioDeployment> {

  private static final Logger LOG = LoggerFactory.getLogger(StackBulkDependent.class);

  protected StackBulkDependent(Class<R> type) {
    super(type);
  }

  /**
   * The informer's cache keeps the operator's own managedFields entry, which the server-side-apply matcher reads, and
   * nothing of any other manager ({@link CacheTrim}); the add events of objects that existed before the informer do
   * not reconcile ({@link PreexistingAdds}).
   */
  @Override
  protected InformerEventSource<R, LoomioDeployment> createEventSource(
      EventSourceContext<LoomioDeployment> context) {
    CacheTrim.withStore(configuration(), context, CacheTrim::owned).ifPresent(this::configureWith);
    PreexistingAdds.filtered(configuration(), Clock.systemUTC()).ifPresent(this::configureWith);
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

  @Override
  protected void onUpdated(
      LoomioDeployment primary, R updated, R actual, Context<LoomioDeployment> context) {
    super.onUpdated(primary, updated, actual, context);
    OwnedObjectEvents.updated(updated, context);
  }

  /**
   * Deletes an object the stack no longer wants, only if it is the stack's own (labels and an owner reference to
   * this resource's UID) and only that very object (a UID precondition): an object that merely shares the name
   * or the labels is left alone.
   */
  @Override
  public void deleteTargetResource(
      LoomioDeployment primary, R resource, ResourceID key, Context<LoomioDeployment> context) {
    if (!Ownership.ours(Ownership.owned(
        resource, primary.getMetadata().getName(), primary.getMetadata().getUid()))) {
      LOG.warn(
          "{}/{}: not deleting {}: it is not this stack's own",
          primary.getMetadata().getNamespace(),
          primary.getMetadata().getName(),
          Ownership.describe(resource));
      return;
    }
    if (Preconditioned.delete(context.getClient(), resource)) {
      OwnedObjectEvents.deleted(resource, context);
    }
  }
}

package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.BulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.KubernetesBulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.Matcher.Result;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import java.util.Map;
import java.util.Set;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.render.Labels;

/**
 * The data PersistentVolumeClaims ({@link org.loomio.operator.render.DataVolumeClaims}). Created when
 * missing, never updated or deleted here, and without an owner reference, so the garbage collector keeps
 * them when the LoomioDeployment goes. They are found by their labels (instance name), which is also how a
 * new LoomioDeployment of the same name takes them over.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class DataVolumeClaimsDependent extends KubernetesDependentResource<PersistentVolumeClaim, LoomioDeployment>
    implements BulkDependentResource<PersistentVolumeClaim, LoomioDeployment, ResourceID>,
        Creator<PersistentVolumeClaim, LoomioDeployment>,
        KubernetesBulkDependentResource<PersistentVolumeClaim, LoomioDeployment>,
        SecondaryToPrimaryMapper<PersistentVolumeClaim> {

  public DataVolumeClaimsDependent() {
    super(PersistentVolumeClaim.class);
  }

  @Override
  public Map<ResourceID, PersistentVolumeClaim> desiredResources(LoomioDeployment primary,
      Context<LoomioDeployment> context) {
    return DesiredStack.objects(context, PersistentVolumeClaim.class);
  }

  /** No owner reference and no extra annotations: the labels already name the stack. */
  @Override
  protected void addReferenceHandlingMetadata(PersistentVolumeClaim desired, LoomioDeployment primary) {
  }

  /**
   * An existing object always counts as matching: it is never updated. (JOSDK 5.2's bulk reconciler
   * would otherwise call update on a creator-only dependent.)
   */
  @Override
  public Result<PersistentVolumeClaim> match(PersistentVolumeClaim actual, PersistentVolumeClaim desired, LoomioDeployment primary, Context<LoomioDeployment> context) {
    return Result.computed(true, desired);
  }

  @Override
  public Set<ResourceID> toPrimaryResourceIDs(PersistentVolumeClaim claim) {
    return InstanceLabel.toPrimary(claim);
  }
}

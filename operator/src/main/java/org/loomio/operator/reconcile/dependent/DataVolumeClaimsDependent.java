package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Set;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.Labels;

/**
 * The data PersistentVolumeClaims ({@link org.loomio.operator.render.workload.DataVolumeClaims}). Created when
 * missing, never updated or deleted here, and without an owner reference, so the garbage collector keeps
 * them when the LoomioDeployment goes. They are found by their labels (instance name), which is also how a
 * new LoomioDeployment of the same name takes them over.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class DataVolumeClaimsDependent extends CreateOnlyBulkDependent<PersistentVolumeClaim> {

  public DataVolumeClaimsDependent() {
    super(PersistentVolumeClaim.class);
  }

  /** No owner reference and no extra annotations: the labels already name the stack. */
  @Override
  protected void addReferenceHandlingMetadata(
      PersistentVolumeClaim desired, LoomioDeployment primary) {}

  @Override
  public Set<ResourceID> toPrimaryResourceIDs(PersistentVolumeClaim claim) {
    return InstanceLabel.toPrimary(claim);
  }
}

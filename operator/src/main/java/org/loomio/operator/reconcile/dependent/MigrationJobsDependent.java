package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.util.Set;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.Labels;

/**
 * The migration Jobs ({@link org.loomio.operator.render.workload.MigrationJob}). Created only: a Job's pod template
 * is immutable, so a new image or database gets a new Job (its name carries their hash), and earlier Jobs
 * stay as the record of earlier migrations until the LoomioDeployment is deleted (owner reference).
 */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class MigrationJobsDependent extends CreateOnlyBulkDependent<Job> {

  private final SecondaryToPrimaryMapper<Job> byOwner =
      Mappers.fromOwnerReferences(LoomioDeployment.class, false);

  public MigrationJobsDependent() {
    super(Job.class);
  }

  /** Owned (garbage-collected with the stack) although never deleted by reconciliation. */
  @Override
  protected boolean addOwnerReference() {
    return true;
  }

  @Override
  public Set<ResourceID> toPrimaryResourceIDs(Job job) {
    return byOwner.toPrimaryResourceIDs(job);
  }
}

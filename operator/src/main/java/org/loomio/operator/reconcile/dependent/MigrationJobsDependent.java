package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
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
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.util.Map;
import java.util.Set;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.render.Labels;

/**
 * The migration Jobs ({@link org.loomio.operator.render.MigrationJob}). Created only: a Job's pod template
 * is immutable, so a new image or database gets a new Job (its name carries their hash), and earlier Jobs
 * stay as the record of earlier migrations until the LoomioDeployment is deleted (owner reference).
 */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class MigrationJobsDependent extends KubernetesDependentResource<Job, LoomioDeployment>
    implements BulkDependentResource<Job, LoomioDeployment, ResourceID>, Creator<Job, LoomioDeployment>,
        KubernetesBulkDependentResource<Job, LoomioDeployment>, SecondaryToPrimaryMapper<Job> {

  private final SecondaryToPrimaryMapper<Job> byOwner = Mappers.fromOwnerReferences(LoomioDeployment.class, false);

  public MigrationJobsDependent() {
    super(Job.class);
  }

  @Override
  public Map<ResourceID, Job> desiredResources(LoomioDeployment primary, Context<LoomioDeployment> context) {
    return DesiredStack.objects(context, Job.class);
  }

  /** Owned (garbage-collected with the stack) but never deleted by reconciliation. */
  @Override
  protected boolean addOwnerReference() {
    return true;
  }

  /**
   * An existing object always counts as matching: it is never updated. (JOSDK 5.2's bulk reconciler
   * would otherwise call update on a creator-only dependent.)
   */
  @Override
  public Result<Job> match(Job actual, Job desired, LoomioDeployment primary, Context<LoomioDeployment> context) {
    return Result.computed(true, desired);
  }

  @Override
  public Set<ResourceID> toPrimaryResourceIDs(Job job) {
    return byOwner.toPrimaryResourceIDs(job);
  }
}

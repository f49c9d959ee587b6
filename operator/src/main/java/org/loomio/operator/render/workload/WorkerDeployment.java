package org.loomio.operator.render.workload;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Defaults;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.render.pod.Expansion;
import org.loomio.operator.render.pod.HardenedPod;

/**
 * The worker Deployment ({@code TASK=worker}: Solid Queue's {@code bin/jobs start}). At most one pod, and
 * it is replaced with Recreate, because the stock queue configuration runs one group-destruction worker
 * per container and two must never run at once. No probes: Solid Queue has no health endpoint (a recorded
 * hardening exception).
 */
public final class WorkerDeployment {

  private WorkerDeployment() {}

  public static Deployment render(RenderContext ctx) {
    ResolvedSpec spec = ctx.spec();
    ResolvedSpec.Workload worker = spec.worker();
    ContainerBuilder main = RailsContainer.base(ctx, "worker", worker.resources())
        .addToEnv(Expansion.env("TASK", "worker"))
        .addToEnv(Expansion.env("JOB_CONCURRENCY", Integer.toString(spec.workerConcurrency())));

    HardenedPod pod = HardenedPod.of(ctx, Component.WORKER)
        .options(worker.pod())
        .initContainer(RailsContainer.waitForMigrations(ctx, worker.resources()))
        .terminationGracePeriodSeconds(Defaults.WORKER_TERMINATION_GRACE_SECONDS);
    RailsContainer.scratch(ctx, ctx.servingImage()).forEach(pod::scratch);
    RailsContainer.volumes(ctx).forEach(pod::volume);
    RailsContainer.mountUploads(ctx, pod, main);
    pod.container(main.build());

    return Workloads.deployment(
        ctx, Component.WORKER, worker.replicas(), Workloads.recreate(), pod.build());
  }
}

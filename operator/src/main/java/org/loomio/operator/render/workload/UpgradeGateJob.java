package org.loomio.operator.render.workload;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Defaults;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.ObjectMetas;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.render.base.UpgradeGate;
import org.loomio.operator.render.pod.HardenedPod;

/**
 * A version gate Job ({@code <name>-upgrade-gate-<8 hex>}): a one-off check that runs on the old image, against
 * the live database, before an upgrade that crosses a gated version may migrate. Loomio 3.3's migration aborts
 * while anonymous stance polls remain (loomio-stack.md §4.4), so the check counts them on 3.2 and fails with
 * the count: the upgrade waits, nothing is migrated. Like the migration Job it is created once, never updated,
 * and kept as the record.
 */
public final class UpgradeGateJob {

  /** Rails runner script of the 3.3 gate: writes the count to the termination message, exits 1 unless 0. */
  static final String ANONYMOUS_POLLS_CHECK =
      "n = Poll.where(anonymous: true, voting_system: :stance).count; "
          + "File.write('/dev/termination-log', \"#{n} anonymous stance polls remain\"); "
          + "exit(n.zero? ? 0 : 1)";

  private UpgradeGateJob() {}

  public static Job render(RenderContext ctx, UpgradeGate gate) {
    ResolvedSpec spec = ctx.spec();
    ContainerBuilder check = RailsContainer.base(ctx, "check", spec.web().resources())
        .withImage(gate.from().reference())
        .withCommand("bundle", "exec", "rails", "runner", ANONYMOUS_POLLS_CHECK)
        .withTerminationMessagePolicy("FallbackToLogsOnError");
    HardenedPod pod = HardenedPod.of(ctx, Component.UPGRADE_GATE)
        .runToCompletion()
        .options(spec.web().pod());
    RailsContainer.scratch(ctx, gate.from()).forEach(pod::scratch);
    RailsContainer.volumes(ctx).forEach(pod::volume);
    pod.container(check.build());
    return new JobBuilder()
        .withMetadata(ObjectMetas.of(ctx, gate.jobName(ctx.name()), Component.UPGRADE_GATE))
        .withNewSpec()
        // a verdict, not a retry loop: a failed check fails at once and says why
        .withBackoffLimit(0)
        .withActiveDeadlineSeconds(Defaults.GATE_ACTIVE_DEADLINE_SECONDS)
        .withTemplate(pod.build())
        .endSpec()
        .build();
  }
}

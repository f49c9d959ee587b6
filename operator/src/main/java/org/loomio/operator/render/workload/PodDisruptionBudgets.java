package org.loomio.operator.render.workload;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.ObjectMetas;
import org.loomio.operator.render.base.OlderApis;
import org.loomio.operator.render.base.RenderContext;

/**
 * A PodDisruptionBudget (policy/v1) for every component running two or more pods (rule R26): at most one
 * pod of it evicted at a time, and unhealthy pods always evictable so a broken pod never blocks a node
 * drain. Before 1.21 it is a policy/v1beta1 PodDisruptionBudget (the same budget: the selector is always
 * set, so v1beta1's "an empty selector selects nothing" never matters); left out, and reported through
 * APIAvailable, where the cluster serves neither, and the field where the cluster lacks it (before 1.27).
 */
public final class PodDisruptionBudgets {

  private PodDisruptionBudgets() {}

  public static List<HasMetadata> render(RenderContext ctx) {
    List<HasMetadata> budgets = new ArrayList<>();
    ResolvedSpec spec = ctx.spec();
    budget(ctx, Component.WEB, spec.web().replicas(), budgets);
    if (spec.hocuspocusEnabled()) {
      budget(ctx, Component.HOCUSPOCUS, spec.hocuspocus().replicas(), budgets);
    }
    return budgets;
  }

  private static void budget(
      RenderContext ctx, Component component, int replicas, List<HasMetadata> out) {
    if (replicas < 2) {
      return;
    }
    Optional<String> api = ctx.cluster().podDisruptionBudgetApi();
    if (api.isEmpty()) {
      ctx.omit(
          "policy/v1 PodDisruptionBudget",
          component.label() + " runs " + replicas + " pods without a PodDisruptionBudget");
      return;
    }
    PodDisruptionBudgetBuilder b = new PodDisruptionBudgetBuilder()
        .withMetadata(ObjectMetas.of(ctx, component))
        .withNewSpec()
        .withMaxUnavailable(new IntOrString(1))
        .withSelector(new LabelSelector(null, Labels.selector(ctx.name(), component)))
        .endSpec();
    if (ctx.cluster().hasPdbUnhealthyPodEvictionPolicy()) {
      b.editSpec().withUnhealthyPodEvictionPolicy("AlwaysAllow").endSpec();
    } else {
      ctx.omit(
          "PodDisruptionBudget.spec.unhealthyPodEvictionPolicy (Kubernetes 1.27)",
          "an unhealthy " + component.label() + " pod can block a node drain");
    }
    PodDisruptionBudget budget = b.build();
    out.add(
        api.get().equals(ClusterCapabilities.PDB_V1)
            ? budget
            : OlderApis.podDisruptionBudgetV1beta1(budget));
  }
}

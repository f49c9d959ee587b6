package org.loomio.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loomio.operator.testing.Fixtures;

class PodDisruptionBudgetsTest {

  private static final String SCALED = """
      host: a.example.org
      web: {replicas: 3}
      hocuspocus: {replicas: 2}
      storage: {volume: {accessMode: ReadWriteMany}}
      """;

  private static RenderContext context(String spec, String version) {
    var r = Fixtures.resource("team", spec);
    return new RenderContext(r, ClusterCapabilities.forVersion(version), Fixtures.credentials(r), SecretDigests.none());
  }

  @Test
  void oneBudgetPerComponentWithTwoOrMorePods() {
    List<PodDisruptionBudget> budgets = PodDisruptionBudgets.render(context(SCALED, "1.30"));
    assertThat(budgets).extracting(b -> b.getMetadata().getName()).containsExactly("team-web", "team-hocuspocus");
    assertThat(budgets).allSatisfy(b -> {
      assertThat(b.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
      assertThat(b.getSpec().getMinAvailable()).isNull();
      assertThat(b.getSpec().getUnhealthyPodEvictionPolicy()).isEqualTo("AlwaysAllow");
    });
    assertThat(PodDisruptionBudgets.render(context("host: a.example.org", "1.30"))).isEmpty();
  }

  @Test
  void leftOutAndReportedWhereTheClusterCannotHoldIt() {
    RenderContext v120 = context(SCALED, "1.20");
    assertThat(PodDisruptionBudgets.render(v120)).isEmpty();
    assertThat(v120.omissions()).extracting(Omission::api).containsOnly("policy/v1 PodDisruptionBudget");
    assertThat(v120.omissions()).extracting(Omission::consequence)
        .containsExactly("web runs 3 pods without a PodDisruptionBudget", "hocuspocus runs 2 pods without a PodDisruptionBudget");

    RenderContext v125 = context(SCALED, "1.25");
    assertThat(PodDisruptionBudgets.render(v125)).hasSize(2)
        .allSatisfy(b -> assertThat(b.getSpec().getUnhealthyPodEvictionPolicy()).isNull());
    assertThat(v125.omissions()).extracting(Omission::api)
        .allMatch(api -> api.startsWith("PodDisruptionBudget.spec.unhealthyPodEvictionPolicy"));
  }
}

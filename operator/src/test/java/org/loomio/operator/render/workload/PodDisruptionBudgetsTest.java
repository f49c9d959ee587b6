package org.loomio.operator.render.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.SecretDigests;
import org.loomio.operator.render.base.Omission;
import org.loomio.operator.render.base.RenderContext;
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
    return new RenderContext(
        r, ClusterCapabilities.forVersion(version), Fixtures.credentials(r), SecretDigests.none());
  }

  @Test
  void oneBudgetPerComponentWithTwoOrMorePods() {
    List<PodDisruptionBudget> budgets =
        PodDisruptionBudgets.render(context(SCALED, "1.30")).stream()
            .map(PodDisruptionBudget.class::cast)
            .toList();
    assertThat(budgets)
        .extracting(b -> b.getMetadata().getName())
        .containsExactly("team-web", "team-hocuspocus");
    assertThat(budgets).allSatisfy(b -> {
      assertThat(b.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
      assertThat(b.getSpec().getMinAvailable()).isNull();
      assertThat(b.getSpec().getUnhealthyPodEvictionPolicy()).isEqualTo("AlwaysAllow");
    });
    assertThat(PodDisruptionBudgets.render(context("host: a.example.org", "1.30")))
        .isEmpty();
  }

  @Test
  void kubernetes120GetsTheSameBudgetsAsPolicyV1beta1() {
    RenderContext v120 = context(SCALED, "1.20");
    List<HasMetadata> budgets = PodDisruptionBudgets.render(v120);
    assertThat(budgets).allSatisfy(b -> {
      assertThat(b)
          .isInstanceOf(io.fabric8.kubernetes.api.model.policy.v1beta1.PodDisruptionBudget.class);
      assertThat(b.getApiVersion()).isEqualTo("policy/v1beta1");
      assertThat(Fixtures.additionalProperties(b))
          .as("fields policy/v1beta1 does not have")
          .isEmpty();
    });
    assertThat(budgets)
        .extracting(b -> b.getMetadata().getName())
        .containsExactly("team-web", "team-hocuspocus");
    var web = (io.fabric8.kubernetes.api.model.policy.v1beta1.PodDisruptionBudget) budgets.get(0);
    assertThat(web.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(web.getSpec().getSelector().getMatchLabels())
        .isEqualTo(Labels.selector("team", Component.WEB))
        .isNotEmpty();
    assertThat(v120.omissions())
        .extracting(Omission::api)
        .containsOnly("PodDisruptionBudget.spec.unhealthyPodEvictionPolicy (Kubernetes 1.27)");
  }

  @Test
  void leftOutAndReportedWhereTheClusterCannotHoldIt() {
    // a server serving neither policy/v1 nor policy/v1beta1
    var r = Fixtures.resource("team", SCALED);
    RenderContext none = new RenderContext(
        r,
        new ClusterCapabilities(1, 26, java.util.Set.of()),
        Fixtures.credentials(r),
        SecretDigests.none());
    assertThat(PodDisruptionBudgets.render(none)).isEmpty();
    assertThat(none.omissions())
        .extracting(Omission::api)
        .containsOnly("policy/v1 PodDisruptionBudget");
    assertThat(none.omissions())
        .extracting(Omission::consequence)
        .containsExactly(
            "web runs 3 pods without a PodDisruptionBudget",
            "hocuspocus runs 2 pods without a PodDisruptionBudget");

    RenderContext v125 = context(SCALED, "1.25");
    assertThat(PodDisruptionBudgets.render(v125))
        .hasSize(2)
        .allSatisfy(
            b -> assertThat(((PodDisruptionBudget) b).getSpec().getUnhealthyPodEvictionPolicy())
                .isNull());
    assertThat(v125.omissions())
        .extracting(Omission::api)
        .allMatch(api -> api.startsWith("PodDisruptionBudget.spec.unhealthyPodEvictionPolicy"));
  }
}

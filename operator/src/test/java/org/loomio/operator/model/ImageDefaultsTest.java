package org.loomio.operator.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import org.junit.jupiter.api.Test;
import org.loomio.operator.render.Stack;
import org.loomio.operator.render.StackRenderer;
import org.loomio.operator.testing.Fixtures;

class ImageDefaultsTest {

  private static final String DIGEST = "sha256:" + "b".repeat(64);
  private static final ImageDefaults MIRROR = new ImageDefaults(
      ImageDefaults.Ref.parse("registry.example.org:5000/mirror/loomio:3.5.2@" + DIGEST),
      "registry.example.org:5000/mirror/postgres",
      ImageDefaults.Ref.parse("registry.example.org:5000/mirror/redis:8.4"));

  @Test
  void parsesReferencesWithRegistryPortsAndDigests() {
    ImageDefaults.Ref ref =
        ImageDefaults.Ref.parse("registry.example.org:5000/mirror/loomio:3.5.2@" + DIGEST);
    assertThat(ref.repository()).isEqualTo("registry.example.org:5000/mirror/loomio");
    assertThat(ref.tag()).isEqualTo("3.5.2");
    assertThat(ref.digest()).isEqualTo(DIGEST);
    assertThat(ref).hasToString("registry.example.org:5000/mirror/loomio:3.5.2@" + DIGEST);
  }

  @Test
  void refusesReferencesWithoutTagOrWithBadParts() {
    assertThatThrownBy(() -> ImageDefaults.Ref.parse("registry.example.org:5000/loomio"))
        .hasMessageContaining("a tag is required");
    assertThatThrownBy(() -> ImageDefaults.Ref.parse("loomio/loomio:3.5@sha256:abc"))
        .hasMessageContaining("digest");
    assertThatThrownBy(() -> ImageDefaults.Ref.parse("Loomio/Loomio:3.5"))
        .hasMessageContaining("repository");
    assertThatThrownBy(() -> new ImageDefaults(
            ImageDefaults.BUILT_IN.loomio(), "postgres:17", ImageDefaults.BUILT_IN.redis()))
        .hasMessageContaining("without a tag");
  }

  @Test
  void operatorDefaultsApplyWhereTheSpecNamesNoImage() {
    Stack stack = StackRenderer.renderForDisplay(
        Fixtures.minimal("team"), MIRROR, ClusterCapabilities.newest());
    Deployment web = stack.get(Deployment.class, "team-web").orElseThrow();
    var container = web.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getImage())
        .isEqualTo("registry.example.org:5000/mirror/loomio:3.5.2@" + DIGEST);
    assertThat(container.getImagePullPolicy()).isEqualTo("Always");
    StatefulSet postgres = stack.all(StatefulSet.class).get(0);
    assertThat(postgres.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .as("the PostgreSQL tag stays the data's major version")
        .isEqualTo("registry.example.org:5000/mirror/postgres:17");
    Deployment redis = stack.get(Deployment.class, "team-redis").orElseThrow();
    assertThat(redis.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("registry.example.org:5000/mirror/redis:8.4");
  }

  @Test
  void theSpecWinsAndADefaultDigestNeverSticksToAnotherImage() {
    ResolvedSpec tagOnly = ResolvedSpec.of(
        Fixtures.resource("team", "host: a.example.org\nimage: {tag: \"3.6\"}"), MIRROR);
    assertThat(tagOnly.loomioImage()).isEqualTo("registry.example.org:5000/mirror/loomio:3.6");
    assertThat(tagOnly.loomioPullPolicy()).isEqualTo("IfNotPresent");
    ResolvedSpec own = ResolvedSpec.of(
        Fixtures.resource(
            "team",
            "host: a.example.org\nimage: {repository: example/loomio, tag: \"3.5\"}\n"
                + "redis: {embedded: {image: {tag: \"7.4\"}}}"),
        MIRROR);
    assertThat(own.loomioImage()).isEqualTo("example/loomio:3.5");
    assertThat(own.redisImage()).isEqualTo("registry.example.org:5000/mirror/redis:7.4");
  }
}

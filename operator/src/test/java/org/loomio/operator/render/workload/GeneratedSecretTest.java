package org.loomio.operator.render.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Credentials;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.Stack;
import org.loomio.operator.render.StackRenderer;
import org.loomio.operator.testing.Fixtures;

class GeneratedSecretTest {

  @Test
  void holdsTheGivenValuesAndNoOwner() {
    ResolvedSpec spec = ResolvedSpec.of(Fixtures.minimal("team"), ImageDefaults.BUILT_IN);
    Secret s = GeneratedSecret.render(spec, Map.of("SECRET_KEY_BASE", "abc"));
    assertThat(s.getMetadata().getName()).isEqualTo("team-secrets");
    assertThat(s.getType()).isEqualTo("Opaque");
    assertThat(new String(Base64.getDecoder().decode(s.getData().get("SECRET_KEY_BASE"))))
        .isEqualTo("abc");
    assertThat(s.getMetadata().getOwnerReferences()).isNullOrEmpty();
    assertThat(s.getMetadata().getLabels()).containsEntry(Labels.COMPONENT, "secrets");
  }

  @Test
  void displayFormShowsOnlyPlaceholders() {
    var r = Fixtures.minimal("team");
    Stack stack = StackRenderer.renderForDisplay(r, ClusterCapabilities.newest());
    Secret s = stack.get(Secret.class, "team-secrets").orElseThrow();
    assertThat(s.getData()).isNullOrEmpty();
    assertThat(s.getStringData())
        .containsOnlyKeys(Credentials.requiredKeys(ResolvedSpec.of(r, ImageDefaults.BUILT_IN))
            .toArray(String[]::new));
    assertThat(s.getStringData().values()).containsOnly(Credentials.PLACEHOLDER);
  }

  @Test
  void noSecretAtAllWithAnExistingOne() {
    Stack stack = StackRenderer.renderForDisplay(
        Fixtures.resource("team", "host: a.example.org\nsecrets: {existingSecret: mine}"),
        ClusterCapabilities.newest());
    assertThat(stack.all(Secret.class)).isEmpty();
  }
}

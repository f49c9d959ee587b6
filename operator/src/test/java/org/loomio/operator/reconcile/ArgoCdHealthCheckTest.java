package org.loomio.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioDeploymentStatus;
import org.loomio.operator.render.Stack;
import org.loomio.operator.status.DegradedReason;
import org.loomio.operator.testing.Fixtures;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * The Argo CD health check (examples/argocd/health.lua), run by a Lua interpreter over statuses the
 * operator's own {@link StatusAggregator} writes: Healthy exactly when Ready, Degraded exactly when
 * Degraded, Progressing otherwise. The copy in argocd-cm-patch.yaml must be the same Lua.
 */
class ArgoCdHealthCheckTest {

  private static final Path DIR = Fixtures.examplesDir().resolve("argocd");
  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

  private final LoomioDeployment resource = Fixtures.minimal("team");
  private final Stack stack = Fixtures.render(resource);

  record Health(String status, String message) {}

  private static Health health(LoomioDeployment r) throws IOException {
    Globals globals = JsePlatform.standardGlobals();
    @SuppressWarnings("unchecked")
    Map<String, Object> obj = Serialization.jsonMapper().convertValue(r, Map.class);
    globals.set("obj", lua(obj));
    LuaValue hs =
        globals.load(Files.readString(DIR.resolve("health.lua")), "health.lua").call();
    return new Health(hs.get("status").tojstring(), hs.get("message").tojstring());
  }

  private static LuaValue lua(Object o) {
    if (o instanceof Map<?, ?> m) {
      LuaTable t = new LuaTable();
      m.forEach((k, v) -> t.set(k.toString(), lua(v)));
      return t;
    }
    if (o instanceof List<?> l) {
      LuaTable t = new LuaTable();
      for (int i = 0; i < l.size(); i++) {
        t.set(i + 1, lua(l.get(i)));
      }
      return t;
    }
    if (o instanceof Number n) {
      return LuaValue.valueOf(n.doubleValue());
    }
    if (o instanceof Boolean b) {
      return LuaValue.valueOf(b);
    }
    return o == null ? LuaValue.NIL : LuaValue.valueOf(o.toString());
  }

  private LoomioDeployment with(LoomioDeploymentStatus status) {
    LoomioDeployment r = Fixtures.minimal("team");
    r.setStatus(status);
    return r;
  }

  private StatusAggregator.Observed allReady() {
    Map<String, Deployment> deployments = new HashMap<>();
    for (Deployment d : stack.all(Deployment.class)) {
      int n = d.getSpec().getReplicas();
      deployments.put(
          d.getMetadata().getName(),
          new DeploymentBuilder(d)
              .editMetadata()
              .withGeneration(1L)
              .endMetadata()
              .withNewStatus()
              .withObservedGeneration(1L)
              .withReplicas(n)
              .withUpdatedReplicas(n)
              .withReadyReplicas(n)
              .withAvailableReplicas(n)
              .endStatus()
              .build());
    }
    Map<String, StatefulSet> sets = new HashMap<>();
    for (StatefulSet s : stack.all(StatefulSet.class)) {
      sets.put(
          s.getMetadata().getName(),
          new StatefulSetBuilder(s)
              .editMetadata()
              .withGeneration(1L)
              .endMetadata()
              .withNewStatus()
              .withObservedGeneration(1L)
              .withReplicas(1)
              .withReadyReplicas(1)
              .withCurrentRevision("r1")
              .withUpdateRevision("r1")
              .endStatus()
              .build());
    }
    Job job = new JobBuilder(stack.all(Job.class).get(0))
        .withNewStatus()
        .withSucceeded(1)
        .endStatus()
        .build();
    return new StatusAggregator.Observed(deployments, sets, Optional.of(job));
  }

  @Test
  void noStatusYetIsProgressing() throws IOException {
    assertThat(health(Fixtures.minimal("team")).status()).isEqualTo("Progressing");
  }

  @Test
  void aStackThatIsStartingIsProgressingWithWhatItWaitsFor() throws IOException {
    LoomioDeploymentStatus s = StatusAggregator.applied(
        resource, stack, new StatusAggregator.Observed(Map.of(), Map.of(), Optional.empty()), T0);
    Health h = health(with(s));
    assertThat(h.status()).isEqualTo("Progressing");
    assertThat(h.message()).isNotBlank().isNotEqualTo("Waiting for the operator");
  }

  @Test
  void aReadyStackIsHealthy() throws IOException {
    Health h = health(with(StatusAggregator.applied(resource, stack, allReady(), T0)));
    assertThat(h.status()).isEqualTo("Healthy");
  }

  @Test
  void aBlockedOrFailingStackIsDegradedWithTheReason() throws IOException {
    Health invalid = health(with(StatusAggregator.blocked(
        resource, DegradedReason.INVALID_SPEC.value(), "spec.host: not a host", T0)));
    assertThat(invalid.status()).isEqualTo("Degraded");
    assertThat(invalid.message()).isEqualTo("InvalidSpec: spec.host: not a host");
    Health failed =
        health(with(StatusAggregator.failed(resource, "applying the stack failed: 500", T0)));
    assertThat(failed.status()).isEqualTo("Degraded");
  }

  @Test
  void aSpecTheOperatorHasNotSeenYetIsProgressingEvenIfTheOldOneWasReady() throws IOException {
    LoomioDeployment r = with(StatusAggregator.applied(resource, stack, allReady(), T0));
    r.getMetadata().setGeneration(2L);
    Health h = health(r);
    assertThat(h.status()).isEqualTo("Progressing");
    assertThat(h.message()).contains("generation 2");
  }

  @Test
  void theArgoCdConfigMapPatchCarriesTheSameLua() throws IOException {
    @SuppressWarnings("unchecked")
    Map<String, Object> patch =
        Serialization.unmarshal(Files.readString(DIR.resolve("argocd-cm-patch.yaml")), Map.class);
    @SuppressWarnings("unchecked")
    Map<String, String> data = (Map<String, String>) patch.get("data");
    assertThat(data.get("resource.customizations.health.loomio.org_LoomioDeployment"))
        .isEqualTo(Files.readString(DIR.resolve("health.lua")));
  }
}

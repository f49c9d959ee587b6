package org.loomio.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.LoomioImage;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.model.SecretDigests;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.render.base.Rotation;
import org.loomio.operator.render.base.UpgradeGate;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.testing.HardeningChecklist;
import org.loomio.operator.testing.Normalized;

/** The render side of day-2 operations: isolation, upgrades (images, gate Job) and the rotation Job. */
class DayTwoRenderTest {

  private static final String SPEC = """
      host: team.example.org
      ingress: {className: nginx, tls: {clusterIssuer: letsencrypt}}
      storage: {s3: {endpoint: "https://s3.example.com", bucket: up, region: eu, credentialsSecretRef: {name: s3}}}
      web: {replicas: 2}
      """;

  private static Stack render(String spec, java.util.function.UnaryOperator<RenderContext> with) {
    LoomioDeployment r = Fixtures.resource("team", spec);
    ResolvedSpec resolved = ResolvedSpec.of(r, ImageDefaults.BUILT_IN);
    return StackRenderer.render(with.apply(new RenderContext(
            resolved, ClusterCapabilities.newest(), Fixtures.credentials(r), SecretDigests.none())
        .withBackupPublicKey("KEY")));
  }

  private static Map<String, Integer> replicas(Stack stack) {
    return stack.all(Deployment.class).stream()
        .collect(
            Collectors.toMap(d -> d.getMetadata().getName(), d -> d.getSpec().getReplicas()));
  }

  private static List<String> names(List<? extends HasMetadata> objects) {
    return objects.stream().map(o -> o.getMetadata().getName()).toList();
  }

  @Test
  void isolationLeavesOnlyTheDenyPolicyStopsTheAppRemovesTheEdgeAndPausesBackups() {
    Stack open = render(SPEC, c -> c);
    Stack isolated = render(SPEC + "isolation: true\n", c -> c);

    assertThat(names(open.all(NetworkPolicy.class)))
        .contains("team-default-deny", "team-web", "team-postgres");
    assertThat(isolated.all(NetworkPolicy.class)).singleElement().satisfies(p -> {
      assertThat(p.getMetadata().getName()).isEqualTo("team-default-deny");
      assertThat(p.getSpec().getPodSelector().getMatchLabels())
          .isEqualTo(Map.of(Labels.INSTANCE, "team"));
      assertThat(p.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
      assertThat(p.getSpec().getIngress()).isNullOrEmpty();
      assertThat(p.getSpec().getEgress()).isNullOrEmpty();
    });
    // the very same deny policy as in the open stack: isolating never opens a gap by replacing it
    assertThat(Normalized.yaml(
            isolated.get(NetworkPolicy.class, "team-default-deny").get()))
        .isEqualTo(
            Normalized.yaml(open.get(NetworkPolicy.class, "team-default-deny").get()));

    assertThat(replicas(open))
        .containsEntry("team-web", 2)
        .containsEntry("team-worker", 1)
        .containsEntry("team-hocuspocus", 1)
        .containsEntry("team-redis", 1);
    assertThat(replicas(isolated))
        .containsEntry("team-web", 0)
        .containsEntry("team-worker", 0)
        .containsEntry("team-hocuspocus", 0)
        .containsEntry("team-redis", 1);

    assertThat(open.all(Ingress.class)).isNotEmpty();
    assertThat(isolated.all(Ingress.class)).isEmpty();
    assertThat(names(isolated.all(ConfigMap.class)))
        .doesNotContain("team-edge-headers")
        .containsAll(names(open.all(ConfigMap.class)).stream()
            .filter(n -> !n.contains("headers"))
            .toList());

    // the backups and the restore drills
    assertThat(open.all(CronJob.class))
        .hasSize(2)
        .allSatisfy(c -> assertThat(c.getSpec().getSuspend()).isFalse());
    assertThat(isolated.all(CronJob.class))
        .hasSize(2)
        .allSatisfy(c -> assertThat(c.getSpec().getSuspend()).isTrue());
    assertThat(isolated.all(Job.class)).as("no new pod starts").isEmpty();
  }

  @Test
  void isolationLeavesEveryDataObjectIdentical() {
    Stack open = render(SPEC, c -> c);
    Stack isolated = render(SPEC + "isolation: true\n", c -> c);
    for (Class<? extends HasMetadata> kind : List.of(PersistentVolumeClaim.class, Secret.class)) {
      assertThat(isolated.all(kind)).isNotEmpty();
      assertThat(isolated.all(kind).stream().map(Normalized::yaml).toList())
          .isEqualTo(open.all(kind).stream().map(Normalized::yaml).toList());
    }
  }

  @Test
  void isolationDeniesEvenWhenNetworkPoliciesAreSwitchedOff() {
    Stack isolated = render(SPEC + "networkPolicy: {enabled: false}\nisolation: true\n", c -> c);
    assertThat(names(isolated.all(NetworkPolicy.class))).containsExactly("team-default-deny");
    assertThat(render(SPEC + "networkPolicy: {enabled: false}\n", c -> c).all(NetworkPolicy.class))
        .isEmpty();
  }

  @Test
  void aRestoreIntoAnIsolatedStackOpensOnlyItsOwnJobsPathToTheDatabase() {
    Stack stack = render(SPEC + "isolation: true\n", c -> c.withRestoreHold("restore-1"));
    assertThat(names(stack.all(NetworkPolicy.class)))
        .containsExactlyInAnyOrder(
            "team-default-deny", "team-restore", "team-migrate", "team-postgres", "team-redis");
    NetworkPolicy db = stack.get(NetworkPolicy.class, "team-postgres").get();
    assertThat(db.getSpec().getEgress()).isEmpty();
    assertThat(db.getSpec().getIngress())
        .singleElement()
        .satisfies(rule -> assertThat(rule.getFrom())
            .extracting(peer -> peer.getPodSelector().getMatchLabels().get(Labels.COMPONENT))
            .containsExactlyInAnyOrder("restore", "migrate"));
    assertThat(stack.get(NetworkPolicy.class, "team-redis").get().getSpec().getIngress())
        .singleElement()
        .satisfies(rule -> assertThat(rule.getFrom())
            .extracting(p -> p.getPodSelector().getMatchLabels().get(Labels.COMPONENT))
            .containsExactly("migrate"));
    assertThat(replicas(stack)).containsEntry("team-web", 0);
    // the restore's own migration Job, not any migration Job of the stack
    assertThat(stack
            .get(NetworkPolicy.class, "team-migrate")
            .get()
            .getSpec()
            .getPodSelector()
            .getMatchExpressions())
        .singleElement()
        .satisfies(e ->
            assertThat(e.getKey() + " " + e.getOperator()).isEqualTo(Labels.RESTORE + " Exists"));
  }

  @Test
  void aRotationIntoAnIsolatedStackOpensOnlyTheRotationJobsPath() {
    Stack stack =
        render(SPEC + "isolation: true\n", c -> c.withRotation(new Rotation("t1", "uid-1")));
    assertThat(names(stack.all(NetworkPolicy.class)))
        .containsExactlyInAnyOrder("team-default-deny", "team-rotate", "team-postgres");
    assertThat(stack.get(NetworkPolicy.class, "team-rotate").get().getSpec().getEgress())
        .as("DNS and the database only")
        .hasSize(2);
    assertThat(names(stack.all(Job.class)))
        .containsExactly(new Rotation("t1", "uid-1").jobName("team"));
  }

  @Test
  void duringAnUpgradeTheAppKeepsTheOldImageAndTheMigrationRunsTheNewOne() {
    LoomioImage old = new LoomioImage("loomio/loomio:3.4", "3.4");
    Stack stack =
        render(SPEC + "image: {tag: \"3.5\"}\n", c -> c.withImages(old, c.spec().loomioImageRef()));
    for (Deployment d : stack.all(Deployment.class)) {
      if (!d.getMetadata().getName().equals("team-redis")) {
        assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
            .as(d.getMetadata().getName())
            .isEqualTo("loomio/loomio:3.4");
      }
    }
    Job migrate = stack.get(Job.class, stack.migrationJob()).orElseThrow();
    assertThat(migrate.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("loomio/loomio:3.5");
    assertThat(migrate
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0)
            .getTerminationMessagePolicy())
        .as("its log tail reaches Degraded")
        .isEqualTo("FallbackToLogsOnError");
    assertThat(stack.image()).isEqualTo("loomio/loomio:3.4");
    // the migration Job's name follows the image it migrates to
    assertThat(stack.migrationJob())
        .isNotEqualTo(render(SPEC + "image: {tag: \"3.5\"}\n", c -> c.withImages(old, old))
            .migrationJob());
  }

  @Test
  void theGateJobRunsTheCheckOnTheOldImageWithItsOwnAccountAndPath() {
    LoomioImage from = new LoomioImage("loomio/loomio:3.2", "3.2");
    LoomioImage to = new LoomioImage("loomio/loomio:3.3", "3.3");
    UpgradeGate gate = new UpgradeGate("3.3.0", from, to, "2026-11-27T00:00:00Z");
    Stack stack = render(
        SPEC + "image: {tag: \"3.3\"}\n", c -> c.withImages(from, from).withUpgradeGate(gate));
    Job job = stack.get(Job.class, gate.jobName("team")).orElseThrow();
    var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getImage()).isEqualTo("loomio/loomio:3.2");
    assertThat(container.getCommand())
        .containsSubsequence("rails", "runner")
        .anySatisfy(arg ->
            assertThat(arg).contains("Poll.where(anonymous: true, voting_system: :stance).count"));
    assertThat(job.getSpec().getBackoffLimit()).isZero();
    assertThat(job.getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo("team-upgrade-gate");
    assertThat(names(stack.all(io.fabric8.kubernetes.api.model.ServiceAccount.class)))
        .contains("team-upgrade-gate");
    assertThat(names(stack.all(NetworkPolicy.class))).contains("team-upgrade-gate");
    assertThat(stack
            .get(NetworkPolicy.class, "team-postgres")
            .get()
            .getSpec()
            .getIngress()
            .get(0)
            .getFrom())
        .extracting(p -> p.getPodSelector().getMatchLabels().get(Labels.COMPONENT))
        .contains("upgrade-gate");
  }

  @Test
  void theRotationJobReadsTheSuperuserPasswordAndTheVerifierNeverAValueInline() {
    Stack stack = render(SPEC, c -> c.withRotation(new Rotation("2026-11-27", "uid-1")));
    Job job = stack
        .get(Job.class, new Rotation("2026-11-27", "uid-1").jobName("team"))
        .orElseThrow();
    var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getEnv())
        .filteredOn(e -> e.getValueFrom() != null)
        .extracting(e -> e.getName() + "=" + e.getValueFrom().getSecretKeyRef().getName() + "/"
            + e.getValueFrom().getSecretKeyRef().getKey())
        .containsExactly(
            "SUPERUSER_PASSWORD=team-postgres-superuser/POSTGRES_SUPERUSER_PASSWORD",
            "NEW_PASSWORD=team-secrets-rotation/POSTGRES_PASSWORD",
            "NEW_PASSWORD_SCRAM=team-secrets-rotation/POSTGRES_PASSWORD_SCRAM");
    assertThat(container.getImage()).startsWith("postgres:");
    assertThat(names(stack.all(NetworkPolicy.class))).contains("team-rotate");
  }

  @Test
  void everyDayTwoPodHoldsTheHardeningChecklist() {
    LoomioImage from = new LoomioImage("loomio/loomio:3.2", "3.2");
    LoomioImage to = new LoomioImage("loomio/loomio:3.3", "3.3");
    Stack stack = render(
        SPEC + "image: {tag: \"3.3\"}\n",
        c -> c.withImages(from, to)
            .withUpgradeGate(new UpgradeGate("3.3.0", from, to, "2026-11-27T00:00:00Z"))
            .withRotation(new Rotation("t1", "uid-1")));
    assertThat(HardeningChecklist.check(stack, ClusterCapabilities.newest(), false))
        .isEmpty();
    // isolated, R31's per-workload allow policies are gone on purpose (docs/hardening.md): every
    // other rule holds
    for (Stack isolated : List.of(
        render(SPEC + "isolation: true\n", c -> c.withRotation(new Rotation("t1", "uid-1"))),
        render(SPEC + "isolation: true\n", c -> c.withRestoreHold("r")))) {
      assertThat(HardeningChecklist.check(isolated, ClusterCapabilities.newest(), false))
          .allSatisfy(v -> assertThat(v).contains(": R31 no allow NetworkPolicy"))
          .noneSatisfy(
              v -> assertThat(v).containsAnyOf("team-rotate", "team-restore", "team-migrate"));
    }
  }
}

package org.loomio.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.render.base.Ownership;
import org.loomio.operator.status.Conditions;
import org.loomio.operator.status.ProgressingReason;
import org.loomio.operator.status.ReadyReason;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.thirdparty.CloudNativePGCluster;

/**
 * spec.database.cloudNativePG on the real API server, run as the chart's ServiceAccount. The rig has no
 * CloudNativePG: first without its API (APIAvailable explains, nothing starts, no fallback), then with a minimal CRD
 * of our own for clusters.postgresql.cnpg.io (a structural schema that preserves unknown fields), where the test
 * plays CloudNativePG: the operator creates the Cluster, waits for the database while CloudNativePG's Secrets do not
 * exist, and converges once they exist (owned by the Cluster) and the Cluster reports a primary, with no quiet
 * writes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CloudNativePGIT {

  private static final Duration CONVERGE = Duration.ofSeconds(120);
  private static final Path OUT = Path.of("target/e2e");

  private Rig rig;
  private KubernetesClient k;
  private OperatorProcess operator;
  private ChartIdentity identity;
  private final String run = "cnpg" + Long.toString(System.currentTimeMillis() % 1_000_000, 36);

  @BeforeAll
  void start() throws Exception {
    rig = new Rig();
    k = rig.admin();
    rig.installCrdsAsDocumented();
    identity = ChartIdentity.install(rig, OUT);
    deleteCrd();
    operator = new OperatorProcess(rig, OUT.resolve("operator-cnpg.log"), identity.kubeconfig());
    operator.start();
  }

  @AfterAll
  void stop() throws Exception {
    try {
      List<String> mine = k.namespaces().list().getItems().stream()
          .map(n -> n.getMetadata().getName())
          .filter(n -> n.startsWith(run + "-"))
          .toList();
      rig.deleteNamespaces(mine);
      deleteCrd();
    } finally {
      if (operator != null) {
        operator.stop();
      }
    }
  }

  @Test
  @Order(1)
  void withoutCloudNativePGsApiAPIAvailableExplainsAndNothingStarts() {
    String ns = run + "-absent";
    apply(ns);
    await().atMost(CONVERGE).untilAsserted(() -> {
      LoomioDeployment now = get(ns);
      assertThat(now.getStatus()).isNotNull();
      Condition api = condition(now, Conditions.API_AVAILABLE);
      assertThat(api.getStatus()).isEqualTo("False");
      assertThat(api.getMessage()).contains("postgresql.cnpg.io/v1 Cluster");
      Condition ready = condition(now, Conditions.READY);
      assertThat(ready.getReason()).isEqualTo(ReadyReason.DATABASE_NOT_READY.value());
      assertThat(ready.getMessage()).contains("does not serve postgresql.cnpg.io/v1");
      assertThat(k.apps()
              .deployments()
              .inNamespace(ns)
              .withName("team-web")
              .get()
              .getSpec()
              .getReplicas())
          .isZero();
    });
    assertThat(k.apps().statefulSets().inNamespace(ns).list().getItems())
        .as("no fallback to embedded")
        .isEmpty();
    assertThat(k.batch().v1().jobs().inNamespace(ns).list().getItems()).isEmpty();
    System.out.printf(
        "e2e: cloudNativePG without its API: %s%n",
        condition(get(ns), Conditions.API_AVAILABLE).getMessage());
  }

  @Test
  @Order(2)
  void withTheApiTheClusterIsCreatedAndTheStackWaitsForItsSecretsThenConvergesWithNoQuietWrites()
      throws Exception {
    installCrd();
    // the operator discovers APIs at start (and every ten minutes)
    operator.stop();
    operator.start();
    String ns = run + "-cnpg";
    long mark = rig.auditMark();
    apply(ns);
    await().atMost(CONVERGE).until(() -> cluster(ns) != null);
    CloudNativePGCluster pg = cluster(ns);
    assertThat(rig.writesSince(mark, identity.user(), n -> n.equals(ns)))
        .as("the Cluster is written by the chart's ServiceAccount")
        .anySatisfy(w -> assertThat(w.resource() + " " + w.name() + " " + w.code())
            .startsWith("clusters team-postgres 20"));
    assertThat(pg.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(get(ns).getMetadata().getUid()));
    assertThat(pg.getSpec())
        .containsEntry("instances", 3)
        .containsEntry("enableSuperuserAccess", false);
    await().atMost(CONVERGE).untilAsserted(() -> {
      Condition ready = condition(get(ns), Conditions.READY);
      assertThat(ready.getReason()).isEqualTo(ReadyReason.DATABASE_NOT_READY.value());
      assertThat(ready.getMessage())
          .contains("waiting for the database")
          .contains("team-postgres-app");
      assertThat(condition(get(ns), Conditions.API_AVAILABLE).getStatus()).isEqualTo("True");
    });
    assertThat(k.apps()
            .deployments()
            .inNamespace(ns)
            .withName("team-web")
            .get()
            .getSpec()
            .getReplicas())
        .isZero();
    assertThat(k.batch().v1().jobs().inNamespace(ns).list().getItems()).isEmpty();

    // CloudNativePG's part: its Secrets, owned by the Cluster, and a primary
    CloudNativePGPlayer.provision(k, ns, pg);
    await().atMost(CONVERGE).untilAsserted(() -> {
      assertThat(k.batch().v1().jobs().inNamespace(ns).list().getItems())
          .as("the migration")
          .hasSize(1);
      assertThat(k.apps()
              .deployments()
              .inNamespace(ns)
              .withName("team-web")
              .get()
              .getSpec()
              .getReplicas())
          .isOne();
      LoomioDeployment now = get(ns);
      Condition ready = condition(now, Conditions.READY);
      assertThat(ready.getReason())
          .as("nothing runs pods on the rig: the migration is awaited")
          .isEqualTo(ProgressingReason.MIGRATION_PENDING.value());
      // the rig's Job controller gives the Job its pod on its own time (later on a busy machine);
      // the stack reports that once, so the quiet time starts only after it
      assertThat(ready.getMessage())
          .as("the migration Job's pod, as the stack reports it")
          .contains("has not finished (1 pod active");
      assertThat(now.getStatus().getComponents().get("database").getReady()).isEqualTo(3);
      assertThat(condition(now, Conditions.DEGRADED).getStatus()).isEqualTo("False");
    });
    var web = k.apps()
        .deployments()
        .inNamespace(ns)
        .withName("team-web")
        .get()
        .getSpec()
        .getTemplate()
        .getSpec();
    assertThat(web.getVolumes())
        .anySatisfy(v -> assertThat(v.getSecret() == null ? null : v.getSecret().getSecretName())
            .isEqualTo("team-postgres-ca"));
    assertThat(Serialization.asJson(
            k.configMaps().inNamespace(ns).withName("team-config").get()))
        .contains("team-postgres-rw:5432")
        .contains("sslmode=verify-full")
        .doesNotContain("e2e-not-a-real-password");

    long quietMark = rig.auditMark();
    String statusBefore = Serialization.asYaml(get(ns).getStatus());
    Thread.sleep(
        45_000); // the deliberate quiet time (the stack without Secrets rechecks every 30 s)
    List<Rig.Write> quiet = rig.writesSince(quietMark, identity.user(), n -> n.startsWith(run));
    System.out.printf(
        "e2e: cloudNativePG stacks, operator writes during a quiet time: %d%n", quiet.size());
    assertThat(quiet)
        .as(
            "writes while nothing changes; the stack's status before the quiet time:%n%s%nand after"
                + " it:%n%s",
            statusBefore, Serialization.asYaml(get(ns).getStatus()))
        .isEmpty();
  }

  /**
   * deletionPolicy Retain (the default) on the real API server and its garbage collector: deleting the stack
   * leaves the Cluster (no owner reference, the stack's UID recorded), while everything the stack owned goes; a
   * stack of the same name then owns the Cluster again with one write to it (the adoption) and converges on it.
   */
  @Test
  @Order(3)
  void retainKeepsTheClusterThroughTheDeletionAndTheSameNameAdoptsIt() {
    String ns = run + "-cnpg";
    CloudNativePGCluster before = cluster(ns);
    assertThat(before).as("the stack of the previous test").isNotNull();
    LoomioDeployment first = get(ns);
    k.resource(first).delete();
    await().atMost(CONVERGE).until(() -> get(ns) == null);
    // the garbage collector has run once the stack's owned objects are gone
    await()
        .atMost(CONVERGE)
        .until(() -> k.apps().deployments().inNamespace(ns).withName("team-web").get() == null);
    CloudNativePGCluster kept = cluster(ns);
    assertThat(kept).as("kept by deletionPolicy Retain").isNotNull();
    assertThat(kept.getMetadata().getUid()).isEqualTo(before.getMetadata().getUid());
    assertThat(kept.getMetadata().getOwnerReferences()).isNullOrEmpty();
    assertThat(kept.getMetadata().getAnnotations())
        .containsEntry(Ownership.OWNER_UID, first.getMetadata().getUid());
    assertThat(kept.getSpec()).isEqualTo(before.getSpec());
    assertThat(k.secrets().inNamespace(ns).withName("team-postgres-app").get())
        .as("CloudNativePG's Secrets stay with their Cluster")
        .isNotNull();

    long mark = rig.auditMark();
    LoomioDeployment second =
        Fixtures.resource("team", "host: team.example.org\ndatabase: {cloudNativePG: {}}\n");
    second.getMetadata().setNamespace(ns);
    second.getMetadata().setGeneration(null);
    String secondUid = k.resource(second).create().getMetadata().getUid();
    await().atMost(CONVERGE).untilAsserted(() -> {
      CloudNativePGCluster now = cluster(ns);
      assertThat(now.getMetadata().getOwnerReferences())
          .singleElement()
          .satisfies(o -> assertThat(o.getUid()).isEqualTo(secondUid));
      assertThat(now.getMetadata().getAnnotations()).doesNotContainKey(Ownership.OWNER_UID);
      Condition ready = condition(get(ns), Conditions.READY);
      assertThat(ready.getReason()).isEqualTo(ProgressingReason.MIGRATION_PENDING.value());
      assertThat(condition(get(ns), Conditions.DEGRADED).getStatus()).isEqualTo("False");
    });
    CloudNativePGCluster adopted = cluster(ns);
    assertThat(adopted.getMetadata().getUid()).isEqualTo(before.getMetadata().getUid());
    assertThat(adopted.getSpec()).isEqualTo(before.getSpec());
    List<Rig.Write> writes = rig.writesSince(mark, identity.user(), n -> n.equals(ns)).stream()
        .filter(w -> w.resource().startsWith("clusters"))
        .toList();
    System.out.printf("e2e: cloudNativePG re-adopted after Retain, writes to it: %s%n", writes);
    assertThat(writes)
        .as("the adoption, and no other write of the Cluster")
        .singleElement()
        .satisfies(w -> assertThat(w.verb() + " " + w.name()).isEqualTo("patch team-postgres"));
  }

  private void apply(String ns) {
    rig.restrictedNamespace(ns);
    LoomioDeployment r =
        Fixtures.resource("team", "host: team.example.org\ndatabase: {cloudNativePG: {}}\n");
    r.getMetadata().setNamespace(ns);
    r.getMetadata().setGeneration(null);
    k.resource(r).create();
  }

  private CloudNativePGCluster cluster(String ns) {
    return k.resources(CloudNativePGCluster.class)
        .inNamespace(ns)
        .withName("team-postgres")
        .get();
  }

  private LoomioDeployment get(String ns) {
    return k.resources(LoomioDeployment.class).inNamespace(ns).withName("team").get();
  }

  private static Condition condition(LoomioDeployment r, String type) {
    if (r.getStatus() == null) {
      throw new AssertionError("no status yet");
    }
    return Conditions.find(r.getStatus().getConditions(), type)
        .orElseThrow(() -> new AssertionError("no condition " + type));
  }

  private void installCrd() {
    CloudNativePGPlayer.installCrd(k);
  }

  private void deleteCrd() {
    CloudNativePGPlayer.deleteCrd(k);
  }
}

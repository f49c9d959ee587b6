package org.loomio.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.Labels;
import org.loomio.operator.render.base.Ownership;
import org.loomio.operator.status.Conditions;
import org.loomio.operator.status.DegradedReason;
import org.loomio.operator.status.ReadyReason;
import org.loomio.operator.testing.MockCluster;
import org.loomio.operator.thirdparty.CloudNativePGCluster;

/**
 * spec.database.cloudNativePG on the mock server, with CloudNativePG played by the test: the Cluster is declared
 * first and nothing that reads its Secrets starts before they exist; CloudNativePG's Secrets (owned by the Cluster)
 * are used, anyone else's of those names are not; readiness follows the Cluster's status as it goes from creating
 * to healthy to failing over; the database mode and major version of an existing stack do not change.
 */
class CloudNativePGOnMockServerTest {

  @org.junit.jupiter.api.extension.RegisterExtension
  static final org.loomio.operator.testing.ExpectedLogs LOGS =
      org.loomio.operator.testing.ExpectedLogs.of(LoomioDeploymentReconciler.class);

  private static final Duration WAIT = Duration.ofSeconds(90);
  private static MockCluster cluster;
  private static final Map<String, Object> HEALTHY = Map.of(
      "phase",
      "Cluster in healthy state",
      "instances",
      3,
      "readyInstances",
      3,
      "currentPrimary",
      "team-postgres-1");

  @BeforeAll
  static void start() {
    cluster = new MockCluster();
    cluster.startOperator();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void creatingHealthyFailingOver() {
    String ns = "cnpg-flow";
    create(ns, "team", "host: team.example.org\ndatabase: {cloudNativePG: {}}\n");
    CloudNativePGCluster pg = awaitCluster(ns, "team");
    assertThat(pg.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid())
            .isEqualTo(cluster.get(ns, "team").getMetadata().getUid()));
    // no Secrets yet: the app waits at zero, no migration, and the status says why
    await().atMost(WAIT).untilAsserted(() -> {
      Condition ready = condition(ns, "team", Conditions.READY);
      assertThat(ready).isNotNull();
      assertThat(ready.getReason()).isEqualTo(ReadyReason.DATABASE_NOT_READY.value());
      assertThat(ready.getMessage()).contains("team-postgres-app").contains("team-postgres-ca");
      assertThat(replicas(ns)).containsEntry("team-web", 0).containsEntry("team-worker", 0);
      assertThat(jobs(ns)).isEmpty();
    });
    assertThat(cluster
            .client()
            .secrets()
            .inNamespace(ns)
            .withName("team-secrets")
            .get()
            .getData())
        .as("the database password is CloudNativePG's, never copied into the operator's Secret")
        .doesNotContainKey("POSTGRES_PASSWORD");

    // CloudNativePG creates its Secrets, then starts the primary
    cnpgSecrets(ns, pg);
    clusterStatus(
        ns, "team", Map.of("phase", "Setting up primary", "instances", 3, "readyInstances", 0));
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(replicas(ns)).containsEntry("team-web", 1).containsEntry("team-worker", 1);
      assertThat(jobs(ns)).as("the migration waits for the primary").isEmpty();
      Condition ready = condition(ns, "team", Conditions.READY);
      assertThat(ready.getReason()).isEqualTo(ReadyReason.DATABASE_NOT_READY.value());
      assertThat(ready.getMessage()).contains("no ready primary").contains("Setting up primary");
    });
    Deployment web = cluster
        .client()
        .apps()
        .deployments()
        .inNamespace(ns)
        .withName("team-web")
        .get();
    assertThat(web.getSpec().getTemplate().getMetadata().getAnnotations().values())
        .as("a pod template carries digests, never the password")
        .noneMatch(v -> v.contains("cGFzcw") || v.contains("pass"));

    // healthy: the migration runs, then everything is ready
    clusterStatus(
        ns,
        "team",
        Map.of(
            "phase",
            "Cluster in healthy state",
            "instances",
            3,
            "readyInstances",
            3,
            "currentPrimary",
            "team-postgres-1"));
    await().atMost(WAIT).untilAsserted(() -> assertThat(jobs(ns)).hasSize(1));
    await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      cluster.runControllers(ns, "team");
      Condition ready = condition(ns, "team", Conditions.READY);
      assertThat(ready.getStatus() + " " + ready.getReason())
          .as(ready.getMessage())
          .isEqualTo("True " + ReadyReason.ALL_COMPONENTS_READY.value());
      assertThat(cluster
              .get(ns, "team")
              .getStatus()
              .getComponents()
              .get("database")
              .getReady())
          .isEqualTo(3);
    });

    // failing over: not ready, the app keeps running, the database component says 2/3
    clusterStatus(
        ns,
        "team",
        Map.of(
            "phase",
            "Failing over",
            "instances",
            3,
            "readyInstances",
            2,
            "currentPrimary",
            "team-postgres-1",
            "targetPrimary",
            "team-postgres-2"));
    await().atMost(WAIT).untilAsserted(() -> {
      Condition ready = condition(ns, "team", Conditions.READY);
      assertThat(ready.getStatus()).isEqualTo("False");
      assertThat(ready.getReason()).isEqualTo(ReadyReason.DATABASE_NOT_READY.value());
      assertThat(ready.getMessage()).contains("Failing over").contains("2/3");
      assertThat(cluster
              .get(ns, "team")
              .getStatus()
              .getComponents()
              .get("database")
              .getReady())
          .isEqualTo(2);
    });
    assertThat(replicas(ns)).containsEntry("team-web", 1).containsEntry("team-worker", 1);
    assertThat(condition(ns, "team", Conditions.DEGRADED).getStatus()).isEqualTo("False");

    // promoted: healthy again
    clusterStatus(
        ns,
        "team",
        Map.of(
            "phase",
            "Cluster in healthy state",
            "instances",
            3,
            "readyInstances",
            3,
            "currentPrimary",
            "team-postgres-2"));
    await()
        .atMost(WAIT)
        .untilAsserted(() ->
            assertThat(condition(ns, "team", Conditions.READY).getStatus()).isEqualTo("True"));

    // the database mode and the major version stay
    patch(ns, "team", "{\"spec\":{\"database\":{\"cloudNativePG\":{\"version\":18}}}}");
    await().atMost(WAIT).untilAsserted(() -> {
      Condition degraded = condition(ns, "team", Conditions.DEGRADED);
      assertThat(degraded.getReason()).isEqualTo(DegradedReason.INVALID_SPEC.value());
      assertThat(degraded.getMessage())
          .startsWith("spec.database.cloudNativePG.version:")
          .contains("postgres_upgrades");
    });
    patch(ns, "team", "{\"spec\":{\"database\":{\"cloudNativePG\":null,\"embedded\":{}}}}");
    await().atMost(WAIT).untilAsserted(() -> {
      Condition degraded = condition(ns, "team", Conditions.DEGRADED);
      assertThat(degraded.getReason()).isEqualTo(DegradedReason.INVALID_SPEC.value());
      assertThat(degraded.getMessage())
          .startsWith("spec.database:")
          .contains("cloudNativePG")
          .contains("LoomioRestore");
    });
    assertThat(cluster.client().apps().statefulSets().inNamespace(ns).list().getItems())
        .as("never a fallback to an empty embedded database")
        .isEmpty();
    assertThat(cluster
            .client()
            .resources(CloudNativePGCluster.class)
            .inNamespace(ns)
            .withName("team-postgres")
            .get())
        .isNotNull();
  }

  /** A Secret of the Cluster's Secrets' names that CloudNativePG did not make for this stack's Cluster is refused. */
  @Test
  void aSecretOfTheClustersNameThatTheClusterDoesNotOwnIsNeverUsed() {
    String ns = "cnpg-rogue";
    cluster.namespace(ns);
    // planted before the stack exists, named like CloudNativePG's
    cluster
        .client()
        .resource(new SecretBuilder()
            .withNewMetadata()
            .withName("team-postgres-app")
            .withNamespace(ns)
            .endMetadata()
            .addToData("password", "aHVudGVyMg==")
            .build())
        .create();
    create(ns, "team", "host: team.example.org\ndatabase: {cloudNativePG: {}}\n");
    CloudNativePGCluster pg = awaitCluster(ns, "team");
    // the CA by CloudNativePG, the app Secret by someone else (an owner reference to another
    // Cluster's UID)
    cluster
        .client()
        .resource(new SecretBuilder()
            .withNewMetadata()
            .withName("team-postgres-ca")
            .withNamespace(ns)
            .withOwnerReferences(owner(pg))
            .endMetadata()
            .addToData("ca.crt", "Y2E=")
            .build())
        .create();
    clusterStatus(
        ns,
        "team",
        Map.of(
            "phase",
            "Cluster in healthy state",
            "instances",
            3,
            "readyInstances",
            3,
            "currentPrimary",
            "team-postgres-1"));
    await().atMost(WAIT).untilAsserted(() -> {
      Condition degraded = condition(ns, "team", Conditions.DEGRADED);
      assertThat(degraded).isNotNull();
      assertThat(degraded.getReason()).isEqualTo(DegradedReason.NAME_CONFLICT.value());
      assertThat(degraded.getMessage())
          .contains("Secret team-postgres-app")
          .contains("owner reference");
    });
    assertThat(replicas(ns)).containsEntry("team-web", 0).containsEntry("team-worker", 0);
    assertThat(jobs(ns)).isEmpty();
  }

  /**
   * deletionPolicy Retain keeps the CloudNativePG Cluster (and so CloudNativePG's claims, the data): the deletion
   * drops the Cluster's owner reference and records the stack's UID, the garbage collector leaves it, the
   * database's Secrets are not trusted meanwhile, and a re-created stack of the same name owns it again with one
   * write to it (the adoption), nothing else.
   */
  @Test
  void retainKeepsTheClusterAndARecreatedStackAdoptsIt() {
    String ns = "cnpg-retain";
    create(ns, "team", "host: team.example.org\ndatabase: {cloudNativePG: {}}\n");
    CloudNativePGCluster pg = awaitCluster(ns, "team");
    String firstUid = cluster.get(ns, "team").getMetadata().getUid();
    cnpgSecrets(ns, pg);
    clusterStatus(ns, "team", HEALTHY);
    await().atMost(WAIT).untilAsserted(() -> assertThat(replicas(ns)).containsEntry("team-web", 1));
    Map<String, Object> spec = awaitCluster(ns, "team").getSpec();

    cluster.client().resource(cluster.get(ns, "team")).delete();
    await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.get(ns, "team")).isNull());
    cluster.collectGarbage(ns);
    CloudNativePGCluster kept = awaitCluster(ns, "team");
    assertThat(kept.getMetadata().getUid()).isEqualTo(pg.getMetadata().getUid());
    assertThat(kept.getMetadata().getOwnerReferences()).as("orphaned").isNullOrEmpty();
    assertThat(kept.getMetadata().getAnnotations()).containsEntry(Ownership.OWNER_UID, firstUid);
    assertThat(kept.getSpec()).isEqualTo(spec);

    // the same name again: the Cluster is adopted, then used, and written no more
    int mark = cluster.writes().size();
    create(ns, "team", "host: team.example.org\ndatabase: {cloudNativePG: {}}\n");
    String secondUid = cluster.get(ns, "team").getMetadata().getUid();
    await().atMost(WAIT).untilAsserted(() -> {
      CloudNativePGCluster now = awaitCluster(ns, "team");
      assertThat(now.getMetadata().getOwnerReferences())
          .singleElement()
          .satisfies(o -> assertThat(o.getUid()).isEqualTo(secondUid));
      assertThat(now.getMetadata().getAnnotations()).doesNotContainKey(Ownership.OWNER_UID);
      assertThat(replicas(ns)).containsEntry("team-web", 1);
      assertThat(condition(ns, "team", Conditions.DEGRADED))
          .isNotNull()
          .satisfies(c -> assertThat(c.getStatus()).isEqualTo("False"));
    });
    CloudNativePGCluster adopted = awaitCluster(ns, "team");
    assertThat(adopted.getMetadata().getUid()).isEqualTo(pg.getMetadata().getUid());
    assertThat(adopted.getSpec()).as("the adoption changes no spec").isEqualTo(spec);
    assertThat(cluster.client().v1().events().inNamespace(ns).list().getItems())
        .anySatisfy(e -> assertThat(e.getReason() + " " + e.getMessage())
            .startsWith("Adopted")
            .contains("Cluster team-postgres"));
    // a status change of the Cluster reconciles the stack: it is not written again
    clusterStatus(ns, "team", HEALTHY);
    await()
        .atMost(WAIT)
        .untilAsserted(() ->
            assertThat(condition(ns, "team", Conditions.READY).getMessage()).isNotNull());
    List<String> writes =
        List.copyOf(cluster.writes()).subList(mark, cluster.writes().size());
    assertThat(writes)
        .filteredOn(w ->
            w.contains("/namespaces/" + ns + "/clusters/team-postgres") && !w.contains("/status"))
        .as("one write of the Cluster after the deletion: the adoption")
        .singleElement()
        .satisfies(w -> assertThat(w).startsWith("PATCH"));
  }

  /** With deletionPolicy Delete the Cluster goes with the stack, as before. */
  @Test
  void deleteLetsTheClusterGoWithTheStack() {
    String ns = "cnpg-delete";
    create(
        ns,
        "team",
        "host: team.example.org\ndeletionPolicy: Delete\ndatabase: {cloudNativePG: {}}\n");
    awaitCluster(ns, "team");
    cluster.client().resource(cluster.get(ns, "team")).delete();
    await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.get(ns, "team")).isNull());
    cluster.collectGarbage(ns);
    assertThat(cluster
            .client()
            .resources(CloudNativePGCluster.class)
            .inNamespace(ns)
            .withName("team-postgres")
            .get())
        .isNull();
  }

  /**
   * A Cluster of the stack's name that the operator did not keep for it is never adopted: one someone made with the
   * operator's labels but no recorded UID, and one recorded for another LoomioDeployment that exists.
   */
  @Test
  void aClusterTheOperatorDidNotKeepIsNeverAdopted() {
    String ns = "cnpg-squat";
    cluster.namespace(ns);
    CloudNativePGCluster planted = new CloudNativePGCluster();
    planted.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
        .withName("team-postgres")
        .withNamespace(ns)
        .withLabels(org.loomio.operator.model.Labels.of(
            "team", org.loomio.operator.model.Component.POSTGRES))
        .build());
    planted.setSpec(new LinkedHashMap<>(Map.of("instances", 1)));
    planted = cluster.client().resource(planted).create();
    create(ns, "team", "host: team.example.org\ndatabase: {cloudNativePG: {}}\n");
    await().atMost(WAIT).untilAsserted(() -> {
      Condition degraded = condition(ns, "team", Conditions.DEGRADED);
      assertThat(degraded).isNotNull();
      assertThat(degraded.getReason()).isEqualTo(DegradedReason.NAME_CONFLICT.value());
      assertThat(degraded.getMessage())
          .contains("Cluster team-postgres")
          .contains(Ownership.OWNER_UID);
    });
    // recorded for a LoomioDeployment that exists (another name: the UID is all that counts)
    create(ns, "other", "host: other.example.org\n");
    String otherUid = cluster.get(ns, "other").getMetadata().getUid();
    MockCluster.retryOnConflict(() -> MockCluster.edit(
        cluster
            .client()
            .resources(CloudNativePGCluster.class)
            .inNamespace(ns)
            .withName("team-postgres"),
        c -> {
          c.getMetadata()
              .setAnnotations(new LinkedHashMap<>(Map.of(Ownership.OWNER_UID, otherUid)));
          return c;
        }));
    patch(ns, "team", "{\"metadata\":{\"annotations\":{\"test/poke\":\"1\"}}}");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> assertThat(condition(ns, "team", Conditions.DEGRADED).getMessage())
                .contains("Cluster team-postgres")
                .contains("another LoomioDeployment that still exists"));
    CloudNativePGCluster after = cluster
        .client()
        .resources(CloudNativePGCluster.class)
        .inNamespace(ns)
        .withName("team-postgres")
        .get();
    assertThat(after.getMetadata().getOwnerReferences()).isNullOrEmpty();
    assertThat(after.getSpec()).isEqualTo(Map.of("instances", 1));
    assertThat(replicas(ns)).doesNotContainKey("team-web");
  }

  /**
   * A spec switched away from CloudNativePG while the operator was down: after the restart the Cluster informer
   * is registered late (by the workflow), and the stack's first reconcile must still see the running Cluster,
   * refuse the change naming spec.database, and leave the Cluster (and so its data) alone.
   */
  @Test
  void aModeChangeMadeWhileTheOperatorWasDownIsRefusedAfterTheRestart() {
    String ns = "cnpg-restart";
    create(ns, "team", "host: team.example.org\ndatabase: {cloudNativePG: {}}\n");
    CloudNativePGCluster pg = awaitCluster(ns, "team");
    cnpgSecrets(ns, pg);
    clusterStatus(ns, "team", HEALTHY);
    await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      cluster.runControllers(ns, "team");
      assertThat(cluster.get(ns, "team").getStatus().getMigrated()).isNotNull();
    });
    cluster.namespace(ns);
    cluster
        .client()
        .secrets()
        .inNamespace(ns)
        .resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
            .withNewMetadata()
            .withName("pg")
            // its owner's consent: without it the reconcile would stop at the Secret, before the
            // workflow this test is about
            .addToAnnotations("loomio.org/allowed-stacks", "team")
            .endMetadata()
            .addToStringData("password", "external-password")
            .build())
        .create();

    cluster.stopOperator();
    patch(
        ns,
        "team",
        "{\"spec\": {\"database\": {\"cloudNativePG\": null, \"external\": {\"host\":"
            + " \"pg.example.org\", \"passwordSecretRef\": {\"name\": \"pg\", \"key\": \"password\"},"
            + " \"version\": 17}}}}");
    cluster.startOperator();

    await().atMost(WAIT).untilAsserted(() -> {
      Condition degraded = condition(ns, "team", Conditions.DEGRADED);
      assertThat(degraded).isNotNull();
      assertThat(degraded.getReason()).isEqualTo(DegradedReason.INVALID_SPEC.value());
      assertThat(degraded.getMessage())
          .startsWith("spec.database:")
          .contains("CloudNativePG Cluster team-postgres");
    });
    assertThat(cluster
            .client()
            .resources(CloudNativePGCluster.class)
            .inNamespace(ns)
            .withName("team-postgres")
            .get())
        .as("the running Cluster is left alone")
        .isNotNull()
        .satisfies(
            c -> assertThat(c.getMetadata().getUid()).isEqualTo(pg.getMetadata().getUid()));
  }

  private static void create(String ns, String name, String spec) {
    cluster.createStack(ns, name, spec);
  }

  private static CloudNativePGCluster awaitCluster(String ns, String name) {
    await()
        .atMost(WAIT)
        .until(() -> cluster
                .client()
                .resources(CloudNativePGCluster.class)
                .inNamespace(ns)
                .withName(name + "-postgres")
                .get()
            != null);
    return cluster
        .client()
        .resources(CloudNativePGCluster.class)
        .inNamespace(ns)
        .withName(name + "-postgres")
        .get();
  }

  private static io.fabric8.kubernetes.api.model.OwnerReference owner(CloudNativePGCluster pg) {
    return new OwnerReferenceBuilder()
        .withApiVersion("postgresql.cnpg.io/v1")
        .withKind("Cluster")
        .withName(pg.getMetadata().getName())
        .withUid(pg.getMetadata().getUid())
        .withController(true)
        .build();
  }

  /** What CloudNativePG creates for a Cluster: the app owner's credentials and the CA, owned by the Cluster. */
  private static void cnpgSecrets(String ns, CloudNativePGCluster pg) {
    for (Secret s : List.of(
        new SecretBuilder()
            .withNewMetadata()
            .withName(pg.getMetadata().getName() + "-app")
            .withNamespace(ns)
            .addToLabels("cnpg.io/cluster", pg.getMetadata().getName())
            .withOwnerReferences(owner(pg))
            .endMetadata()
            .addToData("username", "bG9vbWlv")
            .addToData("password", "czNjcjN0LXBhc3N3b3Jk")
            .build(),
        new SecretBuilder()
            .withNewMetadata()
            .withName(pg.getMetadata().getName() + "-ca")
            .withNamespace(ns)
            .withOwnerReferences(owner(pg))
            .endMetadata()
            .addToData("ca.crt", "Y2E=")
            .build())) {
      cluster.client().resource(s).create();
    }
  }

  private static void clusterStatus(String ns, String name, Map<String, Object> status) {
    MockCluster.editStatus(
        cluster
            .client()
            .resources(CloudNativePGCluster.class)
            .inNamespace(ns)
            .withName(name + "-postgres"),
        c -> {
          c.setStatus(new LinkedHashMap<>(status));
          // as CloudNativePG does: the resource version of each Secret it made, in the Cluster's
          // status
          Map<String, Object> versions = new LinkedHashMap<>();
          Secret app = cluster
              .client()
              .secrets()
              .inNamespace(ns)
              .withName(name + "-postgres-app")
              .get();
          Secret ca = cluster
              .client()
              .secrets()
              .inNamespace(ns)
              .withName(name + "-postgres-ca")
              .get();
          if (app != null) {
            versions.put("applicationSecretVersion", app.getMetadata().getResourceVersion());
          }
          if (ca != null) {
            versions.put("serverCaSecretVersion", ca.getMetadata().getResourceVersion());
          }
          c.getStatus().put("secretsResourceVersion", versions);
          return c;
        });
  }

  private static Condition condition(String ns, String name, String type) {
    LoomioDeployment r = cluster.get(ns, name);
    return r == null || r.getStatus() == null
        ? null
        : Conditions.find(r.getStatus().getConditions(), type).orElse(null);
  }

  private static void patch(String ns, String name, String json) {
    cluster
        .client()
        .resources(LoomioDeployment.class)
        .inNamespace(ns)
        .withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), json);
  }

  private static Map<String, Integer> replicas(String ns) {
    Map<String, Integer> out = new LinkedHashMap<>();
    cluster
        .client()
        .apps()
        .deployments()
        .inNamespace(ns)
        .list()
        .getItems()
        .forEach(d -> out.put(d.getMetadata().getName(), d.getSpec().getReplicas()));
    return out;
  }

  private static List<Job> jobs(String ns) {
    return cluster
        .client()
        .batch()
        .v1()
        .jobs()
        .inNamespace(ns)
        .withLabel(Labels.INSTANCE, "team")
        .list()
        .getItems();
  }
}

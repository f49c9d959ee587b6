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
import org.loomio.operator.status.Conditions;
import org.loomio.operator.status.DegradedReason;
import org.loomio.operator.status.ReadyReason;
import org.loomio.operator.testing.Fixtures;
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

  private static void create(String ns, String name, String spec) {
    cluster.namespace(ns);
    LoomioDeployment r = Fixtures.resource(name, spec);
    r.getMetadata().setNamespace(ns);
    r.getMetadata().setGeneration(null);
    cluster.client().resource(r).create();
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

package org.loomio.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioBackup;
import org.loomio.operator.api.v1alpha1.LoomioBackupStatus;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioDeploymentStatus;
import org.loomio.operator.api.v1alpha1.UpgradeStatus;
import org.loomio.operator.model.Labels;
import org.loomio.operator.render.base.Rotation;
import org.loomio.operator.render.pod.HardenedPod;
import org.loomio.operator.render.workload.RotationJob;
import org.loomio.operator.status.Conditions;
import org.loomio.operator.status.DegradedReason;
import org.loomio.operator.status.IsolatedReason;
import org.loomio.operator.status.ProgressingReason;
import org.loomio.operator.status.ReadyReason;
import org.loomio.operator.status.SecretsFreshReason;
import org.loomio.operator.testing.MockCluster;

/**
 * Day-2 operations end to end on the mock API server: the embedded database's role setup before the migration
 * (and its failure), isolation on and off leaving data untouched, refused
 * upgrade paths, an upgrade through its gate, pre-upgrade backup, maintenance window and migration (with a failure
 * on the way), a patch release migrating while the old version serves,
 * and a rotation in its order (database, Secret, pods). The mock runs no controllers: the test plays the Job,
 * Deployment and kubelet parts by writing their status.
 */
class DayTwoOnMockServerTest {

  /** Invalid specs, failed gates and migrations on purpose: the operator's warnings stay out of the build log. */
  @org.junit.jupiter.api.extension.RegisterExtension
  static final org.loomio.operator.testing.ExpectedLogs LOGS =
      org.loomio.operator.testing.ExpectedLogs.of(LoomioDeploymentReconciler.class);

  private static final Duration WAIT = Duration.ofSeconds(30);
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

  // --- isolation ---

  @Test
  void isolationCutsTheStackOffInOneStepAndLiftingItRestoresItWithDataUntouched() {
    create(
        "iso",
        "team",
        "host: team.example.org\nimage: {tag: \"3.5\"}\n"
            + "ingress: {className: nginx, tls: {clusterIssuer: letsencrypt}}");
    awaitReady("iso");
    Map<String, String> data = dataVersions("iso");
    List<String> openPolicies = policies("iso");
    assertThat(openPolicies).hasSizeGreaterThan(5).contains("team-default-deny");
    assertThat(data)
        .containsKeys(
            "Secret/team-secrets", "Secret/team-backup-key", "PersistentVolumeClaim/team-uploads");

    patch("iso", "team", "{\"spec\":{\"isolation\":true}}");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(policies("iso")).containsExactly("team-default-deny");
      assertThat(replicas("iso"))
          .containsEntry("team-web", 0)
          .containsEntry("team-worker", 0)
          .containsEntry("team-hocuspocus", 0)
          .containsEntry("team-redis", 1);
      assertThat(cluster
              .client()
              .network()
              .v1()
              .ingresses()
              .inNamespace("iso")
              .list()
              .getItems())
          .isEmpty();
      assertThat(cluster
              .client()
              .configMaps()
              .inNamespace("iso")
              .withName("team-edge-headers")
              .get())
          .isNull();
      assertThat(cluster
              .client()
              .batch()
              .v1()
              .cronjobs()
              .inNamespace("iso")
              .withName("team-backup")
              .get()
              .getSpec()
              .getSuspend())
          .isTrue();
      Condition isolated = condition("iso", "team", Conditions.ISOLATED);
      assertThat(isolated).isNotNull();
      assertThat(isolated.getStatus()).isEqualTo("True");
      assertThat(isolated.getMessage()).contains("isolated since").contains("team-default-deny");
      assertThat(cluster.get("iso", "team").getStatus().getIsolatedSince()).isNotNull();
      assertThat(condition("iso", "team", Conditions.READY).getReason())
          .isEqualTo(IsolatedReason.ISOLATED.value());
      assertThat(condition("iso", "team", Conditions.BACKUPS_HEALTHY).getReason())
          .isEqualTo("BackupsPaused");
      assertThat(events("iso")).contains("Warning Isolated");
    });
    assertThat(dataVersions("iso")).as("no claim or Secret written").isEqualTo(data);

    // no backup of a compromised state
    LoomioBackup backup = new LoomioBackup();
    backup.getMetadata().setName("while-isolated");
    backup.getMetadata().setNamespace("iso");
    backup.setSpec(new org.loomio.operator.api.v1alpha1.LoomioBackupSpec());
    backup.getSpec().setDeploymentName("team");
    cluster.client().resource(backup).create();
    await().atMost(WAIT).untilAsserted(() -> {
      LoomioBackup b = cluster
          .client()
          .resources(LoomioBackup.class)
          .inNamespace("iso")
          .withName("while-isolated")
          .get();
      assertThat(b.getStatus()).isNotNull();
      assertThat(b.getStatus().getPhase()).isEqualTo(LoomioBackupStatus.Phase.Failed);
      assertThat(b.getStatus().getMessage()).contains("isolated");
    });

    patch("iso", "team", "{\"spec\":{\"isolation\":false}}");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(policies("iso")).containsExactlyInAnyOrderElementsOf(openPolicies);
      assertThat(replicas("iso"))
          .containsEntry("team-web", 1)
          .containsEntry("team-worker", 1)
          .containsEntry("team-hocuspocus", 1);
      assertThat(cluster
              .client()
              .network()
              .v1()
              .ingresses()
              .inNamespace("iso")
              .list()
              .getItems())
          .isNotEmpty();
      assertThat(cluster
              .client()
              .batch()
              .v1()
              .cronjobs()
              .inNamespace("iso")
              .withName("team-backup")
              .get()
              .getSpec()
              .getSuspend())
          .isFalse();
      Condition isolated = condition("iso", "team", Conditions.ISOLATED);
      assertThat(isolated.getStatus() + " " + isolated.getReason())
          .isEqualTo("False " + IsolatedReason.ISOLATION_LIFTED.value());
      assertThat(cluster.get("iso", "team").getStatus().getIsolatedSince()).isNull();
      assertThat(events("iso")).contains("Normal IsolationLifted");
    });
    awaitReady("iso");
    assertThat(dataVersions("iso")).as("no claim or Secret written").isEqualTo(data);
  }

  @Test
  void isolationWorksEvenWhenTheRestOfTheSpecCannotBeApplied() {
    create(
        "isobad",
        "team",
        "host: team.example.org\ningress: {className: nginx, tls: {clusterIssuer: letsencrypt}}");
    awaitReady("isobad");
    Map<String, String> data = dataVersions("isobad");

    // an invalid change and isolation in one edit: the invalid part is refused, isolation still
    // happens
    patch("isobad", "team", "{\"spec\":{\"worker\":{\"replicas\":3},\"isolation\":true}}");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(condition("isobad", "team", Conditions.DEGRADED).getReason())
          .isEqualTo(DegradedReason.INVALID_SPEC.value());
      assertThat(policies("isobad")).containsExactly("team-default-deny");
      assertThat(replicas("isobad"))
          .containsEntry("team-web", 0)
          .containsEntry("team-worker", 0)
          .containsEntry("team-hocuspocus", 0);
      assertThat(cluster
              .client()
              .network()
              .v1()
              .ingresses()
              .inNamespace("isobad")
              .list()
              .getItems())
          .isEmpty();
      assertThat(cluster
              .client()
              .batch()
              .v1()
              .cronjobs()
              .inNamespace("isobad")
              .withName("team-backup")
              .get()
              .getSpec()
              .getSuspend())
          .isTrue();
      assertThat(condition("isobad", "team", Conditions.ISOLATED).getStatus()).isEqualTo("True");
      assertThat(cluster.get("isobad", "team").getStatus().getIsolatedSince()).isNotNull();
    });
    assertThat(dataVersions("isobad")).as("no claim or Secret written").isEqualTo(data);

    // the spec fixed (still isolated): the normal render holds the same quarantine
    patch("isobad", "team", "{\"spec\":{\"worker\":{\"replicas\":1}}}");
    awaitCondition("isobad", Conditions.DEGRADED, "False", DegradedReason.AS_EXPECTED.value());
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(policies("isobad")).containsExactly("team-default-deny");
      assertThat(replicas("isobad")).containsEntry("team-web", 0);
      assertThat(condition("isobad", "team", Conditions.ISOLATED).getStatus()).isEqualTo("True");
    });
  }

  // --- upgrades ---

  @Test
  void aSkippedSteppingStoneAndADowngradeAreRefusedAndChangeNothing() {
    migratedAt("path", "3.2");
    Map<String, String> before = cluster.versions("path");

    patch("path", "team", "{\"spec\":{\"image\":{\"tag\":\"3.4\"}}}");
    awaitCondition("path", Conditions.DEGRADED, "True", "UpgradeSkipsVersion");
    assertThat(condition("path", "team", Conditions.DEGRADED).getMessage())
        .contains("skips 3.3.0")
        .contains("set spec.image.tag to 3.3.0");
    assertThat(image("path", "team-web")).isEqualTo("loomio/loomio:3.2");

    patch("path", "team", "{\"spec\":{\"image\":{\"tag\":\"3.1.4\"}}}");
    awaitCondition("path", Conditions.DEGRADED, "True", "DowngradeRefused");
    assertThat(condition("path", "team", Conditions.DEGRADED).getMessage())
        .contains("cannot migrate a schema backwards");
    assertThat(cluster.versions("path")).as("nothing applied").isEqualTo(before);
  }

  @Test
  void anUpgradeChecksItsGateTakesABackupStopsTheAppMigratesAndOnlyThenStartsTheNewVersion() {
    migratedAt("up", "3.2");
    String secretKeyBase = secretValue("up", "team-secrets", "SECRET_KEY_BASE");

    patch("up", "team", "{\"spec\":{\"image\":{\"tag\":\"3.3\"}}}");
    // 1. the 3.3 gate runs on the old image; nothing else moves
    Job gate = await()
        .atMost(WAIT)
        .until(() -> job("up", "upgrade-gate"), Optional::isPresent)
        .get();
    assertThat(gate.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("loomio/loomio:3.2");
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(upgrade("up"))
            .isNotNull()
            .satisfies(u -> assertThat(u.getPhase()).isEqualTo(UpgradeStatus.Phase.CheckingGate)));
    fail("up", gate, "check", "3 anonymous stance polls remain");
    awaitCondition("up", Conditions.DEGRADED, "True", DegradedReason.UPGRADE_GATE_FAILED.value());
    assertThat(condition("up", "team", Conditions.DEGRADED).getMessage())
        .contains("3 anonymous stance polls remain");
    assertThat(backups("up")).as("no backup before the gate passed").isEmpty();
    assertThat(image("up", "team-web")).isEqualTo("loomio/loomio:3.2");

    // the polls were dealt with: delete the gate Job, the check runs again and passes
    cluster
        .client()
        .batch()
        .v1()
        .jobs()
        .inNamespace("up")
        .withName(gate.getMetadata().getName())
        .delete();
    Job again = await()
        .atMost(WAIT)
        .until(
            () -> job("up", "upgrade-gate").filter(j -> j.getStatus() == null), Optional::isPresent)
        .get();
    complete("up", again);

    // 2. the pre-upgrade backup, and no migration before it succeeded
    LoomioBackup pre =
        await().atMost(WAIT).until(() -> backups("up"), b -> !b.isEmpty()).get(0);
    assertThat(pre.getMetadata().getName()).startsWith("team-pre-upgrade-");
    assertThat(pre.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getKind()).isEqualTo("LoomioDeployment"));
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(upgrade("up").getPhase()).isEqualTo(UpgradeStatus.Phase.BackingUp);
      assertThat(upgrade("up").getBackup()).isEqualTo(pre.getMetadata().getName());
      assertThat(condition("up", "team", Conditions.PROGRESSING).getReason())
          .isEqualTo(ProgressingReason.UPGRADING.value());
    });
    assertThat(migrationJobs("up"))
        .as("only the 3.2 migration so far")
        .singleElement()
        .satisfies(j -> assertThat(imageOf(j)).isEqualTo("loomio/loomio:3.2"));
    finishBackup("up", pre.getMetadata().getName());

    // 3. a new release series: a maintenance window. web, worker and hocuspocus stop first, and no
    // migration
    // runs while a pod of the old version may still write
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(upgrade("up").getPhase()).isEqualTo(UpgradeStatus.Phase.Stopping);
      assertThat(upgrade("up").getMaintenanceWindow()).isTrue();
      assertThat(upgrade("up").getStoppedAt()).isNotNull();
      assertThat(replicas("up"))
          .containsEntry("team-web", 0)
          .containsEntry("team-worker", 0)
          .containsEntry("team-hocuspocus", 0)
          .containsEntry("team-redis", 1);
      assertThat(condition("up", "team", Conditions.READY).getReason())
          .isEqualTo(ReadyReason.MAINTENANCE_WINDOW.value());
      assertThat(events("up")).contains("Warning " + ReadyReason.MAINTENANCE_WINDOW.value());
    });
    assertThat(migrationJobs("up"))
        .as("no migration before the pods are gone")
        .singleElement()
        .satisfies(j -> assertThat(imageOf(j)).isEqualTo("loomio/loomio:3.2"));
    assertThat(image("up", "team-web")).isEqualTo("loomio/loomio:3.2");

    // the Deployment controller reports the old pods gone: the migration runs the new image, the
    // app stays at zero
    cluster.runWorkloads("up", "team");
    Job migrate = await()
        .atMost(WAIT)
        .until(
            () -> migrationJobs("up").stream()
                .filter(j -> imageOf(j).equals("loomio/loomio:3.3"))
                .findFirst(),
            Optional::isPresent)
        .get();
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(upgrade("up").getPhase()).isEqualTo(UpgradeStatus.Phase.Migrating);
      assertThat(condition("up", "team", Conditions.READY).getMessage())
          .contains("maintenance window");
    });
    assertThat(replicas("up"))
        .containsEntry("team-web", 0)
        .containsEntry("team-worker", 0)
        .containsEntry("team-hocuspocus", 0);

    // a failed migration: Degraded quotes its log (masking secrets), and the app stays stopped
    fail(
        "up",
        migrate,
        "migrate",
        "== 20261101 AddThings: migrating\nPG::Error near " + secretKeyBase + "\nrake aborted!");
    awaitCondition("up", Conditions.DEGRADED, "True", DegradedReason.MIGRATION_FAILED.value());
    // the failed pod's log arrives through its own informer, and the condition and the upgrade's
    // phase may land
    // in different status writes: wait for all of them
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(condition("up", "team", Conditions.DEGRADED).getMessage())
          .contains("rake aborted!")
          .contains(Redaction.MASK)
          .doesNotContain(secretKeyBase);
      assertThat(upgrade("up").getPhase()).isEqualTo(UpgradeStatus.Phase.Failed);
      assertThat(upgrade("up").getMessage())
          .contains("stay stopped")
          .contains("set spec.image back to loomio/loomio:3.2");
    });
    assertThat(replicas("up"))
        .containsEntry("team-web", 0)
        .containsEntry("team-worker", 0)
        .containsEntry("team-hocuspocus", 0);
    assertThat(image("up", "team-web")).isEqualTo("loomio/loomio:3.2");

    // fixed and retried: the migration succeeds, and only now the app starts, on 3.3
    complete("up", migrate);
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(image("up", "team-web")).isEqualTo("loomio/loomio:3.3");
      assertThat(image("up", "team-worker")).isEqualTo("loomio/loomio:3.3");
      assertThat(image("up", "team-hocuspocus")).isEqualTo("loomio/loomio:3.3");
      assertThat(replicas("up"))
          .containsEntry("team-web", 1)
          .containsEntry("team-worker", 1)
          .containsEntry("team-hocuspocus", 1);
      LoomioDeploymentStatus s = cluster.get("up", "team").getStatus();
      assertThat(s.getMigrated().getVersion()).isEqualTo("3.3");
      assertThat(s.getUpgrade()).isNull();
    });
    awaitReady("up");
  }

  @Test
  void aPatchReleaseMigratesWhileTheOldVersionKeepsServing() {
    migratedAt("patch", "3.5.1");
    patch("patch", "team", "{\"spec\":{\"image\":{\"tag\":\"3.5.2\"}}}");
    LoomioBackup pre =
        await().atMost(WAIT).until(() -> backups("patch"), b -> !b.isEmpty()).get(0);
    finishBackup("patch", pre.getMetadata().getName());

    Job migrate = await()
        .atMost(WAIT)
        .until(
            () -> migrationJobs("patch").stream()
                .filter(j -> imageOf(j).equals("loomio/loomio:3.5.2"))
                .findFirst(),
            Optional::isPresent)
        .get();
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(upgrade("patch").getPhase()).isEqualTo(UpgradeStatus.Phase.Migrating);
      assertThat(upgrade("patch").getMaintenanceWindow()).isNull();
    });
    assertThat(replicas("patch"))
        .containsEntry("team-web", 1)
        .containsEntry("team-worker", 1)
        .containsEntry("team-hocuspocus", 1);
    assertThat(image("patch", "team-web")).isEqualTo("loomio/loomio:3.5.1");
    assertThat(events("patch")).doesNotContain("Warning " + ReadyReason.MAINTENANCE_WINDOW.value());

    complete("patch", migrate);
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(image("patch", "team-web")).isEqualTo("loomio/loomio:3.5.2");
      assertThat(cluster.get("patch", "team").getStatus().getUpgrade()).isNull();
    });
    awaitReady("patch");
  }

  // --- role setup (embedded database) ---

  @Test
  void theRoleSetupRunsBeforeTheMigrationAndItsFailureIsReportedWithoutThePassword() {
    create("roles", "team", "host: team.example.org");
    // the superuser's password: generated once into its own retained Secret, never the app's
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(job("roles", "db-roles")).isPresent());
    Secret superuser = cluster
        .client()
        .secrets()
        .inNamespace("roles")
        .withName("team-postgres-superuser")
        .get();
    assertThat(superuser.getMetadata().getOwnerReferences()).as("retained").isNullOrEmpty();
    assertThat(superuser.getMetadata().getAnnotations())
        .containsKey(org.loomio.operator.render.base.Ownership.OWNER_UID);
    assertThat(superuser.getMetadata().getLabels()).containsEntry(Labels.COMPONENT, "secrets");
    String password = secretValue(
        "roles",
        "team-postgres-superuser",
        org.loomio.operator.render.workload.RoleSetupJob.SUPERUSER_PASSWORD);
    assertThat(password)
        .matches("[0-9a-f]{64}")
        .isNotEqualTo(secretValue("roles", "team-secrets", "POSTGRES_PASSWORD"));
    assertThat(secretValue(
            "roles",
            "team-postgres-superuser",
            org.loomio.operator.render.workload.RoleSetupJob.SUPERUSER_VERIFIER))
        .startsWith("SCRAM-SHA-256$4096:");
    assertThat(events("roles")).contains("Normal SuperuserPasswordGenerated");

    // the migration waits for the role setup
    awaitCondition("roles", Conditions.READY, "False", ProgressingReason.MIGRATION_PENDING.value());
    cluster.runWorkloads("roles", "team");
    awaitCondition("roles", Conditions.READY, "False", ProgressingReason.MIGRATION_PENDING.value());
    assertThat(migrationJobs("roles"))
        .as("no migration before the role setup succeeded")
        .isEmpty();

    // it fails: Degraded says so, with the Job's message, the password masked; still no migration
    // the condition may be written in the reconcile that creates the Job: wait for the Job itself
    Job roles = await()
        .atMost(WAIT)
        .until(() -> job("roles", "db-roles"), Optional::isPresent)
        .orElseThrow();
    fail(
        "roles",
        roles,
        "setup-roles",
        "could not set the password " + password + " of loomio (see the log)");
    awaitCondition("roles", Conditions.DEGRADED, "True", DegradedReason.ROLE_SETUP_FAILED.value());
    Condition degraded = condition("roles", "team", Conditions.DEGRADED);
    assertThat(degraded.getMessage())
        .contains(roles.getMetadata().getName())
        .contains("[redacted]")
        .doesNotContain(password)
        .contains("docs/operations.md");
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(events("roles")).contains("Warning RoleSetupFailed"));
    assertThat(cluster.client().v1().events().inNamespace("roles").list().getItems())
        .allSatisfy(e -> assertThat(String.valueOf(e.getMessage())).doesNotContain(password));
    assertThat(migrationJobs("roles")).isEmpty();

    // deleting the failed Job runs it again; once it succeeds, the migration runs and the stack
    // comes up
    cluster
        .client()
        .batch()
        .v1()
        .jobs()
        .inNamespace("roles")
        .withName(roles.getMetadata().getName())
        .delete();
    cluster
        .client()
        .pods()
        .inNamespace("roles")
        .withName(roles.getMetadata().getName() + "-x")
        .delete();
    await().atMost(WAIT).untilAsserted(() -> {
      Job again = job("roles", "db-roles").orElseThrow();
      assertThat(again.getStatus() == null || again.getStatus().getFailed() == null)
          .isTrue();
    });
    complete("roles", job("roles", "db-roles").orElseThrow());
    await().atMost(WAIT).untilAsserted(() -> assertThat(migrationJobs("roles")).hasSize(1));
    awaitReady("roles");
    assertThat(secretValue(
            "roles",
            "team-postgres-superuser",
            org.loomio.operator.render.workload.RoleSetupJob.SUPERUSER_PASSWORD))
        .as("generated once")
        .isEqualTo(password);
  }

  @Test
  void aRotationOfTheAppPasswordNeedsNoNewRoleSetupAndHoldsNothing() {
    create("roles2", "team", "host: team.example.org");
    awaitReady("roles2");
    List<String> before = roleSetupJobs("roles2");
    assertThat(before).hasSize(1);
    patch(
        "roles2",
        "team",
        "{\"spec\":{\"secrets\":{\"rotate\":{\"token\":\"t1\",\"keys\":[\"POSTGRES_PASSWORD\"]}}}}");
    await().atMost(WAIT).untilAsserted(() -> assertThat(job("roles2", "rotate")).isPresent());
    // the rotation Job signs in as the superuser with its own Secret, never the app's current
    // password
    assertThat(job("roles2", "rotate")
            .orElseThrow()
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0)
            .getEnv())
        .filteredOn(e -> e.getValueFrom() != null)
        .extracting(e -> e.getValueFrom().getSecretKeyRef().getName())
        .contains("team-postgres-superuser")
        .doesNotContain("team-secrets");
    complete("roles2", job("roles2", "rotate").orElseThrow());
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(
                cluster.get("roles2", "team").getStatus().getSecrets().getLastRotationToken())
            .isEqualTo("t1"));
    awaitReady("roles2");
    assertThat(roleSetupJobs("roles2")).isEqualTo(before);
    assertThat(migrationJobs("roles2")).as("the migration is not run again").hasSize(1);
  }

  private static List<String> roleSetupJobs(String ns) {
    return cluster
        .client()
        .batch()
        .v1()
        .jobs()
        .inNamespace(ns)
        .withLabel(Labels.COMPONENT, "db-roles")
        .list()
        .getItems()
        .stream()
        .map(j -> j.getMetadata().getName())
        .toList();
  }

  // --- rotation ---

  @Test
  void aRotationChangesTheDatabaseFirstThenTheSecretThenExactlyThePodsThatReadIt() {
    create("rot", "team", "host: team.example.org");
    awaitReady("rot");
    Map<String, String> before = secretValues("rot", "team-secrets");
    Map<String, String> hashes = secretHashes("rot");
    String started = java.time.Instant.now()
        .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
        .toString();

    patch(
        "rot",
        "team",
        "{\"spec\":{\"secrets\":{\"rotate\":{\"token\":\"t1\",\"keys\":[\"SECRET_KEY_BASE\","
            + "\"POSTGRES_PASSWORD\"]}}}}");
    // 1. the new values wait in the pending Secret while the Job changes the database's password
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(job("rot", "rotate")).isPresent();
      assertThat(cluster.get("rot", "team").getStatus().getSecrets().getRotation())
          .contains("changing the database password");
      assertThat(cluster
              .client()
              .secrets()
              .inNamespace("rot")
              .withName(RotationJob.pendingSecret("team"))
              .get())
          .isNotNull();
    });
    Map<String, String> pending = secretValues("rot", RotationJob.pendingSecret("team"));
    String uid = cluster
        .client()
        .secrets()
        .inNamespace("rot")
        .withName(RotationJob.pendingSecret("team"))
        .get()
        .getMetadata()
        .getUid();
    String jobName = new Rotation("t1", uid).jobName("team");
    assertThat(job("rot", "rotate").get().getMetadata().getName())
        .as("this attempt's own Job")
        .isEqualTo(jobName);
    assertThat(pending)
        .containsKeys("SECRET_KEY_BASE", "POSTGRES_PASSWORD", RotationJob.VERIFIER_KEY)
        .doesNotContainKeys("DEVISE_SECRET", "REDIS_PASSWORD");
    assertThat(pending.get("POSTGRES_PASSWORD"))
        .isNotEqualTo(before.get("POSTGRES_PASSWORD"))
        .matches("[0-9a-f]{64}");
    assertThat(secretValues("rot", "team-secrets"))
        .as("the Secret waits for the database")
        .isEqualTo(before);
    assertThat(secretHashes("rot")).as("no pod rolls yet").isEqualTo(hashes);

    // 2. the database has it: the Secret follows, the pending Secret goes, the readers roll
    complete(
        "rot",
        cluster
            .client()
            .batch()
            .v1()
            .jobs()
            .inNamespace("rot")
            .withName(jobName)
            .get());
    await().atMost(WAIT).untilAsserted(() -> {
      Map<String, String> after = secretValues("rot", "team-secrets");
      assertThat(after.get("SECRET_KEY_BASE")).isEqualTo(pending.get("SECRET_KEY_BASE"));
      assertThat(after.get("POSTGRES_PASSWORD")).isEqualTo(pending.get("POSTGRES_PASSWORD"));
      assertThat(after).doesNotContainKey(RotationJob.VERIFIER_KEY);
      assertThat(after.get("DEVISE_SECRET")).isEqualTo(before.get("DEVISE_SECRET"));
      assertThat(cluster
              .client()
              .secrets()
              .inNamespace("rot")
              .withName(RotationJob.pendingSecret("team"))
              .get())
          .isNull();
      var status = cluster.get("rot", "team").getStatus().getSecrets();
      assertThat(status.getLastRotationToken()).isEqualTo("t1");
      assertThat(status.getRotation()).isNull();
      assertThat(status.getValueSince())
          .containsKeys("SECRET_KEY_BASE", "DEVISE_SECRET", "VAPID_PUBLIC_KEY");
      assertThat(status.getValueSince().get("SECRET_KEY_BASE")).isGreaterThanOrEqualTo(started);
      Map<String, String> rolled = secretHashes("rot");
      assertThat(rolled.get("Deployment/team-web")).isNotEqualTo(hashes.get("Deployment/team-web"));
      assertThat(rolled.get("Deployment/team-worker"))
          .isNotEqualTo(hashes.get("Deployment/team-worker"));
      assertThat(rolled.get("Deployment/team-redis"))
          .as("Redis reads neither")
          .isEqualTo(hashes.get("Deployment/team-redis"));
      assertThat(events("rot")).contains("Normal CredentialsRotated");
    });
    String statusText = cluster.get("rot", "team").getStatus().toString() + events("rot");
    assertThat(statusText)
        .doesNotContain(pending.get("SECRET_KEY_BASE"))
        .doesNotContain(pending.get("POSTGRES_PASSWORD"));

    // 3. the same token never rotates again: another change reconciles, the Secret stays
    Map<String, String> rotated = secretValues("rot", "team-secrets");
    patch("rot", "team", "{\"spec\":{\"siteName\":\"After rotation\"}}");
    await()
        .atMost(WAIT)
        .until(() -> "After rotation"
            .equals(cluster
                .client()
                .configMaps()
                .inNamespace("rot")
                .withName("team-config")
                .get()
                .getData()
                .get("SITE_NAME")));
    assertThat(secretValues("rot", "team-secrets")).isEqualTo(rotated);
    assertThat(cluster
            .client()
            .secrets()
            .inNamespace("rot")
            .withName(RotationJob.pendingSecret("team"))
            .get())
        .isNull();
  }

  @Test
  void aStackCreatedWithARotationRequestDoesNotRotateItsBrandNewValues() {
    create(
        "fresh",
        "team",
        "host: team.example.org\nsecrets: {rotate: {token: gitops-1, keys: [all]}}");
    await().atMost(WAIT).untilAsserted(() -> {
      // no status yet is a failed assertion, which the wait retries, not an NPE that ends it
      var status = cluster.get("fresh", "team").getStatus();
      assertThat(status).isNotNull();
      assertThat(status.getSecrets()).isNotNull();
      assertThat(status.getSecrets().getLastRotationToken()).isEqualTo("gitops-1");
    });
    assertThat(cluster
            .client()
            .secrets()
            .inNamespace("fresh")
            .withName(RotationJob.pendingSecret("team"))
            .get())
        .isNull();
    assertThat(cluster
            .client()
            .batch()
            .v1()
            .jobs()
            .inNamespace("fresh")
            .withLabel(Labels.COMPONENT, "rotate")
            .list()
            .getItems())
        .isEmpty();
  }

  @Test
  void theVapidPairNeedsForceAndOldCredentialsRaiseSecretsFresh() {
    create("age", "team", "host: team.example.org");
    awaitReady("age");
    Map<String, String> before = secretValues("age", "team-secrets");

    patch(
        "age",
        "team",
        "{\"spec\":{\"secrets\":{\"rotate\":{\"token\":\"v\",\"keys\":[\"VAPID_PUBLIC_KEY\"]}}}}");
    awaitCondition("age", Conditions.DEGRADED, "True", DegradedReason.INVALID_SPEC.value());
    assertThat(condition("age", "team", Conditions.DEGRADED).getMessage()).contains("force");
    assertThat(secretValues("age", "team-secrets")).isEqualTo(before);
    patch("age", "team", "{\"spec\":{\"secrets\":{\"rotate\":null}}}");

    MockCluster.edit(cluster.client().secrets().inNamespace("age").withName("team-secrets"), s -> {
      s.getMetadata()
          .getAnnotations()
          .put("value-since.loomio.org/DEVISE_SECRET", "2020-01-01T00:00:00Z");
      s.getMetadata()
          .getAnnotations()
          .put("value-since.loomio.org/VAPID_PRIVATE_KEY", "2020-01-01T00:00:00Z");
      return s;
    });
    patch("age", "team", "{\"spec\":{\"secrets\":{\"maxAgeDays\":90}}}");
    awaitCondition(
        "age", Conditions.SECRETS_FRESH, "False", SecretsFreshReason.ROTATION_DUE.value());
    assertThat(condition("age", "team", Conditions.SECRETS_FRESH).getMessage())
        .contains("DEVISE_SECRET")
        .doesNotContain("VAPID")
        .doesNotContain("SECRET_KEY_BASE");
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(events("age"))
            .contains("Warning " + SecretsFreshReason.ROTATION_DUE.value()));

    patch(
        "age",
        "team",
        "{\"spec\":{\"secrets\":{\"rotate\":{\"token\":\"r1\",\"keys\":[\"DEVISE_SECRET\"]}}}}");
    awaitCondition(
        "age", Conditions.SECRETS_FRESH, "True", SecretsFreshReason.WITHIN_MAX_AGE.value());
    assertThat(secretValues("age", "team-secrets").get("DEVISE_SECRET"))
        .isNotEqualTo(before.get("DEVISE_SECRET"));
  }

  // --- helpers ---

  private static void create(String ns, String name, String spec) {
    cluster.createStack(ns, name, spec);
    await()
        .atMost(WAIT)
        .until(() -> cluster
                .client()
                .apps()
                .deployments()
                .inNamespace(ns)
                .withName(name + "-web")
                .get()
            != null);
  }

  /** A stack whose database is migrated to {@code version}, with backups to its volume. */
  private static void migratedAt(String ns, String version) {
    create(ns, "team", "host: team.example.org\nimage: {tag: \"" + version + "\"}");
    awaitReady(ns);
    assertThat(cluster.get(ns, "team").getStatus().getMigrated().getVersion()).isEqualTo(version);
  }

  /**
   * Plays the controllers until the stack is Ready: the Deployment and StatefulSet controllers report their
   * pods, the Job controller completes migrations (objects may still be arriving, so it keeps playing).
   */
  private static void awaitReady(String ns) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      cluster.runWorkloads(ns, "team");
      // the role setup first (the migration waits for it), then the migration
      java.util.stream.Stream.concat(
              cluster
                  .client()
                  .batch()
                  .v1()
                  .jobs()
                  .inNamespace(ns)
                  .withLabel(Labels.COMPONENT, "db-roles")
                  .list()
                  .getItems()
                  .stream(),
              migrationJobs(ns).stream())
          .filter(j -> j.getStatus() == null
              || j.getStatus().getConditions() == null
              || j.getStatus().getConditions().isEmpty())
          .forEach(j -> complete(ns, j));
      Condition c = condition(ns, "team", Conditions.READY);
      assertThat(c).isNotNull();
      assertThat(c.getStatus() + " " + c.getReason())
          .as(c.getMessage())
          .isEqualTo("True " + ReadyReason.ALL_COMPONENTS_READY.value());
    });
  }

  private static void patch(String ns, String name, String json) {
    cluster
        .client()
        .resources(LoomioDeployment.class)
        .inNamespace(ns)
        .withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), json);
  }

  private static Condition condition(String ns, String name, String type) {
    LoomioDeployment r = cluster.get(ns, name);
    return r == null || r.getStatus() == null
        ? null
        : Conditions.find(r.getStatus().getConditions(), type).orElse(null);
  }

  private static void awaitCondition(String ns, String type, String status, String reason) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
      Condition c = condition(ns, "team", type);
      assertThat(c).as(type).isNotNull();
      assertThat(c.getStatus() + " " + c.getReason())
          .as(c.getMessage())
          .isEqualTo(status + " " + reason);
    });
  }

  private static UpgradeStatus upgrade(String ns) {
    return cluster.get(ns, "team").getStatus().getUpgrade();
  }

  private static List<String> policies(String ns) {
    return cluster
        .client()
        .network()
        .v1()
        .networkPolicies()
        .inNamespace(ns)
        .withLabel(Labels.INSTANCE, "team")
        .list()
        .getItems()
        .stream()
        .map(p -> p.getMetadata().getName())
        .sorted()
        .toList();
  }

  private static Map<String, Integer> replicas(String ns) {
    return cluster.client().apps().deployments().inNamespace(ns).list().getItems().stream()
        .collect(
            Collectors.toMap(d -> d.getMetadata().getName(), d -> d.getSpec().getReplicas()));
  }

  private static String image(String ns, String deployment) {
    Deployment d = cluster
        .client()
        .apps()
        .deployments()
        .inNamespace(ns)
        .withName(deployment)
        .get();
    return d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  private static String imageOf(Job job) {
    return job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  private static Optional<Job> job(String ns, String component) {
    return cluster
        .client()
        .batch()
        .v1()
        .jobs()
        .inNamespace(ns)
        .withLabel(Labels.COMPONENT, component)
        .list()
        .getItems()
        .stream()
        .findFirst();
  }

  private static List<Job> migrationJobs(String ns) {
    return cluster
        .client()
        .batch()
        .v1()
        .jobs()
        .inNamespace(ns)
        .withLabel(Labels.COMPONENT, "migrate")
        .list()
        .getItems();
  }

  private static List<LoomioBackup> backups(String ns) {
    return cluster.client().resources(LoomioBackup.class).inNamespace(ns).list().getItems();
  }

  /** The Job controller and the kubelet report a failure, with the container's last words. */
  private static void fail(String ns, Job job, String container, String message) {
    String name = job.getMetadata().getName();
    Map<String, String> labels =
        new LinkedHashMap<>(job.getSpec().getTemplate().getMetadata().getLabels());
    labels.put("job-name", name);
    cluster
        .client()
        .pods()
        .inNamespace(ns)
        .resource(new PodBuilder()
            .withNewMetadata()
            .withName(name + "-x")
            .withNamespace(ns)
            .withLabels(labels)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName(container)
            .withImage("x")
            .endContainer()
            .endSpec()
            .build())
        .create();
    MockCluster.editStatus(cluster.client().pods().inNamespace(ns).withName(name + "-x"), p -> {
      p.setStatus(new PodStatusBuilder()
          .withPhase("Failed")
          .withContainerStatuses(new ContainerStatusBuilder()
              .withName(container)
              .withNewState()
              .withNewTerminated()
              .withExitCode(1)
              .withMessage(message)
              .withFinishedAt(java.time.Instant.now().toString())
              .endTerminated()
              .endState()
              .build())
          .build());
      return p;
    });
    MockCluster.editStatus(
        cluster.client().batch().v1().jobs().inNamespace(ns).withName(name), j -> {
          j.setStatus(new JobStatusBuilder()
              .withFailed(1)
              .addNewCondition()
              .withType("Failed")
              .withStatus("True")
              .withReason("BackoffLimitExceeded")
              .endCondition()
              .build());
          return j;
        });
  }

  private static void complete(String ns, Job job) {
    MockCluster.editStatus(
        cluster
            .client()
            .batch()
            .v1()
            .jobs()
            .inNamespace(ns)
            .withName(job.getMetadata().getName()),
        j -> {
          j.setStatus(new JobStatusBuilder()
              .withSucceeded(1)
              .addNewCondition()
              .withType("Complete")
              .withStatus("True")
              .endCondition()
              .build());
          return j;
        });
  }

  /** The backup pod of a LoomioBackup finishes, as its agent reports it. */
  private static void finishBackup(String ns, String backup) {
    await()
        .atMost(WAIT)
        .until(() -> !cluster
            .client()
            .batch()
            .v1()
            .jobs()
            .inNamespace(ns)
            .withLabel(Labels.BACKUP, backup)
            .list()
            .getItems()
            .isEmpty());
    String pod = "backup-" + backup;
    cluster
        .client()
        .pods()
        .inNamespace(ns)
        .resource(new PodBuilder()
            .withNewMetadata()
            .withName(pod)
            .withNamespace(ns)
            .withLabels(Map.of(
                Labels.MANAGED_BY,
                Labels.OPERATOR,
                Labels.INSTANCE,
                "team",
                Labels.COMPONENT,
                "backup",
                Labels.BACKUP,
                backup,
                Labels.RUN_ONCE,
                "true"))
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("agent")
            .withImage("x")
            .endContainer()
            .endSpec()
            .build())
        .create();
    MockCluster.editStatus(cluster.client().pods().inNamespace(ns).withName(pod), p -> {
      p.setStatus(new PodStatusBuilder()
          .withPhase("Succeeded")
          .withContainerStatuses(new ContainerStatusBuilder()
              .withName("agent")
              .withNewState()
              .withNewTerminated()
              .withExitCode(0)
              .withMessage(
                  "{\"backup\":\"team-20261127T120000Z\",\"complete\":true,\"objects\":[]}")
              .withFinishedAt(java.time.Instant.now().toString())
              .endTerminated()
              .endState()
              .build())
          .build());
      return p;
    });
  }

  private static Map<String, String> dataVersions(String ns) {
    return cluster.versions(ns).entrySet().stream()
        .filter(e ->
            e.getKey().startsWith("Secret/") || e.getKey().startsWith("PersistentVolumeClaim/"))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  private static Map<String, String> secretValues(String ns, String name) {
    Secret s = cluster.client().secrets().inNamespace(ns).withName(name).get();
    assertThat(s).as(name).isNotNull();
    Map<String, String> values = new LinkedHashMap<>();
    s.getData()
        .forEach((k, v) ->
            values.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    return values;
  }

  private static String secretValue(String ns, String name, String key) {
    return secretValues(ns, name).get(key);
  }

  /** The secret-hash annotation of every workload's pod template. */
  private static Map<String, String> secretHashes(String ns) {
    Map<String, String> hashes = new LinkedHashMap<>();
    List<HasMetadata> workloads = new java.util.ArrayList<>();
    workloads.addAll(
        cluster.client().apps().deployments().inNamespace(ns).list().getItems());
    workloads.addAll(
        cluster.client().apps().statefulSets().inNamespace(ns).list().getItems());
    for (HasMetadata w : workloads) {
      var template = w instanceof Deployment d
          ? d.getSpec().getTemplate()
          : ((io.fabric8.kubernetes.api.model.apps.StatefulSet) w).getSpec().getTemplate();
      hashes.put(
          w.getKind() + "/" + w.getMetadata().getName(),
          String.valueOf(
              template.getMetadata().getAnnotations().get(HardenedPod.SECRET_HASH_ANNOTATION)));
    }
    return hashes;
  }

  private static List<String> events(String ns) {
    return cluster.client().v1().events().inNamespace(ns).list().getItems().stream()
        .map(e -> e.getType() + " " + e.getReason())
        .toList();
  }
}

package org.loomio.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioBackup;
import org.loomio.operator.api.v1alpha1.LoomioBackupStatus;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioRestore;
import org.loomio.operator.api.v1alpha1.LoomioRestoreStatus;
import org.loomio.operator.backup.OpenPgp;
import org.loomio.operator.model.Labels;
import org.loomio.operator.status.BackupsHealthyReason;
import org.loomio.operator.status.Conditions;
import org.loomio.operator.status.DegradedReason;
import org.loomio.operator.status.ReadyReason;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.testing.MockCluster;

/**
 * Backups and restores on the mock API server: the generated key pair and the schedule, results read
 * from (faked) backup pods' termination messages, an on-demand LoomioBackup, and a LoomioRestore through
 * every step, with the credentials put back from the backup's encrypted object.
 */
class BackupsOnMockServerTest {

  /** A name conflict on purpose (a foreign Secret of the stack's credentials name): its warnings stay out of the log. */
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

  private static void create(String ns, String name) {
    cluster.createStack(ns, name, "host: " + name + ".example.org");
    await()
        .atMost(WAIT)
        .until(() -> cluster.get(ns, name) != null
            && cluster.get(ns, name).getStatus() != null
            && cluster
                    .client()
                    .apps()
                    .deployments()
                    .inNamespace(ns)
                    .withName(name + "-web")
                    .get()
                != null);
  }

  private static Condition condition(String ns, String name, String type) {
    LoomioDeployment r = cluster.get(ns, name);
    return r == null || r.getStatus() == null
        ? null
        : Conditions.find(r.getStatus().getConditions(), type).orElse(null);
  }

  /** A finished pod as the kubelet would report it: labels of its Job, and its containers' last words. */
  private static void finishedPod(
      String ns,
      String name,
      Map<String, String> labels,
      List<ContainerStatus> init,
      List<ContainerStatus> main) {
    Pod pod = new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(ns)
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("x")
        .withImage("x")
        .endContainer()
        .endSpec()
        .build();
    cluster.client().pods().inNamespace(ns).resource(pod).create();
    MockCluster.editStatus(cluster.client().pods().inNamespace(ns).withName(name), p -> {
      p.setStatus(new PodStatusBuilder()
          .withPhase("Succeeded")
          .withInitContainerStatuses(init)
          .withContainerStatuses(main)
          .build());
      return p;
    });
  }

  private static ContainerStatus terminated(String container, int exit, String message) {
    return new ContainerStatusBuilder()
        .withName(container)
        .withNewState()
        .withNewTerminated()
        .withExitCode(exit)
        .withFinishedAt(java.time.Instant.now().toString())
        .withMessage(message)
        .endTerminated()
        .endState()
        .build();
  }

  @Test
  void aStackGetsAKeyPairAScheduleAndReportsItsBackups() {
    create("bk", "team");
    await().atMost(WAIT).untilAsserted(() -> {
      Secret key = cluster
          .client()
          .secrets()
          .inNamespace("bk")
          .withName("team-backup-key")
          .get();
      assertThat(key).isNotNull();
      assertThat(key.getMetadata().getOwnerReferences())
          .as("kept when the stack goes")
          .isNullOrEmpty();
      ConfigMap recipients = cluster
          .client()
          .configMaps()
          .inNamespace("bk")
          .withName("team-backup-recipients")
          .get();
      assertThat(recipients).isNotNull();
      assertThat(recipients.getData().get("recipients.asc"))
          .startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----")
          .isEqualTo(secretValue("bk", "team-backup-key", "public.asc"));
      assertThat(cluster
              .client()
              .batch()
              .v1()
              .cronjobs()
              .inNamespace("bk")
              .withName("team-backup")
              .get())
          .isNotNull();
      assertThat(condition("bk", "team", Conditions.BACKUPS_HEALTHY).getReason())
          .isEqualTo(BackupsHealthyReason.NO_BACKUP_YET.value());
      assertThat(cluster.client().v1().events().inNamespace("bk").list().getItems())
          .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("BackupKeyGenerated"))
          .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("BackupSigningKeyGenerated"));
      // the signing key: its own Secret, kept like the backup key, separate from the encryption key
      Secret signing = cluster
          .client()
          .secrets()
          .inNamespace("bk")
          .withName("team-backup-signing-key")
          .get();
      assertThat(signing).isNotNull();
      assertThat(signing.getMetadata().getOwnerReferences())
          .as("kept when the stack goes")
          .isNullOrEmpty();
      assertThat(secretValue("bk", "team-backup-signing-key", "private.asc"))
          .startsWith("-----BEGIN PGP PRIVATE KEY BLOCK-----");
      String signingPublic = secretValue("bk", "team-backup-signing-key", "public.asc");
      assertThat(OpenPgp.verifierFrom(signingPublic).fingerprints())
          .containsExactly(secretValue("bk", "team-backup-signing-key", "fingerprint"))
          .doesNotContain(secretValue("bk", "team-backup-key", "fingerprint"));
      var agent = cluster
          .client()
          .batch()
          .v1()
          .cronjobs()
          .inNamespace("bk")
          .withName("team-backup")
          .get()
          .getSpec()
          .getJobTemplate()
          .getSpec()
          .getTemplate()
          .getSpec()
          .getContainers()
          .get(0);
      assertThat(agent.getArgs()).containsSequence("--signing-key", "/signing/signing.asc");
    });

    finishedPod(
        "bk",
        "team-backup-29000000-abcde",
        Map.of(
            Labels.MANAGED_BY,
            Labels.OPERATOR,
            Labels.INSTANCE,
            "team",
            Labels.COMPONENT,
            "backup",
            Labels.RUN_ONCE,
            "true"),
        List.of(terminated("dump", 0, "")),
        List.of(terminated(
            "agent",
            0,
            "{\"backup\":\"team-20261127T031700Z\",\"complete\":true,\"objects\":[]}")));
    await().atMost(WAIT).untilAsserted(() -> {
      LoomioDeployment r = cluster.get("bk", "team");
      assertThat(r.getStatus().getBackup()).isNotNull();
      assertThat(r.getStatus().getBackup().getLastSuccessfulBackup())
          .isEqualTo("team-20261127T031700Z");
      assertThat(condition("bk", "team", Conditions.BACKUPS_HEALTHY).getStatus())
          .isEqualTo("True");
    });
  }

  /**
   * Someone else's Secret named like the stack's credentials stops the stack (NameConflict) and a LoomioBackup
   * of it too: no Job mounts the foreign Secret (reconciled apart from the stack, the backup checks itself).
   */
  @Test
  void aBackupNeverMountsSomeoneElsesSecretOfTheStacksCredentialsName() {
    String ns = "loot";
    cluster.namespace(ns);
    String version = cluster
        .client()
        .secrets()
        .inNamespace(ns)
        .resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
            .withNewMetadata()
            .withName("team-secrets")
            .endMetadata()
            .addToData("SECRET_KEY_BASE", "c29tZW9uZSBlbHNlJ3M=")
            .build())
        .create()
        .getMetadata()
        .getResourceVersion();
    LoomioDeployment r = Fixtures.resource("team", "host: team.example.org");
    r.getMetadata().setNamespace(ns);
    r.getMetadata().setGeneration(null);
    cluster.client().resource(r).create();
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(condition(ns, "team", Conditions.DEGRADED))
            .isNotNull()
            .satisfies(
                c -> assertThat(c.getReason()).isEqualTo(DegradedReason.NAME_CONFLICT.value())));
    LoomioBackup backup = new LoomioBackup();
    backup.getMetadata().setName("grab");
    backup.getMetadata().setNamespace(ns);
    backup.setSpec(new org.loomio.operator.api.v1alpha1.LoomioBackupSpec());
    backup.getSpec().setDeploymentName("team");
    cluster.client().resource(backup).create();
    await().atMost(WAIT).untilAsserted(() -> {
      LoomioBackupStatus s = status(ns, "grab");
      assertThat(s).isNotNull();
      assertThat(s.getPhase()).isEqualTo(LoomioBackupStatus.Phase.Pending);
      assertThat(s.getMessage()).contains("Secret team-secrets is not this stack's own");
    });
    assertThat(cluster.client().batch().v1().jobs().inNamespace(ns).list().getItems())
        .isEmpty();
    assertThat(cluster
            .client()
            .secrets()
            .inNamespace(ns)
            .withName("team-secrets")
            .get()
            .getMetadata()
            .getResourceVersion())
        .as("left as it was")
        .isEqualTo(version);
  }

  @Test
  void anOnDemandBackupRunsOnceAndReportsItsObjects() {
    create("now", "team");
    LoomioBackup backup = new LoomioBackup();
    backup.getMetadata().setName("before-upgrade");
    backup.getMetadata().setNamespace("now");
    backup.setSpec(new org.loomio.operator.api.v1alpha1.LoomioBackupSpec());
    backup.getSpec().setDeploymentName("team");
    cluster.client().resource(backup).create();
    await().atMost(WAIT).untilAsserted(() -> {
      List<Job> jobs = cluster
          .client()
          .batch()
          .v1()
          .jobs()
          .inNamespace("now")
          .withLabel(Labels.BACKUP, "before-upgrade")
          .list()
          .getItems();
      assertThat(jobs).singleElement().satisfies(j -> {
        assertThat(j.getMetadata().getOwnerReferences())
            .singleElement()
            .satisfies(o -> assertThat(o.getKind()).isEqualTo("LoomioBackup"));
        assertThat(j.getSpec().getTemplate().getMetadata().getLabels())
            .containsEntry(Labels.BACKUP, "before-upgrade");
      });
      assertThat(status("now", "before-upgrade").getPhase())
          .isEqualTo(LoomioBackupStatus.Phase.Running);
    });
    finishedPod(
        "now",
        "team-backup-x-1",
        Map.of(
            Labels.MANAGED_BY,
            Labels.OPERATOR,
            Labels.INSTANCE,
            "team",
            Labels.COMPONENT,
            "backup",
            Labels.BACKUP,
            "before-upgrade"),
        List.of(terminated("dump", 0, "")),
        List.of(
            terminated(
                "agent",
                0,
                "{\"backup\":\"team-20261127T120000Z\",\"complete\":true,"
                    + "\"destinations\":[\"volume\"],\"objects\":[{\"name\":\"database.dump.pgp\",\"bytes\":1234,\"sha256\":\"ab\"}]}")));
    await().atMost(WAIT).untilAsserted(() -> {
      LoomioBackupStatus s = status("now", "before-upgrade");
      assertThat(s.getPhase()).isEqualTo(LoomioBackupStatus.Phase.Succeeded);
      assertThat(s.getBackupName()).isEqualTo("team-20261127T120000Z");
      assertThat(s.getDestinations()).containsExactly("volume");
      assertThat(s.getObjects())
          .singleElement()
          .satisfies(o -> assertThat(o.getBytes()).isEqualTo(1234L));
    });
  }

  private static void onDemand(String ns, String name, String stack) {
    LoomioBackup backup = new LoomioBackup();
    backup.getMetadata().setName(name);
    backup.getMetadata().setNamespace(ns);
    backup.setSpec(new org.loomio.operator.api.v1alpha1.LoomioBackupSpec());
    backup.getSpec().setDeploymentName(stack);
    cluster.client().resource(backup).create();
  }

  private static List<Job> backupJobs(String ns) {
    return cluster
        .client()
        .batch()
        .v1()
        .jobs()
        .inNamespace(ns)
        .withLabel(Labels.BACKUP)
        .list()
        .getItems();
  }

  @Test
  void finishedOnDemandBackupJobsAreKeptToABoundedHistoryPerStack() {
    create("hist", "team");
    for (int i = 1; i <= 5; i++) {
      String name = "b" + i;
      onDemand("hist", name, "team");
      await()
          .atMost(WAIT)
          .until(() -> backupJobs("hist").stream()
              .anyMatch(j -> name.equals(j.getMetadata().getLabels().get(Labels.BACKUP))));
      // the Job controller and the kubelet: the Job completes, its pod reports the agent's summary
      cluster.completeJobs("hist", "team");
      finishedPod(
          "hist",
          "team-backup-" + name,
          Map.of(
              Labels.MANAGED_BY,
              Labels.OPERATOR,
              Labels.INSTANCE,
              "team",
              Labels.COMPONENT,
              "backup",
              Labels.BACKUP,
              name),
          List.of(terminated("dump", 0, "")),
          List.of(terminated(
              "agent", 0, "{\"backup\":\"team-2026112" + i + "T120000Z\",\"complete\":true}")));
      await()
          .atMost(WAIT)
          .untilAsserted(() -> assertThat(status("hist", name).getPhase())
              .isEqualTo(LoomioBackupStatus.Phase.Succeeded));
    }
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> assertThat(backupJobs("hist")).hasSize(LoomioBackupReconciler.JOB_HISTORY));
    // the LoomioBackups and what they report stay
    for (int i = 1; i <= 5; i++) {
      assertThat(status("hist", "b" + i).getBackupName())
          .isEqualTo("team-2026112" + i + "T120000Z");
    }
    // a running backup's Job is never pruned
    onDemand("hist", "b6", "team");
    await()
        .atMost(WAIT)
        .until(() -> backupJobs("hist").size() == LoomioBackupReconciler.JOB_HISTORY + 1);
    LoomioBackupReconciler.pruneJobs(cluster.client(), "hist", "team");
    assertThat(backupJobs("hist"))
        .hasSize(LoomioBackupReconciler.JOB_HISTORY + 1)
        .anySatisfy(
            j -> assertThat(j.getMetadata().getLabels()).containsEntry(Labels.BACKUP, "b6"));
  }

  @Test
  void aBackupWhoseStackIsDeletedWhileItRunsFailsAndItsJobIsDeleted() {
    create("gone", "team");
    onDemand("gone", "b1", "team");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(status("gone", "b1").getPhase()).isEqualTo(LoomioBackupStatus.Phase.Running);
      assertThat(backupJobs("gone")).hasSize(1);
    });
    cluster
        .client()
        .resources(LoomioDeployment.class)
        .inNamespace("gone")
        .withName("team")
        .delete();
    // the operator removes its finalizer (the mock has no garbage collector: nothing else goes)
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(cluster.get("gone", "team")).isNull());
    // the next look at the backup (its recheck, or any event of its Job or pods) finds the stack
    // gone: here the
    // Job controller reports a failed pod (the database went with the stack)
    MockCluster.editStatus(
        cluster
            .client()
            .batch()
            .v1()
            .jobs()
            .inNamespace("gone")
            .withName(backupJobs("gone").get(0).getMetadata().getName()),
        j -> {
          j.setStatus(new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder()
              .withActive(1)
              .withFailed(1)
              .build());
          return j;
        });
    await().atMost(WAIT).untilAsserted(() -> {
      LoomioBackupStatus s = status("gone", "b1");
      assertThat(s.getPhase()).isEqualTo(LoomioBackupStatus.Phase.Failed);
      assertThat(s.getMessage())
          .startsWith("LoomioDeployment team was deleted while this backup ran");
      assertThat(backupJobs("gone")).isEmpty();
    });
  }

  @Test
  void aBackupThatCompletedIsReportedSoEvenIfItsStackIsDeletedBeforeTheOperatorSawIt() {
    create("done-gone", "team");
    onDemand("done-gone", "b1", "team");
    await().atMost(WAIT).untilAsserted(() -> assertThat(backupJobs("done-gone")).hasSize(1));
    // while the operator is down (an upgrade of it, say), the backup completes and the stack's
    // deletion starts
    cluster.stopOperator();
    try {
      finishedPod(
          "done-gone",
          "team-backup-b1",
          Map.of(
              Labels.MANAGED_BY,
              Labels.OPERATOR,
              Labels.INSTANCE,
              "team",
              Labels.COMPONENT,
              "backup",
              Labels.BACKUP,
              "b1"),
          List.of(terminated("dump", 0, "")),
          List.of(
              terminated("agent", 0, "{\"backup\":\"team-20261127T120000Z\",\"complete\":true}")));
      cluster
          .client()
          .resources(LoomioDeployment.class)
          .inNamespace("done-gone")
          .withName("team")
          .delete();
      assertThat(cluster.get("done-gone", "team").getMetadata().getDeletionTimestamp())
          .isNotNull();
    } finally {
      cluster.startOperator();
    }
    await().atMost(WAIT).untilAsserted(() -> {
      LoomioBackupStatus s = status("done-gone", "b1");
      assertThat(s.getPhase()).isEqualTo(LoomioBackupStatus.Phase.Succeeded);
      assertThat(s.getBackupName()).isEqualTo("team-20261127T120000Z");
    });
  }

  @Test
  void aBackupOfAStackThatNeverAppearsFailsAfterTheGracePeriod() {
    cluster.namespace("nostack");
    onDemand("nostack", "fresh", "ghost");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(status("nostack", "fresh").getPhase()).isEqualTo(LoomioBackupStatus.Phase.Pending);
      assertThat(status("nostack", "fresh").getMessage())
          .contains("waiting for LoomioDeployment ghost")
          .contains("fails after 5 minutes");
    });
    // an operator whose clock is past the grace period of a backup created now
    try (MockCluster later = new MockCluster()) {
      later.startOperator(java.time.Clock.offset(
          java.time.Clock.systemUTC(), LoomioBackupReconciler.STACK_GRACE.plusMinutes(1)));
      later.namespace("nostack");
      LoomioBackup backup = new LoomioBackup();
      backup.getMetadata().setName("old");
      backup.getMetadata().setNamespace("nostack");
      backup.setSpec(new org.loomio.operator.api.v1alpha1.LoomioBackupSpec());
      backup.getSpec().setDeploymentName("ghost");
      later.client().resource(backup).create();
      await().atMost(WAIT).untilAsserted(() -> {
        LoomioBackup b = later
            .client()
            .resources(LoomioBackup.class)
            .inNamespace("nostack")
            .withName("old")
            .get();
        assertThat(b.getStatus()).isNotNull();
        assertThat(b.getStatus().getPhase()).isEqualTo(LoomioBackupStatus.Phase.Failed);
        assertThat(b.getStatus().getMessage())
            .startsWith("LoomioDeployment ghost does not exist in namespace"
                + " nostack (waited 5 minutes)");
      });
      assertThat(
              later.client().batch().v1().jobs().inNamespace("nostack").list().getItems())
          .isEmpty();
    }
    assertThat(status("nostack", "fresh").getPhase()).isEqualTo(LoomioBackupStatus.Phase.Pending);
  }

  @Test
  void aRestoreStopsTheAppRestoresMigratesAndStartsItAgain() throws Exception {
    create("rs", "team");
    // the stack is up: the Deployment, StatefulSet and Job controllers report until it is Ready
    await().atMost(WAIT).untilAsserted(() -> {
      cluster.runControllers("rs", "team");
      assertThat(condition("rs", "team", Conditions.READY))
          .isNotNull()
          .satisfies(c -> assertThat(c.getStatus() + " " + c.getReason())
              .isEqualTo("True " + ReadyReason.ALL_COMPONENTS_READY.value()));
    });
    String postgresPassword = secretValue("rs", "team-secrets", "POSTGRES_PASSWORD");

    restore("rs", "r1");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(restoreStatus("rs", "r1").getPhase())
          .isEqualTo(LoomioRestoreStatus.Phase.ScalingDown);
      for (String d : List.of("team-web", "team-worker", "team-hocuspocus")) {
        assertThat(cluster
                .client()
                .apps()
                .deployments()
                .inNamespace("rs")
                .withName(d)
                .get()
                .getSpec()
                .getReplicas())
            .as(d)
            .isZero();
      }
      assertThat(condition("rs", "team", Conditions.READY).getReason())
          .isEqualTo(ReadyReason.RESTORING.value());
    });
    // one restore at a time
    restore("rs", "r2");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(restoreStatus("rs", "r2").getPhase()).isEqualTo(LoomioRestoreStatus.Phase.Failed);
      assertThat(restoreStatus("rs", "r2").getMessage()).contains("r1");
    });

    await().atMost(WAIT).untilAsserted(() -> {
      cluster.runWorkloads("rs", "team"); // the Deployment controller reports zero pods
      assertThat(restoreStatus("rs", "r1").getPhase())
          .isEqualTo(LoomioRestoreStatus.Phase.Restoring);
      assertThat(cluster
              .client()
              .batch()
              .v1()
              .jobs()
              .inNamespace("rs")
              .withLabel(Labels.RESTORE, "r1")
              .list()
              .getItems())
          .singleElement()
          .satisfies(j ->
              assertThat(j.getMetadata().getLabels()).containsEntry(Labels.COMPONENT, "restore"));
    });

    // the agent hands back the backup's credentials object, still encrypted to the stack's key
    String publicKey = secretValue("rs", "team-backup-key", "public.asc");
    ByteArrayOutputStream encrypted = new ByteArrayOutputStream();
    try (OutputStream out =
        OpenPgp.encryptTo(OpenPgp.readRecipients(publicKey)).open(encrypted, "secrets.json")) {
      // as the agent writes it: each value base64-encoded, like a Secret's data
      out.write(("{\"SECRET_KEY_BASE\":\"" + b64("from-the-backup") + "\",\"POSTGRES_PASSWORD\":\""
              + b64("never-restored") + "\"}")
          .getBytes(StandardCharsets.UTF_8));
    }
    String fingerprint = secretValue("rs", "team-backup-signing-key", "fingerprint");
    String summary =
        "{\"backup\":\"team-20261127T031700Z\",\"restored\":[\"database\",\"uploads\"],\"signedBy\":\""
            + fingerprint + "\",\"secretsObject\":\""
            + Base64.getEncoder().encodeToString(encrypted.toByteArray()) + "\"}";
    Job restoreJob = cluster
        .client()
        .batch()
        .v1()
        .jobs()
        .inNamespace("rs")
        .withLabel(Labels.RESTORE, "r1")
        .list()
        .getItems()
        .get(0);
    assertThat(restoreJob
            .getSpec()
            .getTemplate()
            .getSpec()
            .getInitContainers()
            .get(0)
            .getArgs())
        .containsSequence("--verification-key", "/signing/verification.asc")
        .doesNotContain("--allow-unsigned");
    assertThat(restoreJob.getSpec().getTemplate().getSpec().getVolumes()).anySatisfy(v -> {
      assertThat(v.getName()).isEqualTo("verification");
      assertThat(v.getSecret().getSecretName()).isEqualTo("team-backup-signing-key");
      assertThat(v.getSecret().getItems().get(0).getKey()).isEqualTo("public.asc");
    });
    finishedPod(
        "rs",
        "team-restore-x-1",
        Map.of(
            Labels.MANAGED_BY,
            Labels.OPERATOR,
            Labels.INSTANCE,
            "team",
            Labels.COMPONENT,
            "restore",
            Labels.RESTORE,
            "r1"),
        List.of(terminated("agent", 0, summary)),
        List.of(terminated("pg-restore", 0, "")));
    await().atMost(WAIT).untilAsserted(() -> {
      LoomioRestoreStatus s = restoreStatus("rs", "r1");
      assertThat(s.getPhase()).isEqualTo(LoomioRestoreStatus.Phase.Migrating);
      assertThat(s.getBackupName()).isEqualTo("team-20261127T031700Z");
      assertThat(s.getSignedBy()).isEqualTo(fingerprint);
      assertThat(s.getUnsigned()).isNull();
      assertThat(cluster.client().v1().events().inNamespace("rs").list().getItems())
          .noneMatch(e -> "VerifiedWithAnotherKey".equals(e.getReason()));
      assertThat(secretValue("rs", "team-secrets", "SECRET_KEY_BASE")).isEqualTo("from-the-backup");
    });
    assertThat(secretValue("rs", "team-secrets", "POSTGRES_PASSWORD")).isEqualTo(postgresPassword);

    // the migration Job succeeds; the restore then scales the app up, and its pods become ready
    await().atMost(WAIT).untilAsserted(() -> {
      cluster.runControllers("rs", "team");
      assertThat(restoreStatus("rs", "r1").getPhase())
          .isIn(LoomioRestoreStatus.Phase.ScalingUp, LoomioRestoreStatus.Phase.Succeeded);
      Deployment web = cluster
          .client()
          .apps()
          .deployments()
          .inNamespace("rs")
          .withName("team-web")
          .get();
      assertThat(web.getSpec().getReplicas()).isEqualTo(1);
    });
    await().atMost(WAIT).untilAsserted(() -> {
      cluster.runWorkloads("rs", "team"); // web is ready again
      LoomioRestoreStatus s = restoreStatus("rs", "r1");
      assertThat(s.getPhase()).isEqualTo(LoomioRestoreStatus.Phase.Succeeded);
      assertThat(s.getSteps())
          .extracting(st -> st.getName() + " " + st.getState())
          .containsExactly("ScaleDown Done", "Restore Done", "Migrate Done", "ScaleUp Done");
      assertThat(cluster.get("rs", "team").getStatus().getRestore()).isNull();
    });
  }

  /** Where CEL does not run, a LoomioBackup changed after its Job started fails instead of using the change. */
  @Test
  void aBackupWhoseSpecChangesAfterItStartedFailsAndUsesNothingOfTheChange() {
    create("frozen-backup", "team");
    create("frozen-backup", "other");
    LoomioBackup backup = new LoomioBackup();
    backup.getMetadata().setName("b1");
    backup.getMetadata().setNamespace("frozen-backup");
    backup.setSpec(new org.loomio.operator.api.v1alpha1.LoomioBackupSpec());
    backup.getSpec().setDeploymentName("team");
    cluster.client().resource(backup).create();
    await().atMost(WAIT).untilAsserted(() -> {
      LoomioBackupStatus s = status("frozen-backup", "b1");
      assertThat(s.getPhase()).isEqualTo(LoomioBackupStatus.Phase.Running);
      assertThat(s.getStartedGeneration()).isNotNull();
    });
    MockCluster.edit(
        cluster
            .client()
            .resources(LoomioBackup.class)
            .inNamespace("frozen-backup")
            .withName("b1"),
        b -> {
          b.getSpec().setDeploymentName("other");
          b.getMetadata()
              .setGeneration(
                  b.getMetadata().getGeneration() == null
                      ? 2
                      : b.getMetadata().getGeneration() + 1);
          return b;
        });
    await().atMost(WAIT).untilAsserted(() -> {
      LoomioBackupStatus s = status("frozen-backup", "b1");
      assertThat(s.getPhase()).isEqualTo(LoomioBackupStatus.Phase.Failed);
      assertThat(s.getMessage()).startsWith("the spec was changed after the backup started");
    });
    assertThat(cluster
            .client()
            .batch()
            .v1()
            .jobs()
            .inNamespace("frozen-backup")
            .withLabel(Labels.BACKUP, "b1")
            .list()
            .getItems())
        .as("one Job, of the stack it started with")
        .singleElement()
        .satisfies(
            j -> assertThat(j.getMetadata().getLabels()).containsEntry(Labels.INSTANCE, "team"));
  }

  @Test
  void aRestoreOfTheLongestStackNameRunsAMigrationJobWhoseNameFits() {
    String stack = "a" + "b".repeat(LoomioDeployment.MAX_NAME_LENGTH - 2) + "c";
    create("long", stack);
    await().atMost(WAIT).untilAsserted(() -> {
      cluster.runControllers("long", stack);
      assertThat(condition("long", stack, Conditions.READY).getStatus()).isEqualTo("True");
    });
    restore("long", "r1", stack, false);
    await().atMost(WAIT).untilAsserted(() -> {
      cluster.runWorkloads("long", stack);
      assertThat(restoreStatus("long", "r1").getPhase())
          .isEqualTo(LoomioRestoreStatus.Phase.Restoring);
    });
    finishedPod(
        "long",
        stack.substring(0, 30) + "-restore-x-1",
        Map.of(
            Labels.MANAGED_BY,
            Labels.OPERATOR,
            Labels.INSTANCE,
            stack,
            Labels.COMPONENT,
            "restore",
            Labels.RESTORE,
            "r1"),
        List.of(terminated(
            "agent",
            0,
            "{\"backup\":\"" + stack + "-20261127T031700Z\",\"restored\":[\"database\"]}")),
        List.of(terminated("pg-restore", 0, "")));
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(restoreStatus("long", "r1").getPhase())
          .as(restoreStatus("long", "r1").getMessage())
          .isEqualTo(LoomioRestoreStatus.Phase.Migrating);
      List<Job> jobs = cluster
          .client()
          .batch()
          .v1()
          .jobs()
          .inNamespace("long")
          .withLabel(Labels.RESTORE, "r1")
          .list()
          .getItems();
      assertThat(jobs)
          .extracting(j -> j.getMetadata().getName())
          .allSatisfy(n -> assertThat(n).hasSizeLessThanOrEqualTo(63))
          .anySatisfy(n ->
              assertThat(n).startsWith(stack + "-restore-").endsWith("-mig").hasSize(61));
    });
  }

  @Test
  void aRestoreWhoseSpecChangesAfterItStartedFailsAndUsesNothingOfTheChange() {
    create("frozen", "team");
    migrated("frozen");
    restore("frozen", "r1");
    await().atMost(WAIT).untilAsserted(() -> {
      LoomioRestoreStatus s = restoreStatus("frozen", "r1");
      assertThat(s.getPhase()).isEqualTo(LoomioRestoreStatus.Phase.ScalingDown);
      assertThat(s.getStartedGeneration()).isNotNull();
      assertThat(s.getDeploymentName()).isEqualTo("team");
    });
    // an API server without CEL lets the change through (a real one bumps the generation; so does
    // this edit)
    MockCluster.edit(
        cluster.client().resources(LoomioRestore.class).inNamespace("frozen").withName("r1"), r -> {
          r.getSpec()
              .setPrivateKeySecretRef(
                  new org.loomio.operator.api.v1alpha1.SecretKeyRef("stolen", "private.asc"));
          r.getMetadata()
              .setGeneration(
                  r.getMetadata().getGeneration() == null
                      ? 2
                      : r.getMetadata().getGeneration() + 1);
          return r;
        });
    retrying(() -> cluster.runControllers(
        "frozen", "team")); // the pods are gone: the next step would start the Job
    await().atMost(WAIT).untilAsserted(() -> {
      LoomioRestoreStatus s = restoreStatus("frozen", "r1");
      assertThat(s.getPhase()).isEqualTo(LoomioRestoreStatus.Phase.Failed);
      assertThat(s.getMessage()).startsWith("the spec was changed after the restore started");
    });
    assertThat(cluster
            .client()
            .batch()
            .v1()
            .jobs()
            .inNamespace("frozen")
            .withLabel(Labels.RESTORE, "r1")
            .list()
            .getItems())
        .as("no restore Job")
        .isEmpty();
  }

  @Test
  void consentWithdrawnAfterARestoreStartedStopsItBeforeItsJobReadsTheSecret() {
    cluster.namespace("withdrawn");
    cluster
        .client()
        .resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
            .withNewMetadata()
            .withName("oauth")
            .withNamespace("withdrawn")
            .addToAnnotations(ReferencedSecrets.CONSENT, "team")
            .endMetadata()
            .addToData("secret", b64("oauth-secret"))
            .build())
        .create();
    LoomioDeployment r = Fixtures.resource(
        "team",
        "host: team.example.org\n"
            + "secretEnv: [{name: OAUTH_APP_SECRET, secretKeyRef: {name: oauth, key: secret}}]");
    r.getMetadata().setNamespace("withdrawn");
    r.getMetadata().setGeneration(null);
    cluster.client().resource(r).create();
    await()
        .atMost(WAIT)
        .until(() -> cluster
                .client()
                .apps()
                .deployments()
                .inNamespace("withdrawn")
                .withName("team-web")
                .get()
            != null);
    migrated("withdrawn");
    restore("withdrawn", "r1");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(restoreStatus("withdrawn", "r1").getPhase())
          .isEqualTo(LoomioRestoreStatus.Phase.ScalingDown);
      assertThat(cluster
              .client()
              .apps()
              .deployments()
              .inNamespace("withdrawn")
              .withName("team-web")
              .get()
              .getSpec()
              .getReplicas())
          .isZero();
    });
    // the Secret's owner withdraws consent while the app stops
    MockCluster.edit(cluster.client().secrets().inNamespace("withdrawn").withName("oauth"), x -> {
      x.getMetadata().setAnnotations(Map.of());
      return x;
    });
    retrying(() -> cluster.runWorkloads("withdrawn", "team"));
    await().atMost(WAIT).untilAsserted(() -> {
      LoomioRestoreStatus s = restoreStatus("withdrawn", "r1");
      assertThat(s.getPhase()).isEqualTo(LoomioRestoreStatus.Phase.Failed);
      assertThat(s.getMessage())
          .contains("Secret oauth (spec.secretEnv[0].secretKeyRef) is not marked for use by"
              + " LoomioDeployment team");
    });
    assertThat(cluster
            .client()
            .batch()
            .v1()
            .jobs()
            .inNamespace("withdrawn")
            .withLabel(Labels.RESTORE, "r1")
            .list()
            .getItems())
        .as("no restore Job mounts it")
        .isEmpty();
  }

  @Test
  void whatAFailedBackupReportsIsMaskedInItsStatusAndEvents() {
    create("masked", "team");
    String password = secretValue("masked", "team-secrets", "POSTGRES_PASSWORD");
    LoomioBackup backup = new LoomioBackup();
    backup.getMetadata().setName("now");
    backup.getMetadata().setNamespace("masked");
    backup.setSpec(new org.loomio.operator.api.v1alpha1.LoomioBackupSpec());
    backup.getSpec().setDeploymentName("team");
    cluster.client().resource(backup).create();
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(status("masked", "now").getPhase())
            .isEqualTo(LoomioBackupStatus.Phase.Running));
    finishedPod(
        "masked",
        "team-backup-x-2",
        Map.of(
            Labels.MANAGED_BY,
            Labels.OPERATOR,
            Labels.INSTANCE,
            "team",
            Labels.COMPONENT,
            "backup",
            Labels.BACKUP,
            "now"),
        List.of(terminated("dump", 0, "")),
        List.of(terminated(
            "agent",
            1,
            "{\"complete\":false,\"error\":\"S3 PUT failed: password=" + password
                + " rejected\"}")));
    await().atMost(WAIT).untilAsserted(() -> {
      LoomioBackupStatus s = status("masked", "now");
      assertThat(s.getPhase()).isEqualTo(LoomioBackupStatus.Phase.Failed);
      assertThat(s.getMessage())
          .isEqualTo("S3 PUT failed: password=" + Redaction.MASK + " rejected");
    });
    assertThat(cluster.client().v1().events().inNamespace("masked").list().getItems())
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("BackupFailed"))
        .allSatisfy(e -> assertThat(e.getMessage()).doesNotContain(password));
  }

  /** Brings a stack up and starts a restore of it, until its Job exists. */
  private static void restoring(String ns, java.util.function.Consumer<LoomioRestore> spec) {
    create(ns, "team");
    await().atMost(WAIT).untilAsserted(() -> {
      cluster.runControllers(ns, "team");
      assertThat(condition(ns, "team", Conditions.READY).getReason())
          .isEqualTo(ReadyReason.ALL_COMPONENTS_READY.value());
    });
    LoomioRestore r = new LoomioRestore();
    r.getMetadata().setName("r1");
    r.getMetadata().setNamespace(ns);
    r.setSpec(new org.loomio.operator.api.v1alpha1.LoomioRestoreSpec());
    r.getSpec().setDeploymentName("team");
    spec.accept(r);
    cluster.client().resource(r).create();
    await().atMost(WAIT).untilAsserted(() -> {
      retrying(() -> cluster.runWorkloads(ns, "team"));
      assertThat(restoreStatus(ns, "r1").getPhase()).isEqualTo(LoomioRestoreStatus.Phase.Restoring);
    });
  }

  @Test
  void aBackupTheAgentRefusesFailsTheRestoreSaysWhyAndLetsTheAppStartAgain() {
    restoring("refused", r -> {});
    String why = "backup team-20991231T235959Z is dated in the future (2099-12-31T23:59:59Z, now"
        + " 2026-12-06T20:00:00Z): refused; no backup of this stack can be newer than now";
    finishedPod(
        "refused",
        "team-restore-x-1",
        Map.of(
            Labels.MANAGED_BY,
            Labels.OPERATOR,
            Labels.INSTANCE,
            "team",
            Labels.COMPONENT,
            "restore",
            Labels.RESTORE,
            "r1"),
        List.of(terminated(
            "agent",
            1,
            "{\"backup\":\"team-20991231T235959Z\",\"restored\":[],\"error\":\"" + why
                + "; nothing was restored\",\"refused\":true}")),
        List.of());
    await().atMost(WAIT).untilAsserted(() -> {
      LoomioRestoreStatus s = restoreStatus("refused", "r1");
      assertThat(s.getPhase()).isEqualTo(LoomioRestoreStatus.Phase.Failed);
      assertThat(s.getMessage())
          .startsWith("backup refused: " + why)
          .doesNotContain("stay stopped");
      assertThat(s.getHoldsDeployment())
          .as("nothing was touched: the hold ends")
          .isFalse();
      assertThat(cluster.client().v1().events().inNamespace("refused").list().getItems())
          .anySatisfy(e -> {
            assertThat(e.getReason()).isEqualTo("BackupRefused");
            assertThat(e.getMessage()).contains("dated in the future");
          });
      assertThat(cluster
              .client()
              .apps()
              .deployments()
              .inNamespace("refused")
              .withName("team-web")
              .get()
              .getSpec()
              .getReplicas())
          .as("the app starts again on its own data")
          .isEqualTo(1);
    });
  }

  @Test
  void anUnsignedBackupRestoredByNameIsRecordedInTheStatusAndAWarning() {
    restoring("unsigned", r -> {
      r.getSpec().setBackupName("team-20250105T020000Z");
      r.getSpec().setAllowUnsigned(true);
      r.getSpec().setRestoreSecrets(false);
    });
    assertThat(cluster
            .client()
            .batch()
            .v1()
            .jobs()
            .inNamespace("unsigned")
            .withLabel(Labels.RESTORE, "r1")
            .list()
            .getItems()
            .get(0)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getInitContainers()
            .get(0)
            .getArgs())
        .contains("--backup", "team-20250105T020000Z", "--allow-unsigned");
    finishedPod(
        "unsigned",
        "team-restore-x-1",
        Map.of(
            Labels.MANAGED_BY,
            Labels.OPERATOR,
            Labels.INSTANCE,
            "team",
            Labels.COMPONENT,
            "restore",
            Labels.RESTORE,
            "r1"),
        List.of(
            terminated(
                "agent",
                0,
                "{\"backup\":\"team-20250105T020000Z\",\"restored\":[\"database\"],\"unsigned\":true}")),
        List.of(terminated("pg-restore", 0, "")));
    await().atMost(WAIT).untilAsserted(() -> {
      LoomioRestoreStatus s = restoreStatus("unsigned", "r1");
      assertThat(s.getPhase()).isEqualTo(LoomioRestoreStatus.Phase.Migrating);
      assertThat(s.getUnsigned()).isTrue();
      assertThat(s.getSignedBy()).isNull();
      assertThat(cluster.client().v1().events().inNamespace("unsigned").list().getItems())
          .anySatisfy(e -> {
            assertThat(e.getReason()).isEqualTo("UnsignedBackupRestored");
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getMessage()).contains("team-20250105T020000Z", "WITHOUT a signature");
          });
    });
  }

  /** A key named by spec.verificationKeySecretRef that is not the stack's own signing key is used, and said. */
  @Test
  void aBackupVerifiedWithAnotherStacksKeyIsAWarningNamingBothKeys() {
    String ns = "otherkey";
    cluster
        .client()
        .resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
            .withNewMetadata()
            .withName("old-cluster-signing-key")
            .withNamespace(ns)
            .addToAnnotations(org.loomio.operator.reconcile.ReferencedSecrets.CONSENT, "team")
            .endMetadata()
            .addToStringData("public.asc", "the old cluster's public key")
            .build())
        .create();
    restoring(ns, r -> {
      r.getSpec().setBackupName("team-20250105T020000Z");
      r.getSpec().setRestoreSecrets(false);
      r.getSpec()
          .setVerificationKeySecretRef(new org.loomio.operator.api.v1alpha1.SecretKeyRef(
              "old-cluster-signing-key", "public.asc"));
    });
    String own = secretValue(ns, "team-backup-signing-key", "fingerprint");
    String other = "0123456789ABCDEF0123456789ABCDEF01234567";
    assertThat(own).isNotEqualToIgnoringCase(other);
    finishedPod(
        ns,
        "team-restore-x-1",
        Map.of(
            Labels.MANAGED_BY,
            Labels.OPERATOR,
            Labels.INSTANCE,
            "team",
            Labels.COMPONENT,
            "restore",
            Labels.RESTORE,
            "r1"),
        List.of(terminated(
            "agent",
            0,
            "{\"backup\":\"team-20250105T020000Z\",\"restored\":[\"database\"],\"signedBy\":\""
                + other + "\"}")),
        List.of(terminated("pg-restore", 0, "")));
    await().atMost(WAIT).untilAsserted(() -> {
      LoomioRestoreStatus s = restoreStatus(ns, "r1");
      assertThat(s.getPhase()).isEqualTo(LoomioRestoreStatus.Phase.Migrating);
      assertThat(s.getSignedBy()).isEqualTo(other);
      assertThat(cluster.client().v1().events().inNamespace(ns).list().getItems())
          .anySatisfy(e -> {
            assertThat(e.getReason()).isEqualTo("VerifiedWithAnotherKey");
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getMessage()).contains("old-cluster-signing-key", other, own);
          });
    });
  }

  @Test
  void anOversizedOrMalformedAgentResultFailsThatRestoreOnly() {
    restoring("oversized", r -> r.getSpec().setRestoreSecrets(true));
    // longer than any termination message the kubelet passes on: not parsed at all
    String huge = "{\"backup\":\"team-20261127T031700Z\",\"secretsObject\":\""
        + "A".repeat(64 * 1024) + "\"}";
    finishedPod(
        "oversized",
        "team-restore-x-1",
        Map.of(
            Labels.MANAGED_BY,
            Labels.OPERATOR,
            Labels.INSTANCE,
            "team",
            Labels.COMPONENT,
            "restore",
            Labels.RESTORE,
            "r1"),
        List.of(terminated("agent", 0, huge)),
        List.of(terminated("pg-restore", 0, "")));
    await().atMost(WAIT).untilAsserted(() -> {
      LoomioRestoreStatus s = restoreStatus("oversized", "r1");
      assertThat(s.getPhase()).isEqualTo(LoomioRestoreStatus.Phase.Failed);
      assertThat(s.getMessage())
          .contains("the credentials are not", "missing, malformed or larger than 4096 bytes");
    });
    // the operator goes on serving: another stack still reconciles
    create("oversized-next", "team");
  }

  /** Plays a controller while the operator writes the same objects: a 409 is retried, as a controller would. */
  private static void retrying(Runnable controllers) {
    await().atMost(WAIT).ignoreExceptions().until(() -> {
      controllers.run();
      return true;
    });
  }

  private static String b64(String value) {
    return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }

  private static void restore(String ns, String name) {
    restore(ns, name, "team", true);
  }

  private static void restore(String ns, String name, String stack, boolean secrets) {
    LoomioRestore r = new LoomioRestore();
    r.getMetadata().setName(name);
    r.getMetadata().setNamespace(ns);
    r.setSpec(new org.loomio.operator.api.v1alpha1.LoomioRestoreSpec());
    r.getSpec().setDeploymentName(stack);
    r.getSpec().setRestoreSecrets(secrets);
    cluster.client().resource(r).create();
  }

  private static LoomioBackupStatus status(String ns, String name) {
    LoomioBackup b = cluster
        .client()
        .resources(LoomioBackup.class)
        .inNamespace(ns)
        .withName(name)
        .get();
    return b.getStatus() == null ? new LoomioBackupStatus() : b.getStatus();
  }

  private static LoomioRestoreStatus restoreStatus(String ns, String name) {
    LoomioRestore r = cluster
        .client()
        .resources(LoomioRestore.class)
        .inNamespace(ns)
        .withName(name)
        .get();
    return r.getStatus() == null ? new LoomioRestoreStatus() : r.getStatus();
  }

  /** One value of a Secret (the mock keeps stringData as written; a real server moves it to data). */
  private static String secretValue(String ns, String secret, String key) {
    Secret s = cluster.client().secrets().inNamespace(ns).withName(secret).get();
    if (s.getStringData() != null && s.getStringData().containsKey(key)) {
      return s.getStringData().get(key);
    }
    return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
  }

  /** The role setup succeeds, then the migration it held back: no Job is left that a restore would wait for. */
  private static void migrated(String ns) {
    await().atMost(WAIT).untilAsserted(() -> {
      cluster.runControllers(ns, "team");
      assertThat(cluster
              .client()
              .batch()
              .v1()
              .jobs()
              .inNamespace(ns)
              .withLabel(Labels.COMPONENT, "migrate")
              .list()
              .getItems())
          .isNotEmpty()
          // a Job the test's controllers have not run yet has no status: an assertion, so the wait
          // retries
          .allSatisfy(
              j -> assertThat(j.getStatus() == null ? null : j.getStatus().getSucceeded())
                  .isEqualTo(1));
    });
  }
}

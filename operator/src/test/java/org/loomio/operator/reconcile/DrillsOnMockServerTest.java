package org.loomio.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.DrillStatus;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.Labels;
import org.loomio.operator.status.BackupsHealthyReason;
import org.loomio.operator.status.Conditions;
import org.loomio.operator.testing.MockCluster;

/**
 * Restore drills as the operator sees them (fabric8 mock server, CRUD mode): the drill CronJob exists with the
 * stack; a passed drill pod becomes status.backup.lastDrill and keeps BackupsHealthy True; a failed one turns it
 * False (DrillFailed) naming the failed check, with a Warning event, masked, and keeps the last pass; a drill that
 * found no backup yet is neither.
 */
class DrillsOnMockServerTest {

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

  private static DrillStatus lastDrill(String ns, String name) {
    LoomioDeployment r = cluster.get(ns, name);
    return r == null || r.getStatus() == null || r.getStatus().getBackup() == null
        ? null
        : r.getStatus().getBackup().getLastDrill();
  }

  private static void finishedPod(
      String ns,
      String name,
      String component,
      Instant started,
      List<ContainerStatus> init,
      List<ContainerStatus> main) {
    Pod pod = new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(ns)
        .withLabels(Map.of(
            Labels.MANAGED_BY,
            Labels.OPERATOR,
            Labels.INSTANCE,
            "team",
            Labels.COMPONENT,
            component,
            Labels.RUN_ONCE,
            "true"))
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
          .withStartTime(started.toString())
          .withInitContainerStatuses(init)
          .withContainerStatuses(main)
          .build());
      return p;
    });
  }

  private static ContainerStatus terminated(
      String container, int exit, String message, Instant at) {
    return new ContainerStatusBuilder()
        .withName(container)
        .withNewState()
        .withNewTerminated()
        .withExitCode(exit)
        .withFinishedAt(at.toString())
        .withMessage(message)
        .endTerminated()
        .endState()
        .build();
  }

  private static void backedUp(String ns) {
    Instant at = Instant.now().minusSeconds(600);
    finishedPod(
        ns,
        "team-backup-1",
        "backup",
        at,
        List.of(terminated("dump", 0, "", at)),
        List.of(terminated(
            "agent", 0, "{\"backup\":\"team-20261127T031700Z\",\"complete\":true}", at)));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> assertThat(condition(ns, "team", Conditions.BACKUPS_HEALTHY).getStatus())
                .isEqualTo(Conditions.TRUE));
  }

  private static void drilled(
      String ns, String pod, Instant started, Instant finished, int exit, String summary) {
    finishedPod(
        ns,
        pod,
        "drill",
        started,
        List.of(
            terminated("prepare", 0, "", started.plusSeconds(5)),
            terminated("restore", 0, "", finished.minusSeconds(1))),
        List.of(terminated("agent", exit, summary, finished)));
  }

  @Test
  void aPassedDrillIsReportedAndAFailedOneTurnsBackupsHealthyFalseNamingTheCheck() {
    create("drills", "team");
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(cluster
                .client()
                .batch()
                .v1()
                .cronjobs()
                .inNamespace("drills")
                .withName("team-drill")
                .get())
            .isNotNull());
    backedUp("drills");

    Instant started = Instant.now().minusSeconds(300);
    Instant passedAt = started.plusSeconds(120);
    drilled(
        "drills",
        "team-drill-1",
        started,
        passedAt,
        0,
        "{\"drill\":true,\"backup\":\"team-20261127T031700Z\","
            + "\"result\":\"Passed\",\"checks\":[{\"name\":\"rowCounts\",\"result\":\"Passed\",\"detail\":\"3 tables\"}]}");
    await().atMost(WAIT).untilAsserted(() -> {
      DrillStatus d = lastDrill("drills", "team");
      assertThat(d).isNotNull();
      assertThat(d.getResult()).isEqualTo("Passed");
      assertThat(d.getBackup()).isEqualTo("team-20261127T031700Z");
      assertThat(d.getDurationSeconds()).isEqualTo(120L);
      assertThat(d.getLastPassedTime()).isEqualTo(passedAt.toString());
      assertThat(d.getChecks())
          .singleElement()
          .satisfies(c -> assertThat(c.getName()).isEqualTo("rowCounts"));
      Condition healthy = condition("drills", "team", Conditions.BACKUPS_HEALTHY);
      assertThat(healthy.getStatus()).isEqualTo(Conditions.TRUE);
      assertThat(healthy.getMessage()).contains("the newest restore drill passed at " + passedAt);
    });

    String password = secretValue("drills", "team-secrets", "POSTGRES_PASSWORD");
    Instant failedAt = passedAt.plusSeconds(60);
    drilled(
        "drills",
        "team-drill-2",
        passedAt.plusSeconds(1),
        failedAt,
        1,
        "{\"drill\":true,"
            + "\"backup\":\"team-20261127T031700Z\",\"result\":\"Failed\",\"failedCheck\":\"rowCounts\",\"error\":"
            + "\"rowCounts: comments: 0 rows restored, the backup recorded 500 (password="
            + password + ")\"}");
    await().atMost(WAIT).untilAsserted(() -> {
      DrillStatus d = lastDrill("drills", "team");
      assertThat(d.getResult()).isEqualTo("Failed");
      assertThat(d.getFailedCheck()).isEqualTo("rowCounts");
      assertThat(d.getMessage()).contains("comments: 0 rows restored").doesNotContain(password);
      assertThat(d.getLastPassedTime()).as("the last pass is kept").isEqualTo(passedAt.toString());
      Condition healthy = condition("drills", "team", Conditions.BACKUPS_HEALTHY);
      assertThat(healthy.getStatus()).isEqualTo(Conditions.FALSE);
      assertThat(healthy.getReason()).isEqualTo(BackupsHealthyReason.DRILL_FAILED.value());
      assertThat(healthy.getMessage())
          .contains("failed at check rowCounts")
          .doesNotContain(password);
      assertThat(cluster.client().v1().events().inNamespace("drills").list().getItems())
          .anySatisfy(e -> {
            assertThat(e.getReason()).isEqualTo(BackupsHealthyReason.DRILL_FAILED.value());
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getMessage()).contains("failed at check rowCounts");
          })
          .allSatisfy(e -> assertThat(e.getMessage()).doesNotContain(password));
    });

    // the next drill passes: healthy again
    Instant again = failedAt.plusSeconds(60);
    drilled(
        "drills",
        "team-drill-3",
        failedAt.plusSeconds(1),
        again,
        0,
        "{\"drill\":true,\"backup\":\"team-20261127T031700Z\",\"result\":\"Passed\"}");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(lastDrill("drills", "team").getLastPassedTime()).isEqualTo(again.toString());
      assertThat(condition("drills", "team", Conditions.BACKUPS_HEALTHY).getStatus())
          .isEqualTo(Conditions.TRUE);
    });
  }

  @Test
  void aDrillThatFailsBeforeTheRestoreOrBreaksIsAFailureAndNoBackupYetIsNone() {
    create("early", "team");
    backedUp("early");
    Instant t = Instant.now().minusSeconds(200);
    finishedPod(
        "early",
        "team-drill-a",
        "drill",
        t,
        List.of(
            terminated("prepare", 0, "", t.plusSeconds(1)),
            terminated("restore", 0, "", t.plusSeconds(2))),
        List.of(terminated(
            "agent",
            0,
            "{\"drill\":true,\"result\":\"NoBackup\",\"message\":\"no complete backup of stack team\"}",
            t.plusSeconds(3))));
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(lastDrill("early", "team"))
          .isNotNull()
          .extracting(DrillStatus::getResult)
          .isEqualTo("NoBackup");
      assertThat(condition("early", "team", Conditions.BACKUPS_HEALTHY).getStatus())
          .isEqualTo(Conditions.TRUE);
    });

    Instant u = t.plusSeconds(10);
    finishedPod(
        "early",
        "team-drill-b",
        "drill",
        u,
        List.of(terminated(
            "prepare",
            1,
            "{\"drill\":true,\"backup\":null,\"result\":\"Failed\",\"failedCheck\":\"backup\",\"error\":\"backup: no"
                + " complete backup of stack team is signed by the stack's key (refused 1: ...)\"}",
            u.plusSeconds(2))),
        List.of());
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(lastDrill("early", "team").getFailedCheck()).isEqualTo("backup");
      assertThat(condition("early", "team", Conditions.BACKUPS_HEALTHY).getReason())
          .isEqualTo(BackupsHealthyReason.DRILL_FAILED.value());
    });

    Instant v = u.plusSeconds(10);
    finishedPod(
        "early",
        "team-drill-c",
        "drill",
        v,
        List.of(
            terminated("prepare", 0, "", v.plusSeconds(1)),
            terminated("restore", 137, "Killed", v.plusSeconds(2))),
        List.of());
    await().atMost(WAIT).untilAsserted(() -> {
      DrillStatus d = lastDrill("early", "team");
      assertThat(d.getFailedCheck()).isEqualTo("restore");
      assertThat(d.getMessage()).isEqualTo("step restore failed with exit code 137");
    });
  }

  private static String secretValue(String ns, String secret, String key) {
    Secret s = cluster.client().secrets().inNamespace(ns).withName(secret).get();
    if (s.getStringData() != null && s.getStringData().containsKey(key)) {
      return s.getStringData().get(key);
    }
    return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
  }
}

package org.loomio.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.BackupStatus;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioDeploymentStatus;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.status.APIAvailableReason;
import org.loomio.operator.status.BackupsHealthyReason;
import org.loomio.operator.testing.Fixtures;

/** BackupsHealthy and status.backup from what backup pods' termination messages say. */
class BackupObserverTest {

  private static final Instant CREATED = Instant.parse("2026-11-20T10:00:00Z");

  private static Pod pod(String container, int exit, String finishedAt, String message) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("p" + finishedAt.hashCode())
        .addToLabels(Labels.COMPONENT, "backup")
        .addToLabels(Labels.INSTANCE, "team")
        .endMetadata()
        .withNewStatus()
        .withPhase(exit == 0 ? "Succeeded" : "Failed")
        .withContainerStatuses(new ContainerStatusBuilder()
            .withName(container)
            .withNewState()
            .withNewTerminated()
            .withExitCode(exit)
            .withFinishedAt(finishedAt)
            .withMessage(message)
            .endTerminated()
            .endState()
            .build())
        .endStatus()
        .build();
  }

  private static Pod success(String finishedAt, String name) {
    return pod(
        "agent", 0, finishedAt, "{\"backup\":\"" + name + "\",\"complete\":true,\"objects\":[]}");
  }

  private static LoomioDeployment resource(String spec) {
    LoomioDeployment r = Fixtures.resource("team", spec);
    r.getMetadata().setCreationTimestamp(CREATED.toString());
    return r;
  }

  private static BackupObserver.BackupState observe(
      LoomioDeployment r, List<Pod> pods, String now) {
    return BackupObserver.observe(
        r,
        ResolvedSpec.of(r, ImageDefaults.BUILT_IN),
        ClusterCapabilities.newest(),
        pods,
        Instant.parse(now),
        java.util.function.UnaryOperator.identity());
  }

  @Test
  void aFreshStackWaitsForItsFirstBackupThenIsOverdue() {
    LoomioDeployment r = resource("host: a.example.org");
    assertThat(observe(r, List.of(), "2026-11-20T12:00:00Z").reason())
        .isEqualTo(BackupsHealthyReason.NO_BACKUP_YET.value());
    BackupObserver.BackupState late = observe(r, List.of(), "2026-11-23T12:00:00Z");
    assertThat(late.conditionStatus()).isEqualTo("False");
    assertThat(late.reason()).isEqualTo(BackupsHealthyReason.BACKUP_OVERDUE.value());
  }

  @Test
  void theNewestSuccessIsRecordedAndHealthyWithinTwiceTheInterval() {
    LoomioDeployment r = resource("host: a.example.org");
    BackupObserver.BackupState s = observe(
        r,
        List.of(
            success("2026-11-21T03:18:00Z", "team-20261121T031700Z"),
            success("2026-11-22T03:18:00Z", "team-20261122T031700Z")),
        "2026-11-23T12:00:00Z");
    assertThat(s.conditionStatus()).isEqualTo("True");
    assertThat(s.status().getLastSuccessfulBackup()).isEqualTo("team-20261122T031700Z");
    assertThat(observe(
                r,
                List.of(success("2026-11-22T03:18:00Z", "team-20261122T031700Z")),
                "2026-11-25T12:00:00Z")
            .reason())
        .isEqualTo(BackupsHealthyReason.BACKUP_OVERDUE.value());
  }

  @Test
  void aFailedNewestRunIsReportedWithItsReasonAndAPreviousSuccessIsKept() {
    LoomioDeployment r = resource("host: a.example.org");
    LoomioDeploymentStatus previous = new LoomioDeploymentStatus();
    BackupStatus before = new BackupStatus();
    before.setLastSuccessfulBackup("team-20261121T031700Z");
    before.setLastSuccessfulTime("2026-11-21T03:18:00Z");
    previous.setBackup(before);
    r.setStatus(previous);
    BackupObserver.BackupState s = observe(
        r,
        List.of(pod(
            "agent",
            1,
            "2026-11-22T03:18:00Z",
            "{\"backup\":null,\"complete\":false,\"error\":\"S3: access denied\"}")),
        "2026-11-22T04:00:00Z");
    assertThat(s.reason()).isEqualTo(BackupsHealthyReason.BACKUP_FAILED.value());
    assertThat(s.message()).contains("S3: access denied");
    assertThat(s.status().getLastSuccessfulBackup()).isEqualTo("team-20261121T031700Z");
    assertThat(s.status().getLastFailureMessage()).isEqualTo("S3: access denied");

    BackupObserver.BackupState dumpFailed = observe(
        resource("host: a.example.org"),
        List.of(pod(
            "dump",
            1,
            "2026-11-22T03:18:00Z",
            "PostgreSQL server is version 160004, but the backup client and spec"
                + " expect major 17")),
        "2026-11-22T04:00:00Z");
    assertThat(dumpFailed.message()).contains("step dump failed").contains("expect major 17");

    BackupObserver.BackupState recovered = observe(
        r,
        List.of(
            pod("agent", 1, "2026-11-22T03:18:00Z", "{\"complete\":false,\"error\":\"x\"}"),
            success("2026-11-22T05:00:00Z", "team-20261122T045900Z")),
        "2026-11-22T06:00:00Z");
    assertThat(recovered.conditionStatus()).isEqualTo("True");
    assertThat(recovered.status().getLastFailureMessage())
        .as("an older failure is not shown")
        .isNull();
  }

  @Test
  void switchedOffOrUnservedSaysSo() {
    assertThat(observe(
                resource("host: a.example.org\nbackup: {enabled: false}"),
                List.of(),
                "2026-11-22T04:00:00Z")
            .reason())
        .isEqualTo(BackupsHealthyReason.BACKUPS_DISABLED.value());
    LoomioDeployment r = resource("host: a.example.org");
    assertThat(BackupObserver.observe(
                r,
                ResolvedSpec.of(r, ImageDefaults.BUILT_IN),
                new ClusterCapabilities(1, 25, java.util.Set.of()),
                List.of(),
                Instant.parse("2026-11-22T04:00:00Z"),
                java.util.function.UnaryOperator.identity())
            .reason())
        .as("neither batch/v1 nor batch/v1beta1 CronJob")
        .isEqualTo(APIAvailableReason.API_MISSING.value());
    assertThat(BackupObserver.observe(
                r,
                ResolvedSpec.of(r, ImageDefaults.BUILT_IN),
                ClusterCapabilities.forVersion("1.20"),
                List.of(),
                Instant.parse("2026-11-22T04:00:00Z"),
                java.util.function.UnaryOperator.identity())
            .reason())
        .as("1.20: the schedule is a batch/v1beta1 CronJob")
        .isNotEqualTo(APIAvailableReason.API_MISSING.value());
  }

  @Test
  void whatAFailedRunReportsIsMaskedBeforeItReachesTheStatus() {
    LoomioDeployment r = resource("host: a.example.org");
    String password = "s3cr3t-database-password";
    String keyLine = "lQHYBGb0dXkBBADZ1mE7fT3xPq9aRk2Lw8sVn4HcYt6uJe0oIbMgNfQ";
    var redact = Redaction.masking(
        List.of(
            password,
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n" + keyLine
                + "\n=abcd\n-----END PGP PRIVATE KEY BLOCK-----"),
        List.of());
    BackupObserver.BackupState s = BackupObserver.observe(
        r,
        ResolvedSpec.of(r, ImageDefaults.BUILT_IN),
        ClusterCapabilities.newest(),
        List.of(pod(
            "dump",
            1,
            "2026-11-22T03:18:00Z",
            "pg_dump: connection to postgres://loomio:" + password + "@db failed; key " + keyLine)),
        Instant.parse("2026-11-22T04:00:00Z"),
        redact);
    assertThat(s.status().getLastFailureMessage())
        .contains(Redaction.MASK)
        .doesNotContain(password)
        .doesNotContain(keyLine);
    assertThat(s.message())
        .contains(Redaction.MASK)
        .doesNotContain(password)
        .doesNotContain(keyLine);
  }

  private static Pod drill(String finishedAt, String summary) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("d" + finishedAt.hashCode())
        .addToLabels(Labels.COMPONENT, "drill")
        .addToLabels(Labels.INSTANCE, "team")
        .endMetadata()
        .withNewStatus()
        .withPhase("Succeeded")
        .withContainerStatuses(new ContainerStatusBuilder()
            .withName("agent")
            .withNewState()
            .withNewTerminated()
            .withExitCode(summary.contains("Failed") ? 1 : 0)
            .withFinishedAt(finishedAt)
            .withMessage(summary)
            .endTerminated()
            .endState()
            .build())
        .endStatus()
        .build();
  }

  private static final String PASSED =
      "{\"drill\":true,\"backup\":\"team-20261122T031700Z\",\"result\":\"Passed\"}";

  @Test
  void aDrillIsOverdueAfterTwiceItsScheduleWithoutAPassCountedFromCreationUntilTheFirst() {
    LoomioDeployment r = resource("host: a.example.org");
    List<Pod> backups = List.of(success("2026-12-06T03:18:00Z", "team-20261206T031700Z"));
    // weekly drills: two weeks from creation are allowed before the first pass
    assertThat(observe(r, backups, "2026-12-03T12:00:00Z").reason())
        .isEqualTo(BackupsHealthyReason.BACKUP_SUCCEEDED.value());
    BackupObserver.BackupState never = observe(
        r,
        List.of(success("2026-12-06T03:18:00Z", "team-20261206T031700Z")),
        "2026-12-06T12:00:00Z");
    assertThat(never.conditionStatus()).isEqualTo("False");
    assertThat(never.reason()).isEqualTo(BackupsHealthyReason.DRILL_OVERDUE.value());
    assertThat(never.message()).contains("no restore drill has passed since the stack was created");

    List<Pod> passed = List.of(backups.get(0), drill("2026-11-29T04:50:00Z", PASSED));
    BackupObserver.BackupState ok = observe(r, passed, "2026-12-06T12:00:00Z");
    assertThat(ok.conditionStatus()).isEqualTo("True");
    assertThat(ok.status().getLastDrill().getLastPassedTime()).isEqualTo("2026-11-29T04:50:00Z");
    BackupObserver.BackupState late = observe(
        r,
        List.of(
            success("2026-12-14T03:18:00Z", "team-20261214T031700Z"),
            drill("2026-11-29T04:50:00Z", PASSED)),
        "2026-12-14T12:00:00Z");
    assertThat(late.reason()).isEqualTo(BackupsHealthyReason.DRILL_OVERDUE.value());
    assertThat(late.message()).contains("no restore drill has passed since 2026-11-29T04:50:00Z");
  }

  @Test
  void drillsDoNotCountWhereNoneCanRunAndNeverHideABackupFailure() {
    LoomioDeployment own =
        resource("host: a.example.org\nbackup: {encryption: {recipientsConfigMapRef: {name: k,"
            + " key: recipients.asc}}}");
    assertThat(observe(
                own,
                List.of(success("2026-12-06T03:18:00Z", "team-20261206T031700Z")),
                "2026-12-06T12:00:00Z")
            .reason())
        .as("no decryption key in the cluster: no drill, nothing overdue")
        .isEqualTo(BackupsHealthyReason.BACKUP_SUCCEEDED.value());
    LoomioDeployment off = resource("host: a.example.org\nbackup: {drill: {enabled: false}}");
    assertThat(observe(
                off,
                List.of(success("2026-12-06T03:18:00Z", "team-20261206T031700Z")),
                "2026-12-06T12:00:00Z")
            .reason())
        .isEqualTo(BackupsHealthyReason.BACKUP_SUCCEEDED.value());
    LoomioDeployment r = resource("host: a.example.org");
    assertThat(observe(
                r,
                List.of(success("2026-12-01T03:18:00Z", "team-20261201T031700Z")),
                "2026-12-06T12:00:00Z")
            .reason())
        .isEqualTo(BackupsHealthyReason.BACKUP_OVERDUE.value());
  }

  @Test
  void aDrillThatPassedOnAnOlderBackupThanOneCompletedBeforeItStartedIsAFinding() {
    LoomioDeployment r = resource("host: a.example.org");
    String older = "{\"drill\":true,\"backup\":\"team-20261205T031700Z\",\"result\":\"Passed\"}";
    // the newest backup completed at 03:18 on the 6th; the drill at 04:50 restored the one of the
    // 5th
    BackupObserver.BackupState s = observe(
        r,
        List.of(
            success("2026-12-06T03:18:00Z", "team-20261206T031700Z"),
            drill("2026-12-06T04:50:00Z", older)),
        "2026-12-06T12:00:00Z");
    assertThat(s.conditionStatus()).isEqualTo("False");
    assertThat(s.reason()).isEqualTo(BackupsHealthyReason.DRILL_FAILED.value());
    assertThat(s.message())
        .contains("restored backup team-20261205T031700Z, older than backup team-20261206T031700Z");
    // a backup that completed after the drill had started is the next drill's
    BackupObserver.BackupState later = observe(
        r,
        List.of(
            success("2026-12-06T05:18:00Z", "team-20261206T051700Z"),
            drill("2026-12-06T04:50:00Z", older)),
        "2026-12-06T12:00:00Z");
    assertThat(later.conditionStatus()).isEqualTo("True");
  }
}

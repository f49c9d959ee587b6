package org.loomio.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioDeploymentStatus;
import org.loomio.operator.api.v1alpha1.MigratedStatus;
import org.loomio.operator.api.v1alpha1.UpgradeStatus;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.status.Conditions;
import org.loomio.operator.status.DegradedReason;
import org.loomio.operator.status.ProgressingReason;
import org.loomio.operator.testing.Fixtures;

/** The upgrade decisions that the mock-server test does not walk through. */
class UpgradeGuardTest {

  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

  private static UpgradeGuard.Decision decide(
      String spec,
      LoomioDeploymentStatus previous,
      Map<String, Job> jobs,
      boolean backupsPossible) {
    ResolvedSpec resolved =
        ResolvedSpec.of(Fixtures.resource("team", spec), ImageDefaults.BUILT_IN);
    return UpgradeGuard.decide(
        resolved,
        new UpgradeGuard.Observed(previous, jobs, List.of(), Map.of(), backupsPossible),
        image -> "migrate-" + image.tag(),
        NOW);
  }

  private static UpgradeGuard.Decision decide(
      String spec,
      LoomioDeploymentStatus previous,
      Map<String, Job> jobs,
      boolean backupsPossible,
      List<Deployment> deployments) {
    ResolvedSpec resolved =
        ResolvedSpec.of(Fixtures.resource("team", spec), ImageDefaults.BUILT_IN);
    return UpgradeGuard.decide(
        resolved,
        new UpgradeGuard.Observed(
            previous, jobs, List.of(), Map.of(), backupsPossible, false, s -> s, deployments),
        image -> "migrate-" + image.tag(),
        NOW);
  }

  private static Deployment deployment(
      String name, int wanted, int replicas, int terminating, long generation, long observed) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withGeneration(generation)
        .endMetadata()
        .withNewSpec()
        .withReplicas(wanted)
        .endSpec()
        .withNewStatus()
        .withReplicas(replicas)
        .withTerminatingReplicas(terminating)
        .withObservedGeneration(observed)
        .endStatus()
        .build();
  }

  /** web, worker and hocuspocus serving one pod each. */
  private static List<Deployment> running() {
    return List.of(
        deployment("team-web", 1, 1, 0, 1, 1),
        deployment("team-worker", 1, 1, 0, 1, 1),
        deployment("team-hocuspocus", 1, 1, 0, 1, 1));
  }

  /** web, worker and hocuspocus asked for zero pods; the controller reports these. */
  private static List<Deployment> deployments(int web, int worker, int terminatingHocuspocus) {
    return List.of(
        deployment("team-web", 0, web, 0, 2, 2),
        deployment("team-worker", 0, worker, 0, 2, 2),
        deployment("team-hocuspocus", 0, 0, terminatingHocuspocus, 2, 2));
  }

  private static LoomioDeploymentStatus migrated(String version) {
    LoomioDeploymentStatus s = new LoomioDeploymentStatus();
    s.setMigrated(new MigratedStatus("loomio/loomio:" + version, version, "2026-11-01T00:00:00Z"));
    return s;
  }

  private static Job succeeded(String name) {
    return new JobBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewStatus()
        .withSucceeded(1)
        .endStatus()
        .build();
  }

  @Test
  void aNewDatabaseIsNotGuardedAndIsRecordedOnceMigrated() {
    var d = decide("host: a.example.org\nimage: {tag: \"3.5\"}", null, Map.of(), true);
    assertThat(d.refusal()).isEmpty();
    assertThat(d.serving().tag()).isEqualTo("3.5");
    assertThat(d.migrated()).isNull();
    d = decide(
        "host: a.example.org\nimage: {tag: \"3.5\"}",
        null,
        Map.of("migrate-3.5", succeeded("migrate-3.5")),
        true);
    assertThat(d.migrated().getVersion()).isEqualTo("3.5");
    assertThat(d.migrated().getTime()).isEqualTo("2026-11-27T12:00:00Z");
  }

  @Test
  void withoutBackupsTheUpgradeWaitsUnlessTheUserWaivesTheBackup() {
    var d = decide("host: a.example.org\nimage: {tag: \"3.5\"}", migrated("3.4"), Map.of(), false);
    assertThat(d.problem())
        .hasValueSatisfying(
            p -> assertThat(p.reason()).isEqualTo(DegradedReason.UPGRADE_NEEDS_BACKUP.value()));
    assertThat(d.migration().tag()).as("no migration").isEqualTo("3.4");
    assertThat(d.upgrade().getPhase()).isEqualTo(UpgradeStatus.Phase.Waiting);

    d = decide(
        "host: a.example.org\nimage: {tag: \"3.5\"}\nupgrade: {backupBeforeMigration: false}",
        migrated("3.4"),
        Map.of(),
        false);
    assertThat(d.problem()).isEmpty();
    assertThat(d.serving().tag()).isEqualTo("3.4");
    assertThat(d.migration().tag()).isEqualTo("3.5");
    assertThat(d.upgrade().getPhase()).isEqualTo(UpgradeStatus.Phase.Migrating);
  }

  @Test
  void crossingThreeOneStopsTheAppWhileMigratingAndSaysWhy() {
    var d = decide(
        "host: a.example.org\nimage: {tag: \"3.2\"}\nupgrade: {backupBeforeMigration: false}",
        migrated("3.0.12"),
        Map.of(),
        true);
    assertThat(d.upgrade().getPhase()).isEqualTo(UpgradeStatus.Phase.Migrating);
    assertThat(d.appStopped()).isTrue();
    assertThat(d.upgrade().getMaintenanceWindow()).isTrue();
    assertThat(d.upgrade().getMessage()).contains("Solid Queue");
    assertThat(d.warning()).hasValueSatisfying(w -> {
      assertThat(w.reason()).isEqualTo(UpgradeGuard.JOB_BACKEND_SWITCH);
      assertThat(w.message()).contains("Sidekiq").contains("Solid Queue");
    });
    d = decide(
        "host: a.example.org\nimage: {tag: \"3.2\"}",
        migrated("3.0.12"),
        Map.of("migrate-3.2", succeeded("migrate-3.2")),
        true);
    assertThat(d.appStopped()).as("migrated: the new version starts").isFalse();
    assertThat(d.upgrade()).isNull();
  }

  @Test
  void aPatchReleaseMigratesWhileTheOldVersionServes() {
    for (String[] path : new String[][] {{"3.5.1", "3.5.2"}, {"3.5.1", "3.5"}, {"3.5", "3.5.3"}}) {
      var d = decide(
          "host: a.example.org\nimage: {tag: \"" + path[1]
              + "\"}\nupgrade: {backupBeforeMigration: false}",
          migrated(path[0]),
          Map.of(),
          true,
          running());
      assertThat(d.appStopped()).as(path[0] + " -> " + path[1]).isFalse();
      assertThat(d.upgrade().getMaintenanceWindow()).isNull();
      assertThat(d.upgrade().getPhase()).isEqualTo(UpgradeStatus.Phase.Migrating);
      assertThat(d.serving().tag()).isEqualTo(path[0]);
      assertThat(d.migration().tag()).isEqualTo(path[1]);
      assertThat(d.upgrade().getMessage()).contains(path[0] + " serves until it succeeds");
    }
  }

  @Test
  void aDigestOnlyChangeOfAVersionTagIsAPatchReleaseOfAnUnversionedTagAWindow() {
    String sha1 = "sha256:" + "1".repeat(64);
    String sha2 = "sha256:" + "2".repeat(64);
    LoomioDeploymentStatus at = new LoomioDeploymentStatus();
    at.setMigrated(new MigratedStatus("loomio/loomio:3.5@" + sha1, "3.5", "2026-11-01T00:00:00Z"));
    var d = decide(
        "host: a.example.org\nimage: {tag: \"3.5\", digest: \"" + sha2 + "\"}\n"
            + "upgrade: {backupBeforeMigration: false}",
        at,
        Map.of(),
        true,
        running());
    assertThat(d.appStopped()).isFalse();
    assertThat(d.upgrade().getPhase()).isEqualTo(UpgradeStatus.Phase.Migrating);

    LoomioDeploymentStatus latest = new LoomioDeploymentStatus();
    latest.setMigrated(
        new MigratedStatus("loomio/loomio:latest@" + sha1, "latest", "2026-11-01T00:00:00Z"));
    d = decide(
        "host: a.example.org\nimage: {tag: latest, digest: \"" + sha2 + "\"}\n"
            + "upgrade: {backupBeforeMigration: false}",
        latest,
        Map.of(),
        true,
        running());
    assertThat(d.appStopped()).isTrue();
    assertThat(d.upgrade().getPhase()).isEqualTo(UpgradeStatus.Phase.Stopping);
    assertThat(d.upgrade().getMessage()).contains("names no version");
  }

  @Test
  void aNewSeriesStopsTheAppAndMigratesOnlyOnceItsPodsAreGone() {
    String spec =
        "host: a.example.org\nimage: {tag: \"3.5\"}\nupgrade: {backupBeforeMigration: false}";
    var d = decide(spec, migrated("3.4"), Map.of(), true, running());
    assertThat(d.upgrade().getPhase()).isEqualTo(UpgradeStatus.Phase.Stopping);
    assertThat(d.upgrade().getMaintenanceWindow()).isTrue();
    assertThat(d.upgrade().getStoppedAt()).isEqualTo("2026-11-27T12:00:00Z");
    assertThat(d.upgrade().getMessage())
        .contains("new release series")
        .contains("maintenance window");
    assertThat(d.appStopped()).isTrue();
    assertThat(d.migration().tag()).as("no migration yet").isEqualTo("3.4");

    // scaled down, but a pod still terminates: still stopping
    d = decide(spec, migrated("3.4"), Map.of(), true, deployments(0, 0, 1));
    assertThat(d.upgrade().getPhase()).isEqualTo(UpgradeStatus.Phase.Stopping);
    // the controller has not seen the new spec yet, or reported nothing
    d = decide(
        spec, migrated("3.4"), Map.of(), true, List.of(deployment("team-web", 0, 0, 0, 2L, 1L)));
    assertThat(d.upgrade().getPhase()).isEqualTo(UpgradeStatus.Phase.Stopping);
    d = decide(
        spec,
        migrated("3.4"),
        Map.of(),
        true,
        List.of(new DeploymentBuilder(deployment("team-web", 0, 0, 0, 2, 2))
            .withStatus(null)
            .build()));
    assertThat(d.upgrade().getPhase()).isEqualTo(UpgradeStatus.Phase.Stopping);

    LoomioDeploymentStatus stopping = migrated("3.4");
    stopping.setUpgrade(d.upgrade());
    d = decide(spec, stopping, Map.of(), true, deployments(0, 0, 0));
    assertThat(d.upgrade().getPhase()).isEqualTo(UpgradeStatus.Phase.Migrating);
    assertThat(d.migration().tag()).isEqualTo("3.5");
    assertThat(d.serving().tag()).isEqualTo("3.4");
    assertThat(d.appStopped()).isTrue();
    assertThat(d.upgrade().getStoppedAt())
        .as("kept from the window's start")
        .isEqualTo("2026-11-27T12:00:00Z");
  }

  @Test
  void aFailedMigrationInAWindowKeepsTheAppStopped() {
    var failed = new JobBuilder()
        .withNewMetadata()
        .withName("migrate-3.5")
        .endMetadata()
        .withNewStatus()
        .withFailed(4)
        .addNewCondition()
        .withType("Failed")
        .withStatus("True")
        .endCondition()
        .endStatus()
        .build();
    var d = decide(
        "host: a.example.org\nimage: {tag: \"3.5\"}",
        migrated("3.4"),
        Map.of("migrate-3.5", failed),
        true,
        deployments(0, 0, 0));
    assertThat(d.upgrade().getPhase()).isEqualTo(UpgradeStatus.Phase.Failed);
    assertThat(d.appStopped()).isTrue();
    assertThat(d.upgrade().getMessage())
        .contains("stay stopped")
        .contains("set spec.image back to loomio/loomio:3.4");
  }

  @Test
  void aMigrateOnlyStoneKeepsTheAppAtZeroEvenOnceMigrated() {
    var d = decide("host: a.example.org\nimage: {tag: \"2.17.1\"}", null, Map.of(), true);
    assertThat(d.appStopped()).isTrue();
    d = decide(
        "host: a.example.org\nimage: {tag: \"2.17.1\"}",
        migrated("2.15.4"),
        Map.of("migrate-2.17.1", succeeded("migrate-2.17.1")),
        true);
    assertThat(d.appStopped()).isTrue();
    assertThat(d.migrated().getVersion()).isEqualTo("2.17.1");
    d = decide(
        "host: a.example.org\nimage: {tag: \"3.2.0\"}",
        migrated("2.17.1"),
        Map.of("migrate-3.2.0", succeeded("migrate-3.2.0")),
        true);
    assertThat(d.appStopped()).as("3.2.0 is served").isFalse();
  }

  @Test
  void aRestoreLiftsTheGuardUntilTheRestoredDatabaseIsMigratedAgain() {
    ResolvedSpec resolved = ResolvedSpec.of(
        Fixtures.resource("team", "host: a.example.org\nimage: {tag: \"3.4\"}"),
        ImageDefaults.BUILT_IN);
    var d = UpgradeGuard.decide(
        resolved,
        new UpgradeGuard.Observed(
            migrated("3.5"), Map.of(), List.of(), Map.of(), true, true, s -> s),
        image -> "migrate-" + image.tag(),
        NOW);
    assertThat(d.refusal())
        .as("going back to 3.4 with a restore is no downgrade")
        .isEmpty();
    assertThat(d.serving().tag()).isEqualTo("3.4");
    assertThat(d.migrated()).as("unknown until the restore's migration is done").isNull();
  }

  @Test
  void eachAttemptAtAnUpgradeTakesItsOwnBackup() {
    assertThat(UpgradeGuard.backupName("team", "team-migrate-1a2b3c4d", "2026-11-01T00:00:00Z"))
        .startsWith("team-pre-upgrade-")
        .isNotEqualTo(
            UpgradeGuard.backupName("team", "team-migrate-1a2b3c4d", "2026-11-27T00:00:00Z"));
    LoomioDeploymentStatus waiting = migrated("3.4");
    UpgradeStatus u = new UpgradeStatus();
    u.setTo("loomio/loomio:3.5");
    u.setStartedAt("2026-11-20T08:00:00Z");
    waiting.setUpgrade(u);
    var d = decide("host: a.example.org\nimage: {tag: \"3.5\"}", waiting, Map.of(), true);
    assertThat(d.upgrade().getStartedAt())
        .as("an attempt keeps its start")
        .isEqualTo("2026-11-20T08:00:00Z");
    assertThat(d.backupToCreate())
        .contains(UpgradeGuard.backupName("team", "migrate-3.5", "2026-11-20T08:00:00Z"));
  }

  @Test
  void anIsolatedStackDoesNotUpgrade() {
    var d = decide(
        "host: a.example.org\nimage: {tag: \"3.5\"}\nisolation: true",
        migrated("3.4"),
        Map.of(),
        true);
    assertThat(d.upgrade().getPhase()).isEqualTo(UpgradeStatus.Phase.Waiting);
    assertThat(d.upgrade().getMessage()).contains("isolated");
    assertThat(d.backupToCreate()).isEmpty();
    assertThat(d.migration().tag()).isEqualTo("3.4");
  }

  @Test
  void settingTheOldImageBackIsNoUpgradeAndAnUncheckablePathWarnsButProceedsInAWindow() {
    var back =
        decide("host: a.example.org\nimage: {tag: \"3.4\"}", migrated("3.4"), Map.of(), true);
    assertThat(back.upgrade()).isNull();
    assertThat(back.serving().tag()).isEqualTo("3.4");

    var latest =
        decide("host: a.example.org\nimage: {tag: latest}", migrated("3.4"), Map.of(), true);
    assertThat(latest.refusal()).isEmpty();
    assertThat(latest.warning())
        .hasValueSatisfying(w -> assertThat(w.message()).contains("cannot be checked"));
    assertThat(latest.backupToCreate()).as("still backed up first").isPresent();
    assertThat(latest.upgrade().getMaintenanceWindow()).isTrue();
  }

  @Test
  void aStatusFromBeforeMigratedExistedCountsOnlyIfItsMigrationHadSucceeded() {
    LoomioDeploymentStatus old = new LoomioDeploymentStatus();
    old.setImage("loomio/loomio:3.55");
    old.setVersion("3.55");
    old.setConditions(List.of(Conditions.of(
        Conditions.PROGRESSING,
        Conditions.TRUE,
        ProgressingReason.MIGRATION_PENDING.value(),
        "m",
        1)));
    assertThat(UpgradeGuard.migratedBefore(old))
        .as("a mistyped first tag is no version to guard")
        .isNull();
    old.setConditions(List.of(Conditions.of(
        Conditions.PROGRESSING, Conditions.FALSE, ProgressingReason.STABLE.value(), "s", 1)));
    assertThat(UpgradeGuard.migratedBefore(old).getVersion()).isEqualTo("3.55");
  }
}

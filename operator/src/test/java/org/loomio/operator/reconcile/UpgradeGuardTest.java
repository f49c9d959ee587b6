package org.loomio.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioDeploymentStatus;
import org.loomio.operator.api.v1alpha1.MigratedStatus;
import org.loomio.operator.api.v1alpha1.UpgradeStatus;
import org.loomio.operator.render.ResolvedSpec;
import org.loomio.operator.testing.Fixtures;

/** The upgrade decisions that the mock-server test does not walk through. */
class UpgradeGuardTest {

  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

  private static UpgradeGuard.Decision decide(String spec, LoomioDeploymentStatus previous, Map<String, Job> jobs,
      boolean backupsPossible) {
    ResolvedSpec resolved = new ResolvedSpec(Fixtures.resource("team", spec));
    return UpgradeGuard.decide(resolved, new UpgradeGuard.Observed(previous, jobs, List.of(), Map.of(), backupsPossible),
        image -> "migrate-" + image.tag(), NOW);
  }

  private static LoomioDeploymentStatus migrated(String version) {
    LoomioDeploymentStatus s = new LoomioDeploymentStatus();
    s.setMigrated(new MigratedStatus("loomio/loomio:" + version, version, "2026-11-01T00:00:00Z"));
    return s;
  }

  private static Job succeeded(String name) {
    return new JobBuilder().withNewMetadata().withName(name).endMetadata().withNewStatus().withSucceeded(1).endStatus()
        .build();
  }

  @Test
  void aNewDatabaseIsNotGuardedAndIsRecordedOnceMigrated() {
    var d = decide("host: a.example.org\nimage: {tag: \"3.5\"}", null, Map.of(), true);
    assertThat(d.refusal()).isEmpty();
    assertThat(d.serving().tag()).isEqualTo("3.5");
    assertThat(d.migrated()).isNull();
    d = decide("host: a.example.org\nimage: {tag: \"3.5\"}", null, Map.of("migrate-3.5", succeeded("migrate-3.5")), true);
    assertThat(d.migrated().getVersion()).isEqualTo("3.5");
    assertThat(d.migrated().getTime()).isEqualTo("2026-11-27T12:00:00Z");
  }

  @Test
  void withoutBackupsTheUpgradeWaitsUnlessTheUserWaivesTheBackup() {
    var d = decide("host: a.example.org\nimage: {tag: \"3.5\"}", migrated("3.4"), Map.of(), false);
    assertThat(d.problem()).hasValueSatisfying(p -> assertThat(p.reason()).isEqualTo(UpgradeGuard.NEEDS_BACKUP));
    assertThat(d.migration().tag()).as("no migration").isEqualTo("3.4");
    assertThat(d.upgrade().getPhase()).isEqualTo(UpgradeStatus.Phase.Waiting);

    d = decide("host: a.example.org\nimage: {tag: \"3.5\"}\nupgrade: {backupBeforeMigration: false}", migrated("3.4"),
        Map.of(), false);
    assertThat(d.problem()).isEmpty();
    assertThat(d.serving().tag()).isEqualTo("3.4");
    assertThat(d.migration().tag()).isEqualTo("3.5");
    assertThat(d.upgrade().getPhase()).isEqualTo(UpgradeStatus.Phase.Migrating);
  }

  @Test
  void crossingThreeOneStopsTheWorkerWhileMigratingAndSaysWhy() {
    var d = decide("host: a.example.org\nimage: {tag: \"3.2\"}\nupgrade: {backupBeforeMigration: false}",
        migrated("3.0.12"), Map.of(), true);
    assertThat(d.upgrade().getPhase()).isEqualTo(UpgradeStatus.Phase.Migrating);
    assertThat(d.stopWorker()).isTrue();
    assertThat(d.warning()).hasValueSatisfying(w -> {
      assertThat(w.reason()).isEqualTo(UpgradeGuard.JOB_BACKEND_SWITCH);
      assertThat(w.message()).contains("Sidekiq").contains("Solid Queue");
    });
    d = decide("host: a.example.org\nimage: {tag: \"3.2\"}", migrated("3.0.12"),
        Map.of("migrate-3.2", succeeded("migrate-3.2")), true);
    assertThat(d.stopWorker()).as("migrated: the new worker starts").isFalse();
    assertThat(decide("host: a.example.org\nimage: {tag: \"3.5\"}\nupgrade: {backupBeforeMigration: false}",
        migrated("3.4"), Map.of(), true).stopWorker()).isFalse();
  }

  @Test
  void aRestoreLiftsTheGuardUntilTheRestoredDatabaseIsMigratedAgain() {
    ResolvedSpec resolved = new ResolvedSpec(Fixtures.resource("team", "host: a.example.org\nimage: {tag: \"3.4\"}"));
    var d = UpgradeGuard.decide(resolved, new UpgradeGuard.Observed(migrated("3.5"), Map.of(), List.of(), Map.of(), true,
        true, s -> s), image -> "migrate-" + image.tag(), NOW);
    assertThat(d.refusal()).as("going back to 3.4 with a restore is no downgrade").isEmpty();
    assertThat(d.serving().tag()).isEqualTo("3.4");
    assertThat(d.migrated()).as("unknown until the restore's migration is done").isNull();
  }

  @Test
  void eachAttemptAtAnUpgradeTakesItsOwnBackup() {
    assertThat(UpgradeGuard.backupName("team", "team-migrate-1a2b3c4d", "2026-11-01T00:00:00Z"))
        .startsWith("team-pre-upgrade-")
        .isNotEqualTo(UpgradeGuard.backupName("team", "team-migrate-1a2b3c4d", "2026-11-27T00:00:00Z"));
    LoomioDeploymentStatus waiting = migrated("3.4");
    UpgradeStatus u = new UpgradeStatus();
    u.setTo("loomio/loomio:3.5");
    u.setStartedAt("2026-11-20T08:00:00Z");
    waiting.setUpgrade(u);
    var d = decide("host: a.example.org\nimage: {tag: \"3.5\"}", waiting, Map.of(), true);
    assertThat(d.upgrade().getStartedAt()).as("an attempt keeps its start").isEqualTo("2026-11-20T08:00:00Z");
    assertThat(d.backupToCreate()).contains(UpgradeGuard.backupName("team", "migrate-3.5", "2026-11-20T08:00:00Z"));
  }

  @Test
  void anIsolatedStackDoesNotUpgrade() {
    var d = decide("host: a.example.org\nimage: {tag: \"3.5\"}\nisolation: true", migrated("3.4"), Map.of(), true);
    assertThat(d.upgrade().getPhase()).isEqualTo(UpgradeStatus.Phase.Waiting);
    assertThat(d.upgrade().getMessage()).contains("isolated");
    assertThat(d.backupToCreate()).isEmpty();
    assertThat(d.migration().tag()).isEqualTo("3.4");
  }

  @Test
  void settingTheOldImageBackIsNoUpgradeAndAnUncheckablePathWarnsButProceeds() {
    var back = decide("host: a.example.org\nimage: {tag: \"3.4\"}", migrated("3.4"), Map.of(), true);
    assertThat(back.upgrade()).isNull();
    assertThat(back.serving().tag()).isEqualTo("3.4");

    var latest = decide("host: a.example.org\nimage: {tag: latest}", migrated("3.4"), Map.of(), true);
    assertThat(latest.refusal()).isEmpty();
    assertThat(latest.warning()).hasValueSatisfying(w -> assertThat(w.message()).contains("cannot be checked"));
    assertThat(latest.backupToCreate()).as("still backed up first").isPresent();
  }

  @Test
  void aStatusFromBeforeMigratedExistedCountsOnlyIfItsMigrationHadSucceeded() {
    LoomioDeploymentStatus old = new LoomioDeploymentStatus();
    old.setImage("loomio/loomio:3.55");
    old.setVersion("3.55");
    old.setConditions(List.of(Conditions.of(Conditions.PROGRESSING, Conditions.TRUE, Conditions.MIGRATION_PENDING, "m", 1)));
    assertThat(UpgradeGuard.migratedBefore(old)).as("a mistyped first tag is no version to guard").isNull();
    old.setConditions(List.of(Conditions.of(Conditions.PROGRESSING, Conditions.FALSE, Conditions.STABLE, "s", 1)));
    assertThat(UpgradeGuard.migratedBefore(old).getVersion()).isEqualTo("3.55");
  }
}

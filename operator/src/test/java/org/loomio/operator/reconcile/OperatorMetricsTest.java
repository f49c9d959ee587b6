package org.loomio.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.BackupSpec;
import org.loomio.operator.api.v1alpha1.BackupStatus;
import org.loomio.operator.api.v1alpha1.ComponentStatus;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioDeploymentSpec;
import org.loomio.operator.api.v1alpha1.LoomioDeploymentStatus;
import org.loomio.operator.api.v1alpha1.SecretsSpec;
import org.loomio.operator.api.v1alpha1.SecretsStatus;
import org.loomio.operator.api.v1alpha1.UpgradeStatus;
import org.loomio.operator.status.APIAvailableReason;
import org.loomio.operator.status.BackupsHealthyReason;
import org.loomio.operator.status.Conditions;
import org.loomio.operator.status.ProgressingReason;
import org.loomio.operator.status.ReadyReason;

/**
 * The per-stack and operator-wide metrics and their transitions, read from the Prometheus exposition as a
 * scrape sees it, on a fixed clock.
 */
class OperatorMetricsTest {

  private static final Instant CREATED = Instant.parse("2026-11-01T10:00:00Z");
  private static final Instant NOW = Instant.parse("2026-11-03T10:00:00Z");
  private static final String TEAM = "name=\"team\",namespace=\"loomio\"";

  private final OperatorMetrics metrics =
      OperatorMetrics.prometheus(Clock.fixed(NOW, ZoneOffset.UTC));

  private static LoomioDeployment stack(String name, String schedule, Integer maxAgeDays) {
    LoomioDeployment r = new LoomioDeployment();
    r.getMetadata().setName(name);
    r.getMetadata().setNamespace("loomio");
    r.getMetadata().setCreationTimestamp(CREATED.toString());
    LoomioDeploymentSpec spec = new LoomioDeploymentSpec();
    spec.setHost(name + ".example.org");
    BackupSpec backup = new BackupSpec();
    backup.setSchedule(schedule);
    backup.setTimeZone("Etc/UTC");
    spec.setBackup(backup);
    if (maxAgeDays != null) {
      SecretsSpec secrets = new SecretsSpec();
      secrets.setMaxAgeDays(maxAgeDays);
      spec.setSecrets(secrets);
    }
    r.setSpec(spec);
    return r;
  }

  private static LoomioDeploymentStatus status(String... typeStatusReason) {
    LoomioDeploymentStatus s = new LoomioDeploymentStatus();
    List<Condition> conditions = new ArrayList<>();
    for (int i = 0; i < typeStatusReason.length; i += 3) {
      Condition c = Conditions.of(
          typeStatusReason[i], typeStatusReason[i + 1], typeStatusReason[i + 2], "m", 1);
      c.setLastTransitionTime(CREATED.plusSeconds(60).toString());
      conditions.add(c);
    }
    s.setConditions(conditions);
    return s;
  }

  /** The sample values of a metric whose labels contain all of {@code labels}. */
  private List<Double> values(String name, String labels) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$")
        .matcher(metrics.scrape());
    List<Double> found = new ArrayList<>();
    while (m.find()) {
      if (m.group(1).contains(labels)) {
        found.add(Double.parseDouble(m.group(2)));
      }
    }
    return found;
  }

  private double value(String name, String labels) {
    List<Double> v = values(name, labels);
    assertThat(v).as(name + "{" + labels + "}").hasSize(1);
    return v.get(0);
  }

  @Test
  void aChangedReasonReplacesItsSeries() {
    LoomioDeployment team = stack("team", "@daily", null);
    metrics.observed(
        team,
        status(Conditions.READY, Conditions.FALSE, ProgressingReason.MIGRATION_PENDING.value()));
    assertThat(value(
            "loomio_stack_condition",
            "condition=\"Ready\"," + TEAM + ",reason=\"MigrationPending\"," + "status=\"False\""))
        .isEqualTo(1);
    assertThat(value(
            "loomio_stack_condition_last_transition_timestamp_seconds",
            "condition=\"Ready\"," + TEAM))
        .isEqualTo(CREATED.plusSeconds(60).getEpochSecond());

    metrics.observed(
        team, status(Conditions.READY, Conditions.FALSE, ReadyReason.WORKLOADS_NOT_READY.value()));
    metrics.observed(
        team, status(Conditions.READY, Conditions.TRUE, ReadyReason.ALL_COMPONENTS_READY.value()));
    assertThat(values("loomio_stack_condition", "condition=\"Ready\"," + TEAM)).hasSize(1);
    assertThat(value(
            "loomio_stack_condition",
            "condition=\"Ready\"," + TEAM + ",reason=\"AllComponentsReady\"," + "status=\"True\""))
        .isEqualTo(1);
    assertThat(value("loomio_stacks", "condition=\"Ready\",status=\"True\"")).isEqualTo(1);
    assertThat(value("loomio_stacks", "condition=\"Ready\",status=\"False\"")).isEqualTo(0);
  }

  @Test
  void neverBackedUpIsItsOwnSignalAndTheAgeIsAbsentUntilTheFirstBackup() {
    LoomioDeployment team = stack("team", "0 3 * * *", null);
    metrics.observed(
        team,
        status(
            Conditions.BACKUPS_HEALTHY,
            Conditions.UNKNOWN,
            BackupsHealthyReason.NO_BACKUP_YET.value()));
    assertThat(value("loomio_stack_backup_never_succeeded", TEAM)).isEqualTo(1);
    assertThat(values("loomio_stack_backup_last_success_age_seconds", TEAM)).isEmpty();
    // the first 03:00 after creation at 10:00
    assertThat(value("loomio_stack_backup_first_due_timestamp_seconds", TEAM))
        .isEqualTo(Instant.parse("2026-11-02T03:00:00Z").getEpochSecond());
    // the stalest stack: one never backed up counts from its creation, not as 0
    assertThat(metrics.scrape()).contains("loomio_backup_oldest_last_success_age_seconds 172800.0");

    LoomioDeploymentStatus done = status(
        Conditions.BACKUPS_HEALTHY, Conditions.TRUE, BackupsHealthyReason.BACKUP_SUCCEEDED.value());
    BackupStatus backup = new BackupStatus();
    backup.setLastSuccessfulTime(NOW.minusSeconds(3600).toString());
    done.setBackup(backup);
    metrics.observed(team, done);
    assertThat(value("loomio_stack_backup_never_succeeded", TEAM)).isEqualTo(0);
    assertThat(value("loomio_stack_backup_last_success_age_seconds", TEAM)).isEqualTo(3600);
    assertThat(values("loomio_stack_backup_first_due_timestamp_seconds", TEAM)).isEmpty();

    // another stack never backed up is not left out of the maximum
    LoomioDeployment other = stack("other", "0 3 * * *", null);
    metrics.observed(
        other,
        status(
            Conditions.BACKUPS_HEALTHY,
            Conditions.UNKNOWN,
            BackupsHealthyReason.NO_BACKUP_YET.value()));
    assertThat(metrics.scrape()).contains("loomio_backup_oldest_last_success_age_seconds 172800.0");
  }

  /** A cluster that serves no CronJob runs no scheduled backup: its stacks are never backed up, and say so. */
  @Test
  void withoutCronJobsAStackIsNeverBackedUpNotLeftOut() {
    LoomioDeployment team = stack("team", "0 3 * * *", null);
    metrics.observed(
        team,
        status(
            Conditions.BACKUPS_HEALTHY, Conditions.FALSE, APIAvailableReason.API_MISSING.value()));
    assertThat(value("loomio_stack_backup_never_succeeded", TEAM)).isEqualTo(1);
    assertThat(value("loomio_stack_backup_first_due_timestamp_seconds", TEAM))
        .isEqualTo(Instant.parse("2026-11-02T03:00:00Z").getEpochSecond());
    assertThat(metrics.scrape()).contains("loomio_backup_oldest_last_success_age_seconds 172800.0");
  }

  @Test
  void withBackupsDisabledThereIsNothingToMissAndTheOldestAgeIsNotANumber() {
    LoomioDeployment team = stack("team", "@daily", null);
    metrics.observed(
        team,
        status(
            Conditions.BACKUPS_HEALTHY,
            Conditions.FALSE,
            BackupsHealthyReason.BACKUPS_DISABLED.value()));
    assertThat(values("loomio_stack_backup_never_succeeded", TEAM)).isEmpty();
    assertThat(values("loomio_stack_backup_first_due_timestamp_seconds", TEAM)).isEmpty();
    assertThat(metrics.scrape()).contains("loomio_backup_oldest_last_success_age_seconds NaN");
  }

  @Test
  void credentialsIsolationUpgradeAndComponents() {
    LoomioDeployment team = stack("team", "@daily", 90);
    LoomioDeploymentStatus s = status(Conditions.ISOLATED, Conditions.TRUE, Conditions.ISOLATED);
    SecretsStatus secrets = new SecretsStatus();
    Map<String, String> since = new LinkedHashMap<>();
    since.put("SECRET_KEY_BASE", NOW.minusSeconds(100 * 86400).toString());
    since.put("DEVISE_SECRET", NOW.minusSeconds(10 * 86400).toString());
    since.put("VAPID_PRIVATE_KEY", NOW.minusSeconds(900 * 86400).toString());
    secrets.setValueSince(since);
    s.setSecrets(secrets);
    UpgradeStatus upgrade = new UpgradeStatus();
    upgrade.setPhase(UpgradeStatus.Phase.BackingUp);
    s.setUpgrade(upgrade);
    ComponentStatus web = new ComponentStatus();
    web.setReady(1);
    web.setDesired(2);
    s.setComponents(Map.of("web", web));
    metrics.observed(team, s);

    assertThat(value("loomio_stack_credentials_oldest_age_seconds", TEAM))
        .as("the VAPID pair is exempt")
        .isEqualTo(100 * 86400);
    assertThat(value("loomio_stack_credentials_max_age_seconds", TEAM)).isEqualTo(90 * 86400);
    assertThat(value("loomio_stack_isolated", TEAM)).isEqualTo(1);
    assertThat(value("loomio_stack_upgrade_phase", TEAM + ",phase=\"BackingUp\""))
        .isEqualTo(1);
    assertThat(value("loomio_stack_component_ready_replicas", "component=\"web\"," + TEAM))
        .isEqualTo(1);
    assertThat(value("loomio_stack_component_desired_replicas", "component=\"web\"," + TEAM))
        .isEqualTo(2);

    upgrade.setPhase(UpgradeStatus.Phase.Migrating);
    metrics.observed(team, s);
    assertThat(values("loomio_stack_upgrade_phase", TEAM)).hasSize(1);
    assertThat(value("loomio_stack_upgrade_phase", TEAM + ",phase=\"Migrating\""))
        .isEqualTo(1);
    s.setUpgrade(null);
    s.setConditions(
        status(Conditions.ISOLATED, Conditions.FALSE, "IsolationLifted").getConditions());
    metrics.observed(team, s);
    assertThat(values("loomio_stack_upgrade_phase", TEAM)).isEmpty();
    assertThat(value("loomio_stack_isolated", TEAM)).isEqualTo(0);
  }

  @Test
  void aForgottenStackLeavesNoSeries() {
    LoomioDeployment team = stack("team", "@daily", 30);
    LoomioDeploymentStatus s = status(
        Conditions.READY,
        Conditions.TRUE,
        ReadyReason.ALL_COMPONENTS_READY.value(),
        Conditions.BACKUPS_HEALTHY,
        Conditions.UNKNOWN,
        BackupsHealthyReason.NO_BACKUP_YET.value());
    metrics.observed(team, s);
    metrics.observed(stack("other", "@daily", null), s);
    assertThat(metrics.scrape()).contains("name=\"team\"");
    metrics.forget(ResourceID.fromResource(team));
    assertThat(metrics.scrape()).doesNotContain("name=\"team\"").contains("name=\"other\"");
    assertThat(value("loomio_stacks", "condition=\"Ready\",status=\"True\"")).isEqualTo(1);
    // observed again after being forgotten (a re-created stack of the same name): its series come
    // back
    metrics.observed(team, s);
    assertThat(value("loomio_stack_isolated", TEAM)).isEqualTo(0);
  }

  @Test
  void apiErrorsAreCountedByStatusCode() {
    metrics.apiError(403);
    metrics.apiError(403);
    metrics.apiError(500);
    assertThat(value("loomio_operator_api_errors_total", "code=\"403\"")).isEqualTo(2);
    assertThat(value("loomio_operator_api_errors_total", "code=\"500\"")).isEqualTo(1);
  }

  @Test
  void theLastPassedDrillAndWhetherTheNewestFailed() {
    LoomioDeployment team = stack("team", "17 3 * * *", null);
    LoomioDeploymentStatus s = status(
        Conditions.BACKUPS_HEALTHY, Conditions.TRUE, BackupsHealthyReason.BACKUP_SUCCEEDED.value());
    metrics.observed(team, s);
    assertThat(values("loomio_stack_backup_drill_last_success_timestamp_seconds", TEAM))
        .isEmpty();
    assertThat(values("loomio_stack_backup_drill_last_failed", TEAM)).isEmpty();

    org.loomio.operator.api.v1alpha1.BackupStatus backup =
        new org.loomio.operator.api.v1alpha1.BackupStatus();
    org.loomio.operator.api.v1alpha1.DrillStatus drill =
        new org.loomio.operator.api.v1alpha1.DrillStatus();
    drill.setTime(NOW.minusSeconds(7200).toString());
    drill.setResult("Passed");
    drill.setLastPassedTime(NOW.minusSeconds(7200).toString());
    backup.setLastDrill(drill);
    s.setBackup(backup);
    metrics.observed(team, s);
    assertThat(value("loomio_stack_backup_drill_last_success_timestamp_seconds", TEAM))
        .isEqualTo(NOW.minusSeconds(7200).getEpochSecond());
    assertThat(value("loomio_stack_backup_drill_last_failed", TEAM)).isZero();

    drill.setTime(NOW.minusSeconds(60).toString());
    drill.setResult("Failed");
    metrics.observed(team, s);
    assertThat(value("loomio_stack_backup_drill_last_failed", TEAM)).isEqualTo(1);
    assertThat(value("loomio_stack_backup_drill_last_success_timestamp_seconds", TEAM))
        .as("the last pass stays")
        .isEqualTo(NOW.minusSeconds(7200).getEpochSecond());
  }
}

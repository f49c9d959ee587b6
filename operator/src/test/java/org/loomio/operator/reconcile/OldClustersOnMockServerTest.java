package org.loomio.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.batch.v1beta1.CronJob;
import io.fabric8.kubernetes.api.model.policy.v1beta1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.status.APIAvailableReason;
import org.loomio.operator.status.Conditions;
import org.loomio.operator.status.DegradedReason;
import org.loomio.operator.testing.MockCluster;

/**
 * The operator on a mock API server that answers discovery like Kubernetes 1.20: CronJob only in batch/v1beta1,
 * PodDisruptionBudget only in policy/v1beta1, and 404 for batch/v1 CronJobs and policy/v1. The operator
 * discovers that itself and keeps the scheduled backups and the budgets in the older APIs.
 */
class OldClustersOnMockServerTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String SCALED = "host: team.example.org\nweb: {replicas: 2}\n"
      + "storage: {volume: {accessMode: ReadWriteMany}}";
  private static MockCluster cluster;

  @BeforeAll
  static void start() {
    cluster = MockCluster.kubernetes120();
    cluster.startOperator();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void discoveryFindsOnlyTheV1beta1Apis() {
    ClusterCapabilities found = ClusterCapabilitiesProvider.discover(cluster.client());
    assertThat(found.version()).isEqualTo("1.20");
    assertThat(found.cronJobApi()).contains(ClusterCapabilities.CRONJOB_V1BETA1);
    assertThat(found.podDisruptionBudgetApi()).contains(ClusterCapabilities.PDB_V1BETA1);
    assertThat(found.serves(ClusterCapabilities.CRONJOB_V1)).isFalse();
    assertThat(found.serves(ClusterCapabilities.PDB_V1)).isFalse();
    assertThat(found.serves(ClusterCapabilities.INGRESS_V1)).isTrue();
  }

  @Test
  void scheduledBackupsAndBudgetsAreWrittenInTheApisTheClusterServes() {
    create("old", SCALED);
    await().atMost(WAIT).untilAsserted(() -> {
      CronJob cron = cronJob("old");
      assertThat(cron).as("batch/v1beta1 CronJob team-backup").isNotNull();
      assertThat(cron.getSpec().getSchedule()).isEqualTo("17 3 * * *");
      assertThat(cron.getSpec().getSuspend()).isFalse();
      assertThat(cron.getMetadata().getOwnerReferences())
          .singleElement()
          .satisfies(o -> assertThat(o.getUid())
              .isEqualTo(cluster.get("old", "team").getMetadata().getUid()));
      PodDisruptionBudget web = cluster
          .client()
          .resources(PodDisruptionBudget.class)
          .inNamespace("old")
          .withName("team-web")
          .get();
      assertThat(web).as("policy/v1beta1 PodDisruptionBudget team-web").isNotNull();
      assertThat(web.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);

      Condition api = condition("old", Conditions.API_AVAILABLE);
      assertThat(api).isNotNull();
      assertThat(api.getStatus()).isEqualTo("False");
      assertThat(api.getMessage())
          .as("only what 1.20 cannot hold in any API")
          .contains("unhealthyPodEvictionPolicy")
          .doesNotContain("CronJob")
          .doesNotContain("policy/v1 ");
      Condition backups = condition("old", Conditions.BACKUPS_HEALTHY);
      assertThat(backups).isNotNull();
      assertThat(backups.getReason())
          .as(backups.getMessage())
          .isNotEqualTo(APIAvailableReason.API_MISSING.value());
    });
    assertThat(cluster.writes())
        .as("nothing written to an API 1.20 does not serve")
        .noneMatch(
            w -> w.contains("/apis/policy/v1/") || w.matches(".*/apis/batch/v1/.*cronjobs.*"));

    // backups switched off: the schedule goes (the backups themselves stay)
    patch("old", "{\"spec\":{\"backup\":{\"enabled\":false}}}");
    await().atMost(WAIT).untilAsserted(() -> assertThat(cronJob("old")).isNull());
  }

  @Test
  void isolationSuspendsTheV1beta1ScheduleEvenWhenTheRestOfTheSpecCannotBeApplied() {
    create("oldiso", "host: team.example.org");
    await().atMost(WAIT).until(() -> cronJob("oldiso") != null);

    // an invalid change and isolation in one edit: the emergency path, which finds the schedule in
    // batch/v1beta1
    patch("oldiso", "{\"spec\":{\"worker\":{\"replicas\":3},\"isolation\":true}}");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(condition("oldiso", Conditions.DEGRADED).getReason())
          .isEqualTo(DegradedReason.INVALID_SPEC.value());
      assertThat(cronJob("oldiso").getSpec().getSuspend()).isTrue();
      assertThat(condition("oldiso", Conditions.ISOLATED).getStatus()).isEqualTo("True");
    });

    // valid again and no longer isolated: the normal render resumes the schedule
    patch("oldiso", "{\"spec\":{\"worker\":{\"replicas\":1},\"isolation\":false}}");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(condition("oldiso", Conditions.DEGRADED).getStatus()).isEqualTo("False");
      assertThat(cronJob("oldiso").getSpec().getSuspend()).isFalse();
    });
    assertThat(cluster.writes()).noneMatch(w -> w.matches(".*/apis/batch/v1/.*cronjobs.*"));
  }

  private static void create(String ns, String spec) {
    cluster.createStack(ns, "team", spec);
  }

  private static CronJob cronJob(String ns) {
    return cluster
        .client()
        .resources(CronJob.class)
        .inNamespace(ns)
        .withName("team-backup")
        .get();
  }

  private static void patch(String ns, String json) {
    cluster
        .client()
        .resources(LoomioDeployment.class)
        .inNamespace(ns)
        .withName("team")
        .patch(PatchContext.of(PatchType.JSON_MERGE), json);
  }

  private static Condition condition(String ns, String type) {
    LoomioDeployment r = cluster.get(ns, "team");
    return r == null || r.getStatus() == null
        ? null
        : Conditions.find(r.getStatus().getConditions(), type).orElse(null);
  }
}

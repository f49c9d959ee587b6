package org.loomio.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioBackup;
import org.loomio.operator.api.v1alpha1.LoomioBackupStatus;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioRestore;
import org.loomio.operator.api.v1alpha1.LoomioRestoreStatus;
import org.loomio.operator.reconcile.OperatorSettings;
import org.loomio.operator.status.Conditions;
import org.loomio.operator.status.DegradedReason;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.testing.MockCluster;

/**
 * The operator process as {@code run} starts it, on the mock API server: health and metrics endpoints
 * answer while it runs, metrics count reconciles and stacks, every created object leaves an Event, and two
 * replicas with leader election never both reconcile.
 */
class OperatorRuntimeTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static MockCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new MockCluster();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static LoomioDeployment create(String namespace, String name) {
    cluster.namespace(namespace);
    LoomioDeployment r = Fixtures.resource(name, "host: " + name + ".example.org");
    r.getMetadata().setNamespace(namespace);
    r.getMetadata().setGeneration(null);
    return cluster.client().resource(r).create();
  }

  private static HttpResponse<String> get(int port, String path)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static double metric(String scrape, String name, String labels) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$").matcher(scrape);
    double sum = 0;
    while (m.find()) {
      if (m.group(1).contains(labels)) {
        sum += Double.parseDouble(m.group(2));
      }
    }
    return sum;
  }

  private static boolean hasStatus(String ns, String name) {
    LoomioDeployment r = cluster.get(ns, name);
    return r != null
        && r.getStatus() != null
        && Conditions.find(r.getStatus().getConditions(), Conditions.PROGRESSING)
            .isPresent();
  }

  @Test
  void endpointsAnswerAndMetricsCountReconcilesAndStacks() throws Exception {
    cluster.clearWrites();
    try (OperatorRuntime runtime = cluster.startRuntime(
        OperatorSettings.defaults().withNamespaces(java.util.Set.of("metrics")), null)) {
      // watching one namespace, it lists and watches nothing outside it (the chart's Roles suffice)
      assertThat(cluster.requests())
          .filteredOn(r -> r.startsWith("GET ") && !r.contains("/namespaces/"))
          .allSatisfy(r -> assertThat(r)
              .as("a cluster-wide read")
              .doesNotContainPattern(
                  "[?&]watch=|^GET /api/v1/\\w+\\?|^GET /apis/[^/]+/[^/]+/\\w+\\?"));
      assertThat(cluster.requests())
          .filteredOn(r -> r.contains("watch=true"))
          .isNotEmpty()
          .allSatisfy(r -> assertThat(r).contains("/namespaces/metrics/"));
      assertThat(get(runtime.healthPort(), "/healthz").statusCode()).isEqualTo(200);
      assertThat(get(runtime.healthPort(), "/readyz").statusCode()).isEqualTo(200);
      assertThat(get(runtime.healthPort(), "/nothing").statusCode()).isEqualTo(404);

      create("metrics", "team");
      await().atMost(WAIT).until(() -> hasStatus("metrics", "team"));
      await().atMost(WAIT).untilAsserted(() -> {
        // the role setup, then the migration it holds back: the Job controller's part, played until
        // Ready
        cluster.runControllers("metrics", "team");
        HttpResponse<String> metrics = get(runtime.metricsPort(), "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type").orElse(""))
            .startsWith("text/plain");
        String body = metrics.body();
        assertThat(metric(body, "operator_sdk_reconciliations_started_total", ""))
            .isGreaterThanOrEqualTo(1);
        assertThat(metric(body, "operator_sdk_reconciliations_success_total", ""))
            .isGreaterThanOrEqualTo(1);
        assertThat(metric(body, "loomio_stacks", "condition=\"Ready\",status=\"True\""))
            .isEqualTo(1);
        assertThat(metric(body, "loomio_stacks", "condition=\"Degraded\",status=\"False\""))
            .isEqualTo(1);
        assertThat(body).contains("jvm_memory_used_bytes");
        // per stack: one series per condition, labelled with the stack
        assertThat(
                metric(
                    body,
                    "loomio_stack_condition",
                    "condition=\"Ready\",name=\"team\",namespace=\"metrics\",reason=\"AllComponentsReady\",status=\"True\""))
            .isEqualTo(1);
        assertThat(metric(
                body,
                "loomio_stack_component_ready_replicas",
                "component=\"web\",name=\"team\",namespace=\"metrics\""))
            .isGreaterThanOrEqualTo(1);
        // never backed up yet: said so, no age of a backup, and the stalest-stack age is not 0
        assertThat(metric(
                body, "loomio_stack_backup_never_succeeded", "name=\"team\",namespace=\"metrics\""))
            .isEqualTo(1);
        assertThat(body).doesNotContain("loomio_stack_backup_last_success_age_seconds{");
        Matcher oldest = Pattern.compile(
                "(?m)^loomio_backup_oldest_last_success_age_seconds (\\S+)$")
            .matcher(body);
        assertThat(oldest.find()).isTrue();
        assertThat(Double.parseDouble(oldest.group(1))).isGreaterThan(0);
        // operator-wide: the reconcile histogram and queue per controller
        assertThat(metric(
                body,
                "loomio_operator_reconcile_duration_seconds_count",
                "controller=\"loomio-operator\""))
            .isGreaterThanOrEqualTo(1);
        assertThat(metric(
                body,
                "loomio_operator_reconcile_duration_seconds_bucket",
                "controller=\"loomio-operator\",le=\"+Inf\""))
            .isGreaterThanOrEqualTo(1);
        assertThat(body)
            .contains("loomio_operator_reconciles_queued{controller=\"loomio-operator\"}")
            .contains("loomio_operator_reconciles_in_flight{controller=\"loomio-operator\"}")
            .contains("loomio_operator_reconcile_errors_total{controller=\"loomio-operator\"}");
      });
      // a read of something absent is an error answer of the API server, counted by its code
      cluster.clearWrites();
      assertThat(runtime
              .operator()
              .getConfigurationService()
              .getKubernetesClient()
              .secrets()
              .inNamespace("metrics")
              .withName("absent")
              .get())
          .isNull();
      assertThat(metric(
              get(runtime.metricsPort(), "/metrics").body(),
              "loomio_operator_api_errors_total",
              "code=\"404\""))
          .isGreaterThanOrEqualTo(1);

      List<Event> events =
          cluster.client().v1().events().inNamespace("metrics").list().getItems();
      // every created object is named, in few Events (one per reconcile that created something)
      String created = events.stream()
          .filter(e -> "Created".equals(e.getReason()))
          .map(Event::getMessage)
          .collect(java.util.stream.Collectors.joining("\n"));
      assertThat(events)
          .filteredOn(e -> "Created".equals(e.getReason()))
          .hasSizeLessThanOrEqualTo(3);
      for (var object : org.loomio.operator.render.StackRenderer.renderForDisplay(
              cluster.get("metrics", "team"),
              org.loomio.operator.model.ClusterCapabilities.newest())
          .objects()) {
        if (!(object instanceof io.fabric8.kubernetes.api.model.Secret)) {
          assertThat(created)
              .as("an event names " + object.getKind() + " "
                  + object.getMetadata().getName())
              .containsPattern(java.util.regex.Pattern.quote(object.getKind()) + " [^;]*\\b"
                  + java.util.regex.Pattern.quote(object.getMetadata().getName()) + "\\b");
        }
      }
      assertThat(events).allSatisfy(e -> {
        assertThat(e.getInvolvedObject().getKind()).isEqualTo("LoomioDeployment");
        assertThat(e.getInvolvedObject().getName()).isEqualTo("team");
      });

      // an invalid change counts as a blocked reconcile and makes the stack Degraded
      cluster
          .client()
          .resources(LoomioDeployment.class)
          .inNamespace("metrics")
          .withName("team")
          .edit(r -> {
            r.getSpec().setHost("Not A Host");
            return r;
          });
      await().atMost(WAIT).untilAsserted(() -> {
        String body = get(runtime.metricsPort(), "/metrics").body();
        assertThat(
                metric(body, "loomio_operator_reconcile_failures_total", "reason=\"InvalidSpec\""))
            .isGreaterThanOrEqualTo(1);
        assertThat(metric(body, "loomio_stacks", "condition=\"Degraded\",status=\"True\""))
            .isEqualTo(1);
        // the changed reason replaced the series: still one per condition
        assertThat(
                metric(
                    body,
                    "loomio_stack_condition",
                    "condition=\"Degraded\",name=\"team\",namespace=\"metrics\",reason=\"InvalidSpec\",status=\"True\""))
            .isEqualTo(1);
        assertThat(body.lines()
                .filter(l -> l.startsWith("loomio_stack_condition{condition=\"Degraded\"")
                    && l.contains("name=\"team\"")))
            .hasSize(1);
      });

      // a deleted stack's series go with it
      cluster
          .client()
          .resources(LoomioDeployment.class)
          .inNamespace("metrics")
          .withName("team")
          .delete();
      await()
          .atMost(WAIT)
          .untilAsserted(() -> assertThat(get(runtime.metricsPort(), "/metrics").body())
              .doesNotContain("name=\"team\""));
    }
  }

  /**
   * The settings' tenant policy reaches every controller: a stack that only this policy admits (a system-*
   * priority class) is applied and backed up on demand, one it refuses (an image outside the allowlist) is
   * Degraded, and a backup or restore of it fails naming the field.
   */
  @Test
  void theTenantPolicyOfTheSettingsDecidesForEveryController() throws Exception {
    String ns = "tenancy";
    OperatorSettings settings = OperatorSettings.defaults().withNamespaces(java.util.Set.of(ns));
    settings = settings.withTenancy(settings.tenancy().withAllowSystemPriorityClasses(true));
    try (OperatorRuntime runtime = cluster.startRuntime(settings, null)) {
      create(ns, "critical", "web: {pod: {priorityClassName: system-cluster-critical}}");
      create(ns, "foreign", "image: {repository: quay.io/someone/loomio, tag: \"3.5\"}");
      await().atMost(WAIT).untilAsserted(() -> {
        var web = cluster
            .client()
            .apps()
            .deployments()
            .inNamespace(ns)
            .withName("critical-web")
            .get();
        assertThat(web).isNotNull();
        assertThat(web.getSpec().getTemplate().getSpec().getPriorityClassName())
            .isEqualTo("system-cluster-critical");
        var degraded = Conditions.find(
            cluster.get(ns, "foreign").getStatus().getConditions(), Conditions.DEGRADED);
        assertThat(degraded).hasValueSatisfying(c -> {
          assertThat(c.getReason()).isEqualTo(DegradedReason.INVALID_SPEC.value());
          assertThat(c.getMessage())
              .contains("spec.image.repository: quay.io/someone/loomio is not an image repository");
        });
      });
      assertThat(cluster
              .client()
              .apps()
              .deployments()
              .inNamespace(ns)
              .withName("foreign-web")
              .get())
          .isNull();

      backup(ns, "critical-now", "critical");
      backup(ns, "foreign-now", "foreign");
      restore(ns, "foreign-back", "foreign");
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(cluster
                .client()
                .batch()
                .v1()
                .jobs()
                .inNamespace(ns)
                .withLabel(org.loomio.operator.model.Labels.BACKUP, "critical-now")
                .list()
                .getItems())
            .hasSize(1);
        var failed = cluster
            .client()
            .resources(LoomioBackup.class)
            .inNamespace(ns)
            .withName("foreign-now")
            .get()
            .getStatus();
        assertThat(failed).isNotNull();
        assertThat(failed.getPhase()).isEqualTo(LoomioBackupStatus.Phase.Failed);
        assertThat(failed.getMessage()).contains("spec.image.repository");
        var refused = cluster
            .client()
            .resources(LoomioRestore.class)
            .inNamespace(ns)
            .withName("foreign-back")
            .get()
            .getStatus();
        assertThat(refused).isNotNull();
        assertThat(refused.getPhase()).isEqualTo(LoomioRestoreStatus.Phase.Failed);
        assertThat(refused.getMessage()).contains("spec.image.repository");
      });
    }
  }

  private static void create(String namespace, String name, String spec) {
    cluster.createStack(namespace, name, "host: " + name + ".example.org\n" + spec);
  }

  private static void backup(String namespace, String name, String deployment) {
    LoomioBackup b = new LoomioBackup();
    b.getMetadata().setName(name);
    b.getMetadata().setNamespace(namespace);
    b.setSpec(new org.loomio.operator.api.v1alpha1.LoomioBackupSpec());
    b.getSpec().setDeploymentName(deployment);
    cluster.client().resource(b).create();
  }

  private static void restore(String namespace, String name, String deployment) {
    LoomioRestore r = new LoomioRestore();
    r.getMetadata().setName(name);
    r.getMetadata().setNamespace(namespace);
    r.setSpec(new org.loomio.operator.api.v1alpha1.LoomioRestoreSpec());
    r.getSpec().setDeploymentName(deployment);
    cluster.client().resource(r).create();
  }

  @Test
  void twoReplicasWithLeaderElectionNeverBothReconcile() throws Exception {
    AtomicInteger lostLeases = new AtomicInteger();
    OperatorSettings base = OperatorSettings.defaults().withNamespaces(java.util.Set.of("ha"));
    cluster.namespace("operators");
    OperatorRuntime first =
        cluster.startRuntime(base.withLeaderElection(lease("first")), lostLeases::incrementAndGet);
    await().atMost(WAIT).until(() -> holder() != null);
    assertThat(holder()).isEqualTo("first");
    OperatorRuntime second =
        cluster.startRuntime(base.withLeaderElection(lease("second")), lostLeases::incrementAndGet);
    try {
      assertThat(get(second.healthPort(), "/readyz").statusCode())
          .as("a standby is ready")
          .isEqualTo(200);
      create("ha", "one");
      await().atMost(WAIT).until(() -> hasStatus("ha", "one"));
      assertThat(started(first)).isGreaterThanOrEqualTo(1);
      // the standby must do nothing for a while: while the leader renews its Lease three more times
      java.time.ZonedDateTime renewed = renewTime();
      await().atMost(WAIT).until(() -> renewals(renewed) >= 3);
      assertThat(started(second)).as("the standby never reconciles").isZero();
      assertThat(holder()).isEqualTo("first");

      first.close();
      await().atMost(WAIT).until(() -> "second".equals(holder()));
      create("ha", "two");
      await().atMost(WAIT).until(() -> hasStatus("ha", "two"));
      assertThat(started(second)).isGreaterThanOrEqualTo(1);
      assertThat(lostLeases).as("a graceful stop is not a lost Lease").hasValue(0);
    } finally {
      first.close();
      second.close();
    }
  }

  private static OperatorSettings.LeaderElection lease(String identity) {
    return new OperatorSettings.LeaderElection(
        "loomio-operator",
        "operators",
        identity,
        Duration.ofSeconds(2),
        Duration.ofMillis(1500),
        Duration.ofMillis(200));
  }

  private static final java.util.List<java.time.ZonedDateTime> RENEWALS =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /** When the Lease was last renewed. */
  private static java.time.ZonedDateTime renewTime() {
    Lease lease = cluster
        .client()
        .leases()
        .inNamespace("operators")
        .withName("loomio-operator")
        .get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getRenewTime();
  }

  /** How many distinct renewals after {@code since} this poll and the earlier ones have seen. */
  private static int renewals(java.time.ZonedDateTime since) {
    java.time.ZonedDateTime now = renewTime();
    if (now != null && now.isAfter(since) && !RENEWALS.contains(now)) {
      RENEWALS.add(now);
    }
    return (int) RENEWALS.stream().filter(t -> t.isAfter(since)).count();
  }

  private static String holder() {
    Lease lease = cluster
        .client()
        .leases()
        .inNamespace("operators")
        .withName("loomio-operator")
        .get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  private static double started(OperatorRuntime runtime) {
    var counters = runtime
        .metrics()
        .registry()
        .find("operator.sdk.reconciliations.started")
        .counters();
    return counters.stream().mapToDouble(c -> c.count()).sum();
  }
}

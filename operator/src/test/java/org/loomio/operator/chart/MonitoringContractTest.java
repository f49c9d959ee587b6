package org.loomio.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.BackupStatus;
import org.loomio.operator.api.v1alpha1.ComponentStatus;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioDeploymentStatus;
import org.loomio.operator.api.v1alpha1.SecretsStatus;
import org.loomio.operator.api.v1alpha1.UpgradeStatus;
import org.loomio.operator.reconcile.OperatorMetrics;
import org.loomio.operator.reconcile.OperatorSettings;
import org.loomio.operator.runtime.OperatorRuntime;
import org.loomio.operator.status.BackupsHealthyReason;
import org.loomio.operator.status.Conditions;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.testing.MockCluster;

/**
 * Every metric and label the chart's alert rules and dashboard query is one the operator registers: the
 * metrics a running operator exposes (on the mock API server, after reconciling a stack, refusing another and
 * meeting an API error), together with the per-stack series only some states have (a backup, an upgrade, a credentials
 * policy), observed directly.
 */
class MonitoringContractTest {

  /** Series Prometheus itself makes for a scrape target, with their labels. */
  private static final Map<String, Set<String>> PROMETHEUS_OWN =
      Map.of("up", Set.of("job", "namespace", "instance"));

  private static final Set<String> KEYWORDS = Set.of(
      "and",
      "or",
      "unless",
      "bool",
      "offset",
      "by",
      "without",
      "on",
      "ignoring",
      "group_left",
      "group_right",
      "inf",
      "nan");
  private static final Pattern SELECTOR =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{([^}]*)}");
  private static final Pattern MATCHER =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
  private static final Pattern IDENTIFIER =
      Pattern.compile("(?<![\\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");

  private static MockCluster cluster;
  /** metric (sample) name to its label names. */
  private static final Map<String, Set<String>> registered = new TreeMap<>();

  @BeforeAll
  static void collect() throws Exception {
    cluster = new MockCluster();
    cluster.createStack("contract", "team", "host: team.example.org");
    // and one the operator refuses (a blocked reconcile counts by its reason)
    LoomioDeployment broken = Fixtures.resource("broken", "host: team.example.org");
    broken.getMetadata().setNamespace("contract");
    broken.getMetadata().setGeneration(null);
    broken.getSpec().setHost("Not A Host");
    cluster.client().resource(broken).create();
    try (OperatorRuntime runtime = cluster.startRuntime(
        OperatorSettings.defaults().withNamespaces(Set.of("contract")), null)) {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> runtime.metrics().scrape().contains("name=\"team\"")
              && runtime
                  .metrics()
                  .scrape()
                  .contains("loomio_operator_reconcile_failures_total{reason=\"InvalidSpec\"}"));
      runtime
          .operator()
          .getConfigurationService()
          .getKubernetesClient()
          .secrets()
          .inNamespace("contract")
          .withName("absent")
          .get();
      parse(runtime.metrics().scrape());
    }
    // the states a freshly created stack does not have
    Instant now = Instant.parse("2026-11-03T10:00:00Z");
    OperatorMetrics metrics = OperatorMetrics.prometheus(Clock.fixed(now, ZoneOffset.UTC));
    LoomioDeployment stack = Fixtures.resource("rich", """
        host: rich.example.org
        secrets: {maxAgeDays: 90}
        """);
    stack.getMetadata().setNamespace("contract");
    stack.getMetadata().setCreationTimestamp("2026-11-01T10:00:00Z");
    LoomioDeploymentStatus status = new LoomioDeploymentStatus();
    List<Condition> conditions = new ArrayList<>();
    for (String type : Conditions.ORDER) {
      Condition c = Conditions.of(type, Conditions.FALSE, "Some", "m", 1);
      c.setLastTransitionTime("2026-11-01T10:01:00Z");
      conditions.add(c);
    }
    conditions.removeIf(c -> Conditions.BACKUPS_HEALTHY.equals(c.getType()));
    conditions.add(Conditions.of(
        Conditions.BACKUPS_HEALTHY,
        Conditions.UNKNOWN,
        BackupsHealthyReason.NO_BACKUP_YET.value(),
        "m",
        1));
    status.setConditions(conditions);
    SecretsStatus secrets = new SecretsStatus();
    secrets.setValueSince(Map.of("SECRET_KEY_BASE", "2026-01-01T00:00:00Z"));
    status.setSecrets(secrets);
    UpgradeStatus upgrade = new UpgradeStatus();
    upgrade.setPhase(UpgradeStatus.Phase.Migrating);
    status.setUpgrade(upgrade);
    ComponentStatus web = new ComponentStatus();
    web.setReady(1);
    web.setDesired(1);
    status.setComponents(Map.of("web", web));
    metrics.observed(stack, status);
    parse(metrics.scrape());
    BackupStatus backup = new BackupStatus();
    backup.setLastSuccessfulTime("2026-11-03T03:00:00Z");
    status.setBackup(backup);
    metrics.observed(stack, status);
    parse(metrics.scrape());
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static void parse(String exposition) {
    Pattern sample = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)})? \\S+");
    Matcher m = sample.matcher(exposition);
    while (m.find()) {
      Set<String> labels = registered.computeIfAbsent(m.group(1), k -> new TreeSet<>());
      if (m.group(3) != null) {
        Matcher l = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"").matcher(m.group(3));
        while (l.find()) {
          labels.add(l.group(1));
        }
      }
    }
  }

  /** A PromQL expression's metric names, each with the labels its selectors match on, and its grouping labels. */
  record Query(Map<String, Set<String>> metrics, Set<String> grouping) {}

  static Query query(String expr) {
    Map<String, Set<String>> metrics = new TreeMap<>();
    Set<String> grouping = new LinkedHashSet<>();
    Matcher g = GROUPING.matcher(expr);
    StringBuilder rest = new StringBuilder();
    while (g.find()) {
      for (String label : g.group(2).split(",")) {
        if (!label.isBlank()) {
          grouping.add(label.strip());
        }
      }
      g.appendReplacement(rest, " ");
    }
    g.appendTail(rest);
    String withoutGrouping = rest.toString();
    Matcher s = SELECTOR.matcher(withoutGrouping);
    StringBuilder bare = new StringBuilder();
    while (s.find()) {
      Set<String> labels = metrics.computeIfAbsent(s.group(1), k -> new TreeSet<>());
      Matcher l = MATCHER.matcher(s.group(2));
      while (l.find()) {
        labels.add(l.group(1));
      }
      s.appendReplacement(bare, " ");
    }
    s.appendTail(bare);
    String remaining = bare.toString().replaceAll("\"[^\"]*\"", " ").replaceAll("\\[[^]]*]", " ");
    Matcher i = IDENTIFIER.matcher(remaining);
    while (i.find()) {
      String name = i.group(1);
      boolean function = i.group(2) != null;
      if (!function && !KEYWORDS.contains(name.toLowerCase())) {
        metrics.computeIfAbsent(name, k -> new TreeSet<>());
      }
    }
    return new Query(metrics, grouping);
  }

  /** Checks one query and the labels its text (annotations, legends) uses; returns the metrics it names. */
  private static Set<String> check(String where, String expr, Set<String> textLabels) {
    Query q = query(expr);
    assertThat(q.metrics()).as(where + ": " + expr).isNotEmpty();
    Set<String> all = new TreeSet<>();
    for (var e : q.metrics().entrySet()) {
      Set<String> labels = PROMETHEUS_OWN.containsKey(e.getKey())
          ? PROMETHEUS_OWN.get(e.getKey())
          : registered.get(e.getKey());
      assertThat(labels)
          .as(where + ": metric " + e.getKey() + " is one the operator registers")
          .isNotNull();
      assertThat(labels).as(where + ": labels of " + e.getKey()).containsAll(e.getValue());
      all.addAll(labels);
    }
    assertThat(all).as(where + ": grouping labels of " + expr).containsAll(q.grouping());
    assertThat(all).as(where + ": labels its text uses").containsAll(textLabels);
    return q.metrics().keySet();
  }

  private static Set<String> textLabels(String text, Pattern pattern) {
    Set<String> labels = new TreeSet<>();
    Matcher m = pattern.matcher(text == null ? "" : text);
    while (m.find()) {
      labels.add(m.group(1));
    }
    return labels;
  }

  @Test
  void theExtractorFindsMetricsLabelsAndGrouping() {
    Query q = query(
        "histogram_quantile(0.99, sum by (le, controller) (rate(a_bucket{x=\"1\"}[5m])))"
            + " / on (namespace) group_left (reason) b and c unless d{y!~\"z\"} > bool 3 or vector(0)");
    assertThat(q.metrics()).containsOnlyKeys("a_bucket", "b", "c", "d");
    assertThat(q.metrics().get("a_bucket")).containsExactly("x");
    assertThat(q.metrics().get("d")).containsExactly("y");
    assertThat(q.grouping()).containsExactly("le", "controller", "namespace", "reason");
  }

  @Test
  @SuppressWarnings("unchecked")
  void alertRulesUseOnlyRegisteredMetricsAndLabels() {
    Set<String> used = new TreeSet<>();
    for (Map<String, Object> alert : MonitoringTest.alerts(MonitoringTest.ruleFile())) {
      String name = alert.get("alert").toString();
      Map<String, String> annotations = (Map<String, String>) alert.get("annotations");
      Set<String> text = new TreeSet<>();
      annotations
          .values()
          .forEach(v -> text.addAll(textLabels(v, Pattern.compile("\\$labels\\.(\\w+)"))));
      used.addAll(check(name, alert.get("expr").toString(), text));
    }
    assertThat(used)
        .as("the alerts' metrics")
        .contains(
            "loomio_stack_condition",
            "loomio_stack_condition_last_transition_timestamp_seconds",
            "loomio_stack_backup_never_succeeded",
            "loomio_stack_backup_first_due_timestamp_seconds",
            "loomio_stack_credentials_oldest_age_seconds",
            "loomio_stack_credentials_max_age_seconds",
            "loomio_stack_isolated",
            "loomio_operator_reconcile_errors_total");
  }

  @Test
  void dashboardQueriesUseOnlyRegisteredMetricsAndLabels() throws Exception {
    JsonNode dashboard = Serialization.jsonMapper().readTree(MonitoringTest.dashboardJson());
    List<JsonNode> targets = new ArrayList<>();
    dashboard.path("panels").forEach(p -> {
      p.path("targets").forEach(targets::add);
      p.path("panels").forEach(inner -> inner.path("targets").forEach(targets::add));
    });
    assertThat(targets).hasSizeGreaterThan(10);
    Set<String> used = new TreeSet<>();
    for (JsonNode target : targets) {
      used.addAll(check(
          "dashboard target",
          target.path("expr").asText(),
          textLabels(
              target.path("legendFormat").asText(), Pattern.compile("\\{\\{\\s*(\\w+)\\s*}}"))));
    }
    assertThat(used)
        .as("stacks by condition, backup ages, reconcile rates and durations, errors")
        .contains(
            "loomio_stack_condition", "loomio_stack_backup_last_success_age_seconds",
            "loomio_backup_oldest_last_success_age_seconds",
                "loomio_operator_reconcile_duration_seconds_count",
            "loomio_operator_reconcile_duration_seconds_bucket",
                "loomio_operator_reconcile_errors_total",
            "loomio_operator_api_errors_total", "loomio_operator_reconciles_queued");
    assertThat(used).as("only the operator's own").allMatch(n -> n.startsWith("loomio_"));
  }
}

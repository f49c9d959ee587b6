package org.loomio.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The chart's monitoring: the PrometheusRule and the Grafana dashboard ConfigMap render only when enabled and
 * lint strictly; every alert names the stack and the reason and links a runbook that docs/operations.md has;
 * the alert rules pass the {@code promtool test rules} files in {@code src/test/resources/promtool}.
 * (That they use only metrics the operator registers: {@code MonitoringContractTest}.)
 */
class MonitoringTest {

  static final String ENABLED = """
      prometheusRule: {enabled: true, labels: {release: prometheus}}
      grafanaDashboard: {enabled: true, annotations: {grafana_folder: Loomio}}
      """;
  private static final Path OPERATIONS = Path.of("../docs/operations.md");
  private static final Path PROMTOOL_TESTS = Path.of("src/test/resources/promtool");

  /** The rendered documents of a kind, as maps. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> documents(String rendered, String kind) {
    List<Map<String, Object>> found = new ArrayList<>();
    for (String doc : rendered.split("(?m)^---\\s*$")) {
      if (doc.isBlank()) {
        continue;
      }
      Map<String, Object> map = Serialization.unmarshal(doc, Map.class);
      if (map != null && kind.equals(map.get("kind"))) {
        found.add(map);
      }
    }
    return found;
  }

  /** The spec of the PrometheusRule the chart renders with monitoring on: a Prometheus rule file's content. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> ruleFile() {
    List<Map<String, Object>> rules = documents(Chart.render(ENABLED), "PrometheusRule");
    assertThat(rules).hasSize(1);
    return (Map<String, Object>) rules.get(0).get("spec");
  }

  /** Every alerting rule of the rule file. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> alerts(Map<String, Object> ruleFile) {
    return ((List<Map<String, Object>>) ruleFile.get("groups"))
        .stream()
            .flatMap(g -> ((List<Map<String, Object>>) g.get("rules")).stream())
            .filter(r -> r.containsKey("alert"))
            .toList();
  }

  /** The dashboard JSON the ConfigMap carries. */
  @SuppressWarnings("unchecked")
  static String dashboardJson() {
    List<Map<String, Object>> maps = documents(Chart.render(ENABLED), "ConfigMap").stream()
        .filter(m ->
            ((Map<String, Object>) m.get("metadata")).get("name").toString().endsWith("-dashboard"))
        .toList();
    assertThat(maps).hasSize(1);
    return ((Map<String, String>) maps.get(0).get("data")).get("loomio-operator.json");
  }

  @Test
  @SuppressWarnings("unchecked")
  void ruleAndDashboardRenderOnlyWhenEnabled() throws IOException {
    String off = Chart.render(null);
    assertThat(documents(off, "PrometheusRule")).isEmpty();
    assertThat(off).doesNotContain("grafana_dashboard");

    String on = Chart.render(ENABLED);
    Map<String, Object> rule = documents(on, "PrometheusRule").get(0);
    assertThat(rule.get("apiVersion")).isEqualTo("monitoring.coreos.com/v1");
    Map<String, Object> meta = (Map<String, Object>) rule.get("metadata");
    assertThat(meta.get("namespace")).isEqualTo(Chart.NAMESPACE);
    assertThat((Map<String, String>) meta.get("labels")).containsEntry("release", "prometheus");

    Map<String, Object> cm = documents(on, "ConfigMap").stream()
        .filter(m ->
            ((Map<String, Object>) m.get("metadata")).get("name").toString().endsWith("-dashboard"))
        .findFirst()
        .orElseThrow();
    Map<String, Object> cmMeta = (Map<String, Object>) cm.get("metadata");
    assertThat((Map<String, String>) cmMeta.get("labels")).containsEntry("grafana_dashboard", "1");
    assertThat((Map<String, String>) cmMeta.get("annotations"))
        .containsEntry("grafana_folder", "Loomio");
    // the dashboard ships as it is in the chart, valid JSON
    String json = ((Map<String, String>) cm.get("data")).get("loomio-operator.json");
    assertThat(Serialization.jsonMapper().readTree(json))
        .isEqualTo(Serialization.jsonMapper()
            .readTree(Chart.DIR.resolve("dashboards/loomio-operator.json").toFile()));
    // one of them alone
    assertThat(documents(Chart.render("prometheusRule: {enabled: true}"), "PrometheusRule"))
        .hasSize(1);
    assertThat(Chart.render("prometheusRule: {enabled: true}")).doesNotContain("grafana_dashboard");
    assertThat(documents(
            Chart.render("grafanaDashboard: {enabled: true, namespace: monitoring}"),
            "PrometheusRule"))
        .isEmpty();
    assertThat(Chart.render("grafanaDashboard: {enabled: true, namespace: monitoring}"))
        .contains("namespace: monitoring");
  }

  @Test
  void lintsStrictlyWithMonitoringOn() throws IOException {
    Path copy = Files.createTempDirectory("chart");
    try {
      Path chart = copy.resolve("loomio-operator");
      copyTree(Chart.DIR, chart);
      String values = Files.readString(chart.resolve("values.yaml"));
      String on = values
          .replace(
              "prometheusRule:\n  # -- Create the PrometheusRule.\n  enabled: false",
              "prometheusRule:\n  # -- Create the PrometheusRule.\n  enabled: true")
          .replace(
              "grafanaDashboard:\n  # -- Create the dashboard ConfigMap.\n  enabled: false",
              "grafanaDashboard:\n  # -- Create the dashboard ConfigMap.\n  enabled: true");
      assertThat(on).as("values.yaml has both switches, off").isNotEqualTo(values);
      assertThat(on.split("enabled: true", -1).length)
          .isEqualTo(values.split("enabled: true", -1).length + 2);
      Files.writeString(chart.resolve("values.yaml"), on);
      LintResult result = new Helm(chart).lint().strict().call();
      assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
      assertThat(documents(
              new Helm(chart)
                  .template()
                  .withName(Chart.RELEASE)
                  .withNamespace(Chart.NAMESPACE)
                  .set("networkPolicy.apiServer.cidrs[0]", Chart.TEST_API_SERVER)
                  .call(),
              "PrometheusRule"))
          .hasSize(1);
    } finally {
      try (Stream<Path> all = Files.walk(copy)) {
        all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyAlertNamesTheStackTheReasonAndItsRunbook() throws IOException {
    String operations = Files.readString(OPERATIONS);
    int alertsSection = operations.indexOf("\n## Alerts\n");
    assertThat(alertsSection).as("docs/operations.md has an Alerts section").isPositive();
    int next = operations.indexOf("\n## ", alertsSection + 1);
    String section = operations.substring(alertsSection, next < 0 ? operations.length() : next);
    List<Map<String, Object>> alerts = alerts(ruleFile());
    assertThat(alerts.stream().map(a -> a.get("alert").toString()))
        .doesNotHaveDuplicates()
        .contains(
            "LoomioStackDegraded",
            "LoomioStackNotReady",
            "LoomioBackupFailing",
            "LoomioBackupOverdue",
            "LoomioNeverBackedUp",
            "LoomioCertificatePending",
            "LoomioCredentialsTooOld",
            "LoomioStackIsolated",
            "LoomioOperatorDown",
            "LoomioOperatorReconcileErrors");
    for (Map<String, Object> alert : alerts) {
      String name = alert.get("alert").toString();
      Map<String, String> annotations = (Map<String, String>) alert.get("annotations");
      Map<String, String> labels = (Map<String, String>) alert.get("labels");
      assertThat(labels.get("severity")).as(name).isIn("critical", "warning", "info");
      assertThat(annotations.get("description")).as(name + " says the reason").contains("reason");
      if (name.startsWith("LoomioOperator")) {
        assertThat(annotations.get("summary")).as(name).contains("operator");
      } else {
        assertThat(annotations.get("summary"))
            .as(name + " names the stack and the reason")
            .contains("{{ $labels.namespace }}/{{ $labels.name }}")
            .contains("{{ $labels.reason }}");
        assertThat(annotations.get("description")).as(name).contains("{{ $labels.reason }}");
      }
      assertThat(annotations.get("runbook_url"))
          .as(name)
          .isEqualTo(
              "https://github.com/loomio-operator/loomio-operator/blob/main/docs/operations.md#"
                  + name.toLowerCase());
      assertThat(section)
          .as("docs/operations.md, Alerts, has a runbook for " + name)
          .contains("\n### " + name + "\n");
    }
    // and no runbook for an alert that does not exist
    Matcher headings = Pattern.compile("(?m)^### (Loomio\\w+)$").matcher(section);
    List<String> names = alerts.stream().map(a -> a.get("alert").toString()).toList();
    while (headings.find()) {
      assertThat(names).as("a runbook without its alert").contains(headings.group(1));
    }
  }

  /** The reason an alert about a stack quotes is a column of {@code kubectl get loomio} (or its {@code -o wide}). */
  @Test
  @SuppressWarnings("unchecked")
  void everyStackAlertsReasonIsAColumnOfKubectlGetLoomio() throws IOException {
    Map<String, Object> crd = Serialization.unmarshal(
        Files.readString(Chart.DIR.resolve("crds/loomiodeployments.loomio.org-v1.yml")), Map.class);
    List<Map<String, Object>> columns = (List<Map<String, Object>>)
        ((List<Map<String, Object>>) ((Map<String, Object>) crd.get("spec")).get("versions"))
            .get(0)
            .get("additionalPrinterColumns");
    List<String> paths = columns.stream().map(c -> c.get("jsonPath").toString()).toList();
    for (Map<String, Object> alert : alerts(ruleFile())) {
      String name = alert.get("alert").toString();
      if (name.startsWith("LoomioOperator")) {
        continue;
      }
      Matcher condition =
          Pattern.compile("condition=\"(\\w+)\"").matcher(alert.get("expr").toString());
      List<String> conditions = new ArrayList<>();
      while (condition.find()) {
        conditions.add(condition.group(1));
      }
      assertThat(conditions).as(name + " takes its reason from a condition").isNotEmpty();
      for (String type : conditions) {
        assertThat(paths)
            .as(name + ": a column shows the reason of " + type)
            .contains(".status.conditions[?(@.type==\"" + type + "\")].reason");
      }
    }
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {
        "prometheusRule: {enabled: true, notReadyMinutes: 0}\n",
        "prometheusRule: {enabled: true, operatorDownFor: soon}\n",
        "prometheusRule: {enabled: true, runbookBaseUrl: \"docs/operations.md\"}\n",
        "prometheusRule: {enabled: true, operatorJob: 'a\"b'}\n",
        "prometheusRule: {enable: true}\n",
        "grafanaDashboard: {enabled: true, namespace: Monitoring}\n",
        "grafanaDashboard: {enabled: true, labels: {grafana_dashboard: 1}}\n"
      })
  void theSchemaRefusesBadMonitoringValues(String values) {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Chart.render(values))
        .hasMessageContaining("values don't meet the specifications");
  }

  @Test
  void runbookBaseUrlAndThresholdsAreValues() {
    String rendered = Chart.render("""
        prometheusRule: {enabled: true, runbookBaseUrl: "https://wiki.example.org/loomio", notReadyMinutes: 30,
          operatorJob: my-scrape}
        """);
    assertThat(rendered)
        .contains("runbook_url: https://wiki.example.org/loomio#loomiostacknotready")
        .contains("> 1800)")
        .contains("up{job=\"my-scrape\", namespace=\"loomio-system\"}");
  }

  /** promtool, where it is installed; on CI (.ci/run installs Debian's prometheus package) it must be. */
  static Optional<Path> promtool() {
    Optional<Path> found = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .map(d -> Path.of(d, "promtool"))
        .filter(Files::isExecutable)
        .findFirst();
    if (System.getenv("CI") != null) {
      assertThat(found)
          .as("CI must install promtool (.ci/run: Debian's prometheus package)")
          .isPresent();
    }
    return found;
  }

  @Test
  void promtoolRuleTestsPass() throws Exception {
    Optional<Path> promtool = promtool();
    Assumptions.assumeTrue(
        promtool.isPresent(), "promtool is not installed (apt-get install prometheus)");
    Path dir = Files.createTempDirectory("promtool");
    try {
      Files.writeString(
          dir.resolve("loomio-operator-rules.yaml"), Serialization.asYaml(ruleFile()));
      List<Path> tests;
      try (Stream<Path> files = Files.list(PROMTOOL_TESTS)) {
        tests = files
            .filter(f -> f.getFileName().toString().endsWith(".test.yaml"))
            .sorted()
            .toList();
      }
      assertThat(tests).isNotEmpty();
      for (Path test : tests) {
        Files.copy(test, dir.resolve(test.getFileName()));
      }
      run(dir, promtool.get().toString(), "check", "rules", "loomio-operator-rules.yaml");
      List<String> command = new ArrayList<>(List.of(promtool.get().toString(), "test", "rules"));
      tests.forEach(t -> command.add(t.getFileName().toString()));
      run(dir, command.toArray(String[]::new));
    } finally {
      try (Stream<Path> all = Files.walk(dir)) {
        all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyAlertIsTestedByAPromtoolFile() throws IOException {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.list(PROMTOOL_TESTS)) {
      for (Path f : files.toList()) {
        all.append(Files.readString(f));
      }
    }
    for (Map<String, Object> alert : alerts(ruleFile())) {
      String name = alert.get("alert").toString();
      // fired with its labels and annotations (exp_alerts with entries), and held back (exp_alerts:
      // [])
      assertThat(Pattern.compile("alertname: " + name + "\\n\\s+exp_alerts:\\n\\s+- ")
              .matcher(all)
              .find())
          .as(name + " is tested firing")
          .isTrue();
      assertThat(Pattern.compile("alertname: " + name + "\\n\\s+exp_alerts: \\[\\]")
              .matcher(all)
              .find())
          .as(name + " is tested not firing")
          .isTrue();
    }
  }

  private static void run(Path dir, String... command) throws Exception {
    Process p = new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}

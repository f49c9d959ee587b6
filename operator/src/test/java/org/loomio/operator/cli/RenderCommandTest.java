package org.loomio.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Credentials;
import org.loomio.operator.testing.Fixtures;
import picocli.CommandLine;

/** The render CLI as users run it (same entry point, in process). */
class RenderCommandTest {

  record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private static List<JsonNode> documents(String yaml) throws Exception {
    List<JsonNode> docs = new ArrayList<>();
    try (var it = new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class).readValues(yaml)) {
      while (it.hasNextValue()) {
        JsonNode n = (JsonNode) it.nextValue();
        if (n != null && !n.isNull() && !n.isMissingNode()) {
          docs.add(n);
        }
      }
    }
    return docs;
  }

  @Test
  void rendersTheMinimalExample() throws Exception {
    Run r = run("render", "-f", Fixtures.examplesDir().resolve("minimal.yaml").toString());
    assertThat(r.code()).as(r.err()).isZero();
    List<JsonNode> docs = documents(r.out());
    // with the restore drill's CronJob, ServiceAccount and NetworkPolicy, and the role setup's Job,
    // ServiceAccount and NetworkPolicy
    assertThat(docs).hasSize(41);
    assertThat(docs)
        .extracting(d -> d.path("kind").asText())
        .contains("Deployment", "StatefulSet", "Job", "Secret");
    assertThat(r.out()).startsWith("# LoomioDeployment team: 41 objects for Kubernetes 1.34");
    JsonNode secret = docs.stream()
        .filter(d -> d.path("kind").asText().equals("Secret"))
        .findFirst()
        .orElseThrow();
    secret
        .path("stringData")
        .elements()
        .forEachRemaining(v -> assertThat(v.asText()).isEqualTo(Credentials.PLACEHOLDER));
    assertThat(secret.has("data")).isFalse();
  }

  /**
   * The examples name no namespace, so {@code kubectl -n team apply -f examples/minimal.yaml} works: rendered
   * without -n, no object names one (kubectl -n decides); with -n, every object is in it.
   */
  @Test
  void examplesNameNoNamespaceAndDashNPutsEveryObjectInOne() throws Exception {
    try (var files = java.nio.file.Files.list(Fixtures.examplesDir())) {
      for (java.nio.file.Path example :
          files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        Run plain = run("render", "-f", example.toString());
        assertThat(plain.code()).as(example + ": " + plain.err()).isZero();
        assertThat(documents(plain.out()))
            .as(example.toString())
            .isNotEmpty()
            .allSatisfy(d -> assertThat(d.at("/metadata/namespace").isMissingNode())
                .as(d.at("/metadata/name").asText())
                .isTrue());
        Run team = run("render", "-f", example.toString(), "-n", "team");
        assertThat(team.code()).as(team.err()).isZero();
        assertThat(team.out()).contains("# LoomioDeployment team/");
        assertThat(documents(team.out()))
            .hasSameSizeAs(documents(plain.out()))
            .allSatisfy(d -> assertThat(d.at("/metadata/namespace").asText()).isEqualTo("team"));
      }
    }
  }

  @Test
  void sameInputSameOutput() {
    String file = Fixtures.examplesDir().resolve("production.yaml").toString();
    assertThat(run("render", "-f", file).out())
        .isEqualTo(run("render", "-f", file).out());
  }

  @Test
  void oldClustersGetTheApisTheyServeAndAreToldWhatIsLeftOut() throws Exception {
    Run r = run(
        "render",
        "-f",
        Fixtures.examplesDir().resolve("production.yaml").toString(),
        "--kube-version",
        "1.20");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains(
            "# left out (APIAvailable=False): PodDisruptionBudget.spec.unhealthyPodEvictionPolicy"
                + " (Kubernetes 1.27) (an unhealthy web pod can block a node drain)");
    assertThat(documents(r.out()))
        .filteredOn(d -> d.path("kind").asText().equals("PodDisruptionBudget"))
        .hasSize(2)
        .allSatisfy(d -> assertThat(d.path("apiVersion").asText()).isEqualTo("policy/v1beta1"));
    // the backups and the restore drills
    assertThat(documents(r.out()))
        .filteredOn(d -> d.path("kind").asText().equals("CronJob"))
        .hasSize(2)
        .allSatisfy(d -> assertThat(d.path("apiVersion").asText()).isEqualTo("batch/v1beta1"));
    Run newest =
        run("render", "-f", Fixtures.examplesDir().resolve("production.yaml").toString());
    assertThat(documents(newest.out()))
        .filteredOn(d -> d.path("kind").asText().equals("PodDisruptionBudget"))
        .hasSize(2);
  }

  @Test
  void readsStandardInputWithSeveralStacks() throws Exception {
    String two = """
        apiVersion: loomio.org/v1alpha1
        kind: LoomioDeployment
        metadata: {name: one}
        spec: {host: one.example.org}
        ---
        apiVersion: loomio.org/v1alpha1
        kind: LoomioDeployment
        metadata: {name: two}
        spec: {host: two.example.org, hocuspocus: {enabled: false}}
        """;
    InputStream stdin = System.in;
    try {
      System.setIn(new ByteArrayInputStream(two.getBytes(StandardCharsets.UTF_8)));
      Run r = run("render", "-f", "-", "-n", "decisions");
      assertThat(r.code()).as(r.err()).isZero();
      List<JsonNode> docs = documents(r.out());
      assertThat(docs).hasSize(41 + 37);
      assertThat(docs)
          .allSatisfy(d -> assertThat(d.at("/metadata/namespace").asText()).isEqualTo("decisions"));
    } finally {
      System.setIn(stdin);
    }
  }

  @Test
  void invalidInputPrintsNothingAndNamesTheField() {
    Run r = run("render", "-f", "src/test/resources/invalid/worker-replicas.yaml");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("spec.worker.replicas");
  }

  @Test
  void refusesWhatTheOperatorsTenantPolicyRefusesWithTheSameFlags() {
    String apparmor = "src/test/resources/invalid/apparmor-unconfined-annotation.yaml";
    Run refused = run("render", "-f", apparmor);
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.out()).isEmpty();
    assertThat(refused.err())
        .contains("spec.web.pod.annotations")
        .contains("tenancy.allowSecurityAnnotations");
    Run allowed = run("render", "-f", apparmor, "--allow-security-annotations");
    assertThat(allowed.code()).as(allowed.err()).isZero();
    assertThat(allowed.out())
        .contains("container.apparmor.security.beta.kubernetes.io/web: \"unconfined\"");

    String image = "src/test/resources/invalid/image-repository-not-allowed.yaml";
    assertThat(run("render", "-f", image).err())
        .contains("spec.image.repository")
        .contains("quay.io/someone/loomio is not an image repository this operator admits");
    assertThat(run(
                "render",
                "-f",
                image,
                "--allowed-image-repositories",
                "registry.example.org/*,quay.io/someone/*")
            .out())
        .contains("image: \"quay.io/someone/loomio:3.5\"");
    assertThat(run(
                "render",
                "-f",
                "src/test/resources/invalid/system-priority-class.yaml",
                "--allow-system-priority-classes=true")
            .code())
        .isZero();
    assertThat(run(
                "render",
                "-f",
                "src/test/resources/invalid/wildcard-toleration.yaml",
                "--allow-control-plane-tolerations")
            .code())
        .isZero();
    // no switch admits another backup agent
    assertThat(run(
                "render",
                "-f",
                "src/test/resources/invalid/backup-image.yaml",
                "--allowed-image-repositories",
                "*")
            .err())
        .contains("spec.backup.image");
  }

  @Test
  void rendersWithTheOperatorsDefaultImagesAndAdmitsThem() {
    String mirror = "registry.example.org/mirror/loomio";
    Run r = run(
        "render",
        "-f",
        Fixtures.examplesDir().resolve("minimal.yaml").toString(),
        "--default-loomio-image",
        mirror + ":3.5",
        "--built-in-image-repositories=false");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("image: \"" + mirror + ":3.5\"")
        .doesNotContain("image: \"loomio/loomio");
    Run airGapped = run(
        "render",
        "-f",
        Fixtures.examplesDir().resolve("production.yaml").toString(),
        "--default-loomio-image",
        mirror + ":3.5",
        "--built-in-image-repositories=false");
    assertThat(airGapped.code()).isEqualTo(1);
    assertThat(airGapped.err())
        .contains("spec.image.repository: loomio/loomio is not an image repository");
  }

  @Test
  void aDefaultImageOlderThanTheOldestServedReleaseIsAUsageError() {
    Run r = run(
        "render",
        "-f",
        Fixtures.examplesDir().resolve("minimal.yaml").toString(),
        "--default-loomio-image",
        "loomio/loomio:3.0.12");
    assertThat(r.code()).isNotZero();
    assertThat(r.err()).contains("loomio/loomio:3.0.12").contains("3.1.0 or later");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void aMalformedPolicyEntryIsAUsageError() {
    Run r = run(
        "render",
        "-f",
        Fixtures.examplesDir().resolve("minimal.yaml").toString(),
        "--allowed-image-repositories",
        "loomio/loomio:3.5");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("'loomio/loomio:3.5'");
  }

  @Test
  void aNamespaceThatIsNotADnsLabelIsInvalidInput() {
    String minimal = Fixtures.examplesDir().resolve("minimal.yaml").toString();
    for (String ns : List.of("Team", "team_1", "-team", "a".repeat(64), "team.example")) {
      Run r = run("render", "-f", minimal, "-n", ns);
      assertThat(r.code()).as(ns).isEqualTo(1);
      assertThat(r.out()).isEmpty();
      assertThat(r.err())
          .startsWith("error: -n/--namespace: '")
          .contains("is not a namespace name");
    }
    assertThat(run("render", "-f", minimal, "-n", "a".repeat(63)).code()).isZero();
    Run doc = run(
        "render", "-f", "src/test/resources/invalid/namespace-not-a-label.yaml", "-n", "decisions");
    assertThat(doc.code()).isEqualTo(1);
    assertThat(doc.out()).isEmpty();
    assertThat(doc.err()).contains("metadata.namespace: 'Team_1' is not a namespace name");
  }

  @Test
  void aKeyWrittenTwiceOrBrokenYamlIsInvalidInputWithItsLine() {
    Run dup = run("render", "-f", "src/test/resources/invalid/duplicate-key.yaml");
    assertThat(dup.code()).isEqualTo(1);
    assertThat(dup.out()).isEmpty();
    assertThat(dup.err())
        .contains("spec.host: 'host' appears twice in one mapping (the second, at line 11,");
    Run broken = run("render", "-f", "src/test/resources/invalid/../../../../../pom.xml");
    assertThat(broken.code()).isEqualTo(1);
    assertThat(broken.out()).isEmpty();
    assertThat(broken.err())
        .startsWith("error: ")
        .contains("line ")
        .contains("column ")
        .doesNotContain("org.yaml");
  }

  /**
   * A mapping where a key belongs (the parser's {@code MappingStartEvent}): one line with the file, line and
   * column in plain words, nothing printed, exit code 1.
   */
  @Test
  void aMappingWhereAKeyBelongsIsReportedWithFileLineAndColumn(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = dir.resolve("team.yaml");
    java.nio.file.Files.writeString(file, """
        apiVersion: loomio.org/v1alpha1
        kind: LoomioDeployment
        metadata:
          name: team
        spec:
          {host: loomio.example.org}: x
        """);
    Run r = run("render", "-f", file.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .isEqualTo(
            "error: " + file + ": not valid YAML at line 6, column 3: a key must be a plain value"
                + " (text), not a mapping or a list" + System.lineSeparator());
  }

  @Test
  void missingFileAndBadVersionAreUsageErrors() {
    assertThat(run("render", "-f", "no/such/file.yaml").code()).isEqualTo(2);
    Run bad = run(
        "render",
        "-f",
        Fixtures.examplesDir().resolve("minimal.yaml").toString(),
        "--kube-version",
        "new");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("--kube-version");
  }

  @Test
  void versionsBelowTheOldestRunnableAreRefusedWithExitCode2() {
    String file = Fixtures.examplesDir().resolve("minimal.yaml").toString();
    for (String version : List.of("1.10", "1.19", "v1.19.16")) {
      Run r = run("render", "-f", file, "--kube-version", version);
      assertThat(r.code()).as(version).isEqualTo(2);
      assertThat(r.out()).as(version).isEmpty();
      assertThat(r.err())
          .as(version)
          .startsWith("error: --kube-version " + version + ": ")
          .contains("is older than 1.20, the oldest version the operator runs on")
          .contains(ClusterCapabilities.SUPPORT_STATEMENT);
    }
  }

  @Test
  void versionsWithGapsRenderWithAWarningNamingTheGapsThatApply() {
    String file = Fixtures.examplesDir().resolve("minimal.yaml").toString();
    Run v120 = run("render", "-f", file, "--kube-version", "1.20");
    assertThat(v120.code()).isZero();
    assertThat(v120.out()).startsWith("# LoomioDeployment");
    assertThat(v120.err())
        .startsWith("warning: --kube-version 1.20: Kubernetes 1.20 runs with these gaps:\n")
        .contains(ClusterCapabilities.SUPPORT_STATEMENT);
    ClusterCapabilities.GAPS.forEach(gap -> assertThat(v120.err()).contains("\n  - " + gap + "\n"));

    Run v125 = run("render", "-f", file, "--kube-version", "1.25");
    assertThat(v125.code()).isZero();
    assertThat(v125.err())
        .contains("CronJob spec.timeZone", "unhealthyPodEvictionPolicy")
        .doesNotContain("x-kubernetes-validations")
        .doesNotContain("kubernetes.io/metadata.name");

    assertThat(run("render", "-f", file, "--kube-version", "1.27").err()).isEmpty();
    assertThat(run("render", "-f", file).err()).isEmpty();
  }

  @Test
  void everyCommandHasHelp() {
    assertThat(run("--help").out()).contains("render", "run");
    assertThat(run("render", "--help").out())
        .contains(
            "--file",
            "--kube-version",
            "--namespace",
            "--allowed-image-repositories",
            "--default-loomio-image");
    assertThat(run("run", "--help").out()).contains("WATCH_NAMESPACES");
    assertThat(run().code()).isEqualTo(2);
  }
}

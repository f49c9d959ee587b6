package org.loomio.operator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.loomio.operator.chart.Chart;
import org.loomio.operator.cli.Main;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.reconcile.ClusterCapabilitiesProvider;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * One supported-versions statement everywhere ({@link ClusterCapabilities#SUPPORT_STATEMENT}): docs/api.md,
 * the chart README and the README say it word for word, the chart's kubeVersion is the oldest version the
 * operator runs on, docs/api.md lists every gap as the code knows it, and the operator's log and the render
 * CLI say the same.
 */
class SupportedVersionsTest {

  private static final Path ROOT =
      Path.of(System.getProperty("examples.dir", "../examples")).getParent();
  private static final Path CHART =
      Path.of(System.getProperty("chart.dir", "../helm/loomio-operator"));

  @Test
  void theStatementIsTheContracts() {
    assertThat(ClusterCapabilities.SUPPORT_STATEMENT)
        .isEqualTo(
            "Supported: Kubernetes 1.27 and newer."
                + " Kubernetes 1.20 to 1.26 run with the documented gaps. Older versions are not supported.");
  }

  @Test
  void everyDocumentSaysTheSameStatement() throws IOException {
    for (Path doc : List.of(
        ROOT.resolve("docs/api.md"), CHART.resolve("README.md"), ROOT.resolve("README.md"))) {
      assertThat(Files.readString(doc))
          .as(doc.toString())
          .contains(ClusterCapabilities.SUPPORT_STATEMENT);
    }
    // and no document says anything else: every "Supported: Kubernetes" is the statement, no "1.x
    // or newer"
    List<String> drift = new ArrayList<>();
    for (Path doc : documents()) {
      String text = Files.readString(doc).replaceAll("\\s+", " ");
      Matcher supported = Pattern.compile("Supported: Kubernetes").matcher(text);
      while (supported.find()) {
        if (!text.startsWith(ClusterCapabilities.SUPPORT_STATEMENT, supported.start())) {
          drift.add(doc + ": "
              + text.substring(supported.start(), Math.min(text.length(), supported.start() + 80)));
        }
      }
      Matcher orNewer = Pattern.compile(
              "(?i)kubernetes (>= ?)?1\\.\\d+( or newer|\\+ only| and later)")
          .matcher(text);
      while (orNewer.find()) {
        drift.add(doc + ": " + orNewer.group());
      }
    }
    assertThat(drift).isEmpty();
  }

  @Test
  void theChartRefusesWhatTheOperatorDoesNotRunOn() throws IOException {
    var chart =
        new ObjectMapper(new YAMLFactory()).readTree(CHART.resolve("Chart.yaml").toFile());
    assertThat(chart.path("kubeVersion").asText())
        .isEqualTo(">=1." + ClusterCapabilities.OLDEST_RUNNABLE_MINOR + ".0-0")
        .isEqualTo(">=1.20.0-0");
    assertThat(Chart.template("{}", "1.20.2")).isNotEmpty();
    assertThatThrownBy(() -> Chart.render("{}", "1.19.16")).hasMessageContaining(">=1.20.0-0");
  }

  @Test
  void apiReferenceListsEveryGapAsTheCodeKnowsIt() throws IOException {
    String api = Files.readString(ROOT.resolve("docs/api.md"));
    for (ClusterCapabilities.Gap gap : ClusterCapabilities.GAPS) {
      assertThat(api)
          .contains(
              "| " + gap.what() + " | 1." + gap.sinceMinor() + " | " + gap.consequence() + " |");
      assertThat(gap.sinceMinor())
          .isBetween(
              ClusterCapabilities.OLDEST_RUNNABLE_MINOR + 1,
              ClusterCapabilities.OLDEST_SUPPORTED_MINOR);
    }
    assertThat(ClusterCapabilities.forVersion("1.20").gaps()).isEqualTo(ClusterCapabilities.GAPS);
    assertThat(ClusterCapabilities.forVersion("1.27").gaps()).isEmpty();
  }

  @Test
  void theOperatorLogsTheStatementWithTheGapsOfItsServer() {
    Logger logger = (Logger) LoggerFactory.getLogger(ClusterCapabilitiesProvider.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    Level level = logger.getLevel();
    logger.setLevel(Level.INFO); // the tests' logback configuration shows warnings only
    logger.setAdditive(false); // and the statements need not reach the build log
    logger.addAppender(appender);
    try {
      ClusterCapabilitiesProvider.fixed(ClusterCapabilities.forVersion("1.30")).get();
      ClusterCapabilitiesProvider.fixed(ClusterCapabilities.forVersion("1.24")).get();
      ClusterCapabilitiesProvider.fixed(ClusterCapabilities.forVersion("1.19")).get();
    } finally {
      logger.detachAppender(appender);
      logger.setLevel(level);
      logger.setAdditive(true);
    }
    List<ILoggingEvent> statements = appender.list.stream()
        .filter(e -> e.getFormattedMessage().contains(ClusterCapabilities.SUPPORT_STATEMENT))
        .toList();
    assertThat(statements).hasSize(3);
    assertThat(statements.get(0).getLevel()).isEqualTo(Level.INFO);
    assertThat(statements.get(0).getFormattedMessage()).startsWith("Kubernetes 1.30 is supported.");
    assertThat(statements.get(1).getLevel()).isEqualTo(Level.WARN);
    assertThat(statements.get(1).getFormattedMessage())
        .startsWith("Kubernetes 1.24 runs with these gaps: ")
        .contains(ClusterCapabilities.GAPS.get(2).toString())
        .contains(ClusterCapabilities.GAPS.get(4).toString())
        .doesNotContain(ClusterCapabilities.GAPS.get(0).what());
    assertThat(statements.get(2).getLevel()).isEqualTo(Level.ERROR);
    assertThat(statements.get(2).getFormattedMessage())
        .startsWith("Kubernetes 1.19 is older than 1.20, the oldest version the operator runs on.");
  }

  @Test
  void theRenderCliSaysItInItsHelp() {
    String help = String.join(
        " ",
        new CommandLine(new Main())
            .getSubcommands()
            .get("render")
            .getCommandSpec()
            .findOption("--kube-version")
            .description());
    assertThat(help).contains(ClusterCapabilities.SUPPORT_STATEMENT);
  }

  private static List<Path> documents() throws IOException {
    List<Path> docs = new ArrayList<>(List.of(
        ROOT.resolve("README.md"),
        CHART.resolve("README.md"),
        CHART.resolve("templates/NOTES.txt"),
        CHART.resolve("values.yaml")));
    try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
      files.filter(f -> f.toString().endsWith(".md")).forEach(docs::add);
    }
    return docs;
  }
}

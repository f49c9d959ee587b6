package org.loomio.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The release workflow (not run by CI: it needs a container engine and registry credentials) is checked for
 * what it promises: on a tag, the multi-arch image from operator/Dockerfile, pushed to the repository the chart
 * names, and the chart pinned to that image's digest, packaged and pushed to an OCI registry.
 */
class ReleaseWorkflowTest {

  private static final Path ROOT = Path.of(System.getProperty("examples.dir", "../examples"))
      .toAbsolutePath()
      .normalize()
      .getParent();

  private static String runs(JsonNode workflow) {
    List<String> runs = new ArrayList<>();
    workflow.at("/jobs/release/steps").forEach(step -> runs.add(step.path("run").asText()));
    return String.join("\n", runs);
  }

  @Test
  void onATagItBuildsBothArchitecturesAndPublishesImageAndChart() throws IOException {
    JsonNode workflow = new ObjectMapper(new YAMLFactory())
        .readTree(ROOT.resolve(".github/workflows/release.yaml").toFile());
    assertThat(workflow.at("/on/push/tags").toString()).isEqualTo("[\"v*\"]");
    assertThat(workflow.at("/permissions/packages").asText()).isEqualTo("write");
    String runs = runs(workflow);
    assertThat(runs)
        .contains(
            "mvn -B verify",
            "docker buildx build",
            "--platform linux/amd64,linux/arm64",
            "--file operator/Dockerfile",
            "--push .",
            "helm package helm/loomio-operator",
            "helm push",
            "helm/loomio-operator/values.yaml");
    assertThat(runs.indexOf("mvn -B verify"))
        .as("tests before publishing")
        .isLessThan(runs.indexOf("docker buildx"));
    assertThat(runs.indexOf("docker buildx"))
        .as("the chart pins the pushed image")
        .isLessThan(runs.indexOf("helm push"));
    List<String> uses = new ArrayList<>();
    workflow
        .at("/jobs/release/steps")
        .forEach(step -> uses.add(step.path("uses").asText()));
    assertThat(uses)
        .as("the image's training run (a RUN in the runtime stage) is emulated for arm64")
        .anyMatch(u -> u.startsWith("docker/setup-qemu-action@"));
    assertThat(uses.indexOf(uses.stream()
            .filter(u -> u.startsWith("docker/setup-qemu-action@"))
            .findFirst()
            .orElseThrow()))
        .isLessThan(uses.indexOf("docker/setup-buildx-action@v3"));
  }

  /** The workflow's awk finds the chart's image repository, and its sed pins the image's own digest line. */
  @Test
  void theChartsValuesHaveWhatTheWorkflowEdits() throws IOException {
    List<String> values = Files.readAllLines(ROOT.resolve("helm/loomio-operator/values.yaml"));
    int image = values.indexOf("image:");
    assertThat(image).isNotNegative();
    assertThat(values
            .get(image
                + 1
                + (int) values.subList(image + 1, values.size()).stream()
                    .takeWhile(l -> !l.strip().startsWith("repository:"))
                    .count())
            .strip())
        .isEqualTo("repository: ghcr.io/loomio-operator/loomio-operator");
    int digest = values.indexOf("  digest: \"\"");
    assertThat(digest).as("the first '  digest: \"\"' is image.digest").isGreaterThan(image);
    assertThat(values.subList(image + 1, digest)).allMatch(l -> l.isBlank() || l.startsWith(" "));
  }

  /** What the Dockerfile copies into its build stage exists. */
  @Test
  void theDockerfileCopiesWhatExists() throws IOException {
    Matcher copy = Pattern.compile("(?m)^COPY (?!--from)(\\S+)")
        .matcher(Files.readString(ROOT.resolve("operator/Dockerfile")));
    int n = 0;
    while (copy.find()) {
      assertThat(ROOT.resolve(copy.group(1))).as(copy.group()).exists();
      n++;
    }
    assertThat(n).isGreaterThanOrEqualTo(4);
  }
}

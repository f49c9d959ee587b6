package org.loomio.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The CRD users apply ({@code crds/}) is the one generated from the Java model by this build. The build
 * never writes {@code crds/} itself; after changing the model, refresh it with
 * {@code mvn -pl operator -Pupdate-crds process-classes} and commit the result.
 */
class CrdUpToDateTest {

  static final List<String> FILES = List.of(
      "loomiodeployments.loomio.org-v1.yml",
      "loomiobackups.loomio.org-v1.yml",
      "loomiorestores.loomio.org-v1.yml");

  @Test
  void committedCrdsEqualTheGeneratedOnes() throws IOException {
    Path dir = Path.of("target/classes/META-INF/fabric8");
    try (var files = Files.list(dir)) {
      assertThat(files
              .map(f -> f.getFileName().toString())
              .filter(f -> f.endsWith("-v1.yml"))
              .sorted()
              .toList())
          .as("every generated CRD is committed")
          .containsExactlyInAnyOrderElementsOf(FILES);
    }
    for (String file : FILES) {
      Path generated = dir.resolve(file);
      Path committed = Path.of(System.getProperty("crds.dir", "../crds"), file);
      assertThat(committed).as("committed copy").exists();
      assertThat(Files.readString(committed))
          .as(
              "crds/%s is stale: run mvn -pl operator -Pupdate-crds process-classes and commit it",
              file)
          .isEqualTo(Files.readString(generated));
    }
  }
}

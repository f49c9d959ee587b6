package org.loomio.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loomio.operator.testing.Fixtures;

class ResourceReaderTest {

  private static List<ResourceReader.Result> read(String yaml) throws IOException {
    return ResourceReader.read(new StringReader(yaml), "test.yaml", null);
  }

  @Test
  void everyExampleIsValid() throws IOException {
    try (var files = Files.list(Fixtures.examplesDir())) {
      List<Path> examples = files.filter(p -> p.toString().endsWith(".yaml")).toList();
      assertThat(examples).extracting(p -> p.getFileName().toString()).contains("minimal.yaml", "production.yaml");
      for (Path p : examples) {
        List<ResourceReader.Result> results = ResourceReader.read(Files.newBufferedReader(p), p.toString(), null);
        assertThat(results).as(p.toString()).isNotEmpty()
            .allSatisfy(r -> assertThat(r.valid()).as(r.error() == null ? "" : r.error().getMessage()).isTrue());
      }
    }
  }

  @Test
  void severalDocumentsAreCheckedOneByOne() throws IOException {
    List<ResourceReader.Result> results = read("""
        apiVersion: loomio.org/v1alpha1
        kind: LoomioDeployment
        metadata: {name: one}
        spec: {host: one.example.org}
        ---
        ---
        apiVersion: loomio.org/v1alpha1
        kind: LoomioDeployment
        metadata: {name: two}
        spec: {host: two.example.org, worker: {replicas: 5}}
        """);
    assertThat(results).hasSize(2);
    assertThat(results.get(0).valid()).isTrue();
    assertThat(results.get(1).valid()).isFalse();
    assertThat(results.get(1).error().getMessage()).contains("document 2 (two)").contains("spec.worker.replicas");
  }

  @Test
  void anotherKindIsRefused() throws IOException {
    var r = read("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n").get(0);
    assertThat(r.error().violations()).extracting(Violation::field).containsExactly("apiVersion", "kind");
  }

  @Test
  void aMissingNamespaceTakesTheDefaultGiven() throws IOException {
    var r = ResourceReader.read(new StringReader("apiVersion: loomio.org/v1alpha1\nkind: LoomioDeployment\n"
        + "metadata: {name: x}\nspec: {host: x.example.org}\n"), "t", "decisions").get(0);
    assertThat(r.resource().getMetadata().getNamespace()).isEqualTo("decisions");
  }

  @Test
  void aNamespaceThatIsNotADnsLabelIsRefusedWithItsField() throws IOException {
    for (String ns : List.of("Team", "team_1", "team.example", "-a", "a-", "a".repeat(64))) {
      var r = read("apiVersion: loomio.org/v1alpha1\nkind: LoomioDeployment\nmetadata: {name: x, namespace: \""
          + ns + "\"}\nspec: {host: x.example.org}\n").get(0);
      assertThat(r.valid()).as(ns).isFalse();
      assertThat(r.error().violations()).extracting(Violation::field).as(ns).containsExactly("metadata.namespace");
    }
    assertThat(read("apiVersion: loomio.org/v1alpha1\nkind: LoomioDeployment\nmetadata: {name: x, namespace: "
        + "a".repeat(63) + "}\nspec: {host: x.example.org}\n").get(0).valid()).isTrue();
  }

  @Test
  void anEmptyNamespaceTakesTheDefaultAndAnInvalidDefaultIsRefused() throws IOException {
    var r = ResourceReader.read(new StringReader("apiVersion: loomio.org/v1alpha1\nkind: LoomioDeployment\n"
        + "metadata: {name: x, namespace: ''}\nspec: {host: x.example.org}\n"), "t", "decisions").get(0);
    assertThat(r.resource().getMetadata().getNamespace()).isEqualTo("decisions");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ResourceReader.read(new StringReader(""), "t", "Bad_NS"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'Bad_NS' is not a namespace name");
  }

  @Test
  void brokenYamlIsAnIoError() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> read("spec: [unclosed"))
        .isInstanceOf(IOException.class).hasMessageContaining("not valid YAML");
  }
}

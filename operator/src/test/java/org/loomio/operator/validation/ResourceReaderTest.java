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
      assertThat(examples)
          .extracting(p -> p.getFileName().toString())
          .contains("minimal.yaml", "production.yaml");
      for (Path p : examples) {
        List<ResourceReader.Result> results =
            ResourceReader.read(Files.newBufferedReader(p), p.toString(), null);
        assertThat(results)
            .as(p.toString())
            .isNotEmpty()
            .allSatisfy(r -> assertThat(r.valid())
                .as(r.error() == null ? "" : r.error().getMessage())
                .isTrue());
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
    assertThat(results.get(1).error().getMessage())
        .contains("document 2 (two)")
        .contains("spec.worker.replicas");
  }

  @Test
  void anotherKindIsRefused() throws IOException {
    var r = read("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n").get(0);
    assertThat(r.error().violations())
        .extracting(Violation::field)
        .containsExactly("apiVersion", "kind");
  }

  @Test
  void aMissingNamespaceTakesTheDefaultGiven() throws IOException {
    var r = ResourceReader.read(
            new StringReader("apiVersion: loomio.org/v1alpha1\nkind: LoomioDeployment\n"
                + "metadata: {name: x}\nspec: {host: x.example.org}\n"),
            "t",
            "decisions")
        .get(0);
    assertThat(r.resource().getMetadata().getNamespace()).isEqualTo("decisions");
  }

  @Test
  void aNamespaceThatIsNotADnsLabelIsRefusedWithItsField() throws IOException {
    for (String ns : List.of("Team", "team_1", "team.example", "-a", "a-", "a".repeat(64))) {
      var r =
          read("apiVersion: loomio.org/v1alpha1\nkind: LoomioDeployment\nmetadata: {name: x, namespace: \""
                  + ns + "\"}\nspec: {host: x.example.org}\n")
              .get(0);
      assertThat(r.valid()).as(ns).isFalse();
      assertThat(r.error().violations())
          .extracting(Violation::field)
          .as(ns)
          .containsExactly("metadata.namespace");
    }
    assertThat(
            read("apiVersion: loomio.org/v1alpha1\nkind: LoomioDeployment\nmetadata: {name: x, namespace: "
                    + "a".repeat(63) + "}\nspec: {host: x.example.org}\n")
                .get(0)
                .valid())
        .isTrue();
  }

  @Test
  void anEmptyNamespaceTakesTheDefaultAndAnInvalidDefaultIsRefused() throws IOException {
    var r = ResourceReader.read(
            new StringReader("apiVersion: loomio.org/v1alpha1\nkind: LoomioDeployment\n"
                + "metadata: {name: x, namespace: ''}\nspec: {host: x.example.org}\n"),
            "t",
            "decisions")
        .get(0);
    assertThat(r.resource().getMetadata().getNamespace()).isEqualTo("decisions");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ResourceReader.read(new StringReader(""), "t", "Bad_NS"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'Bad_NS' is not a namespace name");
  }

  @Test
  void brokenYamlIsAnIoErrorThatSaysWhereInPlainWords() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> read("spec: [unclosed"))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "test.yaml: not valid YAML at line 1, column 16: expected ',' or"
                + " ']', but got the end of the input (in a flow sequence that starts at line 1, column 7)");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> read("spec:\n  host: a\n - x\n"))
        .hasMessage(
            "test.yaml: not valid YAML at line 3, column 2: expected the end of the indented block, but found"
                + " a list item ('- ') (in a block mapping that starts at line 1, column 1)");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> read("spec:\n\thost: a\n"))
        .hasMessageStartingWith(
            "test.yaml: not valid YAML at line 2, column 1: found character '\\t(TAB)'");
  }

  @Test
  void aKeyThatIsAMappingIsExplainedWithoutTheParsersEvents() {
    for (String yaml : List.of("? {a: b}\n: c\n", "apiVersion: v\n{a: 1}: x\n", "? [a]\n: b\n")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> read(yaml))
          .as(yaml)
          .hasMessageContaining("not valid YAML at line ")
          .hasMessageContaining("a key must be a plain value (text)")
          .hasMessageNotContaining("org.yaml")
          .hasMessageNotContaining("Event");
    }
  }

  @Test
  void aKeyWrittenTwiceIsRefusedWithItsFieldAndLine() throws IOException {
    List<ResourceReader.Result> results = read("""
        apiVersion: loomio.org/v1alpha1
        kind: LoomioDeployment
        metadata: {name: one}
        spec: {host: one.example.org}
        ---
        apiVersion: loomio.org/v1alpha1
        kind: LoomioDeployment
        metadata: {name: two}
        spec:
          host: two.example.org
          web: {replicas: 1}
          host: three.example.org
        """);
    assertThat(results).hasSize(2);
    assertThat(results.get(0).valid()).isTrue();
    assertThat(results.get(1).document()).isEqualTo(2);
    assertThat(results.get(1).error().getMessage())
        .contains("test.yaml document 2 (two) is invalid");
    assertThat(results.get(1).error().violations())
        .extracting(Violation::toString)
        .containsExactly("spec.host:"
            + " 'host' appears twice in one mapping (the second, at line 12, column 3, would silently replace the first):"
            + " keep one");
    assertThat(
            read("apiVersion: loomio.org/v1alpha1\nkind: LoomioDeployment\nkind: LoomioDeployment\n")
                .get(0)
                .error()
                .violations())
        .extracting(Violation::field)
        .containsExactly("kind");
    assertThat(read("metadata: {name: a, labels: {x.io/a: b, x.io/a: c}}\n")
            .get(0)
            .error()
            .violations())
        .extracting(Violation::field)
        .containsExactly("metadata.labels.x.io/a");
  }

  /** The S3 strings the backup agent receives as arguments: the forms real stores use pass, anything else not. */
  @Test
  void s3EndpointsRegionsAndKmsKeysAreTheFormsStoresUse() throws IOException {
    for (String endpoint : List.of(
        "https://s3.eu-central-1.amazonaws.com",
        "https://minio.minio.svc:9000",
        "https://storage.example.org/s3/",
        "https://10.0.0.5:9000/%7Euser/b_1.x~")) {
      assertThat(backup("endpoint: \"" + endpoint + "\"")).as(endpoint).isEmpty();
    }
    for (String endpoint : List.of(
        "https://evil.example/$(AWS_SECRET_ACCESS_KEY)",
        "https://a.example/?x=1",
        "https://user@a.example",
        "https://a.example/a b",
        "ftp://a.example",
        "https://a.example/#f",
        "http://minio.minio.svc:9000")) {
      assertThat(backup("endpoint: \"" + endpoint + "\""))
          .as(endpoint)
          .containsExactly("spec.backup.s3.endpoint");
    }
    for (String key : List.of(
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        "mrk-1234abcd12ab34cd56ef1234567890ab",
        "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/backups",
        "alias/loomio/backups",
        "minio-backup_key")) {
      assertThat(backup(
              "endpoint: https://s3.example.org\n  serverSideEncryption: aws:kms\n  kmsKeyId: \""
                  + key + "\""))
          .as(key)
          .isEmpty();
    }
    for (String key : List.of(
        "$(AWS_SECRET_ACCESS_KEY)", "alias/$(X)", "key id", "arn:aws:kms:x:1:key/$(X)", "-x")) {
      assertThat(backup(
              "endpoint: https://s3.example.org\n  serverSideEncryption: aws:kms\n  kmsKeyId: \""
                  + key + "\""))
          .as(key)
          .containsExactly("spec.backup.s3.kmsKeyId");
    }
    assertThat(backup("endpoint: https://s3.example.org\n  region: \"$(AWS_ACCESS_KEY_ID)\""))
        .containsExactly("spec.backup.s3.region");
  }

  private static List<String> backup(String s3) throws IOException {
    ResourceReader.Result r =
        read("""
        apiVersion: loomio.org/v1alpha1
        kind: LoomioDeployment
        metadata: {name: team, namespace: loomio}
        spec:
          host: a.example.org
          backup:
            s3:
              bucket: backups
              credentialsSecretRef: {name: s3}
        """ + "      " + s3.replace("\n  ", "\n      ") + "\n").get(0);
    return r.valid()
        ? List.of()
        : r.error().violations().stream().map(Violation::field).distinct().toList();
  }
}

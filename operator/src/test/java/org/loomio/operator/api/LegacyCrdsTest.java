package org.loomio.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.loomio.operator.crd.LegacyCrds;

/**
 * {@code crds/legacy/}, the CRDs users of Kubernetes 1.20 to 1.24 apply (docs/operations.md), is what
 * {@link LegacyCrds} makes of this build's generated CRDs, and holds only fields a 1.20 API server declares (a
 * server-side apply of any other field fails there: {@code field not declared in schema}).
 */
class LegacyCrdsTest {

  private static final Path GENERATED = Path.of("target/classes/META-INF/fabric8");
  private static final Path CRDS = Path.of(System.getProperty("crds.dir", "../crds"));
  private static final Path LEGACY = CRDS.resolve("legacy");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** JSONSchemaProps of apiextensions.k8s.io/v1 in Kubernetes 1.20 (x-kubernetes-validations came in 1.23). */
  private static final Set<String> SCHEMA_FIELDS_1_20 = Set.of(
      "id",
      "$schema",
      "$ref",
      "description",
      "type",
      "format",
      "title",
      "default",
      "maximum",
      "exclusiveMaximum",
      "minimum",
      "exclusiveMinimum",
      "maxLength",
      "minLength",
      "pattern",
      "maxItems",
      "minItems",
      "uniqueItems",
      "multipleOf",
      "enum",
      "maxProperties",
      "minProperties",
      "required",
      "items",
      "allOf",
      "oneOf",
      "anyOf",
      "not",
      "properties",
      "additionalProperties",
      "patternProperties",
      "dependencies",
      "additionalItems",
      "definitions",
      "externalDocs",
      "example",
      "nullable",
      "x-kubernetes-preserve-unknown-fields",
      "x-kubernetes-embedded-resource",
      "x-kubernetes-int-or-string",
      "x-kubernetes-list-map-keys",
      "x-kubernetes-list-type",
      "x-kubernetes-map-type");
  /** CustomResourceDefinitionVersion in Kubernetes 1.20 (selectableFields came in 1.30). */
  private static final Set<String> VERSION_FIELDS_1_20 = Set.of(
      "name",
      "served",
      "storage",
      "deprecated",
      "deprecationWarning",
      "schema",
      "subresources",
      "additionalPrinterColumns");

  private static final Set<String> SPEC_FIELDS_1_20 =
      Set.of("group", "names", "scope", "versions", "conversion", "preserveUnknownFields");

  @Test
  void committedLegacyCrdsAreTheGeneratedOnesWithoutCelRules() throws IOException {
    List<Path> generated = LegacyCrds.generated(GENERATED);
    assertThat(generated).isNotEmpty();
    try (Stream<Path> files = Files.list(LEGACY)) {
      assertThat(files.map(f -> f.getFileName().toString()).sorted().toList())
          .as("one legacy CRD per generated CRD, nothing else")
          .isEqualTo(generated.stream().map(f -> f.getFileName().toString()).toList());
    }
    for (Path crd : generated) {
      String name = crd.getFileName().toString();
      assertThat(Files.readString(LEGACY.resolve(name)))
          .as(
              "crds/legacy/%s is stale: run mvn -pl operator -Pupdate-crds process-classes and commit it",
              name)
          .isEqualTo(LegacyCrds.of(Files.readString(crd), name));
    }
  }

  @Test
  void onlyTheCelRulesAreLeftOut() throws IOException {
    int rules = 0;
    for (Path crd : LegacyCrds.generated(GENERATED)) {
      JsonNode full = YAML.readTree(crd.toFile());
      JsonNode legacy = YAML.readTree(LEGACY.resolve(crd.getFileName()).toFile());
      rules += full.findValues(LegacyCrds.CEL_RULES).size();
      assertThat(legacy.findValues(LegacyCrds.CEL_RULES))
          .as(crd.getFileName().toString())
          .isEmpty();
      JsonNode stripped = full.deepCopy();
      strip(stripped);
      assertThat(legacy).as(crd.getFileName() + ": everything else kept").isEqualTo(stripped);
    }
    assertThat(rules).as("the full CRDs do carry CEL rules").isPositive();
  }

  @Test
  void legacyCrdsHoldOnlyFieldsKubernetes120Declares() throws IOException {
    List<String> unknown = new ArrayList<>();
    for (Path crd : LegacyCrds.generated(GENERATED)) {
      String file = crd.getFileName().toString();
      JsonNode spec = YAML.readTree(LEGACY.resolve(file).toFile()).path("spec");
      spec.fieldNames().forEachRemaining(f -> {
        if (!SPEC_FIELDS_1_20.contains(f)) {
          unknown.add(file + ": spec." + f);
        }
      });
      for (JsonNode version : spec.path("versions")) {
        version.fieldNames().forEachRemaining(f -> {
          if (!VERSION_FIELDS_1_20.contains(f)) {
            unknown.add(file + ": spec.versions[]." + f);
          }
        });
        schema(file + ": openAPIV3Schema", version.at("/schema/openAPIV3Schema"), unknown);
      }
    }
    assertThat(unknown).isEmpty();
    // and the check would notice a CEL rule
    List<String> full = new ArrayList<>();
    schema(
        "full",
        YAML.readTree(GENERATED.resolve("loomiodeployments.loomio.org-v1.yml").toFile())
            .at("/spec/versions/0/schema/openAPIV3Schema"),
        full);
    assertThat(full).anySatisfy(f -> assertThat(f).endsWith(LegacyCrds.CEL_RULES));
  }

  @Test
  void theChartShipsNoSecondCrdSet() throws IOException {
    // Helm installs every file under a chart's crds/, subdirectories included: the legacy set stays
    // out of it
    try (Stream<Path> files = Files.walk(CRDS.resolveSibling("helm/loomio-operator/crds"))) {
      assertThat(files.filter(Files::isDirectory).count())
          .as("directories under the chart's crds/")
          .isEqualTo(1);
    }
  }

  private static void schema(String path, JsonNode node, List<String> unknown) {
    if (!node.isObject()) {
      return;
    }
    node.fieldNames().forEachRemaining(f -> {
      if (!SCHEMA_FIELDS_1_20.contains(f)) {
        unknown.add(path + "." + f);
      }
    });
    for (String map : List.of("properties", "patternProperties", "definitions", "dependencies")) {
      node.path(map)
          .fields()
          .forEachRemaining(e -> schema(path + "." + e.getKey(), e.getValue(), unknown));
    }
    for (String one : List.of("items", "additionalProperties", "additionalItems", "not")) {
      JsonNode child = node.path(one);
      if (child.isArray()) {
        child.forEach(c -> schema(path + "." + one + "[]", c, unknown));
      } else {
        schema(path + "." + one, child, unknown);
      }
    }
    for (String list : List.of("allOf", "anyOf", "oneOf")) {
      node.path(list).forEach(c -> schema(path + "." + list + "[]", c, unknown));
    }
  }

  private static void strip(JsonNode node) {
    if (node instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
      o.remove(LegacyCrds.CEL_RULES);
    }
    node.forEach(LegacyCrdsTest::strip);
  }
}

package org.loomio.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.loomio.operator.testing.Fixtures;

/**
 * The CRDs' CEL rules ({@code x-kubernetes-validations}), evaluated with cel-java: the rig's v1.20 API server
 * drops them, current ones enforce them. Each rule compiles with standard CEL only (no Kubernetes library) and
 * names only fields its schema declares; together they refuse every corpus input tagged {@code cel} on the
 * field its {@code # expect:} names and accept every example and every input left to the operator; their
 * messages are the operator's own (SpecValidator, which runs where CEL does not); and each rule's cost has a
 * conservative bound within Kubernetes' limits.
 */
class CelRulesTest {

  /*
   * Kubernetes' CEL cost limits, from its source:
   * - k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation/validation.go:
   *   StaticEstimatedCostLimit = 10000000 ("the largest-allowed static CEL cost on a per-expression basis",
   *   the rule's estimated cost times the number of times it can run: the product of the maxItems and
   *   maxProperties above it) and StaticEstimatedCRDCostLimit = 100000000 ("the largest-allowed total cost for
   *   the x-kubernetes-validations rules of a CRD"). A CRD over either is refused when it is created.
   * - k8s.io/apiserver/pkg/apis/cel/config.go: PerCallLimit = 1000000 (the actual cost one evaluation of a
   *   rule may use, "roughly 0.1 second") and RuntimeCELCostBudget = 10000000 (all the rules' evaluations for
   *   one object, "roughly 1 second"). An object over either is refused when it is written.
   */
  static final long STATIC_ESTIMATED_COST_LIMIT = 10_000_000L;
  static final long STATIC_ESTIMATED_CRD_COST_LIMIT = 100_000_000L;
  static final long PER_CALL_LIMIT = 1_000_000L;
  static final long RUNTIME_CEL_COST_BUDGET = 10_000_000L;

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final List<String> CRDS =
      List.of("loomiodeployments", "loomiobackups", "loomiorestores");

  static Stream<Path> celCorpus() throws IOException {
    return InvalidInputCorpusTest.corpus()
        .filter(p -> InvalidInputCorpusTest.header(p, "refused-by").equals("cel"));
  }

  /** What the rules must accept: the inputs only the operator refuses, and every example. */
  static Stream<String> accepted() throws IOException {
    List<String> names = new ArrayList<>();
    InvalidInputCorpusTest.corpus()
        .filter(p -> InvalidInputCorpusTest.header(p, "refused-by").equals("operator"))
        .forEach(p -> names.add(p.toString()));
    try (Stream<Path> examples = Files.walk(examplesDir())) {
      examples
          .filter(p -> p.toString().endsWith(".yaml"))
          .sorted()
          .forEach(p -> names.add(p.toString()));
    }
    return names.stream();
  }

  /** Inputs both the CEL rules and SpecValidator judge: the whole corpus they can read. */
  static Stream<Path> judgedByBoth() throws IOException {
    return InvalidInputCorpusTest.corpus()
        .filter(p ->
            List.of("cel", "operator").contains(InvalidInputCorpusTest.header(p, "refused-by")));
  }

  static Path examplesDir() {
    return Path.of(System.getProperty("examples.dir", "../examples"));
  }

  @Test
  void everyRuleCompilesWithStandardCelAndNamesOnlyFieldsItsSchemaDeclares() {
    List<CelRules.Rule> all = new ArrayList<>();
    for (String crd : CRDS) {
      all.addAll(CelRules.of(crd).rules); // a rule that does not compile throws here
    }
    assertThat(all).hasSizeGreaterThanOrEqualTo(20);
    for (CelRules.Rule rule : all) {
      assertThat(CelRules.unknownFields(rule)).as(rule.toString()).isEmpty();
      assertThat(rule.message()).as(rule.toString()).doesNotStartWith("failed rule");
    }
  }

  @Test
  void aRuleNeedingKubernetesOwnLibrariesWouldNotCompileHere() {
    // what keeps the rules to the portable subset: isURL, quantity, format.* are not standard CEL
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> CelRules.compile("isURL(self.host)"))
        .hasMessageContaining("does not compile");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> CelRules.compile("quantity(self.size).isInteger()"))
        .hasMessageContaining("does not compile");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("celCorpus")
  void refusesTheCelCorpusOnTheFieldItsHeaderNames(Path file) throws IOException {
    String expected = stripIndices(InvalidInputCorpusTest.header(file, "expect"));
    List<CelRules.Refusal> refusals = refusals(read(file).get(0), null);
    assertThat(refusals).as(file + ": refused by the CRD's rules").isNotEmpty();
    assertThat(refusals).as(file + ": refused on " + expected).anySatisfy(r -> {
      assertThat(stripIndices(r.field())).startsWith(expected);
      assertThat(expected)
          .as("the rule sits on the field or above it")
          .startsWith(stripIndices(r.path()));
      assertThat(r.error()).isNull();
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("accepted")
  void acceptsEveryExampleAndWhatOnlyTheOperatorRefuses(String file) throws IOException {
    for (JsonNode object : read(Path.of(file))) {
      assertThat(refusals(object, null))
          .as(file + " " + object.at("/metadata/name").asText())
          .isEmpty();
      // an update that changes nothing passes the transition rules too
      assertThat(refusals(object, object)).as(file + " unchanged").isEmpty();
    }
  }

  /** The LoomioRestore's own rules refuse what SpecValidator.validateRestore refuses, in the same words. */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {
        "privateKeySecretRef: {name: team-backup-signing-key, key: private.asc}",
        "privateKeySecretRef: {name: team-secrets, key: SECRET_KEY_BASE}",
        "verificationKeySecretRef: {name: team-backup-signing-key, key: public.asc}",
        "verificationKeySecretRef: {name: team-backup-key, key: public.asc}",
        "privateKeySecretRef: {name: team-postgres-superuser, key: POSTGRES_SUPERUSER_PASSWORD}",
        "verificationKeySecretRef: {name: team-postgres-superuser, key: POSTGRES_SUPERUSER_PASSWORD}",
        "allowUnsigned: true",
        "allowUnsigned: true, backupName: latest"
      })
  void restoreRulesRefuseWhatTheOperatorRefusesInTheSameWords(String fields) throws IOException {
    JsonNode restore =
        YAML.readTree("{apiVersion: loomio.org/v1alpha1, kind: LoomioRestore, metadata: {name: r},"
            + " spec: {deploymentName: team, " + fields + "}}");
    var spec = YAML.treeToValue(
        restore.get("spec"), org.loomio.operator.api.v1alpha1.LoomioRestoreSpec.class);
    List<org.loomio.operator.validation.Violation> operator = SpecValidator.validateRestore(spec);
    List<CelRules.Refusal> cel = refusals(restore, null);
    assertThat(cel).as("refused by CEL").singleElement();
    assertThat(operator).as("refused by the operator").singleElement();
    String field = operator.get(0).field().replaceAll("\\.name$", "");
    assertThat(cel.get(0).message()).startsWith(field + ": ");
    assertThat(operator.get(0).message())
        .contains(cel.get(0).message().substring(field.length() + 2));

    JsonNode fine =
        YAML.readTree("{apiVersion: loomio.org/v1alpha1, kind: LoomioRestore, metadata: {name: r},"
            + " spec: {deploymentName: team, backupName: team-20250105T020000Z, allowUnsigned: true,"
            + " privateKeySecretRef: {name: team-backup-key, key: private.asc},"
            + " verificationKeySecretRef: {name: old-signing-key, key: public.asc}}}");
    assertThat(refusals(fine, null)).isEmpty();
  }

  @Test
  void backupsAndRestoresCannotBeChanged() throws IOException {
    JsonNode backup =
        YAML.readTree("{apiVersion: loomio.org/v1alpha1, kind: LoomioBackup, metadata: {name: b},"
            + " spec: {deploymentName: team}}");
    JsonNode changed = backup.deepCopy();
    ((ObjectNode) changed.get("spec")).put("deploymentName", "other");
    assertThat(refusals(backup, null)).isEmpty();
    assertThat(refusals(changed, backup))
        .singleElement()
        .satisfies(r ->
            assertThat(r.message()).isEqualTo("a LoomioBackup cannot be changed; create another"));

    JsonNode restore =
        YAML.readTree("{apiVersion: loomio.org/v1alpha1, kind: LoomioRestore, metadata: {name: r},"
            + " spec: {deploymentName: team, backupName: team-20261127T031700Z}}");
    JsonNode other = restore.deepCopy();
    ((ObjectNode) other.get("spec")).put("backupName", "team-20261128T031700Z");
    assertThat(refusals(other, restore))
        .singleElement()
        .satisfies(r ->
            assertThat(r.message()).isEqualTo("a LoomioRestore cannot be changed; create another"));
  }

  /**
   * One wording for both checks: where CEL and SpecValidator both refuse an input, each CEL message's text
   * appears word for word in one of SpecValidator's messages on that field (list indices and map keys left
   * out): a rule's message is fixed text, the operator's may add the value it refuses.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("judgedByBoth")
  void celMessagesAreWordForWordTheOperatorsOwn(Path file) throws IOException {
    List<CelRules.Refusal> cel = refusals(read(file).get(0), null);
    List<org.loomio.operator.validation.Violation> operator =
        SpecValidator.validate(Fixtures.fromFile(file));
    for (CelRules.Refusal r : cel) {
      String field = stripIndices(r.field());
      String text = r.message().startsWith(r.field() + ": ")
          ? r.message().substring(r.field().length() + 2)
          : r.message();
      assertThat(operator).as(file + ": the operator's wording of " + r.rule()).anySatisfy(v -> {
        assertThat(stripIndices(v.field())).startsWith(field);
        assertThat(v.message()).contains(text);
      });
    }
  }

  /** Every rule of LoomioDeployment is exercised by the corpus, so every message is compared above. */
  @Test
  void everyLoomioDeploymentRuleRefusesSomeCorpusInput() throws IOException {
    CelRules rules = CelRules.of("loomiodeployments");
    List<CelRules.Rule> refusing = new ArrayList<>();
    for (Path file : celCorpus().toList()) {
      rules.refusals(read(file).get(0), null).forEach(r -> refusing.add(r.rule()));
    }
    assertThat(rules.rules.stream()
            .filter(rule -> !refusing.contains(rule))
            .map(CelRules.Rule::toString))
        .as("rules no corpus input tagged cel exercises")
        .isEmpty();
  }

  @Test
  void everyRuleHasABoundedCostWithinKubernetesLimits() {
    StringBuilder table = new StringBuilder();
    for (String crd : CRDS) {
      CelRules rules = CelRules.of(crd);
      long total = 0;
      for (CelRules.Rule rule : rules.rules) {
        List<String> problems = new ArrayList<>();
        long cost = CelCost.estimate(rule, problems);
        long cardinality = cardinality(rules.root, rule.schemaPath(), problems);
        assertThat(problems)
            .as("every string, list and map " + rule + " reaches is bounded")
            .isEmpty();
        assertThat(cost).as("one evaluation of " + rule).isLessThanOrEqualTo(PER_CALL_LIMIT);
        assertThat(cost * cardinality)
            .as(rule.toString())
            .isLessThanOrEqualTo(STATIC_ESTIMATED_COST_LIMIT);
        total += cost * cardinality;
        table
            .append(crd)
            .append(' ')
            .append(rule.schemaPath())
            .append(": ")
            .append(cost)
            .append(" x ")
            .append(cardinality)
            .append('\n');
      }
      assertThat(total)
          .as(crd + "\n" + table)
          .isLessThanOrEqualTo(STATIC_ESTIMATED_CRD_COST_LIMIT)
          .isLessThanOrEqualTo(RUNTIME_CEL_COST_BUDGET);
    }
  }

  @Test
  void theCostBoundCountsWhatTheSchemaLeavesOpen() {
    // the estimator itself: an unbounded string, list or key is reported, never guessed
    JsonNode schema =
        json("{type: object, properties: {names: {type: array, items: {type: string}},"
            + " labels: {type: object, additionalProperties: {type: string}, maxProperties: 8}}}");
    List<String> problems = new ArrayList<>();
    CelCost.estimate(rule(schema, "self.names.all(n, n.matches('^a$'))"), problems);
    assertThat(problems)
        .anySatisfy(p -> assertThat(p).contains("maxItems"))
        .anySatisfy(p -> assertThat(p).contains("without maxLength"));
    problems.clear();
    CelCost.estimate(rule(schema, "self.labels.all(k, k.matches('^a$'))"), problems);
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("a key"));
    problems.clear();
    long guarded = CelCost.estimate(
        rule(schema, "self.labels.all(k, size(k) <= 63 && k.matches('^a$'))"), problems);
    assertThat(problems).isEmpty();
    // 8 keys x (condition + step, with a 63-character key matched against a 4-character pattern: 7
    // x 1)
    assertThat(guarded).isBetween(8L * 7, 8L * 40);
  }

  // --- helpers ---

  private static CelRules.Rule rule(JsonNode schema, String expression) {
    return new CelRules.Rule("test", "spec", schema, expression, "m", CelRules.compile(expression));
  }

  /** How many times the rule can run for one object: the maxItems and maxProperties of the lists and maps above. */
  static long cardinality(JsonNode root, String schemaPath, List<String> problems) {
    long n = 1;
    JsonNode node = root;
    for (String segment : schemaPath.isEmpty() ? new String[0] : schemaPath.split("\\.")) {
      String name = segment.replaceAll("(\\[\\]|\\{\\})+$", "");
      node = node.path("properties").path(name);
      for (String suffix : segment.substring(name.length()).split("(?<=[\\]}])")) {
        if (suffix.isEmpty()) {
          continue;
        }
        String bound = suffix.equals("[]") ? "maxItems" : "maxProperties";
        if (!node.has(bound)) {
          problems.add("unbounded: " + schemaPath + " (" + bound + " missing above the rule)");
        } else {
          n *= node.get(bound).asLong();
        }
        node = suffix.equals("[]") ? node.path("items") : node.path("additionalProperties");
      }
    }
    return n;
  }

  private static List<CelRules.Refusal> refusals(JsonNode object, JsonNode old) {
    String plural = switch (object.path("kind").asText()) {
      case "LoomioBackup" -> "loomiobackups";
      case "LoomioRestore" -> "loomiorestores";
      default -> "loomiodeployments";
    };
    return CelRules.of(plural).refusals(object, old);
  }

  /** The Loomio resources of a YAML file (examples also hold Secrets, Argo CD objects, ...). */
  private static List<JsonNode> read(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    try (MappingIterator<JsonNode> docs =
        YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc != null && doc.path("apiVersion").asText().startsWith("loomio.org/")) {
          out.add(doc);
        }
      }
    }
    return out;
  }

  private static JsonNode json(String yaml) {
    try {
      return YAML.readTree(yaml);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** {@code spec.env[0].name} as {@code spec.env.name}; {@code spec.ingress.annotations[k]} as {@code spec.ingress.annotations}. */
  static String stripIndices(String field) {
    return field.replaceAll("\\[[^\\]]*\\]", "");
  }
}

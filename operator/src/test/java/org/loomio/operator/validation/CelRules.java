package org.loomio.operator.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code x-kubernetes-validations} rules of a generated CRD, compiled and evaluated with cel-java the way
 * the API server does it (its CEL environment, minus Kubernetes' own libraries, which no rule of ours uses):
 * defaults applied first, each rule evaluated on every value its schema node holds, with {@code self} bound to
 * that value, {@code oldSelf} to the same value of the old object (transition rules: updates only).
 */
final class CelRules {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Only the standard CEL functions and macros: a rule needing Kubernetes' libraries does not compile. */
  private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .addVar("self", SimpleType.DYN)
      .addVar("oldSelf", SimpleType.DYN)
      .setResultType(SimpleType.BOOL)
      .build();

  private static final CelRuntime RUNTIME =
      CelRuntimeFactory.standardCelRuntimeBuilder().build();

  /**
   * One rule where it sits.
   *
   * @param schemaPath the schema node's path: property names, {@code []} for a list's items, {@code {}} for a
   *     map's values ({@code ""} is the root)
   */
  record Rule(
      String crd,
      String schemaPath,
      JsonNode schema,
      String expression,
      String message,
      CelAbstractSyntaxTree ast) {

    boolean transition() {
      return expression.contains("oldSelf");
    }

    @Override
    public String toString() {
      return crd + " " + (schemaPath.isEmpty() ? "<root>" : schemaPath) + ": " + expression;
    }
  }

  /** A rule that refused a value, at the value's path (list indices and map keys included). */
  record Refusal(String path, Rule rule, String error) {

    String message() {
      return error != null ? error : rule.message();
    }

    /** The field the message names (its text up to the first ": "), else the rule's place. */
    String field() {
      String m = message();
      int colon = m.indexOf(": ");
      if (colon > 0 && (m.startsWith("spec") || m.startsWith("metadata"))) {
        return m.substring(0, colon);
      }
      return path;
    }
  }

  final String crd;
  final JsonNode root;
  final List<Rule> rules = new ArrayList<>();

  private CelRules(String crd, JsonNode root) {
    this.crd = crd;
    this.root = root;
    collect(root, "");
  }

  static Path crdDir() {
    return Path.of(System.getProperty("crds.dir", "../crds"));
  }

  private static final Map<String, CelRules> LOADED =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** The rules of {@code crds/<plural>.loomio.org-v1.yml}, compiled (a rule that does not compile throws). */
  static CelRules of(String plural) {
    return LOADED.computeIfAbsent(plural, CelRules::load);
  }

  private static CelRules load(String plural) {
    Path file = crdDir().resolve(plural + ".loomio.org-v1.yml");
    try {
      JsonNode crd = YAML.readTree(file.toFile());
      return new CelRules(plural, crd.at("/spec/versions/0/schema/openAPIV3Schema"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static CelAbstractSyntaxTree compile(String expression) {
    try {
      return COMPILER.compile(expression).getAst();
    } catch (CelValidationException e) {
      throw new IllegalArgumentException(
          "does not compile: " + expression + "\n" + e.getMessage(), e);
    }
  }

  private void collect(JsonNode schema, String path) {
    for (JsonNode v : schema.path("x-kubernetes-validations")) {
      String expression = v.path("rule").asText();
      rules.add(new Rule(
          crd,
          path,
          schema,
          expression,
          v.path("message").asText("failed rule: " + expression),
          compile(expression)));
    }
    Iterator<Map.Entry<String, JsonNode>> properties = schema.path("properties").fields();
    while (properties.hasNext()) {
      Map.Entry<String, JsonNode> p = properties.next();
      collect(p.getValue(), path.isEmpty() ? p.getKey() : path + "." + p.getKey());
    }
    if (schema.has("items")) {
      collect(schema.get("items"), path + "[]");
    }
    if (schema.path("additionalProperties").isObject()) {
      collect(schema.get("additionalProperties"), path + "{}");
    }
  }

  /** What the rules refuse in a create ({@code old} null) or an update. */
  List<Refusal> refusals(JsonNode object, JsonNode old) {
    JsonNode value = withDefaults(object.deepCopy(), root);
    JsonNode previous = old == null ? null : withDefaults(old.deepCopy(), root);
    List<Refusal> out = new ArrayList<>();
    walk(value, previous, root, "", "", out);
    return out;
  }

  private void walk(
      JsonNode value,
      JsonNode old,
      JsonNode schema,
      String schemaPath,
      String path,
      List<Refusal> out) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return;
    }
    for (Rule rule : rules) {
      if (!rule.schemaPath().equals(schemaPath) || (rule.transition() && old == null)) {
        continue;
      }
      Map<String, Object> vars = new HashMap<>();
      vars.put("self", cel(value));
      if (old != null) {
        vars.put("oldSelf", cel(old));
      }
      try {
        Object result = RUNTIME.createProgram(rule.ast()).eval(vars);
        if (!Boolean.TRUE.equals(result)) {
          out.add(new Refusal(path, rule, null));
        }
      } catch (CelEvaluationException e) {
        out.add(new Refusal(path, rule, "evaluation error: " + e.getMessage()));
      }
    }
    if (value.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        JsonNode oldValue = old == null ? null : old.get(f.getKey());
        if (schema.path("properties").has(f.getKey())) {
          walk(
              f.getValue(),
              oldValue,
              schema.path("properties").get(f.getKey()),
              schemaPath.isEmpty() ? f.getKey() : schemaPath + "." + f.getKey(),
              path.isEmpty() ? f.getKey() : path + "." + f.getKey(),
              out);
        } else if (schema.path("additionalProperties").isObject()) {
          walk(
              f.getValue(),
              oldValue,
              schema.get("additionalProperties"),
              schemaPath + "{}",
              path + "[" + f.getKey() + "]",
              out);
        }
      }
    } else if (value.isArray() && schema.has("items")) {
      // the API server correlates list items with the old object's only for map and set lists: none
      // here
      for (int i = 0; i < value.size(); i++) {
        walk(value.get(i), null, schema.get("items"), schemaPath + "[]", path + "[" + i + "]", out);
      }
    }
  }

  /** The schema's defaults filled in, as the API server does before validating. */
  static JsonNode withDefaults(JsonNode value, JsonNode schema) {
    if (value instanceof ObjectNode object) {
      Iterator<Map.Entry<String, JsonNode>> properties =
          schema.path("properties").fields();
      while (properties.hasNext()) {
        Map.Entry<String, JsonNode> p = properties.next();
        if (!object.has(p.getKey()) && p.getValue().has("default")) {
          object.set(p.getKey(), p.getValue().get("default").deepCopy());
        }
        if (object.has(p.getKey())) {
          withDefaults(object.get(p.getKey()), p.getValue());
        }
      }
      if (schema.path("additionalProperties").isObject()) {
        object.fields().forEachRemaining(f -> {
          if (!schema.path("properties").has(f.getKey())) {
            withDefaults(f.getValue(), schema.get("additionalProperties"));
          }
        });
      }
    } else if (value instanceof ArrayNode array && schema.has("items")) {
      array.forEach(item -> withDefaults(item, schema.get("items")));
    }
    return value;
  }

  /** A JSON value as CEL sees it: maps, lists, strings, int64, double, bool (null fields are left out). */
  static Object cel(JsonNode n) {
    if (n.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      n.fields().forEachRemaining(f -> {
        if (!f.getValue().isNull()) {
          m.put(f.getKey(), cel(f.getValue()));
        }
      });
      return m;
    }
    if (n.isArray()) {
      List<Object> l = new ArrayList<>();
      n.forEach(e -> l.add(cel(e)));
      return l;
    }
    if (n.isIntegralNumber()) {
      return n.asLong();
    }
    if (n.isNumber()) {
      return n.asDouble();
    }
    if (n.isBoolean()) {
      return n.asBoolean();
    }
    return n.asText();
  }

  /** Every select of a rule from {@code self} or {@code oldSelf} names a field its schema declares. */
  static List<String> unknownFields(Rule rule) {
    List<String> unknown = new ArrayList<>();
    CelCost.estimate(rule, unknown);
    return unknown.stream().filter(p -> p.startsWith("unknown field")).toList();
  }

  static CelExpr expr(Rule rule) {
    return rule.ast().getExpr();
  }
}

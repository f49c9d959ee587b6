package org.loomio.operator.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A conservative upper bound of the cost of one CEL rule, in CEL's cost units, from the sizes its schema
 * declares (maxLength, maxItems, maxProperties, the longest enum value). It follows cel-go's cost model, which
 * the API server's estimator uses, rounding every factor up and summing both sides of every branch:
 * <ul>
 *   <li>a call, a select, an identifier: 1; a list literal: 10 (cel-go ListCreateBaseCost), a map literal 30;</li>
 *   <li>traversing a string of length L: ceil(0.1 L) (StringTraversalCostFactor 0.1): equality,
 *       startsWith/endsWith/contains, concatenation;</li>
 *   <li>{@code matches}: ceil(0.1 L) x ceil(0.25 R) for a pattern of R characters (RegexStringLengthCostFactor);</li>
 *   <li>{@code x in list}: the list's size x (1 + the cost of comparing one element);</li>
 *   <li>equality of lists, maps and objects: a traversal of the whole value;</li>
 *   <li>a comprehension (all, exists, ...): its range, plus maxItems or maxProperties x (condition + step).</li>
 * </ul>
 * Anything whose size the schema leaves open (a string without maxLength or enum, a list without maxItems, a
 * map without maxProperties, a map key with no length guard) is reported as a problem instead of being guessed.
 * A map key's length cannot be declared in a CRD (no propertyNames): a rule bounds it itself by testing
 * {@code size(k) <= N} first (for {@code &&}) or {@code size(k) > N} first (for {@code ||}); the bound then
 * holds on the other side.
 */
final class CelCost {

  /** What a value of the rule is, as far as its cost goes. */
  record Shape(Kind kind, JsonNode schema, long size, Shape element, Shape key, String path) {

    enum Kind {
      STRING,
      SCALAR,
      LIST,
      MAP,
      OBJECT,
      METADATA
    }

    static Shape string(long length, String path) {
      return new Shape(Kind.STRING, null, length, null, null, path);
    }

    static Shape scalar(String path) {
      return new Shape(Kind.SCALAR, null, 1, null, null, path);
    }
  }

  record Estimate(long cost, Shape shape) {}

  private final List<String> problems;

  private CelCost(List<String> problems) {
    this.problems = problems;
  }

  /** The bound of one evaluation of the rule; what keeps it from being bounded goes to {@code problems}. */
  static long estimate(CelRules.Rule rule, List<String> problems) {
    Shape self = shape(rule.schema(), rule.schemaPath().isEmpty() ? "<root>" : rule.schemaPath());
    Map<String, Shape> scope = new HashMap<>();
    scope.put("self", self);
    scope.put("oldSelf", self);
    return new CelCost(problems).estimate(rule.ast().getExpr(), scope).cost();
  }

  /** The schema's shape; sizes it leaves open are -1. */
  static Shape shape(JsonNode schema, String path) {
    String type = schema.path("type").asText("");
    if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
      return Shape.string(schema.has("maxLength") ? schema.get("maxLength").asLong() : -1, path);
    }
    switch (type) {
      case "string" -> {
        long length = schema.has("maxLength") ? schema.get("maxLength").asLong() : -1;
        if (length < 0 && schema.has("enum")) {
          length = 0;
          for (JsonNode e : schema.get("enum")) {
            length = Math.max(length, e.asText().length());
          }
        }
        return Shape.string(length, path);
      }
      case "array" -> {
        return new Shape(
            Shape.Kind.LIST,
            schema,
            schema.has("maxItems") ? schema.get("maxItems").asLong() : -1,
            shape(schema.path("items"), path + "[]"),
            null,
            path);
      }
      case "object" -> {
        if (schema.path("additionalProperties").isObject()) {
          return new Shape(
              Shape.Kind.MAP,
              schema,
              schema.has("maxProperties") ? schema.get("maxProperties").asLong() : -1,
              shape(schema.get("additionalProperties"), path + "{}"),
              Shape.string(-1, path + " (a key)"),
              path);
        }
        if (path.equals("<root>.metadata") || path.equals("metadata")) {
          return new Shape(Shape.Kind.METADATA, schema, 1, null, null, path);
        }
        return new Shape(Shape.Kind.OBJECT, schema, 1, null, null, path);
      }
      default -> {
        return Shape.scalar(path);
      }
    }
  }

  private static Shape child(Shape parent, String field) {
    if (parent.path().equals("<root>") && field.equals("metadata")) {
      return new Shape(Shape.Kind.METADATA, parent.schema(), 1, null, null, "metadata");
    }
    if (parent.kind() == Shape.Kind.METADATA) {
      // ObjectMeta as the API server declares it to CEL: name and generateName are DNS subdomains
      // at most
      return switch (field) {
        case "name", "generateName" -> Shape.string(253, parent.path() + "." + field);
        case "namespace" -> Shape.string(63, parent.path() + "." + field);
        default -> null;
      };
    }
    if (parent.kind() == Shape.Kind.OBJECT && parent.schema().path("properties").has(field)) {
      String path = parent.path().equals("<root>") ? field : parent.path() + "." + field;
      return shape(parent.schema().path("properties").get(field), path);
    }
    if (parent.kind() == Shape.Kind.MAP) {
      return parent.element();
    }
    return null;
  }

  private Estimate estimate(CelExpr e, Map<String, Shape> scope) {
    switch (e.getKind()) {
      case CONSTANT -> {
        CelConstant c = e.constant();
        return new Estimate(
            0,
            c.getKind() == CelConstant.Kind.STRING_VALUE
                ? Shape.string(c.stringValue().length(), "'" + c.stringValue() + "'")
                : Shape.scalar("a constant"));
      }
      case IDENT -> {
        Shape s = scope.get(e.ident().name());
        return new Estimate(1, s != null ? s : Shape.scalar(e.ident().name()));
      }
      case SELECT -> {
        Estimate operand = estimate(e.select().operand(), scope);
        if (e.select().testOnly()) {
          child(operand.shape(), e.select().field(), true);
          return new Estimate(operand.cost() + 1, Shape.scalar("has()"));
        }
        return new Estimate(
            operand.cost() + 1, child(operand.shape(), e.select().field(), true));
      }
      case LIST -> {
        long cost = 10;
        long longest = 0;
        for (CelExpr element : e.list().elements()) {
          Estimate x = estimate(element, scope);
          cost += x.cost();
          longest = Math.max(
              longest, x.shape().kind() == Shape.Kind.STRING ? x.shape().size() : 1);
        }
        return new Estimate(
            cost,
            new Shape(
                Shape.Kind.LIST,
                null,
                e.list().elements().size(),
                Shape.string(longest, "a list literal's element"),
                null,
                "a list literal"));
      }
      case MAP, STRUCT -> {
        problems.add("a map or message literal: not costed");
        return new Estimate(30, Shape.scalar("a literal"));
      }
      case COMPREHENSION -> {
        return comprehension(e.comprehension(), scope);
      }
      case CALL -> {
        return call(e.call(), scope);
      }
      default -> {
        problems.add("an expression of kind " + e.getKind() + ": not costed");
        return new Estimate(1, Shape.scalar("?"));
      }
    }
  }

  private Shape child(Shape parent, String field, boolean report) {
    Shape c = child(parent, field);
    if (c == null) {
      if (report) {
        problems.add("unknown field " + parent.path() + "." + field);
      }
      return Shape.scalar(parent.path() + "." + field);
    }
    return c;
  }

  private Estimate comprehension(CelExpr.CelComprehension c, Map<String, Shape> scope) {
    Estimate range = estimate(c.iterRange(), scope);
    Shape over = range.shape();
    long n = over.size();
    Shape element = over.kind() == Shape.Kind.MAP ? over.key() : over.element();
    if (over.kind() != Shape.Kind.LIST && over.kind() != Shape.Kind.MAP) {
      problems.add("a comprehension over " + over.path() + ", which is not a list or a map");
      n = 1;
      element = Shape.scalar("?");
    } else if (n < 0) {
      problems.add("unbounded: " + over.path() + " ("
          + (over.kind() == Shape.Kind.LIST ? "maxItems" : "maxProperties") + " missing)");
      n = 1;
    }
    Map<String, Shape> inner = new HashMap<>(scope);
    inner.put(c.iterVar(), element);
    inner.put(c.accuVar(), Shape.scalar(c.accuVar()));
    long cost = range.cost() + estimate(c.accuInit(), scope).cost();
    long perItem = estimate(c.loopCondition(), inner).cost()
        + estimate(c.loopStep(), inner).cost();
    cost += n * perItem;
    cost += estimate(c.result(), inner).cost();
    return new Estimate(cost, Shape.scalar("a comprehension's result"));
  }

  private Estimate call(CelExpr.CelCall call, Map<String, Shape> scope) {
    String f = call.function();
    List<CelExpr> args = call.args();
    if ((f.equals("_&&_") || f.equals("_||_")) && args.size() == 2) {
      Optional<Map.Entry<String, Long>> guard = sizeGuard(args.get(0), f.equals("_&&_"));
      Estimate left = estimate(args.get(0), scope);
      Map<String, Shape> right = scope;
      if (guard.isPresent() && scope.containsKey(guard.get().getKey())) {
        right = new HashMap<>(scope);
        Shape was = scope.get(guard.get().getKey());
        right.put(guard.get().getKey(), Shape.string(guard.get().getValue(), was.path()));
      }
      return new Estimate(1 + left.cost() + estimate(args.get(1), right).cost(), Shape.scalar(f));
    }
    long cost = 1;
    Estimate target = null;
    if (call.target().isPresent()) {
      target = estimate(call.target().get(), scope);
      cost += target.cost();
    }
    Estimate[] a = new Estimate[args.size()];
    for (int i = 0; i < args.size(); i++) {
      a[i] = estimate(args.get(i), scope);
      cost += a[i].cost();
    }
    switch (f) {
      case "matches" -> {
        Shape subject = target != null ? target.shape() : a[0].shape();
        Shape pattern = a[a.length - 1].shape();
        return new Estimate(
            cost + tenth(length(subject)) * quarter(length(pattern)), Shape.scalar("matches"));
      }
      case "startsWith", "endsWith", "contains" -> {
        Shape subject = target != null ? target.shape() : a[0].shape();
        return new Estimate(
            cost + tenth(Math.max(length(subject), length(a[a.length - 1].shape()))),
            Shape.scalar(f));
      }
      case "_==_", "_!=_" -> {
        return new Estimate(
            cost + Math.max(traversal(a[0].shape()), traversal(a[1].shape())), Shape.scalar(f));
      }
      case "@in" -> {
        Shape list = a[1].shape();
        long n = list.size();
        if (n < 0) {
          problems.add("unbounded: " + list.path() + " (maxItems or maxProperties missing)");
          n = 1;
        }
        Shape element = list.kind() == Shape.Kind.MAP ? list.key() : list.element();
        long compare =
            1 + Math.max(traversal(a[0].shape()), element == null ? 1 : traversal(element));
        return new Estimate(cost + n * compare, Shape.scalar(f));
      }
      case "_+_" -> {
        if (a[0].shape().kind() == Shape.Kind.STRING && a[1].shape().kind() == Shape.Kind.STRING) {
          long length = length(a[0].shape()) + length(a[1].shape());
          return new Estimate(cost + tenth(length), Shape.string(length, "a concatenation"));
        }
        return new Estimate(cost, Shape.scalar(f));
      }
      case "_[_]" -> {
        Shape of = a[0].shape();
        return new Estimate(
            cost,
            of.kind() == Shape.Kind.LIST || of.kind() == Shape.Kind.MAP
                ? of.element()
                : Shape.scalar(f));
      }
      case "_?_:_" -> {
        return new Estimate(cost, a[1].shape());
      }
      default -> {
        return new Estimate(cost, Shape.scalar(f));
      }
    }
  }

  /**
   * {@code size(v) <= N} (or {@code < N}) as the left side of {@code &&}, or {@code size(v) > N} (or {@code >= N})
   * as the left side of {@code ||}: on the right side, v is at most N characters long.
   */
  private static Optional<Map.Entry<String, Long>> sizeGuard(CelExpr left, boolean and) {
    if (left.getKind() != CelExpr.ExprKind.Kind.CALL || left.call().args().size() != 2) {
      return Optional.empty();
    }
    String f = left.call().function();
    CelExpr sized = left.call().args().get(0);
    CelExpr bound = left.call().args().get(1);
    if (bound.getKind() != CelExpr.ExprKind.Kind.CONSTANT
        || bound.constant().getKind() != CelConstant.Kind.INT64_VALUE) {
      return Optional.empty();
    }
    long n = bound.constant().int64Value();
    Long max = and
        ? (f.equals("_<=_") ? Long.valueOf(n) : f.equals("_<_") ? Long.valueOf(n - 1) : null)
        : (f.equals("_>_") ? Long.valueOf(n) : f.equals("_>=_") ? Long.valueOf(n - 1) : null);
    if (max == null
        || sized.getKind() != CelExpr.ExprKind.Kind.CALL
        || !sized.call().function().equals("size")) {
      return Optional.empty();
    }
    CelExpr of = sized
        .call()
        .target()
        .orElse(sized.call().args().isEmpty() ? null : sized.call().args().get(0));
    if (of == null || of.getKind() != CelExpr.ExprKind.Kind.IDENT) {
      return Optional.empty();
    }
    return Optional.of(Map.entry(of.ident().name(), max));
  }

  private long length(Shape s) {
    if (s.kind() != Shape.Kind.STRING) {
      return 1;
    }
    if (s.size() < 0) {
      problems.add("unbounded: " + s.path() + " (a string without maxLength)");
      return 1;
    }
    return s.size();
  }

  /** The cost of comparing or copying the whole value once. */
  private long traversal(Shape s) {
    return switch (s.kind()) {
      case STRING -> tenth(length(s)) + 1;
      case SCALAR, METADATA -> 1;
      case LIST, MAP -> {
        long n = s.size();
        if (n < 0) {
          problems.add("unbounded: " + s.path() + " ("
              + (s.kind() == Shape.Kind.LIST ? "maxItems" : "maxProperties") + " missing)");
          n = 1;
        }
        long each = traversal(s.element()) + (s.kind() == Shape.Kind.MAP ? traversal(s.key()) : 0);
        yield 1 + n * each;
      }
      case OBJECT -> {
        long sum = 1;
        var fields = s.schema().path("properties").fields();
        while (fields.hasNext()) {
          var f = fields.next();
          sum += traversal(shape(
              f.getValue(), s.path().equals("<root>") ? f.getKey() : s.path() + "." + f.getKey()));
        }
        yield sum;
      }
    };
  }

  private static long tenth(long length) {
    return (length + 9) / 10;
  }

  private static long quarter(long length) {
    return (length + 3) / 4;
  }
}

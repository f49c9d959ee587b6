package org.loomio.operator.validation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.ImageDefaults;

/**
 * Reads LoomioDeployment documents from YAML (one file may hold several) and checks each one as strictly
 * as a current API server would, and more: the CRD schema, unknown fields (refused, where an old server
 * would silently prune them), and the operator's own cross-field rules. Every problem is reported with its
 * field path.
 */
public final class ResourceReader {

  /** Keys written twice are found by {@link YamlErrors#duplicateKeys} (YAML says keys are unique; the last would win). */
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static final ObjectMapper STRICT = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);

  /** A namespace name: an RFC 1123 label. */
  public static final String NAMESPACE_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

  public static final int MAX_NAMESPACE_LENGTH = 63;

  private ResourceReader() {}

  /** What is wrong with a namespace name, if anything. */
  public static Optional<String> namespaceProblem(String namespace) {
    if (namespace.length() <= MAX_NAMESPACE_LENGTH && namespace.matches(NAMESPACE_PATTERN)) {
      return Optional.empty();
    }
    String shown = namespace.length() > 80 ? namespace.substring(0, 80) + "..." : namespace;
    return Optional.of(
        "'" + shown.replaceAll("[\\x00-\\x1f\\x7f]", "?") + "' is not a namespace name: a DNS label"
            + " (RFC 1123) of lower-case letters, digits and '-', starting and ending with a letter or digit, at most "
            + MAX_NAMESPACE_LENGTH + " characters");
  }

  /** One checked resource, or the reasons it cannot be used. */
  public record Result(int document, LoomioDeployment resource, InvalidResourceException error) {
    public boolean valid() {
      return error == null;
    }
  }

  /**
   * Reads every non-empty document with {@code TenantPolicy.defaults(ImageDefaults.BUILT_IN)} (an operator with
   * the built-in images and no tenancy settings); for tests and tools. The render CLI passes its policy.
   */
  public static List<Result> read(Reader input, String source, String defaultNamespace)
      throws IOException {
    return read(input, source, defaultNamespace, TenantPolicy.defaults(ImageDefaults.BUILT_IN));
  }

  /**
   * Reads every non-empty document; each is checked independently, the operator's own rules with this policy.
   *
   * @param defaultNamespace the namespace of documents that name none, or null; it must be a namespace name
   * @throws IllegalArgumentException if {@code defaultNamespace} is not a namespace name
   */
  public static List<Result> read(
      Reader input, String source, String defaultNamespace, TenantPolicy policy)
      throws IOException {
    Objects.requireNonNull(policy, "policy");
    if (defaultNamespace != null) {
      namespaceProblem(defaultNamespace).ifPresent(m -> {
        throw new IllegalArgumentException(m);
      });
    }
    String text = readAll(input);
    List<JsonNode> documents = new ArrayList<>();
    Map<Integer, List<YamlErrors.DuplicateKey>> duplicates;
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(text)) {
      while (it.hasNextValue()) {
        JsonNode doc = it.nextValue();
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
          documents.add(doc);
        }
      }
      duplicates = YamlErrors.duplicateKeys(YAML.getFactory(), text);
    } catch (JsonProcessingException e) {
      throw new IOException(source + ": not valid YAML at " + YamlErrors.describe(e), e);
    }
    List<Result> results = new ArrayList<>();
    for (int i = 0; i < documents.size(); i++) {
      String label = source + " document " + (i + 1);
      String name = documents.get(i).at("/metadata/name").asText("");
      List<YamlErrors.DuplicateKey> twice = duplicates.getOrDefault(i + 1, List.of());
      results.add(
          twice.isEmpty()
              ? check(documents.get(i), label, i + 1, defaultNamespace, policy)
              : new Result(
                  i + 1,
                  null,
                  new InvalidResourceException(
                      name.isEmpty() ? label : label + " (" + name + ")",
                      twice.stream()
                          .map(d -> new Violation(d.field(), d.message()))
                          .toList())));
    }
    return results;
  }

  private static String readAll(Reader input) throws IOException {
    StringBuilder text = new StringBuilder();
    char[] buffer = new char[8192];
    for (int n = input.read(buffer); n >= 0; n = input.read(buffer)) {
      text.append(buffer, 0, n);
    }
    return text.toString();
  }

  private static Result check(
      JsonNode doc, String label, int index, String defaultNamespace, TenantPolicy policy) {
    String name = doc.at("/metadata/name").asText("");
    String described = name.isEmpty() ? label : label + " (" + name + ")";
    List<Violation> violations = new ArrayList<>();
    if (!LoomioDeployment.API_VERSION.equals(doc.path("apiVersion").asText())) {
      violations.add(new Violation(
          "apiVersion",
          "must be " + LoomioDeployment.API_VERSION + "; got '"
              + doc.path("apiVersion").asText() + "'"));
    }
    if (!LoomioDeployment.KIND.equals(doc.path("kind").asText())) {
      violations.add(new Violation(
          "kind",
          "must be " + LoomioDeployment.KIND + "; got '" + doc.path("kind").asText() + "'"));
    }
    if (!violations.isEmpty()) {
      return new Result(index, null, new InvalidResourceException(described, violations));
    }
    violations.addAll(CrdSchema.get().validate(doc));
    LoomioDeployment resource = null;
    try {
      resource = STRICT.treeToValue(doc, LoomioDeployment.class);
    } catch (UnrecognizedPropertyException e) {
      violations.add(new Violation(
          path(e),
          "unknown field '" + e.getPropertyName() + "' (a current API server"
              + " refuses it; an older one silently drops it)"));
    } catch (JsonMappingException e) {
      if (violations.isEmpty()) {
        violations.add(new Violation(path(e), e.getOriginalMessage()));
      }
    } catch (JsonProcessingException e) {
      violations.add(new Violation("(document)", e.getOriginalMessage()));
    }
    if (resource != null) {
      String namespace = resource.getMetadata().getNamespace();
      if (namespace == null || namespace.isEmpty()) {
        resource.getMetadata().setNamespace(defaultNamespace);
      } else {
        namespaceProblem(namespace)
            .ifPresent(m -> violations.add(new Violation("metadata.namespace", m)));
      }
      if (violations.isEmpty()) {
        violations.addAll(SpecValidator.validate(resource, policy));
      }
    }
    if (!violations.isEmpty()) {
      return new Result(index, null, new InvalidResourceException(described, violations));
    }
    return new Result(index, resource, null);
  }

  private static String path(JsonMappingException e) {
    return e.getPath().stream()
        .map(ref ->
            ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]")
        .collect(Collectors.joining())
        .replaceFirst("^\\.", "");
  }
}

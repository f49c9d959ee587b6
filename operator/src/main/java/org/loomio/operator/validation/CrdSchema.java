package org.loomio.operator.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;

/**
 * The generated CRD's {@code openAPIV3Schema}, used to check a resource the way the API server's
 * admission does (types, enums, patterns, bounds, required fields), without a cluster. The CRD is read
 * from the jar ({@code META-INF/fabric8/}, where the crd-generator puts it), so this is always the schema
 * of this very build. Kubernetes' own keywords ({@code x-kubernetes-*}) are accepted and not evaluated;
 * the CEL rules are repeated by {@link SpecValidator}.
 */
public final class CrdSchema {

  public static final String CRD_RESOURCE = "/META-INF/fabric8/loomiodeployments.loomio.org-v1.yml";

  private static final List<String> KUBERNETES_KEYWORDS = List.of(
      "x-kubernetes-int-or-string",
      "x-kubernetes-preserve-unknown-fields",
      "x-kubernetes-validations",
      "x-kubernetes-list-type",
      "x-kubernetes-list-map-keys",
      "x-kubernetes-map-type",
      "x-kubernetes-embedded-resource",
      "nullable",
      "example",
      "externalDocs");

  private static volatile CrdSchema instance;

  private final JsonNode crd;
  private final JsonSchema schema;

  private CrdSchema(JsonNode crd) {
    this.crd = crd;
    JsonNode openApi = crd.at("/spec/versions/0/schema/openAPIV3Schema");
    JsonMetaSchema meta = JsonMetaSchema.builder(
            "https://loomio.org/schemas/kubernetes-openapi-v3", JsonMetaSchema.getV4())
        .keywords(KUBERNETES_KEYWORDS.stream().map(NonValidationKeyword::new).toList())
        .build();
    JsonSchemaFactory factory = JsonSchemaFactory.builder(
            JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4))
        .metaSchema(meta)
        .defaultMetaSchemaIri(meta.getIri())
        .build();
    this.schema = factory.getSchema(openApi);
  }

  public static CrdSchema get() {
    if (instance == null) {
      synchronized (CrdSchema.class) {
        if (instance == null) {
          try (InputStream in = CrdSchema.class.getResourceAsStream(CRD_RESOURCE)) {
            if (in == null) {
              throw new IllegalStateException(
                  CRD_RESOURCE + " is not on the classpath (run mvn process-classes)");
            }
            instance = new CrdSchema(new ObjectMapper(new YAMLFactory()).readTree(in));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }
    }
    return instance;
  }

  /** The CRD document itself. */
  public JsonNode crd() {
    return crd;
  }

  /** Schema violations of one resource document, with field paths like {@code spec.web.replicas}. */
  public List<Violation> validate(JsonNode resource) {
    return schema.validate(resource).stream()
        .map(CrdSchema::toViolation)
        .sorted(Comparator.comparing(Violation::field).thenComparing(Violation::message))
        .distinct()
        .toList();
  }

  private static Violation toViolation(ValidationMessage m) {
    String path = m.getInstanceLocation().toString().replaceFirst("^\\$\\.?", "");
    String message = m.getMessage();
    String prefix = m.getInstanceLocation().toString() + ": ";
    if (message.startsWith(prefix)) {
      message = message.substring(prefix.length());
    }
    if ("required".equals(m.getType()) && m.getProperty() != null) {
      path = path.isEmpty() ? m.getProperty() : path + "." + m.getProperty();
      message = "is required";
    }
    return new Violation(path.isEmpty() ? "(document)" : path, message);
  }
}

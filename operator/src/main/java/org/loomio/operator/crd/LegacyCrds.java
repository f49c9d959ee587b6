package org.loomio.operator.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The CRDs for Kubernetes 1.20 to 1.24 ({@code crds/legacy/}): the generated CRDs without their CEL rules.
 * An API server before 1.23 does not know {@code x-kubernetes-validations} in a CRD schema, so a server-side
 * apply of the full CRD fails there ({@code field not declared in schema}: Helm 4 installs {@code crds/} that
 * way, and {@code kubectl apply --server-side}), and 1.23 and 1.24 drop the rules unless their alpha feature
 * gate is on. The operator's own checks (SpecValidator) apply the same rules on every cluster.
 *
 * <p>Run by the build's {@code update-crds} profile: {@code LegacyCrds <generated dir> <legacy dir>};
 * LegacyCrdsTest checks the committed files equal what this writes from the generated CRDs.
 */
public final class LegacyCrds {

  /** The schema keyword left out. */
  public static final String CEL_RULES = "x-kubernetes-validations";

  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .build());

  private LegacyCrds() {}

  /** The legacy CRD for one generated CRD file's text. */
  public static String of(String generatedCrd, String fileName) {
    try {
      JsonNode crd = YAML.readTree(generatedCrd);
      strip(crd);
      return "# Generated from ../" + fileName + " without " + CEL_RULES
          + ", for Kubernetes 1.20 to 1.24"
          + " (docs/operations.md).\n# Do not edit: mvn -pl operator -Pupdate-crds process-classes writes it.\n"
          + YAML.writeValueAsString(crd);
    } catch (IOException e) {
      throw new UncheckedIOException(fileName + ": not a CRD", e);
    }
  }

  /** Removes every {@value #CEL_RULES} from a CRD (in place). */
  static void strip(JsonNode node) {
    if (node instanceof ObjectNode object) {
      object.remove(CEL_RULES);
    }
    node.forEach(LegacyCrds::strip);
  }

  /** The generated CRD files of a directory ({@code *-v1.yml}), sorted. */
  public static List<Path> generated(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> f.getFileName().toString().endsWith("-v1.yml"))
          .sorted()
          .toList();
    }
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: LegacyCrds <generated CRD dir> <legacy CRD dir>");
    }
    Path out = Files.createDirectories(Path.of(args[1]));
    for (Path crd : generated(Path.of(args[0]))) {
      String name = crd.getFileName().toString();
      Files.writeString(out.resolve(name), of(Files.readString(crd), name));
    }
  }
}

package org.loomio.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loomio.operator.render.pod.HardeningExceptions;
import org.loomio.operator.validation.CrdSchema;

/** The reference documentation keeps up with the API and the hardening exceptions. */
class DocsTest {

  private static final Path DOCS = Path.of(System.getProperty("examples.dir", "../examples")).resolveSibling("docs");

  /** Every field of the spec is in docs/api.md (shared shapes such as pod options are documented once). */
  @Test
  void apiReferenceNamesEveryField() throws IOException {
    String doc = Files.readString(DOCS.resolve("api.md"));
    JsonNode spec = CrdSchema.get().crd().at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
    List<String> missing = new ArrayList<>();
    walk("spec", spec, doc, missing);
    assertThat(missing).isEmpty();
  }

  private static void walk(String path, JsonNode schema, String doc, List<String> missing) {
    schema.path("properties").fieldNames().forEachRemaining(name -> {
      String p = path + "." + name;
      JsonNode child = schema.path("properties").get(name);
      boolean documentedAsAWhole = name.equals("pod") || name.equals("image") && !path.equals("spec")
          || name.endsWith("SecretRef") || name.equals("resources") || name.equals("storage") && path.endsWith("embedded")
          || name.equals("env") || name.equals("secretEnv") || name.equals("imagePullSecrets")
          || name.equals("headers") || name.equals("edge") || name.equals("dns") || name.equals("annotations")
          || child.path("items").has("properties") && child.path("items").path("properties").has("cidr");
      boolean leaf = !child.has("properties");
      if ((leaf || documentedAsAWhole) && !doc.contains("`" + p + "`")) {
        missing.add(p);
      }
      if (!leaf && !documentedAsAWhole) {
        walk(p, child, doc, missing);
      }
    });
  }

  @Test
  void everyHardeningExceptionIsDocumented() throws IOException {
    String doc = Files.readString(DOCS.resolve("hardening.md"));
    assertThat(HardeningExceptions.ALL).isNotEmpty();
    for (HardeningExceptions.Waiver w : HardeningExceptions.ALL) {
      assertThat(doc).as(w.rule()).contains("| " + w.rule() + " |");
    }
  }
}

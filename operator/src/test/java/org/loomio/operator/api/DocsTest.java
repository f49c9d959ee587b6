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

  private static final Path DOCS =
      Path.of(System.getProperty("examples.dir", "../examples")).resolveSibling("docs");

  /** Every field of the spec is in docs/api.md (shared shapes such as pod options are documented once). */
  @Test
  void apiReferenceNamesEveryField() throws IOException {
    String doc = Files.readString(DOCS.resolve("api.md"));
    JsonNode spec =
        CrdSchema.get().crd().at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
    List<String> missing = new ArrayList<>();
    walk("spec", spec, doc, missing);
    assertThat(missing).isEmpty();
  }

  private static void walk(String path, JsonNode schema, String doc, List<String> missing) {
    schema.path("properties").fieldNames().forEachRemaining(name -> {
      String p = path + "." + name;
      JsonNode child = schema.path("properties").get(name);
      boolean documentedAsAWhole = name.equals("pod")
          || name.equals("image") && !path.equals("spec")
          || name.endsWith("SecretRef")
          || name.equals("resources")
          || name.equals("storage") && path.endsWith("embedded")
          || name.equals("env")
          || name.equals("secretEnv")
          || name.equals("imagePullSecrets")
          || name.equals("headers")
          || name.equals("edge")
          || name.equals("dns")
          || name.equals("annotations")
          || child.path("items").has("properties")
              && child.path("items").path("properties").has("cidr");
      boolean leaf = !child.has("properties");
      if ((leaf || documentedAsAWhole) && !doc.contains("`" + p + "`")) {
        missing.add(p);
      }
      if (!leaf && !documentedAsAWhole) {
        walk(p, child, doc, missing);
      }
    });
  }

  /**
   * Every option of {@code run} (and its environment variable) is a row of the settings table in
   * docs/operations.md, and every row names an option of {@code run}.
   */
  @Test
  void theSettingsTableListsEveryRunOption() throws IOException {
    String doc = Files.readString(DOCS.resolve("operations.md"));
    int start = doc.indexOf("| variable | flag | default | meaning |");
    assertThat(start).as("the settings table").isNotNegative();
    int end = doc.indexOf("\n\n", start);
    List<String> rows = doc.substring(start, end).lines().skip(2).toList();
    picocli.CommandLine cli = new picocli.CommandLine(new org.loomio.operator.cli.RunCommand());
    cli.setInterpolateVariables(false); // the defaults as written: ${env:NAME:-fallback}
    var run = cli.getCommandSpec();
    java.util.regex.Pattern env = java.util.regex.Pattern.compile("^\\$\\{env:([A-Z_]+)");
    List<String> flags = new ArrayList<>();
    for (picocli.CommandLine.Model.OptionSpec option : run.options()) {
      if (option.usageHelp() || option.versionHelp()) {
        continue;
      }
      String flag = option.longestName();
      flags.add(flag);
      String row =
          rows.stream().filter(r -> r.contains("`" + flag + "`")).findFirst().orElse(null);
      assertThat(row).as(flag + " in the settings table of docs/operations.md").isNotNull();
      var variable = env.matcher(String.valueOf(option.defaultValue()));
      assertThat(variable.find())
          .as(flag + " defaults to an environment variable")
          .isTrue();
      assertThat(row)
          .as(flag + "'s row names its variable")
          .contains("`" + variable.group(1) + "`");
    }
    for (String row : rows) {
      var named = java.util.regex.Pattern.compile("`(--[a-z-]+)`").matcher(row);
      while (named.find()) {
        assertThat(flags).as("a flag of run, named in " + row).contains(named.group(1));
      }
    }
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

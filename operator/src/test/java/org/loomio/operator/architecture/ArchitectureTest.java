package org.loomio.operator.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package layers of the operator and no cycles between packages, checked on the compiled classes with
 * ArchUnit: a build that adds an import against them fails here. Lowest first:
 *
 * <ol>
 *   <li>the CRD model and what needs nothing of ours: {@code api}, {@code thirdparty} (the kinds of others the
 *       operator writes), {@code crd}, {@code upgrade} (versions and
 *       paths), {@code backup} (the agent: it runs in backup pods, alone), {@code client};
 *   <li>{@code model}: the resolved spec and the value types both validation and render use;
 *   <li>{@code validation};
 *   <li>the pure render layer, bottom up: {@code render.base} (the render context, object metadata, ownership);
 *       {@code render.pod} (the pod hardening); the objects by concern, {@code render.workload}, {@code
 *       render.edge}, {@code render.network}, {@code render.backup} (no cycles between them); {@code render}
 *       (the entry point, {@code StackRenderer}, and its {@code Stack});
 *   <li>{@code status}: the condition types and their reasons, and the events that carry them, which
 *       reconcile, its dependents and the metrics share (it imports none of them);
 *   <li>{@code secrets} (what the operator generates);
 *   <li>the controllers: {@code reconcile} (with the operator's settings and metrics), {@code
 *       reconcile.dependent};
 *   <li>the entry points: {@code runtime}, {@code cli}.
 * </ol>
 *
 * <p>{@link #DEBT} lists the imports that break a rule today, each with the change that removes it. It may
 * only shrink: {@link #theKnownDebtIsStillThere} fails when one is gone, so its line is deleted with the fix.
 */
class ArchitectureTest {

  static final String ROOT = "org.loomio.operator";

  static final List<List<String>> LAYERS = List.of(
      List.of("api", "api.v1alpha1", "thirdparty", "crd", "upgrade", "backup", "client"),
      List.of("model"),
      List.of("validation"),
      List.of("render.base"),
      List.of("render.pod"),
      List.of("render.workload", "render.edge", "render.network", "render.backup"),
      List.of("render"),
      List.of("status"),
      List.of("secrets"),
      List.of("reconcile", "reconcile.dependent"),
      List.of("runtime", "cli"));

  /** No debt left: every import follows the layers. A new exception is added here with its fix. */
  static final List<String[]> DEBT = List.of();

  static final PackageRules RULES = new PackageRules(ROOT, LAYERS, DEBT);

  private static final JavaClasses OPERATOR = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages(ROOT);

  @Test
  void theOperatorKeepsItsLayersAndHasNoPackageCycles() {
    assertThat(RULES.violations(OPERATOR)).isEmpty();
  }

  @Test
  void everyPackageHasItsPlaceInALayer() {
    Set<String> placed = LAYERS.stream().flatMap(List::stream).collect(Collectors.toSet());
    Set<String> packages = new TreeSet<>();
    for (JavaClass c : OPERATOR) {
      packages.add(relative(c.getPackageName()));
    }
    assertThat(packages)
        .as("a new package is placed in LAYERS (and docs/architecture.md)")
        .isSubsetOf(placed);
  }

  @Test
  void theKnownDebtIsStillThere() {
    Set<String> edges = new TreeSet<>();
    for (JavaClass c : OPERATOR) {
      c.getDirectDependenciesFromSelf().forEach(d -> {
        String to = d.getTargetClass().getPackageName();
        if (to.startsWith(ROOT + ".") && !to.equals(c.getPackageName())) {
          edges.add(relative(c.getPackageName()) + " -> " + relative(to));
        }
      });
    }
    assertThat(edges)
        .as("the scan sees the operator's imports between packages")
        .contains("reconcile -> render", "render -> model", "reconcile.dependent -> status");
    for (String[] edge : DEBT) {
      assertThat(edges).as("fixed: delete this line of DEBT").contains(edge[0] + " -> " + edge[1]);
    }
  }

  /** The same rules catch a cycle and a layer broken, on fixture packages made for it. */
  /**
   * What the compiled classes cannot show: javac copies a constant into the class that reads it, so an import
   * used only for a constant (or a fully-qualified constant) leaves no trace in the bytecode. The sources are read
   * too: no file names a class of a higher layer.
   */
  @Test
  void noSourceNamesAClassOfAHigherLayer() throws IOException {
    Pattern reference =
        Pattern.compile("\\b" + Pattern.quote(ROOT) + "\\.((?:[a-z0-9]+\\.)*)[A-Z]");
    List<String> upward = new ArrayList<>();
    Path sources = Path.of("src/main/java");
    try (Stream<Path> files = Files.walk(sources)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String from = relative(sources.relativize(file.getParent()).toString().replace('/', '.'));
        Matcher m = reference.matcher(code(Files.readString(file)));
        while (m.find()) {
          String to = relative(ROOT + "." + m.group(1).replaceAll("\\.$", ""));
          if (layer(to) > layer(from)) {
            upward.add(file.getFileName() + ": " + from + " -> " + to);
          }
        }
      }
    }
    assertThat(upward).as("names of a higher layer in the sources").isEmpty();
  }

  /** The source without its comments (a Javadoc link to a higher layer is documentation, not a dependency). */
  private static String code(String source) {
    return source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("(?m)^\\s*//.*$", "");
  }

  private static int layer(String pkg) {
    for (int i = 0; i < LAYERS.size(); i++) {
      if (LAYERS.get(i).contains(pkg)) {
        return i;
      }
    }
    throw new AssertionError("a package without a layer: " + pkg);
  }

  @Test
  void theRulesCatchAnInjectedCycleAndAnUpwardImport() {
    String fixture = ArchitectureTest.class.getPackageName() + ".fixture";
    JavaClasses cycle = new ClassFileImporter().importPackages(fixture + ".cycle");
    assertThat(new PackageRules(fixture + ".cycle", List.of(List.of("a", "b")), List.of())
            .violations(cycle))
        .anySatisfy(v -> assertThat(v).contains("Cycle detected").contains("a").contains("b"));
    assertThat(new PackageRules(
                fixture + ".cycle",
                List.of(List.of("a", "b")),
                List.<String[]>of(new String[] {"b", "a"}))
            .violations(cycle))
        .as("known debt is ignored")
        .isEmpty();

    JavaClasses layers = new ClassFileImporter().importPackages(fixture + ".layers");
    assertThat(new PackageRules(
                fixture + ".layers", List.of(List.of("low"), List.of("high")), List.of())
            .violations(layers))
        .anySatisfy(v -> assertThat(v).contains("Low").contains("High"));
    assertThat(new PackageRules(
                fixture + ".layers", List.of(List.of("high"), List.of("low")), List.of())
            .violations(layers))
        .as("importing downwards is fine")
        .isEmpty();
  }

  private static String relative(String pkg) {
    return pkg.equals(ROOT) ? "" : pkg.substring(ROOT.length() + 1);
  }
}

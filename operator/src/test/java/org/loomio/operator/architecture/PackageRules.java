package org.loomio.operator.architecture;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import com.tngtech.archunit.library.dependencies.SliceRule;
import java.util.ArrayList;
import java.util.List;

/**
 * The two package rules, for any root package: no package imports one of a higher layer, and no two packages
 * import each other (directly or round a longer loop). Known debt (a list of package-to-package imports that
 * break a rule today) is ignored, one import at a time, so the debt can only shrink.
 *
 * @param root the root package, e.g. {@code org.loomio.operator}
 * @param layers the layers, lowest first; each is the list of packages (relative to root) in it
 * @param debt imports ignored by both rules, as {from, to} package pairs relative to root
 */
record PackageRules(String root, List<List<String>> layers, List<String[]> debt) {

  /** What both rules report for these classes (empty: they hold). */
  List<String> violations(JavaClasses classes) {
    List<String> found = new ArrayList<>();
    for (ArchRule rule : rules()) {
      EvaluationResult result = rule.evaluate(classes);
      if (result.hasViolation()) {
        found.addAll(result.getFailureReport().getDetails());
      }
    }
    return found;
  }

  List<ArchRule> rules() {
    LayeredArchitecture layered = layeredArchitecture().consideringOnlyDependenciesInLayers();
    for (int i = 0; i < layers.size(); i++) {
      layered = layered
          .layer(name(i))
          .definedBy(layers.get(i).stream().map(this::pattern).toArray(String[]::new));
    }
    for (int i = 0; i < layers.size(); i++) {
      layered = i == 0
          ? layered.whereLayer(name(i)).mayNotAccessAnyLayer()
          : layered
              .whereLayer(name(i))
              .mayOnlyAccessLayers(java.util.stream.IntStream.range(0, i)
                  .mapToObj(PackageRules::name)
                  .toArray(String[]::new));
    }
    SliceRule cycles = slices().matching(root + ".(**)").should().beFreeOfCycles();
    for (String[] edge : debt) {
      DescribedPredicate<JavaClass> from = resideInAPackage(pattern(edge[0]));
      DescribedPredicate<JavaClass> to = resideInAPackage(pattern(edge[1]));
      layered = layered.ignoreDependency(from, to);
      cycles = cycles.ignoreDependency(from, to);
    }
    return List.of(
        layered.because("a layer imports only the layers below it (docs/architecture.md)"), cycles);
  }

  private static String name(int layer) {
    return "layer " + layer;
  }

  /** The package itself (not its subpackages: each has its own place). */
  private String pattern(String relative) {
    return root + "." + relative;
  }
}

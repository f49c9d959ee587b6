package org.loomio.operator.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaConstructorCall;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loomio.operator.model.ResolvedSpec;

/**
 * A LoomioDeployment is resolved in one place: {@link ResolvedSpec#of}, once per reconcile and once per CLI
 * render, and the result is passed down. No class but ResolvedSpec itself calls its constructor (checked on
 * the compiled classes, the tests' included), so no one resolves it a second time with other images.
 */
class OneResolutionTest {

  private static final JavaClasses ALL =
      new ClassFileImporter().importPackages(ArchitectureTest.ROOT);

  @Test
  void onlyTheFactoryCallsResolvedSpecsConstructor() {
    List<String> callers = ALL.stream()
        .flatMap(c -> c.getConstructorCallsFromSelf().stream())
        .filter(call -> call.getTargetOwner().isEquivalentTo(ResolvedSpec.class))
        .filter(call -> !call.getOriginOwner().isEquivalentTo(ResolvedSpec.class)
            || !call.getOrigin().getName().equals("of"))
        .map(JavaConstructorCall::getDescription)
        .toList();
    assertThat(callers).as("new ResolvedSpec outside ResolvedSpec.of").isEmpty();
  }

  @Test
  void theFactoryIsTheOnlyWayIn() {
    assertThat(ALL.get(ResolvedSpec.class).getConstructors())
        .as("ResolvedSpec's constructors")
        .allMatch(c -> c.getModifiers().contains(JavaModifier.PRIVATE));
  }
}

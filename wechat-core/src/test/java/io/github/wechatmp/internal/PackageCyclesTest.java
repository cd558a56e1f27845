package io.github.wechatmp.internal;

import static com.tngtech.archunit.base.DescribedPredicate.alwaysTrue;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The core's packages, as the compiled classes depend on each other. The API packages ({@code
 * token}, {@code jssdk}, {@code http}, ...) form no cycle among themselves, so that each can be
 * read and taken apart on its own; the {@code internal} packages are the implementation of the API
 * packages and may use their types (the refresh engine keeps {@code token}'s {@code AccessToken}s
 * in {@code token}'s {@code TokenStore}), so edges to and from them do not count here, but they
 * form no cycle among themselves either.
 */
class PackageCyclesTest {
  private static final String ROOT = "io.github.wechatmp";

  private static final JavaClasses CORE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages(ROOT);

  /** No cycle among the API packages under {@code root}; edges through internal ones aside. */
  static ArchRule apiPackagesHaveNoCycles(String root) {
    return slices()
        .matching(root + ".(**)")
        .should()
        .beFreeOfCycles()
        .ignoreDependency(resideInAPackage(root + ".internal.."), alwaysTrue())
        .ignoreDependency(alwaysTrue(), resideInAPackage(root + ".internal.."));
  }

  @Test
  void theApiPackagesHaveNoCycles() {
    apiPackagesHaveNoCycles(ROOT).check(CORE);
  }

  @Test
  void theInternalPackagesHaveNoCyclesAmongThemselves() {
    slices().matching(ROOT + ".internal.(**)").should().beFreeOfCycles().check(CORE);
  }

  @Test
  void theRuleFailsOnARealCycleBetweenApiPackages() {
    String fixture = ROOT + ".testing.cycle";
    JavaClasses cyclic = new ClassFileImporter().importPackages(fixture);
    assertThrows(AssertionError.class, () -> apiPackagesHaveNoCycles(fixture).check(cyclic));
  }
}

package io.github.wechatmp.internal;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The core's packages, as the compiled classes depend on each other: no cycles at all, and the
 * shared pieces ({@code internal}, {@code internal.crypto}, {@code internal.http}, and the refresh
 * engine {@code internal.refresh}) depend on no API package, only on the root package's exceptions.
 * The engine is generic in its credential; the API packages that build one ({@code token}, {@code
 * jssdk}) adapt their store, policy, listener and status types to its own.
 */
class PackageCyclesTest {
  private static final JavaClasses CORE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.github.wechatmp");

  @Test
  void corePackagesHaveNoCycles() {
    slices().matching("io.github.wechatmp.(**)").should().beFreeOfCycles().check(CORE);
  }

  @Test
  void theSharedPiecesDependOnNoApiPackage() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.github.wechatmp.internal.crypto..",
            "io.github.wechatmp.internal.http..",
            "io.github.wechatmp.internal.refresh..",
            "io.github.wechatmp.internal")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.github.wechatmp.token..",
            "io.github.wechatmp.http..",
            "io.github.wechatmp.jssdk..",
            "io.github.wechatmp.message..",
            "io.github.wechatmp.signature..",
            "io.github.wechatmp.callback..")
        .check(CORE);
  }
}

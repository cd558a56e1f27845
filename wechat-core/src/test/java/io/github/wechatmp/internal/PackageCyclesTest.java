package io.github.wechatmp.internal;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The core's packages, as the compiled classes depend on each other.
 *
 * <p>Known gap (issue 11): the refresh engine ({@code internal.refresh}) still uses the API types
 * of {@code token} ({@code AccessToken}, {@code TokenStore}, {@code TokenStatus.State}, ...), while
 * {@code token}'s and {@code jssdk}'s providers create it: the cycle {@code token ->
 * internal.refresh -> token}. Breaking it needs an engine generic in its credential, store, status
 * and event types, with an adapter per API package. Until then the rule below leaves out exactly
 * the edges from the engine back to {@code token}, and fails on every other cycle. (The credential
 * calls of {@code internal.http} depend on no API package any more: the token endpoints live in
 * {@code token}, and the call makes its credential through a function.)
 */
class PackageCyclesTest {
  private static final JavaClasses CORE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.github.wechatmp");

  @Test
  void corePackagesHaveNoCyclesButTheKnownEdgesBackFromTheEngine() {
    slices()
        .matching("io.github.wechatmp.(**)")
        .should()
        .beFreeOfCycles()
        .ignoreDependency(
            resideInAnyPackage("io.github.wechatmp.internal.refresh"),
            resideInAnyPackage("io.github.wechatmp.token"))
        .check(CORE);
  }

  @Test
  void theSharedPiecesDependOnNoApiPackage() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.github.wechatmp.internal.crypto..",
            "io.github.wechatmp.internal.http..",
            "io.github.wechatmp.internal")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.github.wechatmp.token..",
            "io.github.wechatmp.http..",
            "io.github.wechatmp.jssdk..",
            "io.github.wechatmp.message..",
            "io.github.wechatmp.signature..")
        .check(CORE);
  }
}

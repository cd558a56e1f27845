package io.github.wechatmp.apibaseline;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Every published module's public API, as {@link ApiDump} writes it from the module's compiled
 * classes, equals the baseline checked in as {@code <module>/api/<module>.api}, so that every
 * change to the API is a visible diff in a review. The published modules are this module's
 * dependencies in the project's group (api-baseline/pom.xml): adding a module is adding one line
 * there. With {@code -Dapi.update=true} ({@code .ci/update-api}) the baselines are rewritten
 * instead.
 */
class ApiBaselineTest {
  static final String UPDATE =
      "./mvnw -B -ntp -q -pl api-baseline -am verify -Dtest=ApiBaselineTest"
          + " -Dsurefire.failIfNoSpecifiedTests=false -Dmaven.javadoc.skip -Dapi.update=true"
          + "   (or: .ci/update-api)";

  private static final Path ROOT = repositoryRoot();

  @TestFactory
  Stream<DynamicTest> everyPublishedModulesApiEqualsItsCheckedInBaseline() throws Exception {
    List<String> modules = publishedModules();
    assertFalse(modules.isEmpty(), "api-baseline/pom.xml names no module of the project");
    return modules.stream()
        .map(
            m ->
                dynamicTest(
                    m + "'s public API equals " + m + "/api/" + m + ".api", () -> check(m)));
  }

  @Test
  void noBaselineNamesAnInternalPackage() throws Exception {
    for (String m : publishedModules()) {
      Path file = baseline(m);
      if (Files.isRegularFile(file)) {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        assertFalse(text.contains(".internal."), file + " names an internal package");
      }
    }
  }

  @Test
  void theCoreBaselineHoldsTheTypesEveryUserMeets() throws IOException {
    String core = ApiDump.of(classes("wechat-core"));
    for (String type :
        List.of(
            "public final class io.github.wechatmp.signature.SignatureVerifier",
            "io.github.wechatmp.token.AccessTokenProvider",
            "public interface io.github.wechatmp.token.TokenStore")) {
      assertTrue(core.contains(type), "wechat-core's API lacks " + type);
    }
  }

  private static void check(String module) throws IOException {
    String actual = header(module) + ApiDump.of(classes(module));
    Path file = baseline(module);
    String expected =
        Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
    if (actual.equals(expected)) {
      return;
    }
    if (Boolean.getBoolean("api.update")) {
      Files.createDirectories(file.getParent());
      Files.writeString(file, actual, StandardCharsets.UTF_8);
      System.out.println("api.update: rewrote " + ROOT.relativize(file));
      return;
    }
    String where = ROOT.relativize(file).toString();
    if (expected == null) {
      fail(where + " does not exist. Write it from the current code with:\n  " + UPDATE);
    }
    fail(
        module
            + "'s public API differs from its baseline "
            + where
            + " (lines with - are in the baseline, + in the code):\n"
            + UnifiedDiff.of("a/" + where, expected, "b/" + where, actual)
            + "\nIf the change is intended, rewrite the baseline and commit it with the change:\n  "
            + UPDATE);
  }

  private static String header(String module) {
    return "# The public API of "
        + module
        + ": the public and protected types and members of its exported packages.\n"
        + "# Checked in ./mvnw verify by api-baseline's ApiBaselineTest; a change here is a change"
        + " to the published API.\n"
        + "# Rewrite it from the code with .ci/update-api.\n";
  }

  private static Path baseline(String module) {
    return ROOT.resolve(module).resolve("api").resolve(module + ".api");
  }

  private static Path classes(String module) {
    Path classes = ROOT.resolve(module).resolve("target").resolve("classes");
    if (!Files.isDirectory(classes)) {
      throw new IllegalStateException(
          classes
              + " does not exist: build the module first, with -am: "
              + "./mvnw -pl api-baseline -am verify");
    }
    return classes;
  }

  /** The artifactIds of api-baseline's dependencies in the project's group. */
  static List<String> publishedModules() throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Document pom = f.newDocumentBuilder().parse(ROOT.resolve("api-baseline/pom.xml").toFile());
    Element dependencies = null;
    NodeList children = pom.getDocumentElement().getChildNodes();
    for (int i = 0; i < children.getLength(); i++) {
      if (children.item(i) instanceof Element e && e.getTagName().equals("dependencies")) {
        dependencies = e;
      }
    }
    List<String> out = new ArrayList<>();
    if (dependencies == null) {
      return out;
    }
    NodeList deps = dependencies.getElementsByTagName("dependency");
    for (int i = 0; i < deps.getLength(); i++) {
      Element d = (Element) deps.item(i);
      String group = d.getElementsByTagName("groupId").item(0).getTextContent().strip();
      if (group.equals("io.github.wechatmp") || group.equals("${project.groupId}")) {
        out.add(d.getElementsByTagName("artifactId").item(0).getTextContent().strip());
      }
    }
    return out;
  }

  private static Path repositoryRoot() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("api-baseline/pom.xml"))) {
        return d;
      }
    }
    throw new IllegalStateException(
        "no api-baseline/pom.xml above " + Path.of("").toAbsolutePath());
  }
}

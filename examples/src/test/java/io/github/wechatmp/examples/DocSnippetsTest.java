package io.github.wechatmp.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.examples.DocSnippets.Source;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a snippet's page block is made from its source, and how the pages are rewritten. */
class DocSnippetsTest {
  private static final String FILE =
      String.join(
          "\n",
          "package x;",
          "",
          "import static org.junit.jupiter.api.Assertions.assertEquals;",
          "import io.github.wechatmp.token.AccessTokenProvider;",
          "import io.github.wechatmp.token.TokenKey;",
          "import java.time.Duration;",
          "import java.util.*;",
          "import okhttp3.Request;",
          "",
          "class X {",
          "  void m() {",
          "    // snippet:start demo",
          "    AccessTokenProvider tokens = AccessTokenProvider.builder().build();",
          "",
          "    assertEquals(1, 1); // a Request.Builder, not a RequestBody",
          "    // snippet:end",
          "    // snippet:start bare",
          "      int durationless = 1;",
          "    // snippet:end",
          "  }",
          "}",
          "");

  @Test
  void aJavaBlockShowsTheImportsItsRegionUsesInTheFilesOrderThenTheDedentedRegion() {
    List<Source> s = DocSnippets.sourcesOf(Path.of("X.java"), FILE);
    assertEquals(
        String.join(
            "\n",
            "import static org.junit.jupiter.api.Assertions.assertEquals;",
            "import io.github.wechatmp.token.AccessTokenProvider;",
            "import okhttp3.Request;",
            "",
            "AccessTokenProvider tokens = AccessTokenProvider.builder().build();",
            "",
            "assertEquals(1, 1); // a Request.Builder, not a RequestBody",
            ""),
        s.get(0).block());
  }

  @Test
  void aRegionThatUsesNoImportIsShownWithoutImportsOrABlankLine() {
    List<Source> s = DocSnippets.sourcesOf(Path.of("X.java"), FILE);
    assertEquals("bare", s.get(1).name());
    assertEquals("int durationless = 1;\n", s.get(1).block()); // "Duration" only as part of a word
  }

  @Test
  void aYamlRegionIsShownAsItIsDedented() {
    List<Source> s =
        DocSnippets.sourcesOf(
            Path.of("a.yml"), "a:\n  # snippet:start y\n  b: 1\n  # snippet:end\n  c: 2\n");
    assertEquals("yaml", s.get(0).language());
    assertEquals("b: 1\n", s.get(0).block());
  }

  @Test
  void anUnendedOrUnstartedRegionIsRefusedNamingTheFile() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> DocSnippets.sourcesOf(Path.of("Y.java"), "// snippet:start a\nint x;\n"));
    assertTrue(e.getMessage().contains("Y.java") && e.getMessage().contains("'a'"), e.getMessage());
    assertThrows(
        IllegalStateException.class,
        () -> DocSnippets.sourcesOf(Path.of("Y.java"), "int x;\n// snippet:end\n"));
  }

  @Test
  void rewritingReplacesOnlyTheNamedBlocksAndLeavesUnknownOnesForTheCheckToReport() {
    Map<String, Source> sources =
        Map.of("demo", new Source("demo", Path.of("X.java"), "java", "int x;\n"));
    String page =
        "# T\n\n<!-- snippet: demo -->\n```java\nold\n```\n\ntext\n\n"
            + "<!-- snippet: other -->\n```java\nkept\n```\n";
    assertEquals(
        "# T\n\n<!-- snippet: demo -->\n```java\nint x;\n```\n\ntext\n\n"
            + "<!-- snippet: other -->\n```java\nkept\n```\n",
        DocSnippets.rewrite(page, sources));
  }

  @Test
  void theUpdateRewritesReadmeAndDocsPagesFromTheExamplesSources(@TempDir Path root)
      throws IOException {
    Path src = root.resolve("examples/src/main/java/x/snippets/X.java");
    Files.createDirectories(src.getParent());
    Files.writeString(src, FILE);
    Files.createDirectories(root.resolve("docs/sub"));
    Files.writeString(root.resolve("README.md"), "<!-- snippet: bare -->\n```java\nstale\n```\n");
    Files.writeString(root.resolve("docs/sub/page.md"), "<!-- snippet: demo -->\n```java\n```\n");

    assertEquals(
        List.of(Path.of("README.md"), Path.of("docs/sub/page.md")), DocSnippets.update(root));

    assertEquals(
        "<!-- snippet: bare -->\n```java\nint durationless = 1;\n```\n",
        Files.readString(root.resolve("README.md")));
    String page = Files.readString(root.resolve("docs/sub/page.md"));
    assertTrue(page.startsWith("<!-- snippet: demo -->\n```java\nimport static "), page);
    assertEquals(List.of(), DocSnippets.update(root), "a second run changes nothing");
  }

  @Test
  void aSnippetDefinedInTwoFilesIsRefusedNamingBoth(@TempDir Path root) throws IOException {
    Path dir = root.resolve("examples/src/main/java/x");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("A.java"), "// snippet:start same\nint a;\n// snippet:end\n");
    Files.writeString(dir.resolve("B.java"), "// snippet:start same\nint b;\n// snippet:end\n");
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> DocSnippets.sources(root));
    assertTrue(
        e.getMessage().contains("A.java") && e.getMessage().contains("B.java"), e.getMessage());
  }
}

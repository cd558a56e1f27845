package io.github.wechatmp.examples;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.wechatmp.examples.DocSnippets.DocBlock;
import io.github.wechatmp.examples.DocSnippets.Source;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The documentation's Java and YAML snippets (README.md and every {@code docs/**}{@code .md}) are
 * regions of the examples' sources, which the build compiles and the Spring Boot example loads:
 * each page block must equal its region, Java blocks with the imports the region uses (see {@link
 * DocSnippets}), and every region appears on exactly one page. With {@code -Dsnippets.update=true}
 * the pages are rewritten from the sources first ({@code .ci/sync-doc-snippets}).
 */
class ReadmeSnippetsTest {
  private static final Path ROOT = DocSnippets.repositoryRoot();

  @BeforeAll
  static void rewriteThePagesWhenAskedTo() throws IOException {
    if (Boolean.getBoolean("snippets.update")) {
      System.out.println("snippets.update: rewrote " + DocSnippets.update(ROOT));
    }
  }

  @Test
  void everyDocBlockEqualsItsSourceRegionWithTheImportsItUses() throws IOException {
    Map<String, Source> sources = DocSnippets.sources(ROOT);
    assertFalse(sources.isEmpty(), "no snippets found in the examples' sources");
    List<String> problems = new ArrayList<>();
    for (DocBlock b : blocks()) {
      Source s = sources.get(b.name());
      if (s == null) {
        problems.add(b.page() + ": snippet '" + b.name() + "' has no source region");
      } else if (!s.block().equals(b.content()) || !s.language().equals(b.language())) {
        problems.add(
            b.page()
                + ": snippet '"
                + b.name()
                + "' drifted from "
                + s.file()
                + "; expected:\n```"
                + s.language()
                + "\n"
                + s.block()
                + "```");
      }
    }
    report(problems);
  }

  @Test
  void everySourceSnippetAppearsOnExactlyOneDocPage() throws IOException {
    Map<String, List<Path>> shownOn = new LinkedHashMap<>();
    for (DocBlock b : blocks()) {
      shownOn.computeIfAbsent(b.name(), k -> new ArrayList<>()).add(b.page());
    }
    List<String> problems = new ArrayList<>();
    for (Source s : DocSnippets.sources(ROOT).values()) {
      List<Path> pages = shownOn.getOrDefault(s.name(), List.of());
      if (pages.size() != 1) {
        problems.add(
            "snippet '"
                + s.name()
                + "' of "
                + s.file()
                + (pages.isEmpty() ? " is on no page" : " is on more than one page: " + pages)
                + "; a page shows it as:\n<!-- snippet: "
                + s.name()
                + " -->\n```"
                + s.language()
                + "\n"
                + s.block()
                + "```");
      }
    }
    report(problems);
  }

  @Test
  void everySnippetMarkerIsFollowedByAJavaOrYamlBlock() throws IOException {
    List<String> problems = new ArrayList<>();
    for (Path page : DocSnippets.pages(ROOT)) {
      String text = Files.readString(page, StandardCharsets.UTF_8);
      List<String> markers = DocSnippets.markersOf(text);
      List<String> blocks = DocSnippets.blocksOf(page, text).stream().map(DocBlock::name).toList();
      if (!markers.equals(blocks)) {
        problems.add(
            ROOT.relativize(page)
                + ": markers "
                + markers
                + " but blocks "
                + blocks
                + " (write <!-- snippet: NAME --> then a ```java or ```yaml block)");
      }
    }
    report(problems);
  }

  private static List<DocBlock> blocks() throws IOException {
    List<DocBlock> out = new ArrayList<>();
    for (Path page : DocSnippets.pages(ROOT)) {
      out.addAll(
          DocSnippets.blocksOf(
              ROOT.relativize(page), Files.readString(page, StandardCharsets.UTF_8)));
    }
    return out;
  }

  private static void report(List<String> problems) {
    if (!problems.isEmpty()) {
      fail(
          String.join("\n\n", problems)
              + "\n\nRun .ci/sync-doc-snippets to rewrite the pages from the sources.");
    }
  }
}

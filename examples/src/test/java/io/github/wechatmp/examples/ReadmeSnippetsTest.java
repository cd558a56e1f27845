package io.github.wechatmp.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's Java snippets are the regions between {@code // snippet:start NAME} and {@code //
 * snippet:end} in the sources of this module and of {@code examples-spring-boot}, which the build
 * compiles; its YAML snippets are the regions between {@code # snippet:start NAME} and {@code #
 * snippet:end} in their {@code src/main/resources/**.yml}, which the Spring Boot example loads (its
 * test starts it). A README block preceded by {@code <!-- snippet: NAME -->} must equal its region,
 * so the README cannot drift from code that compiles and configuration that runs.
 */
class ReadmeSnippetsTest {
  private static final Pattern README_BLOCK =
      Pattern.compile(
          "<!-- snippet: ([a-z0-9-]+) -->\\s*```(?:java|yaml)\\n(.*?)```", Pattern.DOTALL);

  @Test
  void everyReadmeSnippetIsCompiledCode() throws IOException {
    Map<String, String> sources = sourceSnippets();
    Map<String, String> readme = readmeSnippets();
    assertFalse(sources.isEmpty(), "no snippets found in the sources");
    // Regions quoted by a docs/*.md page (with their imports) are that page's, not the README's.
    sources.keySet().removeAll(docsSnippetNames());
    assertEquals(sources.keySet(), readme.keySet(), "snippets in the sources vs the README");
    for (Map.Entry<String, String> e : sources.entrySet()) {
      assertEquals(
          e.getValue(),
          readme.get(e.getKey()),
          "README snippet '" + e.getKey() + "' drifted from the source");
    }
  }

  private static Path repositoryRoot() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("README.md")) && Files.isDirectory(d.resolve("examples"))) {
        return d;
      }
    }
    throw new AssertionError("the repository root (README.md beside examples/) was not found");
  }

  private static List<String> docsSnippetNames() throws IOException {
    Path docs = repositoryRoot().resolve("docs");
    List<String> names = new ArrayList<>();
    if (!Files.isDirectory(docs)) {
      return names;
    }
    try (Stream<Path> pages = Files.list(docs)) {
      for (Path page : pages.filter(p -> p.toString().endsWith(".md")).toList()) {
        Matcher m = README_BLOCK.matcher(Files.readString(page, StandardCharsets.UTF_8));
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    return names;
  }

  private static Map<String, String> readmeSnippets() throws IOException {
    String text = Files.readString(repositoryRoot().resolve("README.md"), StandardCharsets.UTF_8);
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = README_BLOCK.matcher(text);
    while (m.find()) {
      assertTrue(out.put(m.group(1), m.group(2)) == null, "README repeats snippet " + m.group(1));
    }
    return out;
  }

  private static Map<String, String> sourceSnippets() throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    List<Path> files = new ArrayList<>();
    for (String module : List.of("examples", "examples-spring-boot")) {
      for (String dir : List.of("src/main/java", "src/main/resources")) {
        Path src = repositoryRoot().resolve(module).resolve(dir);
        if (!Files.isDirectory(src)) {
          continue;
        }
        try (Stream<Path> walk = Files.walk(src)) {
          walk.filter(p -> p.toString().endsWith(".java") || p.toString().endsWith(".yml"))
              .sorted()
              .forEach(files::add);
        }
      }
    }
    for (Path file : files) {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      String mark = file.toString().endsWith(".yml") ? "# " : "// ";
      String name = null;
      List<String> body = new ArrayList<>();
      for (String line : lines) {
        String t = line.strip();
        if (t.startsWith(mark + "snippet:start ")) {
          name = t.substring((mark + "snippet:start ").length()).strip();
          body.clear();
        } else if (t.equals(mark + "snippet:end")) {
          assertTrue(name != null, "snippet:end without start in " + file);
          assertTrue(out.put(name, dedent(body)) == null, "snippet " + name + " defined twice");
          name = null;
        } else if (name != null) {
          body.add(line);
        }
      }
      assertTrue(name == null, "unterminated snippet " + name + " in " + file);
    }
    return out;
  }

  private static String dedent(List<String> lines) {
    int indent =
        lines.stream()
            .filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length())
            .min()
            .orElse(0);
    StringBuilder sb = new StringBuilder();
    for (String l : lines) {
      sb.append(l.isBlank() ? "" : l.substring(indent)).append('\n');
    }
    return sb.toString();
  }
}

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
 * snippet:end} in this module's sources, which the build compiles. A README block preceded by
 * {@code <!-- snippet: NAME -->} must equal its region, so the README cannot drift from code that
 * compiles.
 */
class ReadmeSnippetsTest {
  private static final Pattern README_BLOCK =
      Pattern.compile("<!-- snippet: ([a-z0-9-]+) -->\\s*```java\\n(.*?)```", Pattern.DOTALL);

  @Test
  void everyReadmeSnippetIsCompiledCode() throws IOException {
    Map<String, String> sources = sourceSnippets();
    Map<String, String> readme = readmeSnippets();
    assertFalse(sources.isEmpty(), "no snippets found in the sources");
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
    Path src = repositoryRoot().resolve("examples/src/main/java");
    List<Path> files;
    try (Stream<Path> walk = Files.walk(src)) {
      files = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
    for (Path file : files) {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      String name = null;
      List<String> body = new ArrayList<>();
      for (String line : lines) {
        String t = line.strip();
        if (t.startsWith("// snippet:start ")) {
          name = t.substring("// snippet:start ".length()).strip();
          body.clear();
        } else if (t.equals("// snippet:end")) {
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

package io.github.wechatmp.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The documentation's compiled snippets: where they come from, what a page must show for each, and
 * the rewrite that brings the pages back in line with the sources.
 *
 * <p>A source snippet is the region between {@code // snippet:start NAME} and {@code //
 * snippet:end} in a Java file under {@code examples*}{@code /src/main/java}, or between {@code #
 * snippet:start NAME} and {@code # snippet:end} in a {@code .yml} under {@code examples*}{@code
 * /src/main/resources}. A page (README.md, or any {@code docs/**}{@code .md}) shows it as {@code
 * <!-- snippet: NAME -->} followed by a fenced block whose content is, for Java, the import lines
 * of the source file whose simple name (for a static import, the member's name) occurs in the
 * region as a whole word, in the file's order, then one blank line, then the region's lines
 * de-indented; for YAML, the region de-indented. A new user sees which jar each type comes from.
 */
final class DocSnippets {
  /** A doc block: the marker, optional blank lines, a fenced java or yaml block. */
  static final Pattern DOC_BLOCK =
      Pattern.compile(
          "<!-- snippet: ([A-Za-z0-9_.-]+) -->[ \\t]*\\n\\s*```(java|yaml)\\n(.*?)```",
          Pattern.DOTALL);

  /** Every marker, with or without a block after it (a marker without one is an error). */
  static final Pattern MARKER = Pattern.compile("<!-- snippet: ?([^ >]*) ?-->");

  private static final Pattern IMPORT =
      Pattern.compile("import\\s+(static\\s+)?([\\w.]+?)(\\.\\*)?\\s*;");

  private DocSnippets() {}

  /** A source snippet: its name, the file it lives in, and the block a page must show for it. */
  record Source(String name, Path file, String language, String block) {}

  /** A block on a page: the page, the snippet it names, its fence language and content. */
  record DocBlock(Path page, String name, String language, String content) {}

  /**
   * The repository root: the first ancestor of the working directory with README.md and examples/.
   */
  static Path repositoryRoot() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("README.md")) && Files.isDirectory(d.resolve("examples"))) {
        return d;
      }
    }
    throw new IllegalStateException(
        "the repository root (README.md beside examples/) was not found above "
            + Path.of("").toAbsolutePath());
  }

  /** README.md and every Markdown file under docs/, in a stable order. */
  static List<Path> pages(Path root) throws IOException {
    List<Path> out = new ArrayList<>();
    out.add(root.resolve("README.md"));
    Path docs = root.resolve("docs");
    if (Files.isDirectory(docs)) {
      try (Stream<Path> walk = Files.walk(docs)) {
        walk.filter(p -> p.toString().endsWith(".md")).sorted().forEach(out::add);
      }
    }
    return out;
  }

  /** Every snippet of the examples' sources, by name; a name defined twice is an error. */
  static Map<String, Source> sources(Path root) throws IOException {
    Map<String, Source> out = new TreeMap<>();
    List<Path> files = new ArrayList<>();
    try (Stream<Path> modules = Files.list(root)) {
      for (Path module :
          modules.filter(p -> p.getFileName().toString().startsWith("examples")).toList()) {
        for (String dir : List.of("src/main/java", "src/main/resources")) {
          Path src = module.resolve(dir);
          if (Files.isDirectory(src)) {
            try (Stream<Path> walk = Files.walk(src)) {
              walk.filter(p -> p.toString().endsWith(".java") || p.toString().endsWith(".yml"))
                  .forEach(files::add);
            }
          }
        }
      }
    }
    files.sort(null);
    for (Path file : files) {
      for (Source s : sourcesOf(root.relativize(file), Files.readString(file))) {
        Source before = out.put(s.name(), s);
        if (before != null) {
          throw new IllegalStateException(
              "snippet '" + s.name() + "' is defined twice: in " + before.file() + " and " + file);
        }
      }
    }
    return out;
  }

  /** The snippets of one file's text; {@code file} only names it (and tells Java from YAML). */
  static List<Source> sourcesOf(Path file, String text) {
    boolean yaml = file.toString().endsWith(".yml");
    String mark = yaml ? "# " : "// ";
    List<String> lines = text.lines().toList();
    List<Source> out = new ArrayList<>();
    String name = null;
    List<String> body = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String t = lines.get(i).strip();
      if (t.startsWith(mark + "snippet:start ")) {
        if (name != null) {
          throw new IllegalStateException(
              file
                  + ":"
                  + (i + 1)
                  + ": snippet '"
                  + name
                  + "' is not ended before the next starts");
        }
        name = t.substring((mark + "snippet:start ").length()).strip();
        body.clear();
      } else if (t.equals(mark + "snippet:end")) {
        if (name == null) {
          throw new IllegalStateException(file + ":" + (i + 1) + ": snippet:end without a start");
        }
        String block = yaml ? dedent(body) : javaBlock(lines, body);
        out.add(new Source(name, file, yaml ? "yaml" : "java", block));
        name = null;
      } else if (name != null) {
        body.add(lines.get(i));
      }
    }
    if (name != null) {
      throw new IllegalStateException(file + ": snippet '" + name + "' has no snippet:end");
    }
    return out;
  }

  /**
   * What a page shows for a Java region: the file's imports whose simple name (a static import's
   * member) occurs in the region as a whole word, in the file's order, a blank line, then the
   * region de-indented; the region alone when no import matches.
   */
  static String javaBlock(List<String> fileLines, List<String> region) {
    String code = String.join("\n", region);
    StringBuilder imports = new StringBuilder();
    for (String line : fileLines) {
      Matcher m = IMPORT.matcher(line.strip());
      if (!line.strip().startsWith("import ") || !m.matches() || m.group(3) != null) {
        // A wildcard import names no single type, so no word of the region can select it.
        continue;
      }
      String qualified = m.group(2);
      String simple = qualified.substring(qualified.lastIndexOf('.') + 1);
      if (Pattern.compile("(?<![\\w$])" + Pattern.quote(simple) + "(?![\\w$])")
          .matcher(code)
          .find()) {
        imports.append(line.strip()).append('\n');
      }
    }
    String body = dedent(region);
    return imports.length() == 0 ? body : imports + "\n" + body;
  }

  /** The lines with their common indentation removed, blank lines emptied, each ending in \n. */
  static String dedent(List<String> lines) {
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

  /** The snippet blocks of one page's text. */
  static List<DocBlock> blocksOf(Path page, String text) {
    List<DocBlock> out = new ArrayList<>();
    Matcher m = DOC_BLOCK.matcher(text);
    while (m.find()) {
      out.add(new DocBlock(page, m.group(1), m.group(2), m.group(3)));
    }
    return out;
  }

  /** The names of every snippet marker on a page, whether or not a fenced block follows it. */
  static List<String> markersOf(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = MARKER.matcher(text);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /**
   * The page's text with every snippet block replaced by its source's block; blocks naming no
   * source are left as they are (the check reports them).
   */
  static String rewrite(String text, Map<String, Source> sources) {
    Matcher m = DOC_BLOCK.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      Source s = sources.get(m.group(1));
      String replacement =
          s == null
              ? m.group()
              : text.substring(m.start(), m.start(2)) + s.language() + "\n" + s.block() + "```";
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Rewrites every page's blocks from the sources; returns the pages it changed. */
  static List<Path> update(Path root) throws IOException {
    Map<String, Source> sources = sources(root);
    List<Path> changed = new ArrayList<>();
    for (Path page : pages(root)) {
      String text = Files.readString(page, StandardCharsets.UTF_8);
      String updated = rewrite(text, sources);
      if (!updated.equals(text)) {
        Files.writeString(page, updated, StandardCharsets.UTF_8);
        changed.add(root.relativize(page));
      }
    }
    return changed;
  }

  /**
   * Rewrites the pages' snippet blocks from the sources ({@code .ci/sync-doc-snippets} runs it).
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    try {
      Path root = repositoryRoot();
      List<Path> changed = update(root);
      System.out.println(
          changed.isEmpty() ? "every snippet block is up to date" : "rewrote " + changed);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package io.github.wechatmp.message;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The vendored test vectors in {@code test-vectors/message-crypto.md}, found by walking up from the
 * working directory (or at {@code -Dwechat.vectors=<file>}), read section by section into {@code
 * name -> value} maps. Tests take every value from the file, so that they check exactly what the
 * file says.
 */
public final class SharedVectors {
  private static volatile Map<String, Map<String, String>> sections;

  private SharedVectors() {}

  /** The values of the section whose heading starts with {@code prefix} ("V1", "JS-SDK", ...). */
  public static Map<String, String> section(String prefix) {
    for (Map.Entry<String, Map<String, String>> e : all().entrySet()) {
      if (e.getKey().startsWith(prefix)) {
        return e.getValue();
      }
    }
    throw new AssertionError(
        "No section '" + prefix + "' in " + file() + "; sections: " + all().keySet());
  }

  /**
   * The value of {@code name} in section {@code prefix}; fails the test clearly if it is absent.
   */
  public static String value(String prefix, String name) {
    String v = section(prefix).get(name);
    if (v == null) {
      throw new AssertionError(
          "No value '"
              + name
              + "' in section "
              + prefix
              + " of "
              + file()
              + "; has "
              + section(prefix).keySet());
    }
    return v;
  }

  static Path file() {
    String override = System.getProperty("wechat.vectors");
    if (override != null) {
      return Paths.get(override);
    }
    return io.github.wechatmp.testing.SharedVectors.file("message-crypto.md");
  }

  private static Map<String, Map<String, String>> all() {
    Map<String, Map<String, String>> s = sections;
    if (s == null) {
      s = parse(file());
      sections = s;
    }
    return s;
  }

  /**
   * Bullets of the form {@code - Name: value Other: value}, {@code - Name: value -> expected}
   * (stored as Name and Name.expected), and {@code - Name:} followed by the value on the next line.
   * A parenthetical after a name is dropped ("Decrypted msg (167 bytes)" becomes "Decrypted msg"
   * and "Decrypted msg.note" holds "167 bytes"); so is a parenthetical comment after an inline
   * value.
   */
  static Map<String, Map<String, String>> parse(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
    Map<String, Map<String, String>> result = new LinkedHashMap<>();
    Map<String, String> current = null;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.startsWith("#")) {
        String heading = line.replaceFirst("^#+\\s*", "");
        current = new LinkedHashMap<>();
        result.put(heading, current);
        continue;
      }
      if (current == null || !line.startsWith("- ")) {
        continue;
      }
      String item = line.substring(2);
      if (item.endsWith(":") && i + 1 < lines.size()) {
        put(current, item.substring(0, item.length() - 1), lines.get(++i).strip());
        continue;
      }
      for (String part : item.split("\\s{3,}")) {
        int colon = part.indexOf(": ");
        if (colon < 0) {
          continue;
        }
        String name = part.substring(0, colon);
        String value = part.substring(colon + 2).strip();
        String[] arrow = value.split("\\s+->\\s+", 2);
        if (arrow.length == 2) {
          put(current, name, arrow[0]);
          current.put(name.strip() + ".expected", arrow[1].strip());
        } else {
          put(current, name, value.replaceFirst("\\s+\\(.*\\)$", ""));
        }
      }
    }
    return result;
  }

  private static void put(Map<String, String> section, String rawName, String value) {
    String name = rawName.strip();
    int sentence = name.lastIndexOf(". ");
    if (sentence >= 0) {
      name =
          name.substring(
              sentence + 2); // "Same key and AppId as V1. random prefix" names the prefix
    }
    int paren = name.indexOf(" (");
    if (paren > 0 && name.endsWith(")")) {
      section.put(name.substring(0, paren) + ".note", name.substring(paren + 2, name.length() - 1));
      name = name.substring(0, paren);
    }
    section.put(name, value);
  }
}

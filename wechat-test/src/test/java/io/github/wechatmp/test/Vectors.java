package io.github.wechatmp.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** test-vectors/message-crypto.md read into section -> (name -> value); values from the file. */
final class Vectors {
  private static Map<String, Map<String, String>> sections;

  private Vectors() {}

  static synchronized String value(String section, String namePrefix) {
    if (sections == null) {
      sections = read();
    }
    for (Map.Entry<String, Map<String, String>> s : sections.entrySet()) {
      if (s.getKey().startsWith(section)) {
        for (Map.Entry<String, String> e : s.getValue().entrySet()) {
          if (e.getKey().startsWith(namePrefix) || e.getKey().contains(". " + namePrefix)) {
            return e.getValue();
          }
        }
        throw new AssertionError(
            "no " + namePrefix + " in " + section + ": " + s.getValue().keySet());
      }
    }
    throw new AssertionError("no section " + section);
  }

  private static Map<String, Map<String, String>> read() {
    List<String> lines;
    try {
      lines = Files.readAllLines(Http.vector("message-crypto.md"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    Map<String, String> current = null;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.startsWith("## ")) {
        current = new LinkedHashMap<>();
        out.put(line.substring(3).strip(), current);
      } else if (current != null && line.startsWith("- ")) {
        for (String piece : line.substring(2).split("\\s{3,}")) {
          int colon = piece.indexOf(':');
          if (colon < 0) {
            continue;
          }
          String name = piece.substring(0, colon).strip();
          String value = piece.substring(colon + 1).strip().replaceFirst("\\s+\\(.*\\)$", "");
          if (value.isEmpty() && i + 1 < lines.size()) {
            value = lines.get(i + 1).strip();
          }
          current.put(name, value);
        }
      }
    }
    return out;
  }
}

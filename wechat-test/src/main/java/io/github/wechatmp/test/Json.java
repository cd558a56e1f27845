package io.github.wechatmp.test;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The little JSON the stand-in needs: reading a flat object (the body of {@code stable_token}) and
 * quoting strings in answers. Values that are objects or arrays are skipped over, not returned.
 */
final class Json {
  private final String text;
  private int pos;

  private Json(String text) {
    this.text = text;
  }

  /**
   * Parses a JSON object, returning its top-level members whose values are strings, numbers,
   * booleans or null (as Java strings, booleans, the number's text, or null).
   *
   * @throws IllegalArgumentException if {@code text} is not one JSON object
   */
  static Map<String, Object> parseObject(String text) {
    Json p = new Json(text);
    p.skipSpace();
    Map<String, Object> out = p.object(true);
    p.skipSpace();
    if (p.pos != text.length()) {
      throw new IllegalArgumentException("trailing characters after the JSON object");
    }
    return out;
  }

  /** Returns whether {@code text} is one well-formed JSON object. */
  static boolean isObject(String text) {
    try {
      parseObject(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Quotes {@code s} as a JSON string. */
  static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  private Map<String, Object> object(boolean keep) {
    expect('{');
    Map<String, Object> out = new LinkedHashMap<>();
    skipSpace();
    if (peek() == '}') {
      pos++;
      return out;
    }
    while (true) {
      skipSpace();
      String name = string();
      skipSpace();
      expect(':');
      skipSpace();
      Object value = value();
      if (keep) {
        out.put(name, value);
      }
      skipSpace();
      char c = next();
      if (c == '}') {
        return out;
      }
      if (c != ',') {
        throw new IllegalArgumentException("expected , or } at " + (pos - 1));
      }
    }
  }

  private Object value() {
    char c = peek();
    if (c == '"') {
      return string();
    }
    if (c == '{') {
      object(false);
      return Skipped.VALUE;
    }
    if (c == '[') {
      pos++;
      skipSpace();
      if (peek() == ']') {
        pos++;
        return Skipped.VALUE;
      }
      while (true) {
        skipSpace();
        value();
        skipSpace();
        char d = next();
        if (d == ']') {
          return Skipped.VALUE;
        }
        if (d != ',') {
          throw new IllegalArgumentException("expected , or ] at " + (pos - 1));
        }
      }
    }
    if (text.startsWith("true", pos)) {
      pos += 4;
      return Boolean.TRUE;
    }
    if (text.startsWith("false", pos)) {
      pos += 5;
      return Boolean.FALSE;
    }
    if (text.startsWith("null", pos)) {
      pos += 4;
      return null;
    }
    int start = pos;
    while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
      pos++;
    }
    if (start == pos) {
      throw new IllegalArgumentException("unexpected character at " + pos);
    }
    String number = text.substring(start, pos);
    try {
      Double.parseDouble(number);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad number at " + start, e);
    }
    return number;
  }

  private String string() {
    expect('"');
    StringBuilder b = new StringBuilder();
    while (true) {
      char c = next();
      if (c == '"') {
        return b.toString();
      }
      if (c < 0x20) {
        throw new IllegalArgumentException("control character in a string at " + (pos - 1));
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      char e = next();
      switch (e) {
        case '"', '\\', '/' -> b.append(e);
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> {
          if (pos + 4 > text.length()) {
            throw new IllegalArgumentException("truncated \\u escape");
          }
          try {
            b.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
          } catch (NumberFormatException x) {
            throw new IllegalArgumentException("bad \\u escape at " + pos, x);
          }
          pos += 4;
        }
        default -> throw new IllegalArgumentException("bad escape at " + (pos - 1));
      }
    }
  }

  private void skipSpace() {
    while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) {
      pos++;
    }
  }

  private char peek() {
    if (pos >= text.length()) {
      throw new IllegalArgumentException("unexpected end of JSON");
    }
    return text.charAt(pos);
  }

  private char next() {
    char c = peek();
    pos++;
    return c;
  }

  private void expect(char c) {
    if (next() != c) {
      throw new IllegalArgumentException("expected " + c + " at " + (pos - 1));
    }
  }

  /** Stands for a nested object or array, which the stand-in never needs to read. */
  enum Skipped {
    VALUE
  }
}

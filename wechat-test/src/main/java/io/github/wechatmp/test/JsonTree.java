package io.github.wechatmp.test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whole JSON documents for the stand-in's API endpoints: parsed into maps, lists, strings, doubles,
 * booleans and nulls, and written back.
 */
final class JsonTree {
  private final String text;
  private int pos;

  private JsonTree(String text) {
    this.text = text;
  }

  /**
   * Parses one JSON value.
   *
   * @throws IllegalArgumentException if {@code text} is not one JSON value
   */
  static Object parse(String text) {
    JsonTree p = new JsonTree(text);
    Object v = p.value();
    p.space();
    if (p.pos != text.length()) {
      throw new IllegalArgumentException("trailing characters after the JSON value");
    }
    return v;
  }

  /** Parses a JSON object, or returns null if {@code text} is not one. */
  @SuppressWarnings("unchecked") // an object parses to a map of names
  static Map<String, Object> object(String text) {
    try {
      Object v = parse(text);
      return v instanceof Map<?, ?> ? (Map<String, Object>) v : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static String write(Object value) {
    StringBuilder b = new StringBuilder();
    write(value, b);
    return b.toString();
  }

  private static void write(Object value, StringBuilder b) {
    if (value == null) {
      b.append("null");
    } else if (value instanceof String s) {
      b.append(Json.quote(s));
    } else if (value instanceof Double d) {
      b.append(
          d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : d.toString());
    } else if (value instanceof Number || value instanceof Boolean) {
      b.append(value);
    } else if (value instanceof Map<?, ?> m) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          b.append(',');
        }
        first = false;
        b.append(Json.quote(String.valueOf(e.getKey()))).append(':');
        write(e.getValue(), b);
      }
      b.append('}');
    } else if (value instanceof List<?> l) {
      b.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        write(l.get(i), b);
      }
      b.append(']');
    } else {
      throw new IllegalArgumentException("not a JSON value: " + value.getClass());
    }
  }

  private void space() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(what + " at " + pos);
  }

  private Object value() {
    space();
    if (pos >= text.length()) {
      throw error("unexpected end");
    }
    char c = text.charAt(pos);
    switch (c) {
      case '{':
        return objectValue();
      case '[':
        return array();
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", null);
      default:
        return number();
    }
  }

  private Object literal(String word, Object value) {
    if (!text.startsWith(word, pos)) {
      throw error("unexpected character");
    }
    pos += word.length();
    return value;
  }

  private Map<String, Object> objectValue() {
    Map<String, Object> out = new LinkedHashMap<>();
    pos++;
    space();
    if (pos < text.length() && text.charAt(pos) == '}') {
      pos++;
      return out;
    }
    while (true) {
      space();
      if (pos >= text.length() || text.charAt(pos) != '"') {
        throw error("expected a name");
      }
      String name = string();
      space();
      if (pos >= text.length() || text.charAt(pos) != ':') {
        throw error("expected ':'");
      }
      pos++;
      out.put(name, value());
      space();
      if (pos >= text.length()) {
        throw error("unexpected end");
      }
      char c = text.charAt(pos++);
      if (c == '}') {
        return out;
      }
      if (c != ',') {
        throw error("expected ',' or '}'");
      }
    }
  }

  private List<Object> array() {
    List<Object> out = new ArrayList<>();
    pos++;
    space();
    if (pos < text.length() && text.charAt(pos) == ']') {
      pos++;
      return out;
    }
    while (true) {
      out.add(value());
      space();
      if (pos >= text.length()) {
        throw error("unexpected end");
      }
      char c = text.charAt(pos++);
      if (c == ']') {
        return out;
      }
      if (c != ',') {
        throw error("expected ',' or ']'");
      }
    }
  }

  private String string() {
    StringBuilder b = new StringBuilder();
    pos++;
    while (pos < text.length()) {
      char c = text.charAt(pos++);
      if (c == '"') {
        return b.toString();
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (pos >= text.length()) {
        break;
      }
      char e = text.charAt(pos++);
      switch (e) {
        case 'n' -> b.append('\n');
        case 't' -> b.append('\t');
        case 'r' -> b.append('\r');
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'u' -> {
          if (pos + 4 > text.length()) {
            throw error("bad escape");
          }
          try {
            b.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
          } catch (NumberFormatException x) {
            throw error("bad escape");
          }
          pos += 4;
        }
        default -> b.append(e);
      }
    }
    throw error("unterminated string");
  }

  private Double number() {
    int start = pos;
    while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
      pos++;
    }
    if (start == pos) {
      throw error("unexpected character");
    }
    try {
      return Double.valueOf(text.substring(start, pos));
    } catch (NumberFormatException e) {
      throw error("bad number");
    }
  }
}

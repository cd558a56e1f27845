package io.github.wechatmp.internal.xml;

import io.github.wechatmp.message.MessageCryptoException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scanner for the small documents WeChat pushes: elements, text, CDATA, comments, the five
 * predefined entities and character references. It has no code path for a document type declaration
 * or a processing instruction (the XML declaration included): meeting {@code <!D...} or {@code <?}
 * anywhere is an error, so no entity can be declared, expanded or fetched. Element and attribute
 * names must be ASCII ({@code [A-Za-z_][A-Za-z0-9_.-]*}): WeChat uses no others and no namespaces.
 * Everything else follows XML 1.0's well-formedness rules, including line-end normalisation, which
 * a differential test checks against the JDK's parser.
 *
 * <p>One pass over the string, no per-document setup; stateless and thread-safe.
 */
public final class FlatXml {
  /** Nesting beyond this is not WeChat's and is refused. */
  public static final int MAX_DEPTH = 16;

  private final String s;
  private final int len;
  private int pos;
  private final List<String> paths = new ArrayList<>(12);
  private final List<String> values = new ArrayList<>(12);

  private FlatXml(String s) {
    this.s = s;
    this.len = s.length();
  }

  /** The leaves of one document, in document order, repeats included. */
  public static final class Leaves {
    private final List<String> paths;
    private final List<String> values;

    Leaves(List<String> paths, List<String> values) {
      this.paths = paths;
      this.values = values;
    }

    /** The number of leaves. */
    public int size() {
      return paths.size();
    }

    /** The path of leaf {@code i}: element names below the root joined with {@code "."}. */
    public String path(int i) {
      return paths.get(i);
    }

    /** The text of leaf {@code i}. */
    public String value(int i) {
      return values.get(i);
    }

    /** Every value whose path is {@code path}, in document order. */
    public List<String> all(String path) {
      List<String> out = new ArrayList<>(2);
      for (int i = 0; i < paths.size(); i++) {
        if (paths.get(i).equals(path)) {
          out.add(values.get(i));
        }
      }
      return out;
    }

    /** An unmodifiable map of each path to its first value, in document order. */
    public Map<String, String> firstValues() {
      return Collections.unmodifiableMap(newFirstValuesMap());
    }

    /** A new map of each path to its first value, in document order, for the caller to own. */
    public LinkedHashMap<String, String> newFirstValuesMap() {
      LinkedHashMap<String, String> m = new LinkedHashMap<>(paths.size() * 2);
      for (int i = 0; i < paths.size(); i++) {
        m.putIfAbsent(paths.get(i), values.get(i));
      }
      return m;
    }
  }

  /**
   * Scans {@code xml}; see the class description for what is accepted.
   *
   * @param xml the document, not null
   * @return its leaves: elements below the root without child elements
   * @throws MessageCryptoException with {@link MessageCryptoException#MALFORMED_XML} for anything
   *     that is not a well-formed document of that kind
   */
  public static Leaves scan(String xml) {
    FlatXml x = new FlatXml(xml);
    x.document();
    return new Leaves(x.paths, x.values);
  }

  private static MessageCryptoException error(String message) {
    return new MessageCryptoException(MessageCryptoException.MALFORMED_XML, message);
  }

  private MessageCryptoException notWellFormed(String what) {
    return error("The XML document is not well-formed at offset " + pos + ": " + what);
  }

  private void document() {
    misc();
    if (pos >= len || s.charAt(pos) != '<') {
      throw pos >= len
          ? error("The XML document has no root element")
          : notWellFormed("text before the root element");
    }
    element();
    misc();
    if (pos < len) {
      throw notWellFormed("content after the root element");
    }
  }

  /** White space and comments around the root; refuses a DOCTYPE or processing instruction. */
  private void misc() {
    while (true) {
      skipWhitespace();
      if (pos >= len) {
        return;
      }
      if (s.startsWith("<!--", pos)) {
        comment();
      } else if (s.startsWith("<!", pos)) {
        throw refusedDeclaration();
      } else if (s.startsWith("<?", pos)) {
        throw refusedInstruction();
      } else {
        return; // the root (before it) or trailing content (after it), which the caller judges
      }
    }
  }

  private MessageCryptoException refusedDeclaration() {
    if (s.startsWith("<!DOCTYPE", pos)) {
      return error(
          "The XML document has a document type declaration (DOCTYPE), which is never accepted");
    }
    return notWellFormed("a markup declaration, which is never accepted");
  }

  private MessageCryptoException refusedInstruction() {
    return error(
        "The XML document has a processing instruction or XML declaration (<?...?>), which is never accepted");
  }

  private void element() {
    String[] names = new String[MAX_DEPTH + 1];
    int[] pathLengths = new int[MAX_DEPTH + 1];
    boolean[] hasChild = new boolean[MAX_DEPTH + 1];
    StringBuilder path = new StringBuilder(48);
    StringBuilder text = new StringBuilder(64);
    int depth = 0;
    while (true) {
      if (pos >= len) {
        throw notWellFormed("the document ends inside element <" + names[depth] + ">");
      }
      char c = s.charAt(pos);
      if (c == '<') {
        if (pos + 1 >= len) {
          throw notWellFormed("the document ends inside a tag");
        }
        char n = s.charAt(pos + 1);
        if (n == '/') {
          if (depth == 0) {
            throw notWellFormed("an end tag before the root element");
          }
          pos += 2;
          String name = name();
          skipWhitespace();
          expect('>');
          if (!name.equals(names[depth])) {
            throw notWellFormed("</" + name + "> closes <" + names[depth] + ">");
          }
          if (depth >= 2 && !hasChild[depth]) {
            emit(path, text);
          }
          path.setLength(pathLengths[depth]);
          depth--;
          if (depth == 0) {
            return;
          }
        } else if (n == '!') {
          if (s.startsWith("<!--", pos)) {
            comment();
          } else if (s.startsWith("<![CDATA[", pos)) {
            int start = pos + 9;
            int end = s.indexOf("]]>", start);
            if (end < 0) {
              throw notWellFormed("an unterminated CDATA section");
            }
            if (depth == 0) {
              throw notWellFormed("CDATA outside the root element");
            }
            boolean collect = depth >= 2 && !hasChild[depth];
            appendChars(start, end, collect ? text : null);
            pos = end + 3;
          } else {
            throw refusedDeclaration();
          }
        } else if (n == '?') {
          throw refusedInstruction();
        } else {
          pos++;
          String name = name();
          boolean empty = attributes();
          if (depth > 0) {
            hasChild[depth] = true;
          }
          depth++;
          if (depth > MAX_DEPTH) {
            throw error("The XML document is nested more than " + MAX_DEPTH + " levels deep");
          }
          names[depth] = name;
          hasChild[depth] = false;
          pathLengths[depth] = path.length();
          if (depth >= 2) {
            if (depth > 2) {
              path.append('.');
            }
            path.append(name);
          }
          text.setLength(0);
          if (empty) {
            if (depth >= 2) {
              emit(path, text);
            }
            path.setLength(pathLengths[depth]);
            depth--;
            if (depth == 0) {
              return;
            }
          }
        }
      } else if (c == '&') {
        reference(depth >= 2 && !hasChild[depth] ? text : null);
      } else {
        int end = pos;
        while (end < len) {
          char d = s.charAt(end);
          if (d == '<' || d == '&') {
            break;
          }
          if (d == '>' && end - pos >= 2 && s.charAt(end - 1) == ']' && s.charAt(end - 2) == ']') {
            pos = end - 2;
            throw notWellFormed("']]>' in text");
          }
          end++;
        }
        appendChars(pos, end, depth >= 2 && !hasChild[depth] ? text : null);
        pos = end;
      }
    }
  }

  private void emit(StringBuilder path, StringBuilder text) {
    paths.add(path.toString());
    values.add(text.toString());
  }

  /**
   * Checks the characters in [from, to) and appends them to {@code out} (if not null) with line
   * ends normalised as XML requires: CR LF and a lone CR become LF.
   */
  private void appendChars(int from, int to, StringBuilder out) {
    int run = from;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c <= 0xD7FF) {
        continue;
      }
      if (c == '\n' || c == '\t' || (c >= 0xE000 && c <= 0xFFFD)) {
        continue;
      }
      if (c == '\r') {
        if (out != null) {
          out.append(s, run, i).append('\n');
        }
        if (i + 1 < to && s.charAt(i + 1) == '\n') {
          i++;
        }
        run = i + 1;
        continue;
      }
      if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
        continue;
      }
      pos = i;
      throw notWellFormed(
          "a character XML cannot carry (U+" + String.format("%04X", (int) c) + ")");
    }
    if (out != null) {
      out.append(s, run, to);
    }
  }

  /** An entity or character reference at pos; only the predefined five and character ones. */
  private void reference(StringBuilder out) {
    int semi = s.indexOf(';', pos + 1);
    if (semi < 0 || semi - pos > 64) {
      throw notWellFormed("'&' that does not start a reference");
    }
    String ref = s.substring(pos + 1, semi);
    int cp;
    if (ref.startsWith("#x")) {
      cp = number(ref, 2, 16);
    } else if (ref.startsWith("#")) {
      cp = number(ref, 1, 10);
    } else {
      switch (ref) {
        case "lt":
          cp = '<';
          break;
        case "gt":
          cp = '>';
          break;
        case "amp":
          cp = '&';
          break;
        case "apos":
          cp = '\'';
          break;
        case "quot":
          cp = '"';
          break;
        default:
          throw error("The XML document references an entity, which is never accepted");
      }
    }
    if (out != null) {
      out.appendCodePoint(cp);
    }
    pos = semi + 1;
  }

  private int number(String ref, int from, int radix) {
    if (ref.length() == from) {
      throw notWellFormed("an empty character reference");
    }
    int cp = 0;
    for (int i = from; i < ref.length(); i++) {
      int d = Character.digit(ref.charAt(i), radix);
      if (d < 0 || ref.charAt(i) > 'f') {
        throw notWellFormed("a malformed character reference");
      }
      cp = cp * radix + d;
      if (cp > 0x10FFFF) {
        throw notWellFormed("a character reference beyond Unicode");
      }
    }
    boolean ok =
        cp == 0x9
            || cp == 0xA
            || cp == 0xD
            || (cp >= 0x20 && cp <= 0xD7FF)
            || (cp >= 0xE000 && cp <= 0xFFFD)
            || cp >= 0x10000;
    if (!ok) {
      throw notWellFormed("a character reference to a character XML cannot carry");
    }
    return cp;
  }

  private void comment() {
    int start = pos + 4;
    int dashes = s.indexOf("--", start);
    if (dashes < 0) {
      throw notWellFormed("an unterminated comment");
    }
    if (dashes + 2 >= len || s.charAt(dashes + 2) != '>') {
      pos = dashes;
      throw notWellFormed("'--' inside a comment");
    }
    appendChars(start, dashes, null);
    pos = dashes + 3;
  }

  /** Reads the attributes after an element name; returns whether the tag was {@code />}. */
  private boolean attributes() {
    List<String> seen = null;
    while (true) {
      boolean spaced = skipWhitespace();
      if (pos >= len) {
        throw notWellFormed("the document ends inside a tag");
      }
      char c = s.charAt(pos);
      if (c == '>') {
        pos++;
        return false;
      }
      if (c == '/') {
        pos++;
        expect('>');
        return true;
      }
      if (!spaced) {
        throw notWellFormed("no white space before an attribute");
      }
      String name = name();
      if (seen == null) {
        seen = new ArrayList<>(2);
      } else if (seen.contains(name)) {
        throw notWellFormed("the attribute " + name + " is repeated");
      }
      seen.add(name);
      skipWhitespace();
      expect('=');
      skipWhitespace();
      if (pos >= len || (s.charAt(pos) != '"' && s.charAt(pos) != '\'')) {
        throw notWellFormed("an attribute value without quotes");
      }
      char quote = s.charAt(pos++);
      while (true) {
        if (pos >= len) {
          throw notWellFormed("an unterminated attribute value");
        }
        char d = s.charAt(pos);
        if (d == quote) {
          pos++;
          break;
        }
        if (d == '<') {
          throw notWellFormed("'<' in an attribute value");
        }
        if (d == '&') {
          reference(null);
        } else {
          int width = Character.isHighSurrogate(d) ? Math.min(2, len - pos) : 1;
          appendChars(pos, pos + width, null);
          pos += width;
        }
      }
    }
  }

  private String name() {
    int start = pos;
    if (pos >= len || !nameStart(s.charAt(pos))) {
      throw notWellFormed("a name must start with an ASCII letter or '_'");
    }
    pos++;
    while (pos < len && nameChar(s.charAt(pos))) {
      pos++;
    }
    if (pos < len) {
      char c = s.charAt(pos);
      if (c != '>' && c != '/' && c != '=' && !whitespace(c)) {
        throw notWellFormed("names must be ASCII letters, digits, '_', '.' and '-'");
      }
    }
    return s.substring(start, pos);
  }

  private static boolean nameStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }

  private static boolean nameChar(char c) {
    return nameStart(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
  }

  private static boolean whitespace(char c) {
    return c == ' ' || c == '\n' || c == '\t' || c == '\r';
  }

  private boolean skipWhitespace() {
    int start = pos;
    while (pos < len && whitespace(s.charAt(pos))) {
      pos++;
    }
    return pos > start;
  }

  private void expect(char c) {
    if (pos >= len || s.charAt(pos) != c) {
      throw notWellFormed("expected '" + c + "'");
    }
    pos++;
  }
}

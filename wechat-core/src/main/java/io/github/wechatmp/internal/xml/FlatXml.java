package io.github.wechatmp.internal.xml;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scanner for the small documents WeChat pushes: elements, text, CDATA, comments, the five
 * predefined entities and character references, and an XML declaration at the very start ({@code
 * <?xml version="1.0" encoding="UTF-8" standalone="yes"?>}, the encoding and standalone parts
 * optional, UTF-8 the only encoding: the document is already a string). It has no code path for a
 * document type declaration or a processing instruction: meeting {@code <!D...}, or {@code <?}
 * anywhere but that declaration, is an error, so no entity can be declared, expanded or fetched.
 * Element and attribute names must be ASCII ({@code [A-Za-z_][A-Za-z0-9_.-]*}): WeChat uses no
 * others and no namespaces. Everything else follows XML 1.0's well-formedness rules, including
 * line-end normalisation, which a differential test checks against the JDK's parser.
 *
 * <p>One pass over the string, no per-document setup; stateless and thread-safe.
 */
public final class FlatXml {
  /** Nesting beyond this is not WeChat's and is refused. */
  public static final int MAX_DEPTH = 16;

  private final String s;
  private final int len;
  private int pos;
  private int pendingFrom = -1;
  private int pendingTo;
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
   * @throws MalformedXmlException for anything that is not a well-formed document of that kind
   */
  public static Leaves scan(String xml) {
    FlatXml x = new FlatXml(xml);
    x.document();
    return new Leaves(x.paths, x.values);
  }

  /**
   * A document the scanner refuses. Its message says where and why, and never quotes the document.
   * Callers in the API packages turn it into their own exception ({@code MessageCryptoException}
   * with {@code MALFORMED_XML}), so that this package depends on none of them.
   */
  public static final class MalformedXmlException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    MalformedXmlException(String message) {
      super(message);
    }
  }

  private static MalformedXmlException error(String message) {
    return new MalformedXmlException(message);
  }

  private MalformedXmlException notWellFormed(String what) {
    return error("The XML document is not well-formed at offset " + pos + ": " + what);
  }

  private void document() {
    if (s.startsWith("<?xml", 0) && len > 5 && whitespace(s.charAt(5))) {
      xmlDeclaration();
    }
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

  /**
   * The XML declaration at offset 0, parsed by its fixed grammar (no general PI code): version 1.0,
   * then optionally encoding UTF-8 and standalone yes or no, in that order.
   */
  private void xmlDeclaration() {
    pos = 5;
    declarationAttribute("version", "1.0");
    if (declarationAttributeFollows("encoding")) {
      String encoding = declarationAttribute("encoding", null);
      if (!encoding.equalsIgnoreCase("UTF-8") && !encoding.equalsIgnoreCase("UTF8")) {
        throw notWellFormed("an XML declaration with an encoding other than UTF-8");
      }
    }
    if (declarationAttributeFollows("standalone")) {
      String standalone = declarationAttribute("standalone", null);
      if (!standalone.equals("yes") && !standalone.equals("no")) {
        throw notWellFormed("standalone must be yes or no");
      }
    }
    skipWhitespace();
    if (!s.startsWith("?>", pos)) {
      throw notWellFormed("an XML declaration that does not end with ?>");
    }
    pos += 2;
  }

  private boolean declarationAttributeFollows(String name) {
    int p = pos;
    while (p < len && whitespace(s.charAt(p))) {
      p++;
    }
    return p > pos && s.startsWith(name, p);
  }

  /** White space, {@code name}, {@code =}, a quoted value (equal to {@code expected} if given). */
  private String declarationAttribute(String name, String expected) {
    int start = pos;
    skipWhitespace();
    if (pos == start || !s.startsWith(name, pos)) {
      throw notWellFormed("an XML declaration without " + name);
    }
    pos += name.length();
    skipWhitespace();
    if (pos >= len || s.charAt(pos) != '=') {
      throw notWellFormed("an XML declaration without '=' after " + name);
    }
    pos++;
    skipWhitespace();
    char quote = pos < len ? s.charAt(pos) : 0;
    int end = quote == '"' || quote == '\'' ? s.indexOf(quote, pos + 1) : -1;
    if (end < 0) {
      throw notWellFormed("an XML declaration whose " + name + " is not quoted");
    }
    String value = s.substring(pos + 1, end);
    if (expected != null && !expected.equals(value)) {
      throw notWellFormed(
          "an XML declaration with " + name + " " + value + " (only " + expected + ")");
    }
    pos = end + 1;
    return value;
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

  private MalformedXmlException refusedDeclaration() {
    if (s.startsWith("<!DOCTYPE", pos)) {
      return error(
          "The XML document has a document type declaration (DOCTYPE), which is never accepted");
    }
    return notWellFormed("a markup declaration, which is never accepted");
  }

  private MalformedXmlException refusedInstruction() {
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
          int nameStart = pos;
          int nameEnd = nameEnd();
          String open = names[depth];
          // compared in place: an end tag needs no String of its own
          boolean closes = nameEnd - nameStart == open.length() && s.startsWith(open, nameStart);
          skipWhitespace();
          expect('>');
          if (!closes) {
            throw notWellFormed("</" + s.substring(nameStart, nameEnd) + "> closes <" + open + ">");
          }
          if (depth >= 2 && !hasChild[depth]) {
            emit(depth == 2 ? open : path.toString(), text);
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
            if (depth >= 2 && !hasChild[depth]) {
              collect(start, end, text);
            } else {
              appendChars(start, end, null);
            }
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
          pendingFrom = -1;
          if (empty) {
            if (depth >= 2) {
              emit(depth == 2 ? name : path.toString(), text);
            }
            path.setLength(pathLengths[depth]);
            depth--;
            if (depth == 0) {
              return;
            }
          }
        }
      } else if (c == '&') {
        boolean collecting = depth >= 2 && !hasChild[depth];
        if (collecting) {
          flushPending(text);
        }
        reference(collecting ? text : null);
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
        if (depth >= 2 && !hasChild[depth]) {
          collect(pos, end, text);
        } else {
          appendChars(pos, end, null);
        }
        pos = end;
      }
    }
  }

  private void emit(String path, StringBuilder text) {
    paths.add(path);
    String value;
    if (pendingFrom >= 0 && text.length() == 0) {
      value = s.substring(pendingFrom, pendingTo); // the common leaf: one run, copied once
    } else {
      flushPending(text);
      value = text.toString();
    }
    pendingFrom = -1;
    values.add(value);
  }

  /**
   * Collects the characters in [from, to) into the current leaf's text. The first run of a leaf
   * that needs no line-end normalisation is only remembered (as a range of the document), so that
   * the usual leaf, one run of text or one CDATA section, becomes its String with a single copy.
   */
  private void collect(int from, int to, StringBuilder text) {
    if (pendingFrom < 0 && text.length() == 0 && checkedWithoutCr(from, to)) {
      pendingFrom = from;
      pendingTo = to;
      return;
    }
    flushPending(text);
    appendChars(from, to, text);
  }

  private void flushPending(StringBuilder text) {
    if (pendingFrom >= 0) {
      text.append(s, pendingFrom, pendingTo);
      pendingFrom = -1;
    }
  }

  /** Checks [from, to) as appendChars does; false, before the end, at the first CR. */
  private boolean checkedWithoutCr(int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c <= 0xD7FF) {
        continue;
      }
      if (c == '\r') {
        return false;
      }
      if (c == '\n' || c == '\t' || (c >= 0xE000 && c <= 0xFFFD)) {
        continue;
      }
      if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
        continue;
      }
      appendChars(i, to, null); // throws, with the offset and the character
    }
    return true;
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
    return s.substring(start, nameEnd());
  }

  /** Reads a name at pos and returns its end (pos then), without making a String of it. */
  private int nameEnd() {
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
    return pos;
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

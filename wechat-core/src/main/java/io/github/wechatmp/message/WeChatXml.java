package io.github.wechatmp.message;

import io.github.wechatmp.internal.xml.FlatXml;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the small, flat XML documents WeChat pushes ({@code
 * <xml><ToUserName>..</ToUserName>...</xml>}) safely: a document type declaration is refused
 * outright, so neither external entities (XXE) nor entity expansion ("billion laughs") can happen,
 * nothing is ever fetched, and input is bounded to {@value #MAX_CHARS} characters. Documents are
 * read in one pass by a scanner made for WeChat's flat XML, with nothing set up per document: it
 * has no code for DTDs or processing instructions (the XML declaration included) and refuses them
 * wherever they appear; element and attribute names must be ASCII, without namespace prefixes.
 * {@link #write} builds replies that no value can inject markup into.
 *
 * <p>Stateless and thread-safe.
 */
public final class WeChatXml {
  /**
   * The largest document accepted, in characters (1 MiB); WeChat's messages are a few KiB at most.
   */
  public static final int MAX_CHARS = 1 << 20;

  /**
   * Nesting beyond this is not WeChat's and is refused, so no document can make the key paths huge.
   */
  static final int MAX_DEPTH = FlatXml.MAX_DEPTH;

  private static final Pattern ELEMENT_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

  private WeChatXml() {}

  /**
   * Parses {@code xml} and returns the text of every element below the root that has no child
   * elements, keyed by its name; an element nested under others is keyed by the path of names from
   * the root's child down, joined with {@code "."} (for example {@code ScanCodeInfo.ScanResult}).
   * CDATA sections and ordinary text are both read, and the text is returned exactly as written
   * (not trimmed). When a name occurs more than once, the first occurrence is kept. The root
   * element's name is not checked (WeChat uses {@code xml}).
   *
   * @param xml the document, at most {@value #MAX_CHARS} characters
   * @return an unmodifiable map in document order; never null
   * @throws MessageCryptoException with {@link MessageCryptoException#MALFORMED_XML} if {@code xml}
   *     is null, blank, too large, not well-formed, nested too deeply, or contains a document type
   *     declaration, a processing instruction or XML declaration, a non-ASCII or prefixed name, or
   *     an entity reference other than XML's five predefined ones
   */
  public static Map<String, String> parse(String xml) {
    if (xml == null || xml.isBlank()) {
      throw new MessageCryptoException(
          MessageCryptoException.MALFORMED_XML, "The XML document is empty");
    }
    if (xml.length() > MAX_CHARS) {
      throw new MessageCryptoException(
          MessageCryptoException.MALFORMED_XML,
          "The XML document has "
              + xml.length()
              + " characters, more than the "
              + MAX_CHARS
              + " accepted");
    }
    return FlatXml.scan(xml).firstValues();
  }

  /**
   * Writes {@code fields} as a flat WeChat document, {@code
   * <xml><Name><![CDATA[value]]></Name>...</xml>}, in the map's iteration order: the form of a
   * passive reply. Values are always CDATA, with any {@code "]]>"} split across two sections, so no
   * value can inject markup.
   *
   * <pre>{@code
   * Map<String, String> reply = new LinkedHashMap<>();
   * reply.put("ToUserName", in.get("FromUserName"));
   * reply.put("FromUserName", in.get("ToUserName"));
   * reply.put("CreateTime", String.valueOf(Instant.now().getEpochSecond()));
   * reply.put("MsgType", "text");
   * reply.put("Content", "Hello");
   * String xml = WeChatXml.write(reply);
   * }</pre>
   *
   * @param fields element names (letters, digits and {@code _}, not starting with a digit) to
   *     values
   * @return the document
   * @throws MessageCryptoException with {@link MessageCryptoException#REPLY_XML_FAILURE} if a name
   *     or value is null, a name is not of that form, a value holds a character XML cannot carry
   *     (control characters other than tab, line feed and carriage return; unpaired surrogates), or
   *     the document would exceed {@value #MAX_CHARS} characters
   */
  public static String write(Map<String, String> fields) {
    if (fields == null) {
      throw new MessageCryptoException(
          MessageCryptoException.REPLY_XML_FAILURE, "The fields are missing");
    }
    StringBuilder sb = new StringBuilder("<xml>");
    for (Map.Entry<String, String> e : fields.entrySet()) {
      String name = e.getKey();
      String value = e.getValue();
      if (name == null || !ELEMENT_NAME.matcher(name).matches()) {
        throw new MessageCryptoException(
            MessageCryptoException.REPLY_XML_FAILURE,
            "An element name must be letters, digits and _, not starting with a digit");
      }
      if (value == null) {
        throw new MessageCryptoException(
            MessageCryptoException.REPLY_XML_FAILURE, "The value of " + name + " is null");
      }
      requireXmlChars(name, value);
      sb.append('<')
          .append(name)
          .append("><![CDATA[")
          .append(value.replace("]]>", "]]]]><![CDATA[>"))
          .append("]]></")
          .append(name)
          .append('>');
      if (sb.length() > MAX_CHARS) {
        throw new MessageCryptoException(
            MessageCryptoException.REPLY_XML_FAILURE,
            "The document would exceed " + MAX_CHARS + " characters");
      }
    }
    return sb.append("</xml>").toString();
  }

  private static void requireXmlChars(String name, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean ok;
      if (Character.isHighSurrogate(c)) {
        ok = i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1));
        if (ok) {
          i++;
        }
      } else {
        ok =
            c == '\t'
                || c == '\n'
                || c == '\r'
                || (c >= 0x20 && c <= 0xD7FF)
                || (c >= 0xE000 && c <= 0xFFFD);
      }
      if (!ok) {
        throw new MessageCryptoException(
            MessageCryptoException.REPLY_XML_FAILURE,
            "The value of " + name + " has a character XML cannot carry at index " + i);
      }
    }
  }
}

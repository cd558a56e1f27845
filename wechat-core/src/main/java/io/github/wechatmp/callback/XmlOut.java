package io.github.wechatmp.callback;

/** Writes a passive reply: CDATA text that no value can break out of, numbers as numbers. */
final class XmlOut {
  private final StringBuilder sb = new StringBuilder(256).append("<xml>");

  /**
   * Refuses characters XML 1.0 cannot carry (controls other than tab, LF and CR; unpaired
   * surrogates; U+FFFE and U+FFFF), so that a reply once made can always be written.
   */
  static void checkText(String name, String value) {
    if (value == null) {
      return;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean ok;
      if (Character.isHighSurrogate(c)) {
        ok = i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1));
        i++;
      } else {
        ok =
            c == '\t'
                || c == '\n'
                || c == '\r'
                || (c >= 0x20 && c <= 0xD7FF)
                || (c >= 0xE000 && c <= 0xFFFD);
      }
      if (!ok) {
        throw new IllegalArgumentException(
            name + " has a character XML cannot carry at index " + i);
      }
    }
  }

  XmlOut cdata(String name, String value) {
    sb.append('<').append(name).append("><![CDATA[");
    int from = 0;
    int at;
    while ((at = value.indexOf("]]>", from)) >= 0) {
      // split the terminator across two sections, so the value cannot end the CDATA early
      sb.append(value, from, at + 2).append("]]><![CDATA[");
      from = at + 2;
    }
    sb.append(value, from, value.length()).append("]]></").append(name).append('>');
    return this;
  }

  XmlOut optional(String name, String value) {
    return value == null ? this : cdata(name, value);
  }

  XmlOut number(String name, long value) {
    sb.append('<').append(name).append('>').append(value).append("</").append(name).append('>');
    return this;
  }

  XmlOut open(String name) {
    sb.append('<').append(name).append('>');
    return this;
  }

  XmlOut close(String name) {
    sb.append("</").append(name).append('>');
    return this;
  }

  String finish() {
    return sb.append("</xml>").toString();
  }
}

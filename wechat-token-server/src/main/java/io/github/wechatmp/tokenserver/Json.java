package io.github.wechatmp.tokenserver;

/**
 * The few JSON answers the server writes, without a library: flat objects of strings and numbers.
 */
final class Json {
  private final StringBuilder b = new StringBuilder(256).append('{');

  Json string(String name, String value) {
    name(name);
    quote(value);
    return this;
  }

  Json number(String name, long value) {
    name(name).append(value);
    return this;
  }

  Json raw(String name, String json) {
    name(name).append(json);
    return this;
  }

  private StringBuilder name(String name) {
    if (b.length() > 1) {
      b.append(',');
    }
    quote(name);
    return b.append(':');
  }

  private void quote(String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          b.append("\\\"");
          break;
        case '\\':
          b.append("\\\\");
          break;
        default:
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
      }
    }
    b.append('"');
  }

  @Override
  public String toString() {
    return b.toString() + '}';
  }
}

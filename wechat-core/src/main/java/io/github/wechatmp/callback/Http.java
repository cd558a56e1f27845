package io.github.wechatmp.callback;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** What both adapters share: the query string's decoding and the bounded body read. */
final class Http {
  private Http() {}

  /** The decoded query parameters, the first value of each; malformed escapes are dropped. */
  static Map<String, String> query(String rawQuery) {
    Map<String, String> out = new HashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      try {
        String name =
            URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value =
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        out.putIfAbsent(name, value);
      } catch (IllegalArgumentException malformed) {
        // a malformed %-escape: the parameter counts as absent, and a required one gets a 400
      }
    }
    return out;
  }

  /** The body as UTF-8, or null when it has more than {@code max} bytes. */
  static String body(InputStream in, int max) throws IOException {
    byte[] bytes = in.readNBytes(max + 1);
    return bytes.length > max ? null : new String(bytes, StandardCharsets.UTF_8);
  }
}

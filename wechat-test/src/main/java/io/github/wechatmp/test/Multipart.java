package io.github.wechatmp.test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/** Finds one part of a {@code multipart/form-data} body, as a server does. */
final class Multipart {
  private Multipart() {}

  /**
   * A part.
   *
   * @param filename its file name, or null
   * @param contentType its content type, or ""
   * @param content its bytes
   */
  record Part(String filename, String contentType, byte[] content) {}

  /** The part named {@code field}, or null if there is none or the body is not multipart. */
  static Part find(byte[] body, String contentType, String field) {
    String boundary = boundary(contentType);
    if (boundary == null) {
      return null;
    }
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    int at = indexOf(body, delimiter, 0);
    while (at >= 0) {
      int headersStart = at + delimiter.length + 2; // CRLF
      if (headersStart > body.length) {
        return null;
      }
      int headersEnd =
          indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), headersStart);
      if (headersEnd < 0) {
        return null;
      }
      int next =
          indexOf(body, ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1), headersEnd);
      if (next < 0) {
        return null;
      }
      String headers =
          new String(body, headersStart, headersEnd - headersStart, StandardCharsets.UTF_8);
      String name = null;
      String filename = null;
      String type = "";
      for (String line : headers.split("\r\n")) {
        String lower = line.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-disposition:")) {
          name = param(line, "name");
          filename = param(line, "filename");
        } else if (lower.startsWith("content-type:")) {
          type = line.substring("content-type:".length()).strip();
        }
      }
      if (field.equals(name)) {
        return new Part(filename, type, Arrays.copyOfRange(body, headersEnd + 4, next));
      }
      at = next + 2;
    }
    return null;
  }

  private static String boundary(String contentType) {
    if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/")) {
      return null;
    }
    String b = param(contentType, "boundary");
    return b == null || b.isEmpty() ? null : b;
  }

  private static String param(String header, String name) {
    for (String piece : header.split(";")) {
      String p = piece.strip();
      if (p.toLowerCase(Locale.ROOT).startsWith(name + "=")) {
        String v = p.substring(name.length() + 1).strip();
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")
            ? v.substring(1, v.length() - 1)
            : v;
      }
    }
    return null;
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = Math.max(0, from); i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}

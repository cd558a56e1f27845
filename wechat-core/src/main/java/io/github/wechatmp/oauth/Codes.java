package io.github.wechatmp.oauth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The name a one-use code is known by in keys and entries: never the code itself. */
final class Codes {
  /** A code is 32 characters today; anything far longer is not WeChat's. */
  static final int MAX_CODE_LENGTH = 256;

  private Codes() {}

  /**
   * Checks that {@code code} can be a WeChat code, without ever putting it in the message.
   *
   * @throws IllegalArgumentException if it cannot
   */
  static String check(String code) {
    if (code == null || code.isEmpty()) {
      throw new IllegalArgumentException("code is missing: WeChat's redirect carries one");
    }
    if (code.length() > MAX_CODE_LENGTH) {
      throw new IllegalArgumentException(
          "code is " + code.length() + " characters long, not a WeChat authorization code");
    }
    for (int i = 0; i < code.length(); i++) {
      char c = code.charAt(i);
      if (c <= ' ' || c >= 0x7f || c == '&' || c == '#' || c == '%' || c == '+') {
        throw new IllegalArgumentException(
            "code holds a character a WeChat authorization code never holds");
      }
    }
    return code;
  }

  /** 160 bits of SHA-256 of the code, in lower-case hex: 40 characters. */
  static String hash(String code) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("wechat-mp web authorization code\0".getBytes(StandardCharsets.US_ASCII));
      byte[] digest = sha.digest(code.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 20);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}

package io.github.wechatmp.internal;

/**
 * Masking and scrubbing of credentials before they reach a log line, a message or a {@code
 * toString()}. Internal: not part of the SDK's API and may change without notice.
 */
public final class Secrets {
  private Secrets() {}

  /**
   * Returns a form of {@code credential} that identifies it in logs without revealing it: the first
   * and last four characters of a long value and its length, or only {@code ****} for short values.
   */
  public static String mask(String credential) {
    if (credential == null) {
      return "null";
    }
    int n = credential.length();
    if (n < 16) {
      return "****(" + n + " chars)";
    }
    return credential.substring(0, 4) + "****" + credential.substring(n - 4) + "(" + n + " chars)";
  }

  /** Returns {@code text} with every occurrence of {@code secret} replaced by {@code ***}. */
  public static String scrub(String text, String secret) {
    if (text == null || secret == null || secret.isEmpty()) {
      return text;
    }
    return text.replace(secret, "***");
  }
}

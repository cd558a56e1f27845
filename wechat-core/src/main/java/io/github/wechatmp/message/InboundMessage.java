package io.github.wechatmp.message;

import java.util.Map;
import java.util.Objects;

/**
 * A message WeChat pushed, verified and (if it came encrypted) decrypted by {@link
 * MessageCrypto#readMessage}. Immutable and thread-safe. {@link #toString()} does not show the
 * content, which is the user's.
 */
public final class InboundMessage {
  private final String content;
  private final boolean encrypted;

  /** Parsed on first use (or already by {@link MessageCrypto#readMessage}), then kept. */
  private volatile Map<String, String> fields;

  InboundMessage(String content, boolean encrypted) {
    this(content, encrypted, null);
  }

  InboundMessage(String content, boolean encrypted, Map<String, String> fields) {
    this.content = Objects.requireNonNull(content, "content");
    this.encrypted = encrypted;
    this.fields = fields;
  }

  /**
   * Returns the message: XML, or JSON if the account is configured for JSON.
   *
   * @return the verified, decrypted content
   */
  public String content() {
    return content;
  }

  /**
   * Returns whether the message came encrypted; if so a passive reply must be sent through {@link
   * MessageCrypto#encrypt}, else as plain XML.
   *
   * @return true if it came in security or compatibility mode
   */
  public boolean encrypted() {
    return encrypted;
  }

  /**
   * Returns the content parsed with {@link WeChatXml#parse}: parsed once, on the first call (or
   * already when it was read), and the same map afterwards. Thread-safe.
   *
   * @return the fields, as {@link WeChatXml#parse} returns them
   * @throws MessageCryptoException with {@link MessageCryptoException#MALFORMED_XML} if the content
   *     is not XML (for example JSON)
   */
  public Map<String, String> fields() {
    Map<String, String> f = fields;
    if (f == null) {
      f = WeChatXml.parse(content); // a race parses twice and keeps either: both are equal
      fields = f;
    }
    return f;
  }

  @Override
  public String toString() {
    return "InboundMessage{encrypted=" + encrypted + ", " + content.length() + " chars}";
  }
}

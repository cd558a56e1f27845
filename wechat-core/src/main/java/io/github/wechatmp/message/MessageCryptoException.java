package io.github.wechatmp.message;

import io.github.wechatmp.WeChatException;

/**
 * A pushed message, or a reply, could not be verified, decrypted, parsed or encrypted. The {@link
 * #errorCode()} is the code WeChat's own message-encryption samples (WXBizMsgCrypt) use for the
 * same failure, so that logs read the same as with other SDKs.
 *
 * <p>Messages never contain the EncodingAESKey, the Token, or any part of a decrypted message.
 * Which codes are a sign of an attack and which of a misconfiguration: {@link #SIGNATURE_MISMATCH}
 * on every request usually means the Token configured here differs from the one on the WeChat
 * platform; {@link #APPID_MISMATCH} means the message was encrypted for another account. Instances
 * are immutable.
 */
public class MessageCryptoException extends WeChatException {
  private static final long serialVersionUID = 1L;

  /** {@code -40001}: {@code msg_signature} (or {@code signature}) does not match. */
  public static final int SIGNATURE_MISMATCH = -40001;

  /**
   * {@code -40002}: the body is not well-formed, safe XML of the expected shape (or is empty or too
   * large).
   */
  public static final int MALFORMED_XML = -40002;

  /** {@code -40003}: the signature could not be computed. */
  public static final int SIGNATURE_FAILURE = -40003;

  /** {@code -40004}: the EncodingAESKey is not 43 characters of {@code [a-zA-Z0-9]}. */
  public static final int INVALID_AES_KEY = -40004;

  /** {@code -40005}: the message was encrypted for a different AppId. */
  public static final int APPID_MISMATCH = -40005;

  /** {@code -40006}: AES encryption failed. */
  public static final int ENCRYPT_FAILURE = -40006;

  /** {@code -40007}: AES decryption failed: bad ciphertext length or bad PKCS#7 padding. */
  public static final int DECRYPT_FAILURE = -40007;

  /**
   * {@code -40008}: the decrypted buffer is malformed: too short, a length field out of range, or
   * not UTF-8.
   */
  public static final int INVALID_BUFFER = -40008;

  /** {@code -40009}: Base64 encoding failed. */
  public static final int BASE64_ENCODE_FAILURE = -40009;

  /** {@code -40010}: the {@code Encrypt} value is not valid Base64. */
  public static final int BASE64_DECODE_FAILURE = -40010;

  /** {@code -40011}: the reply envelope could not be built from the given arguments. */
  public static final int REPLY_XML_FAILURE = -40011;

  /** The WXBizMsgCrypt code. */
  private final int errorCode;

  /**
   * Creates an exception.
   *
   * @param errorCode one of the WXBizMsgCrypt codes defined here
   * @param message what went wrong, free of secrets and of message content
   */
  public MessageCryptoException(int errorCode, String message) {
    this(errorCode, message, null);
  }

  /**
   * Creates an exception with a cause.
   *
   * @param errorCode one of the WXBizMsgCrypt codes defined here
   * @param message what went wrong, free of secrets and of message content
   * @param cause the underlying failure, or {@code null}; its message must be free of secrets too
   */
  public MessageCryptoException(int errorCode, String message, Throwable cause) {
    super(message + " (WXBizMsgCrypt error " + errorCode + ")", cause);
    this.errorCode = errorCode;
  }

  /**
   * Returns WeChat's WXBizMsgCrypt error code, one of the constants of this class.
   *
   * @return the error code, such as {@link #SIGNATURE_MISMATCH}
   */
  public int errorCode() {
    return errorCode;
  }
}

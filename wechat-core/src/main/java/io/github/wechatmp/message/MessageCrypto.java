package io.github.wechatmp.message;

import io.github.wechatmp.internal.crypto.SortedSha1;
import io.github.wechatmp.internal.xml.FlatXml;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * WeChat's message encryption ("security mode", and the encrypted half of "compatibility mode"):
 * checks and decrypts the messages WeChat pushes to the server URL, and encrypts passive replies.
 *
 * <p>The scheme is WeChat's: AES-256-CBC with the key decoded from the EncodingAESKey and the IV
 * its first 16 bytes, PKCS#7 padding to 32-byte blocks, a plaintext of 16 random bytes, the
 * message's length (4 bytes, big-endian), the message and the AppId, and a {@code msg_signature}
 * that is the SHA-1 of Token, timestamp, nonce and ciphertext. The ciphertext carries no MAC of its
 * own: its integrity rests on {@code msg_signature}, which is why {@link #decrypt} checks it before
 * anything else and why the Token must be kept as secret as the key.
 *
 * <p>Immutable and thread-safe: one instance per account can serve every request. Every failure is
 * a {@link MessageCryptoException} carrying WeChat's WXBizMsgCrypt code; none reveals the key, the
 * Token or message content. {@link #toString()} shows only the AppId.
 */
public final class MessageCrypto {
  private static final Pattern AES_KEY = Pattern.compile("[a-zA-Z0-9]{43}");
  private static final Pattern APP_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final int MAX_TOKEN_CHARS = 128;
  private static final int MAX_NONCE_CHARS = 128;
  private static final int PREFIX_BYTES = 16;
  private static final int LENGTH_BYTES = 4;

  /** WeChat pads to 32 bytes (the key size), not to AES's 16-byte block. */
  private static final int PAD_BLOCK = 32;

  private static final int AES_BLOCK = 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String token;
  private final SecretKeySpec key;
  private final IvParameterSpec iv;
  private final String appId;
  private final byte[] appIdBytes;
  private final Supplier<byte[]> randomPrefix;

  /**
   * One initialised cipher per thread and direction: getting and initialising a {@code Cipher}
   * costs far more than the AES of a message, and {@code doFinal} leaves it ready for the next
   * message with the same key and IV. A {@code Cipher} is not thread-safe, hence one per thread.
   */
  private final ThreadLocal<Cipher> encryptCipher = ThreadLocal.withInitial(() -> cipher(true));

  private final ThreadLocal<Cipher> decryptCipher = ThreadLocal.withInitial(() -> cipher(false));

  /**
   * Creates the crypto of one Official Account, from the three values on its "server configuration"
   * page.
   *
   * @param token the Token WeChat signs requests with
   * @param encodingAesKey the EncodingAESKey: 43 characters of {@code [a-zA-Z0-9]}
   * @param appId the account's AppID; a message encrypted for any other AppId is refused
   * @throws MessageCryptoException with {@link MessageCryptoException#INVALID_AES_KEY} if the
   *     EncodingAESKey is null or not of that form (the message does not repeat it)
   * @throws IllegalArgumentException if the Token or the AppID is null, blank or malformed
   */
  public MessageCrypto(String token, String encodingAesKey, String appId) {
    this(token, encodingAesKey, appId, MessageCrypto::secureRandomPrefix);
  }

  /** For tests that must fix the random prefix to reproduce WeChat's published ciphertexts. */
  MessageCrypto(String token, String encodingAesKey, String appId, Supplier<byte[]> randomPrefix) {
    if (token == null || token.isBlank() || token.length() > MAX_TOKEN_CHARS) {
      throw new IllegalArgumentException(
          "token is required: the Token from the account's server configuration, 1 to "
              + MAX_TOKEN_CHARS
              + " characters");
    }
    if (appId == null || !APP_ID.matcher(appId).matches()) {
      throw new IllegalArgumentException("appId is required: 1 to 64 characters of [A-Za-z0-9_-]");
    }
    this.token = token;
    this.appId = appId;
    this.appIdBytes = appId.getBytes(StandardCharsets.UTF_8);
    byte[] raw = decodeKey(encodingAesKey);
    this.key = new SecretKeySpec(raw, "AES");
    this.iv = new IvParameterSpec(Arrays.copyOf(raw, 16));
    Arrays.fill(raw, (byte) 0);
    this.randomPrefix = Objects.requireNonNull(randomPrefix, "randomPrefix");
  }

  private Cipher cipher(boolean encrypt) {
    try {
      Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
      c.init(encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE, key, iv);
      return c;
    } catch (GeneralSecurityException e) {
      throw new MessageCryptoException(
          encrypt ? MessageCryptoException.ENCRYPT_FAILURE : MessageCryptoException.DECRYPT_FAILURE,
          "This JVM cannot do AES/CBC with a 256-bit key",
          e);
    }
  }

  private static byte[] decodeKey(String encodingAesKey) {
    if (encodingAesKey == null) {
      throw new MessageCryptoException(
          MessageCryptoException.INVALID_AES_KEY, "The EncodingAESKey is missing");
    }
    if (!AES_KEY.matcher(encodingAesKey).matches()) {
      throw new MessageCryptoException(
          MessageCryptoException.INVALID_AES_KEY,
          "The EncodingAESKey must be exactly 43 characters of [a-zA-Z0-9]; the one given has "
              + encodingAesKey.length()
              + " characters"
              + (encodingAesKey.length() == 43 ? " but others than those" : ""));
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(encodingAesKey + "=");
    } catch (IllegalArgumentException e) {
      throw new MessageCryptoException(
          MessageCryptoException.INVALID_AES_KEY, "The EncodingAESKey is not Base64");
    }
    if (raw.length != 32) {
      throw new MessageCryptoException(
          MessageCryptoException.INVALID_AES_KEY,
          "The EncodingAESKey decodes to " + raw.length + " bytes instead of 32");
    }
    return raw;
  }

  /**
   * Returns the AppId messages must be encrypted for. Never throws.
   *
   * @return the AppID given to the constructor
   */
  public String appId() {
    return appId;
  }

  /**
   * Checks the {@code signature} query parameter WeChat sends with the server URL check (the {@code
   * echostr} request) and with every push in plaintext mode: the SHA-1 of Token, timestamp and
   * nonce. Compares in constant time.
   *
   * @param signature the {@code signature} query parameter
   * @param timestamp the {@code timestamp} query parameter
   * @param nonce the {@code nonce} query parameter
   * @throws MessageCryptoException with {@link MessageCryptoException#SIGNATURE_MISMATCH} if a
   *     value is missing or the signature does not match
   */
  public void verifyUrlSignature(String signature, String timestamp, String nonce) {
    if (timestamp == null || nonce == null) {
      throw new MessageCryptoException(
          MessageCryptoException.SIGNATURE_MISMATCH, "The timestamp or the nonce is missing");
    }
    requireSignature(signature, SortedSha1.digest(token, timestamp, nonce));
  }

  /**
   * Verifies and decrypts a message WeChat pushed in security or compatibility mode.
   *
   * <p>Checks, in this order: that the body holds an {@code Encrypt} value, that {@code
   * msg_signature} matches it (constant-time), that it is Base64, that it decrypts with valid
   * 32-byte PKCS#7 padding, that the length field fits, that the message is UTF-8, and that the
   * trailing AppId is this account's. Nothing is returned unless every check passed.
   *
   * @param msgSignature the {@code msg_signature} query parameter
   * @param timestamp the {@code timestamp} query parameter
   * @param nonce the {@code nonce} query parameter
   * @param xmlBodyOrEncrypt the whole POST body (in compatibility mode it also carries the message
   *     in plaintext, which is ignored in favour of the verified {@code Encrypt}), or the bare
   *     Base64 {@code Encrypt} value; at most {@value WeChatXml#MAX_CHARS} characters
   * @return the decrypted message, XML or JSON as configured on the WeChat platform
   * @throws MessageCryptoException with {@link MessageCryptoException#MALFORMED_XML} for an empty,
   *     oversized or unsafe body or one without {@code Encrypt} (a plaintext-mode message), {@link
   *     MessageCryptoException#SIGNATURE_MISMATCH}, {@link
   *     MessageCryptoException#BASE64_DECODE_FAILURE}, {@link
   *     MessageCryptoException#DECRYPT_FAILURE}, {@link MessageCryptoException#INVALID_BUFFER} or
   *     {@link MessageCryptoException#APPID_MISMATCH}
   */
  public String decrypt(
      String msgSignature, String timestamp, String nonce, String xmlBodyOrEncrypt) {
    String encrypt = extractEncrypt(xmlBodyOrEncrypt);
    if (timestamp == null || nonce == null) {
      throw new MessageCryptoException(
          MessageCryptoException.SIGNATURE_MISMATCH, "The timestamp or the nonce is missing");
    }
    // Decoded first, but judged in the documented order: the signature, then the Base64. A value
    // that decodes is all Base64 alphabet, so its Latin-1 bytes are its UTF-8 and are hashed as
    // they are.
    byte[] latin1 = encrypt.getBytes(StandardCharsets.ISO_8859_1);
    byte[] cipherText;
    try {
      cipherText = Base64.getDecoder().decode(latin1);
    } catch (IllegalArgumentException e) {
      cipherText = null;
    }
    requireSignature(
        msgSignature,
        SortedSha1.digest(token, timestamp, nonce, encrypt, cipherText == null ? null : latin1));
    if (cipherText == null) {
      throw new MessageCryptoException(
          MessageCryptoException.BASE64_DECODE_FAILURE, "The Encrypt value is not valid Base64");
    }
    return unpack(aesDecrypt(cipherText));
  }

  /**
   * Reads a message WeChat pushed, in whichever mode the account uses: with a {@code msg_signature}
   * (security or compatibility mode, {@code encrypt_type=aes}) it is {@linkplain #decrypt
   * decrypted}; without one (plaintext mode) {@code signature} is checked and the body, which must
   * be well-formed XML, is returned as it came. A passive reply to a message whose {@link
   * InboundMessage#encrypted()} is true must be {@linkplain #encrypt encrypted}.
   *
   * <p>In plaintext mode the signature covers the Token, timestamp and nonce but not the body:
   * whoever saw one signed query string can post any body with it. An account in security mode
   * should therefore read its messages with {@link #readEncryptedMessage}, which refuses plaintext,
   * so that a request stripped of its {@code msg_signature} is not taken for a plaintext one.
   *
   * @param signature the {@code signature} query parameter; used only in plaintext mode
   * @param msgSignature the {@code msg_signature} query parameter, or null when absent
   * @param timestamp the {@code timestamp} query parameter
   * @param nonce the {@code nonce} query parameter
   * @param body the POST body
   * @return the verified message, with whether it came encrypted
   * @throws MessageCryptoException as {@link #decrypt} and {@link #verifyUrlSignature} do, or with
   *     {@link MessageCryptoException#MALFORMED_XML} for a plaintext body that is not safe XML
   */
  public InboundMessage readMessage(
      String signature, String msgSignature, String timestamp, String nonce, String body) {
    if (msgSignature != null) {
      return new InboundMessage(decrypt(msgSignature, timestamp, nonce, body), true);
    }
    verifyUrlSignature(signature, timestamp, nonce);
    // refuses what is not safe, well-formed XML before the caller sees it, and parses it once
    return new InboundMessage(body, false, WeChatXml.parse(body));
  }

  /**
   * Reads a message WeChat pushed in security mode, refusing any other: the body must be encrypted
   * and carry a valid {@code msg_signature}. Use it when the account is set to security mode, so
   * that a plaintext body cannot be slipped in with a replayed URL signature.
   *
   * @param msgSignature the {@code msg_signature} query parameter
   * @param timestamp the {@code timestamp} query parameter
   * @param nonce the {@code nonce} query parameter
   * @param body the POST body
   * @return the decrypted message, {@linkplain InboundMessage#encrypted() encrypted}
   * @throws MessageCryptoException with {@link MessageCryptoException#SIGNATURE_MISMATCH} if {@code
   *     msgSignature} is missing, else as {@link #decrypt} does
   */
  public InboundMessage readEncryptedMessage(
      String msgSignature, String timestamp, String nonce, String body) {
    if (msgSignature == null || msgSignature.isEmpty()) {
      throw new MessageCryptoException(
          MessageCryptoException.SIGNATURE_MISMATCH,
          "The message has no msg_signature: this account accepts encrypted messages only");
    }
    return new InboundMessage(decrypt(msgSignature, timestamp, nonce, body), true);
  }

  /**
   * Encrypts a passive reply and wraps it in the envelope WeChat expects in answer to an encrypted
   * push: {@code <xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>}. The 16-byte random
   * prefix comes from a {@link SecureRandom}.
   *
   * @param replyXml the reply, such as {@code <xml><ToUserName>...</xml>}
   * @param timestamp seconds since the epoch, as decimal digits (the request's timestamp will do)
   * @param nonce a random string without {@code "]]>"} or control characters (the request's nonce
   *     will do)
   * @return the envelope to send as the HTTP response body
   * @throws MessageCryptoException with {@link MessageCryptoException#REPLY_XML_FAILURE} if an
   *     argument is null or malformed, or {@link MessageCryptoException#ENCRYPT_FAILURE} if the
   *     JDK's AES fails
   */
  public String encrypt(String replyXml, String timestamp, String nonce) {
    if (replyXml == null) {
      throw new MessageCryptoException(
          MessageCryptoException.REPLY_XML_FAILURE, "The reply is missing");
    }
    if (replyXml.length() > WeChatXml.MAX_CHARS) {
      throw new MessageCryptoException(
          MessageCryptoException.REPLY_XML_FAILURE,
          "The reply has more than " + WeChatXml.MAX_CHARS + " characters");
    }
    if (!isTimestamp(timestamp)) {
      throw new MessageCryptoException(
          MessageCryptoException.REPLY_XML_FAILURE, "The timestamp must be 1 to 20 decimal digits");
    }
    if (!isSafeNonce(nonce)) {
      throw new MessageCryptoException(
          MessageCryptoException.REPLY_XML_FAILURE,
          "The nonce must be 1 to "
              + MAX_NONCE_CHARS
              + " characters without ']]>' or control characters");
    }
    byte[] message = replyXml.getBytes(StandardCharsets.UTF_8);
    byte[] prefix = randomPrefix.get();
    if (prefix == null || prefix.length != PREFIX_BYTES) {
      throw new IllegalStateException("the random prefix must be " + PREFIX_BYTES + " bytes");
    }
    int unpadded = PREFIX_BYTES + LENGTH_BYTES + message.length + appIdBytes.length;
    int pad = PAD_BLOCK - unpadded % PAD_BLOCK;
    ByteBuffer plain = ByteBuffer.allocate(unpadded + pad);
    plain.put(prefix).putInt(message.length).put(message).put(appIdBytes);
    for (int i = 0; i < pad; i++) {
      plain.put((byte) pad);
    }
    byte[] cipherText;
    try {
      cipherText = encryptCipher.get().doFinal(plain.array());
    } catch (GeneralSecurityException e) {
      throw new MessageCryptoException(
          MessageCryptoException.ENCRYPT_FAILURE, "AES encryption failed", e);
    } finally {
      Arrays.fill(plain.array(), (byte) 0);
    }
    byte[] base64 = Base64.getEncoder().encode(cipherText);
    String encrypt = new String(base64, StandardCharsets.ISO_8859_1);
    String signature =
        SortedSha1.toHex(SortedSha1.digest(token, timestamp, nonce, encrypt, base64));
    return "<xml><Encrypt><![CDATA["
        + encrypt
        + "]]></Encrypt>"
        + "<MsgSignature><![CDATA["
        + signature
        + "]]></MsgSignature>"
        + "<TimeStamp>"
        + timestamp
        + "</TimeStamp>"
        + "<Nonce><![CDATA["
        + nonce
        + "]]></Nonce></xml>";
  }

  /** The {@code msg_signature} of an {@code Encrypt} value. */
  String sign(String timestamp, String nonce, String encrypt) {
    return SortedSha1.toHex(SortedSha1.digest(token, timestamp, nonce, encrypt));
  }

  private static String extractEncrypt(String body) {
    if (body == null || body.isBlank()) {
      throw new MessageCryptoException(
          MessageCryptoException.MALFORMED_XML, "The message body is empty");
    }
    if (body.length() > WeChatXml.MAX_CHARS) {
      throw new MessageCryptoException(
          MessageCryptoException.MALFORMED_XML,
          "The message body has "
              + body.length()
              + " characters, more than the "
              + WeChatXml.MAX_CHARS
              + " accepted");
    }
    String trimmed = body.strip();
    if (!trimmed.startsWith("<")) {
      return trimmed; // the bare Encrypt value
    }
    String encrypt = null;
    FlatXml.Leaves leaves = WeChatXml.scan(body);
    for (int i = 0; i < leaves.size() && encrypt == null; i++) {
      if (leaves.path(i).equals("Encrypt")) {
        encrypt = leaves.value(i);
      }
    }
    if (encrypt == null) {
      throw new MessageCryptoException(
          MessageCryptoException.MALFORMED_XML,
          "The message body has no Encrypt element; is the account in plaintext mode? "
              + "Then check it with verifyUrlSignature or use readMessage");
    }
    encrypt = encrypt.strip();
    if (encrypt.isEmpty()) {
      throw new MessageCryptoException(
          MessageCryptoException.MALFORMED_XML, "The Encrypt element is empty");
    }
    return encrypt;
  }

  private byte[] aesDecrypt(byte[] cipherText) {
    // AES needs whole 16-byte blocks; the 32-byte padding is checked after decryption.
    if (cipherText.length == 0 || cipherText.length % AES_BLOCK != 0) {
      throw new MessageCryptoException(
          MessageCryptoException.DECRYPT_FAILURE,
          "The ciphertext has "
              + cipherText.length
              + " bytes, not a positive multiple of "
              + AES_BLOCK);
    }
    try {
      return decryptCipher.get().doFinal(cipherText);
    } catch (GeneralSecurityException e) {
      throw new MessageCryptoException(
          MessageCryptoException.DECRYPT_FAILURE, "AES decryption failed", e);
    }
  }

  private String unpack(byte[] plain) {
    try {
      int pad = plain[plain.length - 1] & 0xff;
      if (pad < 1 || pad > PAD_BLOCK) {
        throw new MessageCryptoException(
            MessageCryptoException.DECRYPT_FAILURE,
            "The decrypted message has invalid padding (wrong key, or tampered)");
      }
      for (int i = plain.length - pad; i < plain.length; i++) {
        if ((plain[i] & 0xff) != pad) {
          throw new MessageCryptoException(
              MessageCryptoException.DECRYPT_FAILURE,
              "The decrypted message has invalid padding (wrong key, or tampered)");
        }
      }
      int end = plain.length - pad;
      if (end < PREFIX_BYTES + LENGTH_BYTES) {
        throw new MessageCryptoException(
            MessageCryptoException.INVALID_BUFFER,
            "The decrypted message is too short to hold the random prefix and length field");
      }
      int length = ByteBuffer.wrap(plain, PREFIX_BYTES, LENGTH_BYTES).getInt();
      int start = PREFIX_BYTES + LENGTH_BYTES;
      if (length < 0 || length > end - start) {
        throw new MessageCryptoException(
            MessageCryptoException.INVALID_BUFFER,
            "The decrypted message's length field ("
                + length
                + ") exceeds the "
                + (end - start)
                + " bytes present");
      }
      byte[] foundAppId = Arrays.copyOfRange(plain, start + length, end);
      if (!MessageDigest.isEqual(foundAppId, appIdBytes)) {
        throw new MessageCryptoException(
            MessageCryptoException.APPID_MISMATCH,
            "The message was encrypted for another AppId, not " + appId);
      }
      // The JDK's String decoding is fast but replaces malformed input with U+FFFD; only when that
      // character shows up is the strict (slower) decoder asked whether the input was malformed or
      // held U+FFFD itself.
      String message = new String(plain, start, length, StandardCharsets.UTF_8);
      if (message.indexOf('\uFFFD') >= 0) {
        try {
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(plain, start, length));
        } catch (CharacterCodingException e) {
          throw new MessageCryptoException(
              MessageCryptoException.INVALID_BUFFER, "The decrypted message is not UTF-8");
        }
      }
      return message;
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  /** Compares in constant time, hex digits of either case, against the raw digest. */
  private static void requireSignature(String given, byte[] expected) {
    if (given == null || given.isEmpty()) {
      throw new MessageCryptoException(
          MessageCryptoException.SIGNATURE_MISMATCH, "The signature is missing");
    }
    if (!SortedSha1.matchesHex(given, expected)) {
      throw new MessageCryptoException(
          MessageCryptoException.SIGNATURE_MISMATCH,
          "The signature does not match; check that the Token configured here is the one on the WeChat platform");
    }
  }

  /**
   * Lowercase hex SHA-1 of the strings sorted in UTF-8 byte order and concatenated, as WeChat
   * signs.
   */
  static String sha1Sorted(String... parts) {
    return SortedSha1.hex(parts); // the SDK's one implementation: UTF-8 byte order
  }

  /** 1 to 20 ASCII digits: without a regex, which costs more than the rest of the check. */
  private static boolean isTimestamp(String timestamp) {
    if (timestamp == null || timestamp.isEmpty() || timestamp.length() > 20) {
      return false;
    }
    for (int i = 0; i < timestamp.length(); i++) {
      char c = timestamp.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static boolean isSafeNonce(String nonce) {
    if (nonce == null
        || nonce.isEmpty()
        || nonce.length() > MAX_NONCE_CHARS
        || nonce.contains("]]>")) {
      return false;
    }
    for (int i = 0; i < nonce.length(); i++) {
      if (Character.isISOControl(nonce.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Random bytes drawn from the shared {@link SecureRandom} 256 at a time per thread: one call of
   * it costs about as much as encrypting a reply (its lock and its mixing), so it is paid once per
   * 16 replies. Each prefix is handed out once and wiped from the pool as it goes.
   */
  private static final class RandomPool {
    final byte[] bytes = new byte[16 * PREFIX_BYTES];
    int next = bytes.length;
  }

  private static final ThreadLocal<RandomPool> RANDOM_POOL =
      ThreadLocal.withInitial(RandomPool::new);

  private static byte[] secureRandomPrefix() {
    RandomPool p = RANDOM_POOL.get();
    if (p.next == p.bytes.length) {
      RANDOM.nextBytes(p.bytes);
      p.next = 0;
    }
    byte[] b = Arrays.copyOfRange(p.bytes, p.next, p.next + PREFIX_BYTES);
    Arrays.fill(p.bytes, p.next, p.next + PREFIX_BYTES, (byte) 0);
    p.next += PREFIX_BYTES;
    return b;
  }

  /** Names the account only; never the Token or the key. */
  @Override
  public String toString() {
    return "MessageCrypto{appId=" + appId + '}';
  }
}

package io.github.wechatmp.test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * WeChat's callback algorithms, written from WeChat's message-encryption guide independently of the
 * SDK's core: the SHA-1 signatures over sorted strings, and AES-256-CBC over {@code random(16) +
 * length(4, network order) + message + appid} with PKCS#7 padding to 32 bytes. Immutable and
 * thread-safe.
 */
final class CallbackCrypto {
  private static final int BLOCK = 32;

  private final byte[] key;
  private final String appId;

  CallbackCrypto(String encodingAesKey, String appId) {
    if (encodingAesKey.length() != 43 || !encodingAesKey.matches("[a-zA-Z0-9]{43}")) {
      throw new IllegalArgumentException("encodingAesKey must be 43 characters of [a-zA-Z0-9]");
    }
    this.key = Base64.getDecoder().decode(encodingAesKey + "=");
    this.appId = appId;
  }

  /** SHA-1, lowercase hex, of the parts sorted by their UTF-8 bytes (unsigned) and concatenated. */
  static String signature(String... parts) {
    byte[][] bytes = new byte[parts.length][];
    for (int i = 0; i < parts.length; i++) {
      bytes[i] = parts[i].getBytes(StandardCharsets.UTF_8);
    }
    Arrays.sort(bytes, Arrays::compareUnsigned);
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      for (byte[] b : bytes) {
        sha1.update(b);
      }
      return HexFormat.of().formatHex(sha1.digest());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-1 is missing from this JDK", e);
    }
  }

  /** Encrypts {@code message} with the given 16-byte random prefix; returns the Base64 text. */
  String encrypt(String message, byte[] randomPrefix) {
    if (randomPrefix.length != 16) {
      throw new IllegalArgumentException("the random prefix is 16 bytes");
    }
    byte[] msg = message.getBytes(StandardCharsets.UTF_8);
    byte[] id = appId.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    plain.writeBytes(randomPrefix);
    plain.writeBytes(ByteBuffer.allocate(4).putInt(msg.length).array());
    plain.writeBytes(msg);
    plain.writeBytes(id);
    int pad = BLOCK - plain.size() % BLOCK;
    for (int i = 0; i < pad; i++) {
      plain.write(pad);
    }
    return Base64.getEncoder().encodeToString(aes(Cipher.ENCRYPT_MODE, plain.toByteArray()));
  }

  /**
   * Decrypts a Base64 {@code Encrypt} value and checks the trailing AppID.
   *
   * @throws IllegalArgumentException if it does not decrypt, is malformed, or is for another app
   */
  String decrypt(String encrypted) {
    byte[] cipherText;
    try {
      cipherText = Base64.getDecoder().decode(encrypted.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Encrypt is not Base64", e);
    }
    if (cipherText.length == 0 || cipherText.length % 16 != 0) {
      throw new IllegalArgumentException("Encrypt is not a whole number of AES blocks");
    }
    byte[] plain = aes(Cipher.DECRYPT_MODE, cipherText);
    int pad = plain[plain.length - 1] & 0xff;
    if (pad < 1 || pad > BLOCK || pad > plain.length) {
      throw new IllegalArgumentException("bad padding");
    }
    for (int i = plain.length - pad; i < plain.length; i++) {
      if ((plain[i] & 0xff) != pad) {
        throw new IllegalArgumentException("bad padding");
      }
    }
    int end = plain.length - pad;
    if (end < 20) {
      throw new IllegalArgumentException("too short");
    }
    int length = ByteBuffer.wrap(plain, 16, 4).getInt();
    if (length < 0 || 20 + length > end) {
      throw new IllegalArgumentException("bad message length");
    }
    String id = new String(plain, 20 + length, end - 20 - length, StandardCharsets.UTF_8);
    if (!id.equals(appId)) {
      throw new IllegalArgumentException("encrypted for another AppID");
    }
    return new String(plain, 20, length, StandardCharsets.UTF_8);
  }

  private byte[] aes(int mode, byte[] input) {
    try {
      Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
      c.init(
          mode, new SecretKeySpec(key, "AES"), new IvParameterSpec(Arrays.copyOfRange(key, 0, 16)));
      return c.doFinal(input);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("AES failed: " + e.getMessage(), e);
    }
  }
}

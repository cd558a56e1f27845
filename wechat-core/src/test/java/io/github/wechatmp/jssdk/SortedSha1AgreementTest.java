package io.github.wechatmp.jssdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.message.MessageCrypto;
import io.github.wechatmp.message.MessageCryptoException;
import io.github.wechatmp.signature.SignatureVerifier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * {@code SignatureVerifier}, {@code MessageCrypto} and {@code JsSdkSigner} share one sorted SHA-1,
 * in UTF-8 byte order: they agree with each other and with an independent computation, also where
 * UTF-16 order would sort differently (a supplementary character against one just below the
 * surrogates).
 */
class SortedSha1AgreementTest {
  private static final String FULLWIDTH_A = "\uFF21"; // UTF-16 FF21, UTF-8 EF BC A1
  private static final String GRINNING = "\uD83D\uDE00"; // U+1F600: UTF-16 D83D, UTF-8 F0 9F 98 80
  private static final String KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  private static final String APP_ID = "wx0123456789abcdef";

  private static String sha1Hex(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
  }

  private static String sortedInUtf8(String... parts) throws Exception {
    byte[][] b = new byte[parts.length][];
    for (int i = 0; i < parts.length; i++) {
      b[i] = parts[i].getBytes(StandardCharsets.UTF_8);
    }
    Arrays.sort(b, Arrays::compareUnsigned);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] x : b) {
      out.write(x);
    }
    return sha1Hex(out.toByteArray());
  }

  private static String sortedInUtf16(String... parts) throws Exception {
    String[] s = parts.clone();
    Arrays.sort(s);
    return sha1Hex(String.join("", s).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theServerSignatureAgreesInUtf8ByteOrder() throws Exception {
    String token = "tok" + GRINNING;
    String timestamp = "1714036504";
    String nonce = "tok" + FULLWIDTH_A;
    String expected = sortedInUtf8(token, timestamp, nonce);
    assertNotEquals(
        sortedInUtf16(token, timestamp, nonce), expected, "the inputs tell the orders apart");

    SignatureVerifier verifier = SignatureVerifier.of(token);
    assertEquals(expected, verifier.sign(timestamp, nonce));
    assertTrue(verifier.verify(expected, timestamp, nonce));
    MessageCrypto crypto = new MessageCrypto(token, KEY, APP_ID);
    crypto.verifyUrlSignature(expected, timestamp, nonce); // throws if it disagrees
    assertThrows(
        MessageCryptoException.class,
        () -> crypto.verifyUrlSignature(sortedInUtf16(token, timestamp, nonce), timestamp, nonce));
  }

  @Test
  void theMessageSignatureAgreesInUtf8ByteOrder() throws Exception {
    String token = "tokenForTests42";
    String timestamp = "1714112445";
    String nonce = "n" + FULLWIDTH_A;
    MessageCrypto crypto = new MessageCrypto(token, KEY, APP_ID);
    String reply =
        crypto.encrypt("<xml><Content>" + GRINNING + "</Content></xml>", timestamp, nonce);
    String encrypt = io.github.wechatmp.message.WeChatXml.parse(reply).get("Encrypt");
    String signature = io.github.wechatmp.message.WeChatXml.parse(reply).get("MsgSignature");
    assertEquals(sortedInUtf8(token, timestamp, nonce, encrypt), signature);
  }

  @Test
  void theJsSdkSignatureAgreesInUtf8ByteOrder() throws Exception {
    String ticket = "ticket" + GRINNING;
    String url = "https://example.com/page?q=" + FULLWIDTH_A + GRINNING;
    String nonce = "Wm3WZYTPz0wzccnW";
    JsSdkSignature s = JsSdkSigner.sign(APP_ID, ticket, url, 1414587457, nonce);
    String string1 =
        "jsapi_ticket=" + ticket + "&noncestr=" + nonce + "&timestamp=1414587457&url=" + url;
    assertEquals(sha1Hex(string1.getBytes(StandardCharsets.UTF_8)), s.signature());
  }
}

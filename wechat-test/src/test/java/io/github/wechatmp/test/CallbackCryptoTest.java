package io.github.wechatmp.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The module's own implementation of WeChat's algorithms against the vendored vectors. */
class CallbackCryptoTest {

  static String appId(String section) {
    return Vectors.value(section, "AppId");
  }

  @Test
  void v1DecryptsToTheDocumentedMessage() {
    CallbackCrypto c = new CallbackCrypto(Vectors.value("V1", "EncodingAESKey"), appId("V1"));
    String plain = c.decrypt(Vectors.value("V1", "Encrypt"));
    assertEquals(Vectors.value("V1", "Decrypted msg"), plain);
    assertEquals(167, plain.getBytes(StandardCharsets.UTF_8).length);
  }

  @Test
  void v1SignaturesAreWeChats() {
    String token = Vectors.value("V1", "Token");
    String ts = Vectors.value("V1", "timestamp");
    String nonce = Vectors.value("V1", "nonce");
    assertEquals(Vectors.value("V1", "URL signature"), CallbackCrypto.signature(token, ts, nonce));
    assertEquals(
        Vectors.value("V1", "msg_signature"),
        CallbackCrypto.signature(token, ts, nonce, Vectors.value("V1", "Encrypt")));
  }

  @Test
  void v2EncryptsWithAFixedPrefixAndSignsTheReply() {
    CallbackCrypto c = new CallbackCrypto(Vectors.value("V1", "EncodingAESKey"), appId("V1"));
    byte[] prefix = Vectors.value("V2", "random prefix").getBytes(StandardCharsets.US_ASCII);
    String encrypt = c.encrypt(Vectors.value("V2", "msg"), prefix);
    assertEquals(Vectors.value("V2", "Encrypt"), encrypt);
    assertEquals(
        Vectors.value("V2", "MsgSignature"),
        CallbackCrypto.signature(
            Vectors.value("V1", "Token"),
            Vectors.value("V2", "TimeStamp"),
            Vectors.value("V2", "Nonce"),
            encrypt));
    assertEquals(Vectors.value("V2", "msg"), c.decrypt(encrypt));
  }

  @Test
  void v3EncryptsChineseTextAsWeChatsJavaSample() {
    CallbackCrypto c = new CallbackCrypto(Vectors.value("V3", "EncodingAESKey"), appId("V3"));
    byte[] prefix = Vectors.value("V3", "random prefix").getBytes(StandardCharsets.US_ASCII);
    assertEquals(Vectors.value("V3", "Encrypt"), c.encrypt(Vectors.value("V3", "msg"), prefix));
  }

  @Test
  void everyServerSignatureVectorMatches() throws Exception {
    int checked = 0;
    for (String line : Files.readAllLines(Http.vector("signature.tsv"), StandardCharsets.UTF_8)) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\t", -1);
      assertEquals(f[3], CallbackCrypto.signature(f[0], f[1], f[2]), line);
      checked++;
    }
    assertEquals(true, checked > 0);
  }

  @Test
  void sortingIsByUtf8BytesNotByUtf16Units() {
    // U+FF61 sorts after U+1F600 in UTF-16 units (0xFF61 > 0xD83D) but before it in UTF-8 bytes
    // (EF BD A1 < F0 9F 98 80).
    String a = "\uFF61";
    String b = "\uD83D\uDE00";
    assertEquals(CallbackCrypto.signature(a, b), CallbackCrypto.signature(b, a));
    assertEquals(sha1Hex((a + b).getBytes(StandardCharsets.UTF_8)), CallbackCrypto.signature(b, a));
  }

  @Test
  void aMessageForAnotherAppOrTamperedIsRefused() {
    CallbackCrypto mine = new CallbackCrypto(Vectors.value("V1", "EncodingAESKey"), "wxmine");
    assertThrows(
        IllegalArgumentException.class, () -> mine.decrypt(Vectors.value("V1", "Encrypt")));
    assertThrows(IllegalArgumentException.class, () -> mine.decrypt("AAAA"));
    assertThrows(IllegalArgumentException.class, () -> mine.decrypt("not base64!"));
    assertThrows(IllegalArgumentException.class, () -> new CallbackCrypto("short", "wx"));
  }

  static String sha1Hex(byte[] b) {
    try {
      return java.util.HexFormat.of()
          .formatHex(java.security.MessageDigest.getInstance("SHA-1").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}

package io.github.wechatmp.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Round trips, modes, and the bad-input matrix: each bad input gives its own WXBizMsgCrypt code.
 */
class MessageCryptoTest {
  private static final String TOKEN = "tokenForTests42";
  private static final String KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  private static final String APP_ID = "wx0123456789abcdef";
  private static final String TS = "1714112445";
  private static final String NONCE = "415670741";
  private static final String REPLY =
      "<xml><ToUserName><![CDATA[oUser]]></ToUserName><Content><![CDATA[你好 ]]></Content></xml>";

  private final MessageCrypto crypto = new MessageCrypto(TOKEN, KEY, APP_ID);

  private static MessageCryptoException expect(int code, Executable e) {
    MessageCryptoException ex = assertThrows(MessageCryptoException.class, e);
    assertEquals(code, ex.errorCode(), ex.getMessage());
    assertFalse(ex.getMessage().contains(KEY), "the key leaked into: " + ex.getMessage());
    assertFalse(ex.getMessage().contains(TOKEN), "the token leaked into: " + ex.getMessage());
    assertTrue(ex.getMessage().contains(String.valueOf(code)), ex.getMessage());
    return ex;
  }

  /**
   * Encrypts arbitrary plaintext bytes under KEY, bypassing MessageCrypto's framing, to forge bad
   * buffers.
   */
  private static String rawEncrypt(byte[] plain) throws Exception {
    byte[] k = Base64.getDecoder().decode(KEY + "=");
    Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
    c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k, "AES"), new IvParameterSpec(k, 0, 16));
    return Base64.getEncoder().encodeToString(c.doFinal(plain));
  }

  /** WeChat's framing with chosen length field, AppId and padding. */
  private static byte[] frame(
      byte[] msg, int lengthField, String appId, int padValue, int padCount) {
    byte[] app = appId.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(16 + 4 + msg.length + app.length + padCount);
    b.put(new byte[16]).putInt(lengthField).put(msg).put(app);
    for (int i = 0; i < padCount; i++) {
      b.put((byte) padValue);
    }
    return b.array();
  }

  private static byte[] wellPadded(byte[] msg, int lengthField, String appId) {
    int n = 16 + 4 + msg.length + appId.getBytes(StandardCharsets.UTF_8).length;
    int pad = 32 - n % 32;
    return frame(msg, lengthField, appId, pad, pad);
  }

  private String decryptSigned(String encrypt) {
    return crypto.decrypt(crypto.sign(TS, NONCE, encrypt), TS, NONCE, encrypt);
  }

  @Test
  void roundTripOfRepliesOfEveryPaddingLength() {
    for (int n = 0; n <= 70; n++) {
      String msg = "x".repeat(n);
      Map<String, String> env = WeChatXml.parse(crypto.encrypt(msg, TS, NONCE));
      assertEquals(
          msg,
          crypto.decrypt(
              env.get("MsgSignature"), env.get("TimeStamp"), env.get("Nonce"), env.get("Encrypt")));
    }
    Map<String, String> env = WeChatXml.parse(crypto.encrypt(REPLY, TS, NONCE));
    assertEquals(REPLY, crypto.decrypt(env.get("MsgSignature"), TS, NONCE, env.get("Encrypt")));
  }

  @Test
  void aWholeBlockOfPaddingWhenTheFrameFillsBlocksExactly() throws Exception {
    // 16 + 4 + 26 + 18 = 64: WeChat then pads a full 32-byte block
    byte[] msg = "abcdefghijklmnopqrstuvwxyz".getBytes(StandardCharsets.US_ASCII);
    String encrypt = rawEncrypt(frame(msg, msg.length, APP_ID, 32, 32));
    assertEquals("abcdefghijklmnopqrstuvwxyz", decryptSigned(encrypt));
    Map<String, String> env =
        WeChatXml.parse(crypto.encrypt("abcdefghijklmnopqrstuvwxyz", TS, NONCE));
    assertEquals(96, Base64.getDecoder().decode(env.get("Encrypt")).length);
  }

  @Test
  void theRandomPrefixIsFreshForEveryReply() {
    String a = WeChatXml.parse(crypto.encrypt(REPLY, TS, NONCE)).get("Encrypt");
    String b = WeChatXml.parse(crypto.encrypt(REPLY, TS, NONCE)).get("Encrypt");
    assertNotEquals(a, b);
  }

  @Test
  void compatibilityModeBodyDecryptsTheVerifiedEncryptAndIgnoresThePlaintextCopy() {
    Map<String, String> env = WeChatXml.parse(crypto.encrypt(REPLY, TS, NONCE));
    String body =
        "<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName>"
            + "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[forged plaintext]]></Content>"
            + "<Encrypt><![CDATA["
            + env.get("Encrypt")
            + "]]></Encrypt></xml>";
    assertEquals(REPLY, crypto.decrypt(env.get("MsgSignature"), TS, NONCE, body));
    InboundMessage in = crypto.readMessage("ignored", env.get("MsgSignature"), TS, NONCE, body);
    assertTrue(in.encrypted());
    assertEquals("你好 ", in.fields().get("Content"));
    assertFalse(in.toString().contains("你好"));
  }

  @Test
  void securityModeRefusesAPlaintextBodyEvenWithAValidUrlSignature() {
    String body =
        "<xml><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[forged]]></Content></xml>";
    expect(
        MessageCryptoException.SIGNATURE_MISMATCH,
        () -> crypto.readEncryptedMessage(null, TS, NONCE, body));
    expect(
        MessageCryptoException.SIGNATURE_MISMATCH,
        () -> crypto.readEncryptedMessage("", TS, NONCE, body));
    Map<String, String> env = WeChatXml.parse(crypto.encrypt(REPLY, TS, NONCE));
    InboundMessage in =
        crypto.readEncryptedMessage(
            env.get("MsgSignature"),
            TS,
            NONCE,
            "<xml><Encrypt><![CDATA[" + env.get("Encrypt") + "]]></Encrypt></xml>");
    assertTrue(in.encrypted());
    assertEquals(REPLY, in.content());
  }

  @Test
  void plaintextModeChecksTheUrlSignatureAndReturnsTheBody() {
    String body = "<xml><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content></xml>";
    String signature = MessageCrypto.sha1Sorted(TOKEN, TS, NONCE);
    InboundMessage in = crypto.readMessage(signature, null, TS, NONCE, body);
    assertFalse(in.encrypted());
    assertEquals(body, in.content());
    assertEquals("hi", in.fields().get("Content"));
    assertSame(in.fields(), in.fields(), "parsed once, not on every call");
    expect(
        MessageCryptoException.SIGNATURE_MISMATCH,
        () -> crypto.readMessage("0" + signature.substring(1), null, TS, NONCE, body));
    expect(
        MessageCryptoException.SIGNATURE_MISMATCH,
        () -> crypto.readMessage(null, null, TS, NONCE, body));
    expect(
        MessageCryptoException.MALFORMED_XML,
        () -> crypto.readMessage(signature, null, TS, NONCE, "<xml>"));
    // decrypt itself says what is wrong with a plaintext-mode body
    MessageCryptoException e =
        expect(
            MessageCryptoException.MALFORMED_XML, () -> crypto.decrypt(signature, TS, NONCE, body));
    assertTrue(e.getMessage().contains("plaintext mode"), e.getMessage());
  }

  // ---- the bad input matrix ----

  @Test
  void tamperedCiphertextIsCaughtByTheSignatureAtEveryPosition() {
    Map<String, String> env = WeChatXml.parse(crypto.encrypt(REPLY, TS, NONCE));
    String sig = env.get("MsgSignature");
    byte[] ct = Base64.getDecoder().decode(env.get("Encrypt"));
    for (int i = 0; i < ct.length; i++) {
      byte[] t = ct.clone();
      t[i] ^= 0x01;
      String tampered = Base64.getEncoder().encodeToString(t);
      expect(
          MessageCryptoException.SIGNATURE_MISMATCH,
          () -> crypto.decrypt(sig, TS, NONCE, tampered));
    }
  }

  @Test
  void tamperedAndResignedCiphertextInTheFramedRegionGivesATypedError() {
    // Integrity rests on msg_signature, so only someone who knows the Token can get this far. Even
    // then,
    // a flip anywhere from the second block on touches the length field, the AppId or the padding,
    // and
    // must end in a typed error. (A fixed prefix makes the garbled blocks the same on every run.)
    MessageCrypto fixed = new MessageCrypto(TOKEN, KEY, APP_ID, () -> new byte[16]);
    // 16 prefix + 4 length + 5 "hello" + 18 AppId = 43 bytes, padded to 64: the AppId starts in
    // block 1
    byte[] ct =
        Base64.getDecoder()
            .decode(WeChatXml.parse(fixed.encrypt("hello", TS, NONCE)).get("Encrypt"));
    assertEquals(64, ct.length);
    for (int i = 16; i < ct.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] t = ct.clone();
        t[i] ^= (byte) (1 << bit);
        String tampered = Base64.getEncoder().encodeToString(t);
        MessageCryptoException e =
            assertThrows(
                MessageCryptoException.class,
                () -> decryptSigned(tampered),
                "flip of bit " + bit + " of byte " + i);
        assertTrue(
            e.errorCode() == MessageCryptoException.DECRYPT_FAILURE
                || e.errorCode() == MessageCryptoException.APPID_MISMATCH
                || e.errorCode() == MessageCryptoException.INVALID_BUFFER,
            e.getMessage());
      }
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "0000000000000000000000000000000000000000",
        "not-a-signature",
        "\uD83D\uDE00" + "00000000000000000000000000000000000000" // 40 chars, 39 Latin-1 bytes
      })
  @NullSource
  void wrongOrMissingSignature(String signature) {
    Map<String, String> env = WeChatXml.parse(crypto.encrypt(REPLY, TS, NONCE));
    expect(
        MessageCryptoException.SIGNATURE_MISMATCH,
        () -> crypto.decrypt(signature, TS, NONCE, env.get("Encrypt")));
  }

  @Test
  void signatureOverOtherTimestampOrNonceOrToken() {
    Map<String, String> env = WeChatXml.parse(crypto.encrypt(REPLY, TS, NONCE));
    String sig = env.get("MsgSignature");
    String enc = env.get("Encrypt");
    expect(
        MessageCryptoException.SIGNATURE_MISMATCH,
        () -> crypto.decrypt(sig, "1714112446", NONCE, enc));
    expect(
        MessageCryptoException.SIGNATURE_MISMATCH, () -> crypto.decrypt(sig, TS, "415670742", enc));
    expect(MessageCryptoException.SIGNATURE_MISMATCH, () -> crypto.decrypt(sig, null, NONCE, enc));
    expect(MessageCryptoException.SIGNATURE_MISMATCH, () -> crypto.decrypt(sig, TS, null, enc));
    MessageCrypto otherToken = new MessageCrypto("anotherToken", KEY, APP_ID);
    expect(
        MessageCryptoException.SIGNATURE_MISMATCH, () -> otherToken.decrypt(sig, TS, NONCE, enc));
  }

  @Test
  void truncatedBase64() {
    String enc = WeChatXml.parse(crypto.encrypt(REPLY, TS, NONCE)).get("Encrypt");
    // one dangling Base64 character cannot be decoded
    String dangling = enc.substring(0, enc.length() - 3);
    assertEquals(1, dangling.replace("=", "").length() % 4);
    expect(MessageCryptoException.BASE64_DECODE_FAILURE, () -> decryptSigned(dangling));
    expect(
        MessageCryptoException.BASE64_DECODE_FAILURE,
        () -> decryptSigned(enc.substring(0, 10) + "*" + enc.substring(11)));
    // whole Base64 quanta, but the ciphertext no longer fills AES blocks
    String shortened = enc.substring(0, enc.length() - 8);
    expect(MessageCryptoException.DECRYPT_FAILURE, () -> decryptSigned(shortened));
    // whole AES blocks missing from the end: the padding is then garbage
    byte[] ct = Base64.getDecoder().decode(enc);
    String blockShort =
        Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(ct, ct.length - 16));
    MessageCryptoException e =
        assertThrows(MessageCryptoException.class, () -> decryptSigned(blockShort));
    assertTrue(
        e.errorCode() == MessageCryptoException.DECRYPT_FAILURE
            || e.errorCode() == MessageCryptoException.INVALID_BUFFER
            || e.errorCode() == MessageCryptoException.APPID_MISMATCH,
        e.getMessage());
  }

  @Test
  void messageForAnotherAppIdIsRefused() {
    MessageCrypto other = new MessageCrypto(TOKEN, KEY, "wxfedcba9876543210");
    Map<String, String> env = WeChatXml.parse(other.encrypt(REPLY, TS, NONCE));
    MessageCryptoException e =
        expect(
            MessageCryptoException.APPID_MISMATCH,
            () -> crypto.decrypt(env.get("MsgSignature"), TS, NONCE, env.get("Encrypt")));
    assertTrue(e.getMessage().contains(APP_ID));
    // an AppId that is a prefix of ours, or ours with a suffix, is not ours either
    MessageCrypto prefix = new MessageCrypto(TOKEN, KEY, APP_ID.substring(0, 10));
    Map<String, String> env2 = WeChatXml.parse(prefix.encrypt(REPLY, TS, NONCE));
    expect(
        MessageCryptoException.APPID_MISMATCH,
        () -> crypto.decrypt(env2.get("MsgSignature"), TS, NONCE, env2.get("Encrypt")));
    MessageCrypto suffix = new MessageCrypto(TOKEN, KEY, APP_ID + "0");
    Map<String, String> env3 = WeChatXml.parse(suffix.encrypt(REPLY, TS, NONCE));
    expect(
        MessageCryptoException.APPID_MISMATCH,
        () -> crypto.decrypt(env3.get("MsgSignature"), TS, NONCE, env3.get("Encrypt")));
  }

  @Test
  void badPadding() throws Exception {
    byte[] msg = "hello".getBytes(StandardCharsets.US_ASCII);
    int n = 16 + 4 + msg.length + APP_ID.length(); // 43: 21 bytes of padding expected
    int pad = 32 - n % 32;
    // pad byte 0
    expect(
        MessageCryptoException.DECRYPT_FAILURE,
        () -> decryptSigned(rawEncrypt(frame(msg, msg.length, APP_ID, 0, pad))));
    // pad bytes that disagree with the count
    byte[] uneven = frame(msg, msg.length, APP_ID, pad, pad);
    uneven[uneven.length - 2] = (byte) (pad - 1);
    expect(MessageCryptoException.DECRYPT_FAILURE, () -> decryptSigned(rawEncrypt(uneven)));
    // a pad count above the 32-byte block
    byte[] over = frame(msg, msg.length, APP_ID, pad, pad);
    over[over.length - 1] = 33;
    expect(MessageCryptoException.DECRYPT_FAILURE, () -> decryptSigned(rawEncrypt(over)));
    // a pad count beyond the whole buffer (possible only with a 32-byte ciphertext)
    byte[] tiny = new byte[32];
    java.util.Arrays.fill(tiny, (byte) 32);
    tiny[31] = (byte) 0xff;
    expect(MessageCryptoException.DECRYPT_FAILURE, () -> decryptSigned(rawEncrypt(tiny)));
  }

  @Test
  void lengthFieldOutOfRange() throws Exception {
    byte[] msg = "hello".getBytes(StandardCharsets.US_ASCII);
    expect(
        MessageCryptoException.INVALID_BUFFER,
        () -> decryptSigned(rawEncrypt(wellPadded(msg, Integer.MAX_VALUE, APP_ID))));
    expect(
        MessageCryptoException.INVALID_BUFFER,
        () -> decryptSigned(rawEncrypt(wellPadded(msg, -1, APP_ID))));
    expect(
        MessageCryptoException.INVALID_BUFFER,
        () -> decryptSigned(rawEncrypt(wellPadded(msg, msg.length + APP_ID.length() + 1, APP_ID))));
    // a length field one too large takes a byte of the AppId: then the AppId no longer matches
    expect(
        MessageCryptoException.APPID_MISMATCH,
        () -> decryptSigned(rawEncrypt(wellPadded(msg, msg.length + 1, APP_ID))));
    // 32 bytes of padding leave nothing for the frame
    byte[] allPad = new byte[32];
    java.util.Arrays.fill(allPad, (byte) 32);
    expect(MessageCryptoException.INVALID_BUFFER, () -> decryptSigned(rawEncrypt(allPad)));
    // fewer bytes than prefix and length field
    byte[] tooShort = new byte[32];
    java.util.Arrays.fill(tooShort, 13, 32, (byte) 13);
    expect(MessageCryptoException.INVALID_BUFFER, () -> decryptSigned(rawEncrypt(tooShort)));
  }

  @Test
  void messageThatIsNotUtf8() throws Exception {
    byte[] msg = {(byte) 0xc3, (byte) 0x28, 'a'};
    expect(
        MessageCryptoException.INVALID_BUFFER,
        () -> decryptSigned(rawEncrypt(wellPadded(msg, msg.length, APP_ID))));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "   ",
        "\n",
        "<xml></xml>",
        "<xml><Encrypt></Encrypt></xml>",
        "<xml><Encrypt>  </Encrypt></xml>",
        "<xml><Encrypt>abc",
        "<xml>",
        "<!-- -->"
      })
  @NullSource
  void emptyOrShapelessBody(String body) {
    expect(
        MessageCryptoException.MALFORMED_XML,
        () -> crypto.decrypt("0".repeat(40), TS, NONCE, body));
  }

  @Test
  void oversizedBody() {
    String body = "<xml><Encrypt>" + "A".repeat(WeChatXml.MAX_CHARS) + "</Encrypt></xml>";
    expect(
        MessageCryptoException.MALFORMED_XML,
        () -> crypto.decrypt("0".repeat(40), TS, NONCE, body));
    expect(
        MessageCryptoException.MALFORMED_XML,
        () -> crypto.decrypt("0".repeat(40), TS, NONCE, "A".repeat(WeChatXml.MAX_CHARS + 1)));
  }

  @Test
  void xxeBodyIsRefusedBeforeAnythingElse() {
    String body =
        "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
            + "<xml><Encrypt>&xxe;</Encrypt></xml>";
    expect(
        MessageCryptoException.MALFORMED_XML,
        () -> crypto.decrypt("0".repeat(40), TS, NONCE, body));
  }

  // ---- construction and reply arguments ----

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF+",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF/",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF=",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF ",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFé"
      })
  @NullSource
  void badEncodingAesKeyFailsAtConstruction(String key) {
    MessageCryptoException e =
        assertThrows(MessageCryptoException.class, () -> new MessageCrypto(TOKEN, key, APP_ID));
    assertEquals(MessageCryptoException.INVALID_AES_KEY, e.errorCode());
    if (key != null && !key.isEmpty()) {
      assertFalse(e.getMessage().contains(key.strip()), e.getMessage());
    }
  }

  @Test
  void badTokenOrAppIdFailsAtConstruction() {
    assertThrows(IllegalArgumentException.class, () -> new MessageCrypto(null, KEY, APP_ID));
    assertThrows(IllegalArgumentException.class, () -> new MessageCrypto(" ", KEY, APP_ID));
    assertThrows(IllegalArgumentException.class, () -> new MessageCrypto(TOKEN, KEY, null));
    assertThrows(IllegalArgumentException.class, () -> new MessageCrypto(TOKEN, KEY, "wx 1"));
  }

  @Test
  void badReplyArguments() {
    expect(MessageCryptoException.REPLY_XML_FAILURE, () -> crypto.encrypt(null, TS, NONCE));
    expect(MessageCryptoException.REPLY_XML_FAILURE, () -> crypto.encrypt(REPLY, "12a", NONCE));
    expect(MessageCryptoException.REPLY_XML_FAILURE, () -> crypto.encrypt(REPLY, null, NONCE));
    expect(MessageCryptoException.REPLY_XML_FAILURE, () -> crypto.encrypt(REPLY, TS, "a]]><x/>"));
    expect(MessageCryptoException.REPLY_XML_FAILURE, () -> crypto.encrypt(REPLY, TS, "a\nb"));
    expect(MessageCryptoException.REPLY_XML_FAILURE, () -> crypto.encrypt(REPLY, TS, ""));
    expect(MessageCryptoException.REPLY_XML_FAILURE, () -> crypto.encrypt(REPLY, TS, null));
    expect(
        MessageCryptoException.REPLY_XML_FAILURE,
        () -> crypto.encrypt("x".repeat(WeChatXml.MAX_CHARS + 1), TS, NONCE));
  }

  @Test
  void toStringShowsNeitherKeyNorToken() {
    String s = crypto.toString();
    assertTrue(s.contains(APP_ID));
    assertFalse(s.contains(KEY));
    assertFalse(s.contains(TOKEN));
  }

  @Test
  void oneInstanceServesManyThreadsAtOnce() throws Exception {
    int threads = 16;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        Callable<Integer> task =
            () -> {
              start.await();
              int ok = 0;
              for (int i = 0; i < 200; i++) {
                String msg = "<xml><N>" + id + "-" + i + "</N></xml>";
                Map<String, String> env = WeChatXml.parse(crypto.encrypt(msg, TS, NONCE));
                if (msg.equals(
                    crypto.decrypt(env.get("MsgSignature"), TS, NONCE, env.get("Encrypt")))) {
                  ok++;
                }
              }
              return ok;
            };
        results.add(pool.submit(task));
      }
      start.countDown();
      for (Future<Integer> f : results) {
        assertEquals(200, f.get(60, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
  }
}

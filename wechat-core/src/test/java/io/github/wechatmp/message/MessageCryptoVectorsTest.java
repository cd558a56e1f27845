package io.github.wechatmp.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every message-encryption vector of test-vectors/message-crypto.md, read from the file itself. */
class MessageCryptoVectorsTest {

  private static MessageCrypto v1Crypto() {
    return new MessageCrypto(
        SharedVectors.value("V1", "Token"),
        SharedVectors.value("V1", "EncodingAESKey"),
        SharedVectors.value("V1", "AppId"));
  }

  @Test
  void v1VectorKeysAreReadFromTheFile() {
    assertEquals(
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", SharedVectors.value("V1", "EncodingAESKey"));
    assertEquals(43, SharedVectors.value("V3", "EncodingAESKey").length());
  }

  @Test
  void v1DecryptsTheBareEncryptValue() {
    String plain =
        v1Crypto()
            .decrypt(
                SharedVectors.value("V1", "msg_signature"),
                SharedVectors.value("V1", "timestamp"),
                SharedVectors.value("V1", "nonce"),
                SharedVectors.value("V1", "Encrypt"));
    assertEquals(SharedVectors.value("V1", "Decrypted msg"), plain);
    String note = SharedVectors.value("V1", "Decrypted msg.note"); // "167 bytes"
    assertEquals(
        Integer.parseInt(note.split(" ")[0]), plain.getBytes(StandardCharsets.UTF_8).length);
  }

  @Test
  void v1DecryptsTheWholePostBody() {
    String body =
        "<xml>\n  <ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName>\n  <Encrypt><![CDATA["
            + SharedVectors.value("V1", "Encrypt")
            + "]]></Encrypt>\n</xml>";
    String plain =
        v1Crypto()
            .decrypt(
                SharedVectors.value("V1", "msg_signature"),
                SharedVectors.value("V1", "timestamp"),
                SharedVectors.value("V1", "nonce"),
                body);
    assertEquals(SharedVectors.value("V1", "Decrypted msg"), plain);
  }

  @Test
  void v1MsgSignatureIsComputedAsWeChatDoes() {
    assertEquals(
        SharedVectors.value("V1", "msg_signature"),
        v1Crypto()
            .sign(
                SharedVectors.value("V1", "timestamp"),
                SharedVectors.value("V1", "nonce"),
                SharedVectors.value("V1", "Encrypt")));
  }

  @Test
  void v1UrlSignatureOfThreeFieldsVerifies() {
    MessageCrypto crypto = v1Crypto();
    String ts = SharedVectors.value("V1", "timestamp");
    String nonce = SharedVectors.value("V1", "nonce");
    String expected = SharedVectors.value("V1", "URL signature");
    assertEquals(expected, MessageCrypto.sha1Sorted(SharedVectors.value("V1", "Token"), ts, nonce));
    crypto.verifyUrlSignature(expected, ts, nonce);
    crypto.verifyUrlSignature(expected.toUpperCase(), ts, nonce); // hex case carries no meaning
    MessageCryptoException e =
        assertThrows(
            MessageCryptoException.class,
            () -> crypto.verifyUrlSignature(expected, ts, nonce + "1"));
    assertEquals(MessageCryptoException.SIGNATURE_MISMATCH, e.errorCode());
  }

  @Test
  void v2EncryptsTheReplyWithTheDocumentedPrefix() {
    byte[] prefix = SharedVectors.value("V2", "random prefix").getBytes(StandardCharsets.US_ASCII);
    assertEquals(16, prefix.length);
    MessageCrypto crypto =
        new MessageCrypto(
            SharedVectors.value("V1", "Token"),
            SharedVectors.value("V1", "EncodingAESKey"),
            SharedVectors.value("V1", "AppId"),
            prefix::clone);
    String ts = SharedVectors.value("V2", "TimeStamp");
    String nonce = SharedVectors.value("V2", "Nonce");
    String envelope = crypto.encrypt(SharedVectors.value("V2", "msg"), ts, nonce);

    Map<String, String> fields = WeChatXml.parse(envelope);
    assertEquals(SharedVectors.value("V2", "Encrypt"), fields.get("Encrypt"));
    assertEquals(SharedVectors.value("V2", "MsgSignature"), fields.get("MsgSignature"));
    assertEquals(ts, fields.get("TimeStamp"));
    assertEquals(nonce, fields.get("Nonce"));
    assertEquals(
        "<xml><Encrypt><![CDATA["
            + SharedVectors.value("V2", "Encrypt")
            + "]]></Encrypt>"
            + "<MsgSignature><![CDATA["
            + SharedVectors.value("V2", "MsgSignature")
            + "]]></MsgSignature>"
            + "<TimeStamp>"
            + ts
            + "</TimeStamp><Nonce><![CDATA["
            + nonce
            + "]]></Nonce></xml>",
        envelope);

    // and the envelope, as WeChat would receive it, decrypts back
    assertEquals(
        SharedVectors.value("V2", "msg"),
        v1Crypto()
            .decrypt(fields.get("MsgSignature"), ts, nonce, SharedVectors.value("V2", "Encrypt")));
  }

  @Test
  void v3MatchesWeChatsJavaSampleInBothDirections() {
    String token = SharedVectors.value("V3", "Token");
    String key = SharedVectors.value("V3", "EncodingAESKey");
    String appId = SharedVectors.value("V3", "AppId");
    byte[] prefix = SharedVectors.value("V3", "random prefix").getBytes(StandardCharsets.US_ASCII);
    String msg = SharedVectors.value("V3", "msg");
    assertArrayEquals(
        "我是中文abcd123".getBytes(StandardCharsets.UTF_8),
        msg.getBytes(StandardCharsets.UTF_8),
        "the vector file must be read as UTF-8");

    MessageCrypto fixed = new MessageCrypto(token, key, appId, prefix::clone);
    String envelope = fixed.encrypt(msg, "1409304348", "xxxxxx");
    assertEquals(SharedVectors.value("V3", "Encrypt"), WeChatXml.parse(envelope).get("Encrypt"));

    MessageCrypto crypto = new MessageCrypto(token, key, appId);
    String encrypt = SharedVectors.value("V3", "Encrypt");
    String sig = MessageCrypto.sha1Sorted(token, "1409304348", "xxxxxx", encrypt);
    assertEquals(msg, crypto.decrypt(sig, "1409304348", "xxxxxx", encrypt));
    assertEquals(msg, crypto.decrypt(sig, "1409304348", "xxxxxx", envelope));
  }
}

package io.github.wechatmp.callback;

import io.github.wechatmp.message.MessageCrypto;
import io.github.wechatmp.message.WeChatXml;
import io.github.wechatmp.signature.SignatureVerifier;
import java.util.HashMap;
import java.util.Map;

/** Signed requests as WeChat sends them, in each mode, for one test account. */
final class Pushes {
  static final String TOKEN = "pamtest";
  static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  static final String APP_ID = "wxb11529c136998cb6";
  static final String TIMESTAMP = "1714112445";
  static final String NONCE = "415670741";

  static final MessageCrypto CRYPTO = new MessageCrypto(TOKEN, AES_KEY, APP_ID);

  /** A request: the decoded query and the body. */
  record Request(Map<String, String> query, String body) {}

  private Pushes() {}

  static String text(String msgId, String content) {
    return "<xml><ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName>"
        + "<FromUserName><![CDATA[o9AgO5Kd5ggOC]]></FromUserName>"
        + "<CreateTime>1714112445</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        + "<Content><![CDATA["
        + content
        + "]]></Content><MsgId>"
        + msgId
        + "</MsgId></xml>";
  }

  static Map<String, String> signedQuery(String timestamp, String nonce) {
    Map<String, String> q = new HashMap<>();
    q.put("signature", SignatureVerifier.of(TOKEN).sign(timestamp, nonce));
    q.put("timestamp", timestamp);
    q.put("nonce", nonce);
    q.put("openid", "o9AgO5Kd5ggOC");
    return q;
  }

  static Request plaintext(String xml) {
    return plaintext(xml, TIMESTAMP, NONCE);
  }

  static Request plaintext(String xml, String timestamp, String nonce) {
    return new Request(signedQuery(timestamp, nonce), xml);
  }

  /** Security mode: only the envelope, with {@code Encrypt}. */
  static Request encrypted(String xml) {
    return encrypted(xml, TIMESTAMP, NONCE, CRYPTO, false);
  }

  static Request encrypted(String xml, String timestamp, String nonce) {
    return encrypted(xml, timestamp, nonce, CRYPTO, false);
  }

  /** Compatibility mode: the plaintext fields and {@code Encrypt} in one body. */
  static Request compatible(String xml) {
    return encrypted(xml, TIMESTAMP, NONCE, CRYPTO, true);
  }

  static Request encrypted(
      String xml, String timestamp, String nonce, MessageCrypto crypto, boolean compatible) {
    Map<String, String> envelope = WeChatXml.parse(crypto.encrypt(xml, timestamp, nonce));
    Map<String, String> q = signedQuery(timestamp, nonce);
    q.put("encrypt_type", "aes");
    q.put("msg_signature", envelope.get("MsgSignature"));
    String inner =
        compatible ? xml.substring("<xml>".length(), xml.length() - "</xml>".length()) : "";
    String body =
        "<xml><ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName>"
            + (compatible
                ? inner.replace("<ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName>", "")
                : "")
            + "<Encrypt><![CDATA["
            + envelope.get("Encrypt")
            + "]]></Encrypt></xml>";
    return new Request(q, body);
  }

  /** Decrypts an encrypted reply after checking its signature. */
  static String decryptReply(String envelopeXml) {
    Map<String, String> e = WeChatXml.parse(envelopeXml);
    return CRYPTO.decrypt(e.get("MsgSignature"), e.get("TimeStamp"), e.get("Nonce"), envelopeXml);
  }
}

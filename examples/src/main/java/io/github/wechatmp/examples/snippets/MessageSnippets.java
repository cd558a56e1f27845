package io.github.wechatmp.examples.snippets;

import io.github.wechatmp.message.InboundMessage;
import io.github.wechatmp.message.MessageCrypto;
import io.github.wechatmp.message.WeChatXml;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** README snippet: reading and answering messages in security (encrypted) mode. */
final class MessageSnippets {
  private MessageSnippets() {}

  static String answer(
      String signature, String msgSignature, String timestamp, String nonce, String body) {
    // snippet:start messages
    MessageCrypto crypto =
        new MessageCrypto(
            System.getenv("WECHAT_TOKEN"),
            System.getenv("WECHAT_ENCODING_AES_KEY"),
            System.getenv("WECHAT_APP_ID"));

    // POST /wechat?signature=..&timestamp=..&nonce=..[&encrypt_type=aes&msg_signature=..]
    InboundMessage in = crypto.readMessage(signature, msgSignature, timestamp, nonce, body);
    Map<String, String> fields = in.fields(); // MsgType, FromUserName, Content, ...

    Map<String, String> reply = new LinkedHashMap<>();
    reply.put("ToUserName", fields.get("FromUserName"));
    reply.put("FromUserName", fields.get("ToUserName"));
    reply.put("CreateTime", Long.toString(Instant.now().getEpochSecond()));
    reply.put("MsgType", "text");
    reply.put("Content", "You said: " + fields.get("Content"));
    String xml = WeChatXml.write(reply);
    return in.encrypted() ? crypto.encrypt(xml, timestamp, nonce) : xml;
    // snippet:end
  }
}

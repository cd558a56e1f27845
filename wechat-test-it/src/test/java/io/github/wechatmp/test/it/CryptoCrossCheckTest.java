package io.github.wechatmp.test.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.wechatmp.message.MessageCrypto;
import io.github.wechatmp.message.MessageCryptoException;
import io.github.wechatmp.test.CallbackClient;
import io.github.wechatmp.test.CallbackException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CallbackClient's own crypto against core's MessageCrypto, both ways, over HTTP: each is an
 * independent implementation of WeChat's guide, so agreeing is a check of both (each also passes
 * the vectors of test-vectors/message-crypto.md in its own module's tests).
 */
class CryptoCrossCheckTest {
  static final String TOKEN = "AAAAA";
  static final String KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  static final String APP_ID = "wxba5fad812f8e6fb9";

  HttpServer server;
  String url;
  final MessageCrypto core = new MessageCrypto(TOKEN, KEY, APP_ID);

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/cb", this::handle);
    server.start();
    url = "http://127.0.0.1:" + server.getAddress().getPort() + "/cb";
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  /** A user's callback written with core: verify, decrypt, echo the content back encrypted. */
  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      Map<String, String> q = new HashMap<>();
      for (String pair : ex.getRequestURI().getRawQuery().split("&")) {
        String[] kv = pair.split("=", 2);
        q.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
      }
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      int status = 200;
      String reply;
      try {
        core.verifyUrlSignature(q.get("signature"), q.get("timestamp"), q.get("nonce"));
        if (ex.getRequestMethod().equals("GET")) {
          reply = q.get("echostr");
        } else {
          String plain =
              core.decrypt(q.get("msg_signature"), q.get("timestamp"), q.get("nonce"), body);
          reply =
              core.encrypt(
                  "<xml><Echo><![CDATA[" + plain + "]]></Echo></xml>", "1700000000", "98765");
        }
      } catch (MessageCryptoException e) {
        status = 403;
        reply = e.getMessage();
      }
      byte[] b = reply.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(status, b.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(b);
      }
    }
  }

  CallbackClient.Builder client() {
    return CallbackClient.builder().url(url).token(TOKEN).encodingAesKey(KEY).appId(APP_ID);
  }

  @Test
  void coreVerifiesTheUrlSignatureCallbackClientMakes() {
    CallbackClient c = client().build();
    assertEquals(c.verify(), c.lastEchostr());
  }

  @Test
  void coreDecryptsWhatCallbackClientEncryptsAndCallbackClientDecryptsCoresReply() {
    String msg =
        "<xml><ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName><FromUserName><![CDATA[o9AgO5]]>"
            + "</FromUserName><CreateTime>1714112445</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            + "<Content><![CDATA[中文 and emoji \uD83D\uDE00]]></Content><MsgId>1</MsgId></xml>";
    for (int i = 0; i < 20; i++) { // different random prefixes, lengths around block edges
      String m = msg.replace("<MsgId>1<", "<MsgId>" + "9".repeat(i + 1) + "<");
      assertEquals("<xml><Echo><![CDATA[" + m + "]]></Echo></xml>", client().build().send(m));
    }
  }

  @Test
  void aClientWithAnotherTokenIsRefusedByCore() {
    CallbackException e =
        assertThrows(
            CallbackException.class,
            () ->
                CallbackClient.builder()
                    .url(url)
                    .token("other")
                    .encodingAesKey(KEY)
                    .appId(APP_ID)
                    .build()
                    .send("<xml><ToUserName>x</ToUserName></xml>"));
    assertEquals(403, e.status());
  }
}

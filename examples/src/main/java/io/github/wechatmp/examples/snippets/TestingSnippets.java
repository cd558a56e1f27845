package io.github.wechatmp.examples.snippets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.github.wechatmp.http.AccessTokenInterceptor;
import io.github.wechatmp.message.InboundMessage;
import io.github.wechatmp.message.MessageCrypto;
import io.github.wechatmp.message.MessageCryptoException;
import io.github.wechatmp.message.WeChatXml;
import io.github.wechatmp.test.CallbackClient;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessTokenProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * Docs snippet (docs/test-kit.md): a user's own tests of their back end (a provider with the
 * interceptor, and a callback endpoint) against wechat-test's stand-in. It is main code so that the
 * page quotes compiled code; {@code TestingSnippetsTest} runs it.
 */
final class TestingSnippets {
  private TestingSnippets() {}

  /** The code under test: a callback endpoint as a user writes it (see the messages snippet). */
  static HttpServer myCallback(String token, String aesKey, String appId) throws IOException {
    MessageCrypto crypto = new MessageCrypto(token, aesKey, appId);
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/wechat",
        exchange -> {
          Map<String, String> q = new HashMap<>();
          String query = exchange.getRequestURI().getRawQuery();
          for (String pair : query == null ? new String[0] : query.split("&")) {
            String[] kv = pair.split("=", 2);
            q.put(kv[0], kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
          }
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          int status = 200;
          String answer;
          try {
            if ("GET".equals(exchange.getRequestMethod())) {
              crypto.verifyUrlSignature(q.get("signature"), q.get("timestamp"), q.get("nonce"));
              answer = q.getOrDefault("echostr", "");
            } else {
              InboundMessage in =
                  crypto.readMessage(
                      q.get("signature"),
                      q.get("msg_signature"),
                      q.get("timestamp"),
                      q.get("nonce"),
                      body);
              Map<String, String> reply = new LinkedHashMap<>();
              reply.put("ToUserName", in.fields().get("FromUserName"));
              reply.put("FromUserName", in.fields().get("ToUserName"));
              reply.put("CreateTime", Long.toString(Instant.now().getEpochSecond()));
              reply.put("MsgType", "text");
              reply.put("Content", "You said: " + in.fields().get("Content"));
              String xml = WeChatXml.write(reply);
              answer =
                  in.encrypted() ? crypto.encrypt(xml, q.get("timestamp"), q.get("nonce")) : xml;
            }
          } catch (MessageCryptoException e) {
            status = 403;
            answer = "forbidden";
          }
          byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
    server.start();
    return server;
  }

  // snippet:start testing
  static class MyBackEndTest {
    static final String APP_ID = "wx0123456789abcdef";
    static final String TOKEN = "my-callback-token";
    static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

    @Test
    void aTokenVoidedByAnotherServerIsRefetchedOnce() throws IOException {
      try (WeChatStandIn wechat =
              WeChatStandIn.builder()
                  .appId(APP_ID)
                  .appSecret("test-secret")
                  .overlap(Duration.ZERO) // the old token dies at once when a new one is issued
                  .start();
          AccessTokenProvider tokens =
              AccessTokenProvider.builder()
                  .appId(APP_ID)
                  .appSecret("test-secret")
                  .apiBaseUrl(wechat.baseUrl())
                  .build()) {
        OkHttpClient api =
            new OkHttpClient.Builder()
                .addInterceptor(AccessTokenInterceptor.builder(tokens).addHost("127.0.0.1").build())
                .build();
        Request ips =
            new Request.Builder().url(wechat.baseUrl() + "cgi-bin/get_api_domain_ip").build();
        try (Response r = api.newCall(ips).execute()) {
          assertTrue(r.body().string().contains("ip_list"));
        }
        wechat.fetchTokenElsewhere(); // another server of ours refreshed the token
        try (Response r = api.newCall(ips).execute()) {
          assertTrue(r.body().string().contains("ip_list")); // 40001, refetch, retry: still works
        }
        assertEquals(2, wechat.tokenRequests());
      }
    }

    @Test
    void myCallbackAnswersInSecurityMode() throws IOException {
      HttpServer endpoint = myCallback(TOKEN, AES_KEY, APP_ID); // the code under test
      try {
        CallbackClient wechat =
            CallbackClient.builder()
                .url("http://127.0.0.1:" + endpoint.getAddress().getPort() + "/wechat")
                .token(TOKEN)
                .encodingAesKey(AES_KEY)
                .appId(APP_ID)
                .build();
        assertEquals(wechat.verify(), wechat.lastEchostr()); // the URL check of the console
        String reply =
            wechat.send(
                "<xml><ToUserName><![CDATA[gh_123]]></ToUserName>"
                    + "<FromUserName><![CDATA[o_user]]></FromUserName>"
                    + "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
                    + "<Content><![CDATA[hello]]></Content><MsgId>1</MsgId></xml>");
        assertTrue(reply.contains("You said: hello"), reply);
      } finally {
        endpoint.stop(0);
      }
    }
  }
  // snippet:end
}

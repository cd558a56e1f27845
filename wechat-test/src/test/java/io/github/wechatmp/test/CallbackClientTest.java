package io.github.wechatmp.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * CallbackClient against a callback endpoint written here with the JDK's HttpServer (the SDK's own
 * endpoint is tested against it in the modules that depend on core).
 */
class CallbackClientTest {
  static final String TOKEN = "callbackToken";
  static final String KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  static final String APP_ID = "wxb11529c136998cb6";
  static final String MESSAGE =
      "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o_user]]></FromUserName>"
          + "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
          + "<Content><![CDATA[你好]]></Content><MsgId>42</MsgId></xml>";

  final List<Map<String, String>> queries = new CopyOnWriteArrayList<>();
  final List<String> bodies = new CopyOnWriteArrayList<>();
  HttpServer server;

  String start(Function<HttpExchange, String> handler) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext(
        "/wechat",
        ex -> {
          try (ex) {
            queries.add(WeChatStandIn.queryParameters(ex.getRequestURI().getRawQuery()));
            bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            String reply = handler.apply(ex);
            if (reply == null) {
              return;
            }
            byte[] b = reply.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream out = ex.getResponseBody()) {
              out.write(b);
            }
          }
        });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/wechat";
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  Map<String, String> q() {
    return queries.get(queries.size() - 1);
  }

  String body() {
    return bodies.get(bodies.size() - 1);
  }

  @Test
  void verifyMakesASignedGetWhoseEchostrACorrectEndpointAnswers() throws Exception {
    String url = start(ex -> queries.get(queries.size() - 1).get("echostr"));
    CallbackClient client = CallbackClient.builder().url(url).token(TOKEN).build();
    assertEquals(null, client.lastEchostr());
    String answered = client.verify();
    assertEquals(client.lastEchostr(), answered);
    Map<String, String> q = q();
    assertEquals(
        CallbackCrypto.signature(TOKEN, q.get("timestamp"), q.get("nonce")), q.get("signature"));
  }

  @Test
  void plainModePostsTheXmlSignedWithTheOpenid() throws Exception {
    String url = start(ex -> "success");
    String reply = CallbackClient.builder().url(url).token(TOKEN).build().send(MESSAGE);
    assertEquals("success", reply);
    assertEquals(MESSAGE, body());
    assertEquals("o_user", q().get("openid"));
    assertEquals(
        CallbackCrypto.signature(TOKEN, q().get("timestamp"), q().get("nonce")),
        q().get("signature"));
    assertFalse(q().containsKey("encrypt_type"));
  }

  @Test
  void theOpenidIsSentWithoutTheBlanksAWeChatSampleHasAroundIt() throws Exception {
    String url = start(ex -> "success");
    String message =
        "<xml> <ToUserName> <![CDATA[gh_3fcea188bf78]]></ToUserName>"
            + "<FromUserName> <![CDATA[ obLatjlaNQKb8FqOvt1M1x1lIBFE ]]> </FromUserName>"
            + "<CreateTime>1432668700</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            + "<Event><![CDATA[user_view_card]]></Event></xml>";
    CallbackClient.builder().url(url).token(TOKEN).build().send(message);
    assertEquals("obLatjlaNQKb8FqOvt1M1x1lIBFE", q().get("openid"));
  }

  @Test
  void securityModeEncryptsTheMessageAndDecryptsTheSignedReply() throws Exception {
    CallbackCrypto endpoint = new CallbackCrypto(KEY, APP_ID);
    String url =
        start(
            ex -> {
              Map<String, String> q = q();
              String encrypt = cdata(body(), "Encrypt");
              assertEquals(
                  CallbackCrypto.signature(TOKEN, q.get("timestamp"), q.get("nonce"), encrypt),
                  q.get("msg_signature"));
              String echo = "<xml><Content>" + endpoint.decrypt(encrypt) + "</Content></xml>";
              String out =
                  endpoint.encrypt(echo, "0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
              String sig = CallbackCrypto.signature(TOKEN, "1700000001", "n1", out);
              return "<xml><Encrypt><![CDATA["
                  + out
                  + "]]></Encrypt><MsgSignature><![CDATA["
                  + sig
                  + "]]></MsgSignature><TimeStamp>1700000001</TimeStamp><Nonce><![CDATA[n1]]></Nonce></xml>";
            });
    CallbackClient client =
        CallbackClient.builder().url(url).token(TOKEN).encodingAesKey(KEY).appId(APP_ID).build();
    assertEquals("<xml><Content>" + MESSAGE + "</Content></xml>", client.send(MESSAGE));
    assertEquals("aes", q().get("encrypt_type"));
    assertFalse(body().contains("你好"), "nothing in plain");
    assertTrue(body().contains("<ToUserName><![CDATA[gh_1]]></ToUserName>"));
  }

  @Test
  void compatibilityModeSendsBothPlainAndEncrypted() throws Exception {
    String url = start(ex -> "");
    CallbackClient.builder()
        .url(url)
        .token(TOKEN)
        .encodingAesKey(KEY)
        .appId(APP_ID)
        .compatibilityMode(true)
        .build()
        .send(MESSAGE);
    assertTrue(body().contains("<Content><![CDATA[你好]]></Content>"));
    assertEquals(MESSAGE, new CallbackCrypto(KEY, APP_ID).decrypt(cdata(body(), "Encrypt")));
  }

  @Test
  void aReplyWithAWrongSignatureOrInPlainIsRefusedInSecurityMode() throws Exception {
    CallbackCrypto endpoint = new CallbackCrypto(KEY, APP_ID);
    AtomicInteger n = new AtomicInteger();
    String url =
        start(
            ex -> {
              if (n.incrementAndGet() == 1) {
                return "<xml><Content>plain</Content></xml>";
              }
              String out = endpoint.encrypt("<xml/>", new byte[16]);
              return "<xml><Encrypt><![CDATA["
                  + out
                  + "]]></Encrypt><MsgSignature>bad</MsgSignature>"
                  + "<TimeStamp>1</TimeStamp><Nonce>2</Nonce></xml>";
            });
    CallbackClient client =
        CallbackClient.builder().url(url).token(TOKEN).encodingAesKey(KEY).appId(APP_ID).build();
    assertTrue(
        assertThrows(CallbackException.class, () -> client.send(MESSAGE))
            .getMessage()
            .contains("not encrypted"));
    assertTrue(
        assertThrows(CallbackException.class, () -> client.send(MESSAGE))
            .getMessage()
            .contains("MsgSignature"));
  }

  @Test
  void aStatusOtherThan200IsAFailureCarryingTheStatus() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/wechat",
        ex -> {
          ex.sendResponseHeaders(403, -1);
          ex.close();
        });
    server.start();
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/wechat";
    CallbackException e =
        assertThrows(
            CallbackException.class,
            () -> CallbackClient.builder().url(url).token(TOKEN).build().send(MESSAGE));
    assertEquals(403, e.status());
  }

  @Test
  @Tag("slow")
  void withWeChatRetriesAnUnansweredTryIsSentAgainUpToThreeTimes() throws Exception {
    AtomicInteger tries = new AtomicInteger();
    String url =
        start(
            ex -> {
              if (tries.incrementAndGet() < 3) {
                sleep(1500);
              }
              return "reply " + tries.get();
            });
    CallbackClient client =
        CallbackClient.builder()
            .url(url)
            .token(TOKEN)
            .wechatRetries(true)
            .answerTimeout(Duration.ofMillis(500))
            .build();
    assertEquals("reply 3", client.send(MESSAGE));
    assertEquals(3, client.lastAttempts());
    assertEquals(3, bodies.size());
    assertEquals(bodies.get(0), bodies.get(2), "the same message each time");
    assertEquals(queries.get(0), queries.get(2), "the same signature each time");
  }

  @Test
  @Tag("slow")
  void withoutRetriesOrAfterThreeTriesNoAnswerIsAFailure() throws Exception {
    String url =
        start(
            ex -> {
              sleep(1500);
              return "late";
            });
    CallbackClient once =
        CallbackClient.builder()
            .url(url)
            .token(TOKEN)
            .answerTimeout(Duration.ofMillis(300))
            .build();
    assertEquals(0, assertThrows(CallbackException.class, () -> once.send(MESSAGE)).status());
    assertEquals(1, once.lastAttempts());
    CallbackClient thrice =
        CallbackClient.builder()
            .url(url)
            .token(TOKEN)
            .wechatRetries(true)
            .answerTimeout(Duration.ofMillis(300))
            .build();
    assertThrows(CallbackException.class, () -> thrice.send(MESSAGE));
    assertEquals(3, thrice.lastAttempts());
  }

  @Test
  void badConfigurationIsRefusedClearly() {
    assertThrows(IllegalStateException.class, () -> CallbackClient.builder().token("t").build());
    assertThrows(IllegalArgumentException.class, () -> CallbackClient.builder().url("ftp://x/"));
    assertThrows(
        IllegalArgumentException.class, () -> CallbackClient.builder().encodingAesKey("short"));
    assertThrows(
        IllegalStateException.class,
        () ->
            CallbackClient.builder()
                .url("http://127.0.0.1/")
                .token("t")
                .encodingAesKey(KEY)
                .build());
    assertThrows(
        IllegalStateException.class,
        () ->
            CallbackClient.builder()
                .url("http://127.0.0.1/")
                .token("t")
                .compatibilityMode(true)
                .build());
    assertFalse(
        CallbackClient.builder()
            .url("http://127.0.0.1/")
            .token("t0k3n")
            .build()
            .toString()
            .contains("t0k3n"));
  }

  static String cdata(String xml, String name) {
    Matcher m = Pattern.compile("<" + name + "><!\\[CDATA\\[(.*?)]]></" + name + ">").matcher(xml);
    assertTrue(m.find(), xml);
    return m.group(1);
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package io.github.wechatmp.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.callback.inbound.TextMessage;
import io.github.wechatmp.callback.inbound.UnknownMessage;
import io.github.wechatmp.message.MessageCrypto;
import io.github.wechatmp.message.WeChatXml;
import io.github.wechatmp.test.Fault;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.LogCapture;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link WeChatCallback#handle} in every mode and for every bad input. */
class WeChatCallbackTest {
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1714112500), ZoneOffset.UTC);

  private final Handlers handler = new Handlers();

  private WeChatCallback.Builder builder() {
    return WeChatCallback.builder().token(Pushes.TOKEN).handler(handler).clock(CLOCK);
  }

  private WeChatCallback secure() {
    return builder().encodingAesKey(Pushes.AES_KEY).appId(Pushes.APP_ID).build();
  }

  private static CallbackResponse post(WeChatCallback cb, Pushes.Request r) {
    return cb.handle("POST", r.query(), r.body());
  }

  private static void assertError(int status, CallbackResponse r) {
    assertEquals(status, r.status(), r.body());
    assertEquals(CallbackResponse.TEXT, r.contentType());
  }

  @Test
  void theUrlCheckAnswersEchostrOnlyWithTheRightSignature() {
    WeChatCallback cb = builder().build();
    Map<String, String> q = Pushes.signedQuery("1714112445", "abc");
    q.put("echostr", "hello-wechat");
    CallbackResponse ok = cb.handle("GET", q, null);
    assertEquals(200, ok.status());
    assertEquals("hello-wechat", ok.body());
    assertEquals("text/plain; charset=UTF-8", ok.contentType());
    q.put("signature", "0".repeat(40));
    assertError(403, cb.handle("GET", q, ""));
    q.remove("echostr");
    assertError(400, cb.handle("GET", q, null));
    assertError(405, cb.handle("PUT", q, null));
  }

  @Test
  void aPlaintextMessageGetsAPlaintextReplyAddressedBack() {
    WeChatCallback cb = builder().build();
    handler.answer = m -> Reply.text("echo: " + ((TextMessage) m).content());
    CallbackResponse r = post(cb, Pushes.plaintext(Pushes.text("1", "hi")));
    assertEquals(200, r.status());
    assertEquals("application/xml; charset=UTF-8", r.contentType());
    Map<String, String> reply = WeChatXml.parse(r.body());
    assertEquals("o9AgO5Kd5ggOC", reply.get("ToUserName"));
    assertEquals("gh_97417a04a28d", reply.get("FromUserName"));
    assertEquals("1714112500", reply.get("CreateTime"));
    assertTrue(r.body().contains("<CreateTime>1714112500</CreateTime>"), r.body());
    assertEquals("text", reply.get("MsgType"));
    assertEquals("echo: hi", reply.get("Content"));
    TextMessage got = assertInstanceOf(TextMessage.class, handler.received.get(0));
    assertEquals("1", got.msgId());
  }

  @Test
  void anEncryptedMessageGetsAnEncryptedReplyForItsTimestampAndNonce() {
    WeChatCallback cb = secure();
    CallbackResponse r = post(cb, Pushes.encrypted(Pushes.text("2", "hi")));
    assertEquals(200, r.status());
    Map<String, String> envelope = WeChatXml.parse(r.body());
    assertEquals(Pushes.TIMESTAMP, envelope.get("TimeStamp"));
    assertEquals(Pushes.NONCE, envelope.get("Nonce"));
    Map<String, String> reply = WeChatXml.parse(Pushes.decryptReply(r.body()));
    assertEquals("o9AgO5Kd5ggOC", reply.get("ToUserName"));
    assertEquals("echo", reply.get("Content"));
    assertEquals("hi", ((TextMessage) handler.received.get(0)).content());
  }

  @Test
  void compatibilityModeReadsTheEncryptedCopyAndAnswersEncrypted() {
    WeChatCallback cb = secure();
    Pushes.Request req = Pushes.compatible(Pushes.text("3", "the real one"));
    // the plaintext copy in the body is not what counts: the verified Encrypt is
    String tampered = req.body().replace("the real one", "forged");
    assertTrue(tampered.contains("forged"));
    CallbackResponse r = cb.handle("POST", req.query(), tampered);
    assertEquals(200, r.status());
    assertEquals("the real one", ((TextMessage) handler.received.get(0)).content());
    assertEquals("echo", WeChatXml.parse(Pushes.decryptReply(r.body())).get("Content"));
    // and a plaintext push to the same callback is answered in plaintext
    CallbackResponse plain = post(cb, Pushes.plaintext(Pushes.text("4", "x")));
    assertEquals("echo", WeChatXml.parse(plain.body()).get("Content"));
  }

  @Test
  void noReplyIsThePlainTextSuccessInEveryMode() {
    handler.answer = m -> null;
    for (WeChatCallback cb : new WeChatCallback[] {builder().build(), secure()}) {
      for (Pushes.Request req :
          new Pushes.Request[] {
            Pushes.plaintext(Pushes.text("5" + cb.hashCode(), "x")),
            Pushes.encrypted(Pushes.text("6" + cb.hashCode(), "x"))
          }) {
        if (req.query().containsKey("msg_signature") && cb.toString().contains("plaintext")) {
          continue;
        }
        CallbackResponse r = post(cb, req);
        assertEquals(200, r.status());
        assertEquals("success", r.body());
        assertEquals(CallbackResponse.TEXT, r.contentType());
      }
    }
  }

  @Test
  void anUnknownTypeReachesTheHandler() {
    CallbackResponse r =
        post(builder().build(), Pushes.plaintext(Pushes.text("7", "x").replace("[text]", "[new]")));
    assertEquals(200, r.status());
    assertEquals("new", assertInstanceOf(UnknownMessage.class, handler.received.get(0)).msgType());
  }

  @Test
  void missingParametersAre400WithoutCallingTheHandler() {
    WeChatCallback cb = secure();
    for (String name : new String[] {"signature", "timestamp", "nonce"}) {
      Pushes.Request req = Pushes.encrypted(Pushes.text("8", "x"));
      Map<String, String> q = new HashMap<>(req.query());
      q.remove(name);
      assertError(400, cb.handle("POST", q, req.body()));
    }
    Pushes.Request req = Pushes.plaintext(Pushes.text("8", "x"));
    assertError(400, cb.handle("POST", req.query(), null));
    assertError(400, cb.handle("POST", req.query(), ""));
    assertEquals(0, handler.calls.get());
  }

  @Test
  void badSignaturesAre403WithoutCallingTheHandler() {
    WeChatCallback cb = secure();
    Pushes.Request plain = Pushes.plaintext(Pushes.text("9", "x"));
    Map<String, String> q = new HashMap<>(plain.query());
    q.put("signature", "f".repeat(40));
    assertError(403, cb.handle("POST", q, plain.body()));
    Pushes.Request enc = Pushes.encrypted(Pushes.text("9", "x"));
    q = new HashMap<>(enc.query());
    q.put("msg_signature", "0".repeat(40));
    assertError(403, cb.handle("POST", q, enc.body()));
    q.remove("msg_signature"); // encrypt_type=aes without msg_signature
    assertError(403, cb.handle("POST", q, enc.body()));
    assertEquals(0, handler.calls.get());
  }

  @Test
  void aTimestampOutsideTheReplayWindowIs403() {
    WeChatCallback cb = builder().maxTimestampAge(Duration.ofMinutes(5)).build();
    long now = CLOCK.instant().getEpochSecond();
    assertError(
        403, post(cb, Pushes.plaintext(Pushes.text("10", "x"), Long.toString(now - 301), "n")));
    assertEquals(
        200,
        post(cb, Pushes.plaintext(Pushes.text("10", "x"), Long.toString(now - 299), "n")).status());
    assertEquals(1, handler.calls.get());
  }

  @Test
  void aMessageForAnotherAppIdIs403() {
    MessageCrypto other = new MessageCrypto(Pushes.TOKEN, Pushes.AES_KEY, "wxotherapp0000000");
    Pushes.Request req =
        Pushes.encrypted(Pushes.text("11", "x"), Pushes.TIMESTAMP, Pushes.NONCE, other, false);
    assertError(403, post(secure(), req));
    assertEquals(0, handler.calls.get());
  }

  @Test
  void malformedXmlAndAnyDtdAre400() {
    WeChatCallback cb = secure();
    String dtd = "<!DOCTYPE xml [<!ENTITY e \"x\">]>" + Pushes.text("12", "&e;");
    for (Pushes.Request req :
        new Pushes.Request[] {
          Pushes.plaintext("<xml><ToUserName>a</xml>"),
          Pushes.plaintext("not xml"),
          Pushes.plaintext(dtd),
          Pushes.encrypted(dtd),
          Pushes.encrypted("{\"ToUserName\":\"json\"}"),
          Pushes.plaintext("<!DOCTYPE xml>" + Pushes.text("13", "x"))
        }) {
      assertError(400, post(cb, req));
    }
    assertEquals(0, handler.calls.get());
  }

  @Test
  void anExternalEntityIsNeverFetched() throws Exception {
    try (WeChatStandIn attacker = WeChatStandIn.start()) {
      attacker.failNext(1, Fault.body(200, "text/plain", "secret"));
      String xxe =
          "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM \""
              + attacker.baseUrl()
              + "xxe"
              + "\">]>"
              + Pushes.text("14", "&xxe;");
      assertError(400, post(secure(), Pushes.plaintext(xxe)));
      assertError(400, post(secure(), Pushes.encrypted(xxe)));
      assertEquals(List.of(), attacker.received());
    }
  }

  @Test
  void aBodyOverTheLimitIs413() {
    WeChatCallback cb = builder().maxBodySize(2048).build();
    String big = Pushes.text("15", "x".repeat(3000));
    assertError(413, post(cb, Pushes.plaintext(big)));
    assertEquals(0, handler.calls.get());
  }

  @Test
  void plaintextIs403WhenEncryptionIsRequired() {
    WeChatCallback cb =
        builder()
            .encodingAesKey(Pushes.AES_KEY)
            .appId(Pushes.APP_ID)
            .requireEncryption(true)
            .build();
    assertError(403, post(cb, Pushes.plaintext(Pushes.text("16", "x"))));
    assertEquals(0, handler.calls.get());
    assertEquals(200, post(cb, Pushes.encrypted(Pushes.text("16", "x"))).status());
  }

  @Test
  void aHandlerExceptionIs500LoggedWithTypeAndMsgIdButNotTheContent() {
    handler.failure = new IllegalStateException("database down");
    try (LogCapture log = new LogCapture()) {
      assertError(500, post(builder().build(), Pushes.plaintext(Pushes.text("4242", "my secret"))));
      String text = log.text();
      assertTrue(text.contains("text") && text.contains("4242"), text);
      assertFalse(text.contains("my secret"), text);
    }
  }

  @Test
  void aNewsReplyTooLongForAUserMessageIs500() {
    handler.answer =
        m ->
            Reply.news(
                new Reply.Article("a", null, null, null), new Reply.Article("b", null, null, null));
    assertError(500, post(builder().build(), Pushes.plaintext(Pushes.text("17", "x"))));
  }

  @Test
  void theBuilderRefusesAnIncompleteConfiguration() {
    assertThrows(
        IllegalStateException.class, () -> WeChatCallback.builder().handler(handler).build());
    assertThrows(IllegalStateException.class, () -> WeChatCallback.builder().token("t").build());
    assertThrows(IllegalStateException.class, () -> builder().requireEncryption(true).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> builder().encodingAesKey("short").appId(Pushes.APP_ID).build());
    assertThrows(
        IllegalArgumentException.class, () -> builder().replyDeadline(Duration.ofSeconds(5)));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> builder().encodingAesKey("x".repeat(42) + "!").appId(Pushes.APP_ID).build());
    assertFalse(e.getMessage().contains("x".repeat(42)), e.getMessage());
  }
}

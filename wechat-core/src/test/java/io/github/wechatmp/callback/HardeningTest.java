package io.github.wechatmp.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.callback.inbound.TemplateSendJobFinishEvent;
import io.github.wechatmp.callback.inbound.UnknownEvent;
import io.github.wechatmp.callback.inbound.WeChatMessage;
import io.github.wechatmp.message.WeChatXml;
import io.github.wechatmp.test.ManualClock;
import io.github.wechatmp.testing.LogCapture;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 items 2, 16 and 17 on {@link WeChatCallback} itself: blanks around IDs, malformed
 * timestamps, replays inside the window, the refusal before the body and the headers.
 */
class HardeningTest {
  /** WeChat's own membership-card sample, blanks around the CDATA sections included. */
  private static final String CARD_SAMPLE =
      "<xml> <ToUserName> <![CDATA[gh_3fcea188bf78]]></ToUserName>"
          + "  <FromUserName><![CDATA[obLatjlaNQKb8FqOvt1M1x1lIBFE]]> </FromUserName>"
          + "  <CreateTime>1432668700</CreateTime>  <MsgType><![CDATA[event]]></MsgType>"
          + "  <Event><![CDATA[user_view_card]]></Event>"
          + "  <CardId><![CDATA[pbLatjk4T4Hx-QgQ0yLsY7SOexrk]]></CardId>"
          + "  <UserCardCode><![CDATA[102003441281]]></UserCardCode>  </xml>";

  private final Handlers handler = new Handlers();

  private WeChatCallback.Builder builder() {
    return WeChatCallback.builder().token(Pushes.TOKEN).handler(handler);
  }

  @Test
  void blanksAroundTheAccountAndTheSenderAreNotPartOfThemNorOfTheReply() {
    handler.answer = m -> Reply.text("seen");
    CallbackResponse r =
        builder().build().handle("POST", Pushes.plaintext(CARD_SAMPLE).query(), CARD_SAMPLE);
    assertEquals(200, r.status(), r.body());
    WeChatMessage m = handler.received.get(0);
    assertInstanceOf(UnknownEvent.class, m);
    assertEquals("gh_3fcea188bf78", m.toUser());
    assertEquals("obLatjlaNQKb8FqOvt1M1x1lIBFE", m.fromUser());
    Map<String, String> reply = WeChatXml.parse(r.body());
    assertEquals("gh_3fcea188bf78", reply.get("FromUserName"));
    assertEquals("obLatjlaNQKb8FqOvt1M1x1lIBFE", reply.get("ToUserName"));
  }

  @Test
  void theMsgIdOfAJobFinishReportIsTrimmed() {
    String xml = Samples.TEMPLATE_SEND_JOB_FINISH.replace("<MsgID>200163836", "<MsgID> 200163836 ");
    handler.answer = m -> null;
    builder().build().handle("POST", Pushes.plaintext(xml).query(), xml);
    assertEquals("200163836", ((TemplateSendJobFinishEvent) handler.received.get(0)).msgId());
  }

  @Test
  void aSignedEncryptedPushWithANegativeTimestampIsRefusedBeforeTheHandler() throws Exception {
    WeChatCallback cb = builder().encodingAesKey(Pushes.AES_KEY).appId(Pushes.APP_ID).build();
    try (LogCapture logs = new LogCapture()) {
      for (String timestamp : new String[] {"-5", "+5", "1e9", " 1714112445", "1".repeat(21)}) {
        Pushes.Request push = resigned(Pushes.encrypted(Pushes.text("77", "hi")), timestamp);
        CallbackResponse r = cb.handle("POST", push.query(), push.body());
        assertEquals(400, r.status(), timestamp);
        assertEquals(CallbackResponse.TEXT, r.contentType());
        assertEquals(400, cb.screen("POST", push.query()).orElseThrow().status(), timestamp);
      }
      assertFalse(logs.text().contains("ERROR"), logs.text());
    }
    assertEquals(0, handler.calls.get());
  }

  /** {@code push} signed anew, both signatures valid, for another {@code timestamp}. */
  private static Pushes.Request resigned(Pushes.Request push, String timestamp) throws Exception {
    Map<String, String> q = new java.util.HashMap<>(push.query());
    String nonce = q.get("nonce");
    q.put("timestamp", timestamp);
    q.put("signature", sha1(Pushes.TOKEN, timestamp, nonce));
    q.put(
        "msg_signature",
        sha1(Pushes.TOKEN, timestamp, nonce, WeChatXml.parse(push.body()).get("Encrypt")));
    return new Pushes.Request(q, push.body());
  }

  /** WeChat's signature, written out here: the SHA-1 of the ASCII parts sorted and joined. */
  private static String sha1(String... parts) throws Exception {
    java.util.Arrays.sort(parts);
    byte[] digest =
        java.security.MessageDigest.getInstance("SHA-1")
            .digest(String.join("", parts).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return java.util.HexFormat.of().formatHex(digest);
  }

  @Test
  void aPushReplayed70SecondsLaterInsideA300SecondWindowDoesNotRunTheHandlerAgain() {
    long timestamp = Long.parseLong(Pushes.TIMESTAMP);
    // This server's clock 299 s behind WeChat's: the window accepts the push until 598 s later.
    Instant firstSeen = Instant.ofEpochSecond(timestamp - 299);
    ManualClock clock = new ManualClock(firstSeen);
    AtomicLong nanos = new AtomicLong();
    WeChatCallback cb =
        builder()
            .clock(clock)
            .ticker(nanos::get)
            .maxTimestampAge(Duration.ofSeconds(300))
            .encodingAesKey(Pushes.AES_KEY)
            .appId(Pushes.APP_ID)
            .build();
    Pushes.Request captured = Pushes.encrypted(Pushes.text("4242", "pay me"));
    assertEquals(200, cb.handle("POST", captured.query(), captured.body()).status());
    for (int seconds : new int[] {70, 299, 598}) {
      clock.set(firstSeen.plusSeconds(seconds));
      nanos.set(Duration.ofSeconds(seconds).toNanos());
      CallbackResponse replay = cb.handle("POST", captured.query(), captured.body());
      assertEquals(200, replay.status(), replay.body());
      assertEquals(1, handler.calls.get(), "replayed after " + seconds + " s");
    }
    clock.set(firstSeen.plusSeconds(600));
    nanos.set(Duration.ofSeconds(600).toNanos());
    assertEquals(403, cb.handle("POST", captured.query(), captured.body()).status());
    assertEquals(1, handler.calls.get());
  }

  @Test
  void aDeduplicatorThatForgetsWhileTheReplayWindowWouldAcceptAPushAgainIsRefused() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                builder()
                    .maxTimestampAge(Duration.ofSeconds(300))
                    .deduplicator(new InMemoryMessageDeduplicator(10, Duration.ofSeconds(60)))
                    .build());
    assertTrue(e.getMessage().contains("at least 600 s"), e.getMessage());
    builder()
        .maxTimestampAge(Duration.ofSeconds(300))
        .deduplicator(new InMemoryMessageDeduplicator(10, Duration.ofSeconds(600)))
        .build();
    builder().deduplicator(new InMemoryMessageDeduplicator(10, Duration.ofSeconds(30))).build();
  }

  @Test
  void theQueryIsScreenedBeforeAnyBodyIsRead() {
    WeChatCallback cb = builder().build();
    Map<String, String> signed = Pushes.signedQuery("1714112445", "n");
    assertTrue(cb.screen("POST", signed).isEmpty());
    Map<String, String> forged = Pushes.signedQuery("1714112445", "n");
    forged.put("signature", "0".repeat(40));
    assertEquals(403, cb.screen("POST", forged).orElseThrow().status());
    assertEquals(400, cb.screen("POST", Map.of("timestamp", "1")).orElseThrow().status());
    assertEquals(400, cb.screen("GET", signed).orElseThrow().status()); // no echostr
    assertEquals(405, cb.screen("PUT", signed).orElseThrow().status());
    // An unsigned push with no body is refused for its signature, not its body.
    assertEquals(403, cb.handle("POST", forged, null).status());
  }

  @Test
  void everyAnswerForbidsContentSniffing() {
    WeChatCallback cb = builder().build();
    Map<String, String> q = Pushes.signedQuery("1714112445", "n");
    q.put("echostr", "<script>alert(1)</script>");
    CallbackResponse echo = cb.handle("GET", q, null);
    assertEquals(200, echo.status());
    assertEquals(Map.of("X-Content-Type-Options", "nosniff"), echo.headers());
    assertEquals("nosniff", cb.handle("PUT", q, null).headers().get("X-Content-Type-Options"));
    String xml = Pushes.text("1", "x");
    assertEquals(
        "nosniff",
        cb.handle("POST", Pushes.plaintext(xml).query(), xml)
            .headers()
            .get("X-Content-Type-Options"));
  }
}

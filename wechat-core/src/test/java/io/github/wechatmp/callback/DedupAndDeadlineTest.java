package io.github.wechatmp.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.message.WeChatXml;
import io.github.wechatmp.testing.Await;
import io.github.wechatmp.testing.FakeWeChat;
import io.github.wechatmp.token.AccessTokenProvider;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Retries on one instance, and the reply deadline with its late reply. */
class DedupAndDeadlineTest {
  private final Handlers handler = new Handlers();

  private WeChatCallback.Builder builder() {
    return WeChatCallback.builder()
        .token(Pushes.TOKEN)
        .encodingAesKey(Pushes.AES_KEY)
        .appId(Pushes.APP_ID)
        .handler(handler);
  }

  private static CallbackResponse post(WeChatCallback cb, Pushes.Request r) {
    return cb.handle("POST", r.query(), r.body());
  }

  @Test
  void aRetryDuringASlowHandlerGetsTheFirstAttemptsReply() throws Exception {
    Handlers.CountingDeduplicator dedup =
        new Handlers.CountingDeduplicator(new InMemoryMessageDeduplicator());
    WeChatCallback cb = builder().deduplicator(dedup).build();
    handler.holding().answer = m -> Reply.text("the one reply");
    String xml = Pushes.text("100", "slow");
    CompletableFuture<CallbackResponse> first =
        CompletableFuture.supplyAsync(() -> post(cb, Pushes.encrypted(xml, "1714112445", "n1")));
    handler.awaitEntered();
    CompletableFuture<CallbackResponse> retry =
        CompletableFuture.supplyAsync(() -> post(cb, Pushes.encrypted(xml, "1714112450", "n2")));
    Await.until(() -> dedup.awaits.get() == 1, Duration.ofSeconds(5), "the retry waits");
    handler.open();
    CallbackResponse a = first.get(10, TimeUnit.SECONDS);
    CallbackResponse b = retry.get(10, TimeUnit.SECONDS);
    assertEquals("the one reply", WeChatXml.parse(Pushes.decryptReply(a.body())).get("Content"));
    assertEquals("the one reply", WeChatXml.parse(Pushes.decryptReply(b.body())).get("Content"));
    assertEquals("n2", WeChatXml.parse(b.body()).get("Nonce"), "encrypted for the retry");
    assertEquals(1, handler.calls.get());
  }

  @Test
  void aRetryAfterCompletionGetsTheCachedReplyEncryptedAfresh() {
    WeChatCallback cb = builder().build();
    AtomicLong n = new AtomicLong();
    handler.answer = m -> Reply.text("reply " + n.incrementAndGet());
    String xml = Pushes.text("101", "once");
    CallbackResponse a = post(cb, Pushes.encrypted(xml, "1714112445", "first"));
    CallbackResponse b = post(cb, Pushes.encrypted(xml, "1714112450", "second"));
    assertEquals("reply 1", WeChatXml.parse(Pushes.decryptReply(a.body())).get("Content"));
    assertEquals("reply 1", WeChatXml.parse(Pushes.decryptReply(b.body())).get("Content"));
    Map<String, String> envelope = WeChatXml.parse(b.body());
    assertEquals("1714112450", envelope.get("TimeStamp"));
    assertEquals("second", envelope.get("Nonce"));
    assertNotEquals(a.body(), b.body());
    assertEquals(1, handler.calls.get());
    // a plaintext retry of a push answered with none gets success without a second call
    handler.answer = m -> null;
    String event = Samples.CLICK;
    assertEquals("success", post(cb, Pushes.plaintext(event)).body());
    assertEquals("success", post(cb, Pushes.plaintext(event)).body());
    assertEquals(2, handler.calls.get());
  }

  @Test
  void aHandlerThatThrewRunsAgainOnTheRetry() {
    WeChatCallback cb = builder().build();
    handler.failure = new IllegalStateException("flaky");
    String xml = Pushes.text("102", "x");
    assertEquals(500, post(cb, Pushes.encrypted(xml)).status());
    handler.failure = null;
    CallbackResponse retry = post(cb, Pushes.encrypted(xml));
    assertEquals(200, retry.status());
    assertEquals("echo", WeChatXml.parse(Pushes.decryptReply(retry.body())).get("Content"));
    assertEquals(2, handler.calls.get());
  }

  @Test
  void theKeyHoldsTheAccountAndForEventsTheSenderTimeEventAndKey() {
    WeChatCallback cb = builder().build();
    handler.answer = m -> null;
    post(cb, Pushes.plaintext(Samples.CLICK));
    post(cb, Pushes.plaintext(Samples.CLICK.replace("toUser", "otherAccount")));
    post(cb, Pushes.plaintext(Samples.CLICK.replace("fromUser", "otherUser")));
    post(cb, Pushes.plaintext(Samples.CLICK.replace("1348831860", "1348831861")));
    post(cb, Pushes.plaintext(Samples.CLICK.replace("EVENTKEY", "OTHER")));
    post(cb, Pushes.plaintext(Samples.TEXT));
    post(cb, Pushes.plaintext(Samples.TEXT.replace("toUser", "otherAccount")));
    post(cb, Pushes.plaintext(Samples.TEXT));
    assertEquals(7, handler.calls.get());
  }

  @Test
  void theInMemoryDeduplicatorKeepsKeysForTheirLifetimeAndIsBounded() throws Exception {
    AtomicLong now = new AtomicLong();
    InMemoryMessageDeduplicator d =
        new InMemoryMessageDeduplicator(2, Duration.ofSeconds(30), now::get);
    MessageDeduplicator.Claim a = d.claim("a");
    assertEquals(MessageDeduplicator.Claim.State.CLAIMED, a.state());
    assertEquals(MessageDeduplicator.Claim.State.RUNNING, d.claim("a").state());
    d.complete(a, "<xml/>");
    assertEquals("<xml/>", d.claim("a").reply());
    now.addAndGet(TimeUnit.SECONDS.toNanos(29));
    assertEquals(MessageDeduplicator.Claim.State.DONE, d.claim("a").state());
    now.addAndGet(TimeUnit.SECONDS.toNanos(1));
    assertEquals(MessageDeduplicator.Claim.State.CLAIMED, d.claim("a").state(), "expired");
    d.claim("b");
    d.claim("c");
    assertEquals(2, d.size(), "bounded: the oldest claim went");
    assertEquals(MessageDeduplicator.Claim.State.CLAIMED, d.claim("a").state());
    MessageDeduplicator.Claim stale = MessageDeduplicator.Claim.claimed("c", "not the owner");
    d.release(stale);
    assertEquals(MessageDeduplicator.Claim.State.RUNNING, d.claim("c").state());
    assertEquals(
        MessageDeduplicator.Claim.State.ABSENT, d.await("never", Duration.ofMillis(1)).state());
  }

  @Test
  @Tag("slow") // a real 200 ms deadline
  void aHandlerPastTheDeadlineGetsSuccessAtOnceAndItsReplyGoesToCustomerService() throws Exception {
    try (FakeWeChat wechat = new FakeWeChat();
        AccessTokenProvider tokens =
            AccessTokenProvider.builder()
                .appId(FakeWeChat.APP_ID)
                .appSecret(FakeWeChat.SECRET)
                .apiBaseUrl(wechat.baseUrl())
                .build()) {
      WeChatCallback cb =
          builder()
              .replyDeadline(Duration.ofMillis(200))
              .lateReplies(new CustomerServiceSender(tokens))
              .build();
      handler.holding().answer = m -> Reply.text("sorry I am late");
      String xml = Pushes.text("103", "slow");
      CallbackResponse r = post(cb, Pushes.encrypted(xml));
      assertEquals(200, r.status());
      assertEquals("success", r.body());
      assertEquals(CallbackResponse.TEXT, r.contentType());
      assertEquals(1, handler.gate.getCount(), "answered while the handler was still inside");
      handler.open();
      Await.until(
          () -> sends(wechat).size() == 1, Duration.ofSeconds(10), "the late reply is sent");
      RecordedRequest sent = sends(wechat).get(0);
      assertEquals("POST", sent.getMethod());
      assertTrue(sent.getUrl().queryParameter("access_token") != null, sent.getUrl().toString());
      assertEquals(
          "{\"touser\":\"o9AgO5Kd5ggOC\",\"msgtype\":\"text\",\"text\":{\"content\":\"sorry I am late\"}}",
          sent.getBody().utf8());
      // a retry now gets success, so the user sees the reply once
      assertEquals("success", post(cb, Pushes.encrypted(xml)).body());
      assertEquals(1, handler.calls.get());
    }
  }

  @Test
  @Tag("slow") // a real 200 ms deadline
  void aMessageQueuedBehindBusyHandlersIsAnsweredAtItsDeadlineAndAFullQueueIs503()
      throws Exception {
    WeChatCallback cb = builder().handlerThreads(1).replyDeadline(Duration.ofMillis(200)).build();
    handler.holding();
    // the one handler thread is held by the first message; the next 16 wait in the queue
    CallbackResponse first = post(cb, Pushes.plaintext(Pushes.text("200", "a")));
    assertEquals("success", first.body(), "the deadline, with the handler still inside");
    for (int i = 1; i <= 16; i++) {
      assertEquals(
          "success",
          post(cb, Pushes.plaintext(Pushes.text(Integer.toString(200 + i), "q"))).body(),
          "queued message " + i + " is answered at its deadline");
    }
    CallbackResponse full = post(cb, Pushes.plaintext(Pushes.text("300", "x")));
    assertEquals(503, full.status(), full.body());
    handler.open();
    Await.until(() -> handler.calls.get() == 17, Duration.ofSeconds(10), "the queue drains");
    // the refused message was released: WeChat's retry of it runs the handler
    assertEquals(
        "echo",
        WeChatXml.parse(post(cb, Pushes.plaintext(Pushes.text("300", "x"))).body()).get("Content"));
  }

  private static List<RecordedRequest> sends(FakeWeChat wechat) {
    return wechat.requests().stream()
        .filter(r -> r.getUrl().encodedPath().endsWith("/cgi-bin/message/custom/send"))
        .toList();
  }
}

package io.github.wechatmp.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.callback.CallbackResponse;
import io.github.wechatmp.callback.MessageDeduplicator;
import io.github.wechatmp.callback.Reply;
import io.github.wechatmp.callback.WeChatCallback;
import io.github.wechatmp.callback.inbound.TextMessage;
import io.github.wechatmp.message.MessageCrypto;
import io.github.wechatmp.message.WeChatXml;
import io.github.wechatmp.signature.SignatureVerifier;
import io.github.wechatmp.testing.Await;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/**
 * Two instances of an application, each with its own Jedis client and {@link WeChatCallback},
 * sharing one real Redis through {@link RedisMessageDeduplicator}.
 */
class RedisMessageDeduplicatorTest {
  // Each request on its own thread, as a server runs them: the common pool has one thread on a
  // 2-core machine, where the retry would wait behind the first attempt's blocked request.
  private static final java.util.concurrent.ExecutorService REQUESTS =
      java.util.concurrent.Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "test-request");
            t.setDaemon(true);
            return t;
          });

  private static final String TOKEN = "pamtest";
  private static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  private static final String APP_ID = "wxb11529c136998cb6";
  private static final MessageCrypto CRYPTO = new MessageCrypto(TOKEN, AES_KEY, APP_ID);
  private static final AtomicInteger IDS = new AtomicInteger(1000);

  private static TestRedis redis;

  private final AtomicInteger calls = new AtomicInteger();
  private final CountDownLatch entered = new CountDownLatch(1);
  private volatile CountDownLatch gate = new CountDownLatch(0);
  private volatile boolean fail;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = TestRedis.standalone();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  private Reply handle(io.github.wechatmp.callback.inbound.WeChatMessage m) {
    int n = calls.incrementAndGet();
    entered.countDown();
    try {
      gate.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (fail) {
      throw new IllegalStateException("flaky");
    }
    return Reply.text("reply " + n + " to " + ((TextMessage) m).content());
  }

  private final AtomicInteger awaits = new AtomicInteger();

  /** One instance: its own client, deduplicator and callback. */
  private WeChatCallback instance(UnifiedJedis client) {
    MessageDeduplicator redisDedup =
        RedisMessageDeduplicator.builder(client).keyPrefix("test:dedup:").build();
    MessageDeduplicator counting =
        new MessageDeduplicator() {
          @Override
          public Claim claim(String key) {
            return redisDedup.claim(key);
          }

          @Override
          public void complete(Claim claim, String reply) {
            redisDedup.complete(claim, reply);
          }

          @Override
          public void release(Claim claim) {
            redisDedup.release(claim);
          }

          @Override
          public Claim await(String key, Duration maxWait) throws InterruptedException {
            awaits.incrementAndGet(); // so the test knows a retry is waiting
            return redisDedup.await(key, maxWait);
          }
        };
    return WeChatCallback.builder()
        .token(TOKEN)
        .encodingAesKey(AES_KEY)
        .appId(APP_ID)
        .handler(this::handle)
        .deduplicator(counting)
        .build();
  }

  private static CallbackResponse push(WeChatCallback cb, String msgId, String nonce) {
    String xml =
        "<xml><ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName>"
            + "<FromUserName><![CDATA[o9AgO5Kd5ggOC]]></FromUserName>"
            + "<CreateTime>1714112445</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            + "<Content><![CDATA[hi]]></Content><MsgId>"
            + msgId
            + "</MsgId></xml>";
    String ts = "1714112445";
    Map<String, String> envelope = WeChatXml.parse(CRYPTO.encrypt(xml, ts, nonce));
    Map<String, String> q = new HashMap<>();
    q.put("signature", SignatureVerifier.of(TOKEN).sign(ts, nonce));
    q.put("timestamp", ts);
    q.put("nonce", nonce);
    q.put("encrypt_type", "aes");
    q.put("msg_signature", envelope.get("MsgSignature"));
    String body = "<xml><Encrypt><![CDATA[" + envelope.get("Encrypt") + "]]></Encrypt></xml>";
    return cb.handle("POST", q, body);
  }

  private static String content(CallbackResponse r) {
    assertEquals(200, r.status(), r.body());
    Map<String, String> e = WeChatXml.parse(r.body());
    String xml =
        CRYPTO.decrypt(e.get("MsgSignature"), e.get("TimeStamp"), e.get("Nonce"), r.body());
    return WeChatXml.parse(xml).get("Content");
  }

  @Test
  void aRetryOnAnotherInstanceDuringASlowHandlerGetsTheFirstAttemptsReply() throws Exception {
    WeChatCallback a = instance(redis.newClient());
    WeChatCallback b = instance(redis.newClient());
    String id = Integer.toString(IDS.incrementAndGet());
    gate = new CountDownLatch(1);
    CompletableFuture<CallbackResponse> first =
        CompletableFuture.supplyAsync(() -> push(a, id, "n1"), REQUESTS);
    assertTrue(entered.await(10, TimeUnit.SECONDS));
    CompletableFuture<CallbackResponse> retry =
        CompletableFuture.supplyAsync(() -> push(b, id, "n2"), REQUESTS);
    Await.until(() -> awaits.get() == 1, Duration.ofSeconds(5), "the retry waits on Redis");
    assertTrue(!retry.isDone(), "the retry waits for the running handler");
    gate.countDown();
    assertEquals("reply 1 to hi", content(first.get(10, TimeUnit.SECONDS)));
    assertEquals("reply 1 to hi", content(retry.get(10, TimeUnit.SECONDS)));
    assertEquals(1, calls.get());
  }

  @Test
  void aRetryOnAnotherInstanceAfterCompletionGetsTheCachedReplyAndTheHandlerRanOnce() {
    WeChatCallback a = instance(redis.newClient());
    WeChatCallback b = instance(redis.newClient());
    String id = Integer.toString(IDS.incrementAndGet());
    assertEquals("reply 1 to hi", content(push(a, id, "n1")));
    CallbackResponse retry = push(b, id, "n2");
    assertEquals("reply 1 to hi", content(retry));
    assertEquals("n2", WeChatXml.parse(retry.body()).get("Nonce"));
    assertEquals(1, calls.get());
  }

  @Test
  void aHandlerThatThrewOnOneInstanceRunsAgainOnTheRetryOnTheOther() {
    WeChatCallback a = instance(redis.newClient());
    WeChatCallback b = instance(redis.newClient());
    String id = Integer.toString(IDS.incrementAndGet());
    fail = true;
    assertEquals(500, push(a, id, "n1").status());
    fail = false;
    assertEquals("reply 2 to hi", content(push(b, id, "n2")));
    assertEquals(2, calls.get());
  }

  @Test
  void theScriptsKeepTheStatesAndTheOwnerCheck() throws Exception {
    RedisMessageDeduplicator d = new RedisMessageDeduplicator(redis.newClient());
    String key = "k" + IDS.incrementAndGet();
    MessageDeduplicator.Claim c = d.claim(key);
    assertEquals(MessageDeduplicator.Claim.State.CLAIMED, c.state());
    assertEquals(MessageDeduplicator.Claim.State.RUNNING, d.claim(key).state());
    assertEquals(
        MessageDeduplicator.Claim.State.RUNNING, d.await(key, Duration.ofMillis(20)).state());
    d.release(MessageDeduplicator.Claim.claimed(key, "someone else"));
    assertEquals(MessageDeduplicator.Claim.State.RUNNING, d.claim(key).state());
    d.complete(c, "<xml>r</xml>");
    MessageDeduplicator.Claim done = d.claim(key);
    assertEquals(MessageDeduplicator.Claim.State.DONE, done.state());
    assertEquals("<xml>r</xml>", done.reply());
    assertEquals("<xml>r</xml>", d.await(key, Duration.ofMillis(1)).reply());
    long ttl = redis.newClient().pttl(RedisMessageDeduplicator.DEFAULT_PREFIX + key);
    assertTrue(ttl > 30_000 && ttl <= 60_000, "ttl " + ttl);
    String other = "k" + IDS.incrementAndGet();
    MessageDeduplicator.Claim o = d.claim(other);
    d.release(o);
    assertEquals(MessageDeduplicator.Claim.State.ABSENT, d.await(other, Duration.ZERO).state());
    assertThrows(
        IllegalArgumentException.class,
        () -> RedisMessageDeduplicator.builder(redis.newClient()).lifetime(Duration.ofSeconds(29)));
  }

  @Test
  void aCallbackWhoseReplayWindowOutlastsTheKeysIsRefusedAtBuild() {
    WeChatCallback.Builder b =
        WeChatCallback.builder()
            .token(TOKEN)
            .handler(m -> null)
            .maxTimestampAge(Duration.ofMinutes(5))
            .deduplicator(new RedisMessageDeduplicator(redis.newClient()));
    IllegalStateException e = assertThrows(IllegalStateException.class, b::build);
    assertTrue(e.getMessage().contains("at least 600 s"), e.getMessage());
    b.deduplicator(
            RedisMessageDeduplicator.builder(redis.newClient())
                .lifetime(Duration.ofMinutes(10))
                .build())
        .build();
  }
}

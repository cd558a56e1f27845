package io.github.wechatmp.store.redis;

import static io.github.wechatmp.store.redis.RedisTokenStoreTest.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore.Subscription;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/**
 * A change subscription whose connection dies silently: a TCP proxy between the store and Redis
 * stops forwarding without closing anything. The store's PING notices within a bounded time and
 * subscribes again on a new connection.
 */
class SilentSubscriptionTest {
  private static final Duration CHECK = Duration.ofMillis(100);

  private TestRedis redis;
  private BlackHoleProxy proxy;
  private UnifiedJedis throughProxy;

  @BeforeEach
  void start() throws Exception {
    redis = TestRedis.embedded();
    proxy = new BlackHoleProxy(redis.address().getPort());
    throughProxy = proxy.newClient();
  }

  @AfterEach
  void stop() throws Exception {
    proxy.close(); // first: frees the reads stuck on silenced connections
    throughProxy.close();
    redis.close();
  }

  @Test
  void aSubscriptionThatGoesSilentIsReplacedWithinThreeCheckIntervals() throws Exception {
    RedisTokenStore watched =
        RedisTokenStore.builder(throughProxy).subscriptionCheckInterval(CHECK).build();
    RedisTokenStore direct = RedisTokenStore.builder(redis.newClient()).build();
    TokenKey key = TokenKey.of("wxsilent", TokenKey.ACCESS_TOKEN);
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    try (Subscription s = watched.subscribe(key, () -> events.add("changed"))) {
      awaitTrue(watched::isListening, "subscribed through the proxy");
      direct.save(key, AccessToken.of("TOKEN_ONE_0123456789", Instant.now().plusSeconds(600)));
      assertEquals("changed", events.poll(5, TimeUnit.SECONDS), "a change arrives while healthy");

      proxy.silenceOpenConnections();
      direct.save(key, AccessToken.of("TOKEN_TWO_0123456789", Instant.now().plusSeconds(600)));
      assertNull(events.poll(50, TimeUnit.MILLISECONDS), "nothing crosses the dead connection");

      // Replaced within 3 intervals plus the first reconnect's backoff, far less than TCP
      // keepalive.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      String event = null;
      int saves = 0;
      while (event == null && System.nanoTime() < deadline) {
        direct.save(
            key, AccessToken.of("TOKEN_" + saves++ + "_456789", Instant.now().plusSeconds(600)));
        event = events.poll(100, TimeUnit.MILLISECONDS);
      }
      assertEquals("changed", event, "changes arrive again on a new connection");
      assertEquals(
          2,
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> t.getName().startsWith(ChangeNotifier.THREAD_NAME_PREFIX))
              .count(),
          "the new subscriber, and the abandoned one still blocked in its read");
    }
    awaitTrue(
        () ->
            Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith(ChangeNotifier.WATCH_THREAD_NAME_PREFIX)),
        "the watch ends with the last subscription");
  }

  @Test
  void theCheckIntervalIsBounded() {
    RedisTokenStore.Builder b = RedisTokenStore.builder(throughProxy);
    assertThrows(
        IllegalArgumentException.class, () -> b.subscriptionCheckInterval(Duration.ofMillis(5)));
    assertThrows(
        IllegalArgumentException.class, () -> b.subscriptionCheckInterval(Duration.ofHours(1)));
    assertThrows(NullPointerException.class, () -> b.subscriptionCheckInterval(null));
  }
}

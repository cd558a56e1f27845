package io.github.wechatmp.store.redis;

import static io.github.wechatmp.store.redis.RedisTokenStoreTest.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore.Subscription;
import io.github.wechatmp.token.TokenStoreException;
import io.github.wechatmp.token.TokenUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/**
 * Redis stopped in the middle of a run and started again, empty. Always on an embedded server that
 * the test controls, whatever {@code REDIS_URL} says.
 */
@Tag("slow") // runs in real time; left out of the fast set (see CONTRIBUTING.md)
class RedisOutageTest {
  private TestRedis redis;

  @BeforeEach
  void startRedis() throws Exception {
    redis = TestRedis.embedded();
  }

  @AfterEach
  void stopRedis() {
    redis.close();
  }

  @Test
  void withoutFetchesWithoutRedisHeldTokensAreServedUntilTheyExpireThenCallsFailNamingRedis()
      throws Exception {
    try (Nodes nodes = new Nodes(redis)) {
      nodes.storeOutageFetchInterval = Duration.ZERO;
      Nodes.Node a = nodes.add();
      Nodes.Node b = nodes.add();
      AccessToken t1 = a.provider.get();
      assertEquals(t1, b.provider.get());
      assertEquals(1, nodes.wechat.tokenRequests());
      awaitTrue(() -> a.store.isListening() && b.store.isListening(), "both hosts listen");

      redis.stop();

      // Due for refresh: the background refresh fails; the held token is served at once.
      nodes.clock.advance(Duration.ofSeconds(7200 - 100));
      for (int i = 0; i < 100; i++) {
        assertEquals(t1, a.provider.get());
      }
      // Within the expiry margin: callers wait for a refresh that cannot take the lock, and are
      // served the held token, which WeChat still accepts for 20 s.
      nodes.clock.advance(Duration.ofSeconds(80));
      long t0 = System.nanoTime();
      assertEquals(t1, a.provider.get());
      assertEquals(t1, b.provider.get());
      assertTrue(
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 5_000, "answered within seconds");
      assertEquals(1, nodes.wechat.tokenRequests(), "never fetched without the lock");

      // Really expired, and still no Redis: a clear error that names Redis and its address.
      nodes.clock.advance(Duration.ofSeconds(21));
      TokenUnavailableException e =
          assertThrows(TokenUnavailableException.class, () -> a.provider.get());
      assertTrue(e.getMessage().contains("Redis"), e.getMessage());
      assertTrue(e.getMessage().contains(redis.address().toString()), e.getMessage());
      // Thrown on this caller's stack, caused by the refresh's failure, caused by the store's.
      assertTrue(
          e.getCause().getCause() instanceof TokenStoreException, String.valueOf(e.getCause()));
      Nodes.Node newcomer = nodes.add(); // a host started during the outage holds nothing at all
      assertThrows(TokenUnavailableException.class, () -> newcomer.provider.get());
      assertEquals(1, nodes.wechat.tokenRequests());
      assertFalse(e.getMessage().contains(t1.value()));

      redis.start(); // empty: it kept no data

      // Everything recovers by itself once the short hold-off after store failures (at most 5 s)
      // has passed: one fetch for all, saved to Redis again.
      nodes.clock.advance(Duration.ofSeconds(5));
      nodes.assertHerdGets(4, 2);
      assertEquals(2, nodes.wechat.tokenRequests());

      // And so do the change subscriptions: an invalidation reaches the other hosts again.
      awaitTrue(
          () -> nodes.nodes.stream().allMatch(n -> n.store.isListening()),
          "every host listens again");
      b.invalidated = new java.util.concurrent.CountDownLatch(1);
      newcomer.invalidated = new java.util.concurrent.CountDownLatch(1);
      a.provider.invalidate(TestApp.token(nodes.wechat, 2));
      assertTrue(b.invalidated.await(5, TimeUnit.SECONDS), "b dropped the rejected token");
      assertTrue(newcomer.invalidated.await(5, TimeUnit.SECONDS), "the newcomer dropped it too");
      nodes.assertHerdGets(4, 3);
      assertEquals(3, nodes.wechat.tokenRequests());
    }
  }

  @Test
  void anOutageThatOutlastsTheTokenCostsEachHostOneFetchAndTheNewestTokenIsSavedWhenRedisReturns()
      throws Exception {
    try (Nodes nodes = new Nodes(redis)) {
      Nodes.Node a = nodes.add();
      Nodes.Node b = nodes.add();
      AccessToken t1 = a.provider.get();
      assertEquals(t1, b.provider.get());
      awaitTrue(() -> a.store.isListening() && b.store.isListening(), "both hosts listen");

      redis.stop();
      nodes.clock.advance(Duration.ofSeconds(7200 - 100)); // due: refreshes fail on Redis
      assertEquals(t1, a.provider.get());
      // Stale: each host, holding no token it may serve at once, fetches one without Redis (within
      // the hold-off after Redis's last failure, at most 5 s, the held token is still served).
      nodes.clock.advance(Duration.ofSeconds(75));
      for (int i = 0; i < 6 && a.provider.get().equals(t1); i++) {
        nodes.clock.advance(Duration.ofSeconds(1));
      }
      AccessToken ta = a.provider.get();
      for (int i = 0; i < 6 && b.provider.get().equals(t1); i++) {
        nodes.clock.advance(Duration.ofSeconds(1));
      }
      AccessToken tb = b.provider.get();
      assertNotEquals(t1, ta);
      assertNotEquals(t1, tb);
      assertNotEquals(ta, tb);
      assertEquals(3, nodes.wechat.tokenRequests());

      // Past t1's expiry, Redis still down: both go on serving their own, and fetch no more.
      nodes.clock.advance(Duration.ofSeconds(60));
      for (int i = 0; i < 100; i++) {
        assertEquals(ta, a.provider.get());
        assertEquals(tb, b.provider.get());
      }
      assertEquals(3, nodes.wechat.tokenRequests());

      redis.start(); // empty
      UnifiedJedis plain = redis.newClient();
      // The late saves, fenced: one token ends in Redis and on both hosts, the newer one if they
      // were issued at different instants (a newer token in Redis is adopted, never overwritten).
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      String stored = nodes.storedValue(plain);
      while (stored == null
          || !a.provider.get().value().equals(stored)
          || !b.provider.get().value().equals(stored)) {
        assertTrue(System.nanoTime() < deadline, "no convergence; Redis holds " + stored);
        nodes.clock.advance(Duration.ofSeconds(1));
        Thread.sleep(50);
        stored = nodes.storedValue(plain);
      }
      assertTrue(stored.equals(ta.value()) || stored.equals(tb.value()), stored);
      Instant ia = ta.issuedAt().orElseThrow();
      Instant ib = tb.issuedAt().orElseThrow();
      if (!ia.equals(ib)) {
        assertEquals((ia.isAfter(ib) ? ta : tb).value(), stored, "the newer token wins");
      }
      assertEquals(3, nodes.wechat.tokenRequests());
    }
  }

  @Test
  void aReconnectIsNotReportedAsAChange() throws Exception {
    RedisTokenStore store = RedisTokenStore.builder(redis.newClient()).build();
    TokenKey key = TokenKey.of("wxreconnect", TokenKey.ACCESS_TOKEN);
    TokenKey marker = TokenKey.of("wxreconnect", "marker");
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    Subscription s1 = store.subscribe(key, () -> events.add("token"));
    Subscription s2 = store.subscribe(marker, () -> events.add("marker"));
    awaitTrue(store::isListening, "listening");
    store.save(key, AccessToken.of("T1", java.time.Instant.now().plusSeconds(600)));
    assertEquals("token", events.poll(5, TimeUnit.SECONDS));

    redis.stop(); // the data is lost with it
    awaitTrue(() -> !store.isListening(), "the notification thread saw the loss");
    assertThrows(TokenStoreException.class, () -> store.load(key));
    redis.start();
    awaitTrue(store::isListening, "the notification thread reconnected by itself");

    store.save(marker, AccessToken.of("M", java.time.Instant.now().plusSeconds(600)));
    assertEquals(
        "marker",
        events.poll(5, TimeUnit.SECONDS),
        "neither the loss nor the reconnect was a change");
    assertTrue(events.isEmpty(), String.valueOf(events));
    assertEquals(java.util.Optional.empty(), store.load(key), "the restarted Redis is empty");
    s1.close();
    s2.close();
  }
}

package io.github.wechatmp.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.redis.RedisLayout;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.LogCapture;
import io.github.wechatmp.testing.MutableClock;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.RefreshPolicy;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import io.github.wechatmp.token.TokenStore.RefreshLock;
import io.github.wechatmp.token.TokenStore.Subscription;
import io.github.wechatmp.token.TokenStoreException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.providers.PooledConnectionProvider;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * The store's own contract against a real Redis: layout, TTLs, lock, compare-and-delete,
 * notifications.
 */
class RedisTokenStoreTest {
  private static TestRedis redis;
  private static UnifiedJedis plain;

  private final MutableClock clock = new MutableClock();
  private final String appId =
      "wxt" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  private final TokenKey key = TokenKey.of(appId, TokenKey.ACCESS_TOKEN);

  @BeforeAll
  static void startRedis() throws Exception {
    redis = TestRedis.standalone();
    plain = redis.newClient();
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  private RedisTokenStore store() {
    return RedisTokenStore.builder(redis.newClient()).clock(clock).build();
  }

  private AccessToken token(String value, Duration life) {
    return AccessToken.of(value, clock.instant().plus(life));
  }

  @Test
  void keysValueAndTtlAreAsDocumented() throws Exception {
    RedisTokenStore store = store();
    AccessToken t = token("TOKEN_A_" + "x".repeat(100), Duration.ofSeconds(7200));
    store.save(key, t);

    String tokenKey = "wechat:{" + appId + "}:access_token";
    assertEquals(t.expiresAt().toEpochMilli() + ":" + t.value(), plain.get(tokenKey));
    long pttl = plain.pttl(tokenKey);
    assertTrue(
        pttl > 7_190_000 && pttl <= 7_200_000, "TTL never beyond the token's expiry, was " + pttl);
    assertEquals(Optional.of(t), store.load(key));

    String lockKey = tokenKey + ":lock";
    try (RefreshLock lock =
        store.tryLock(key, Duration.ofSeconds(5), Duration.ZERO).orElseThrow()) {
      assertNotNull(plain.get(lockKey), "the owner id");
      long lockTtl = plain.pttl(lockKey);
      assertTrue(lockTtl > 0 && lockTtl <= 5_000, "lock TTL is the lease, was " + lockTtl);
    }
    assertNull(plain.get(lockKey), "released");

    // One slot for all of an app's keys, so the Lua scripts are valid on a Redis Cluster.
    assertEquals(JedisClusterCRC16.getSlot(tokenKey), JedisClusterCRC16.getSlot(lockKey));

    RedisTokenStore prefixed =
        RedisTokenStore.builder(redis.newClient()).keyPrefix("shop-7:wx:").clock(clock).build();
    prefixed.save(key, t);
    assertEquals(7200, plain.ttl("shop-7:wx:{" + appId + "}:access_token"), 10);
    TokenKey ticket = TokenKey.of(appId, TokenKey.JSAPI_TICKET);
    prefixed.save(ticket, token("TICKET_1", Duration.ofSeconds(60)));
    assertEquals(60, plain.ttl("shop-7:wx:{" + appId + "}:jsapi_ticket"), 2);
    assertEquals(t, prefixed.load(key).orElseThrow(), "kinds are independent entries");
  }

  @Test
  void ttlFollowsTheStoreClockAndAnExpiredTokenDeletesTheEntry() {
    RedisTokenStore store = store();
    store.save(key, token("SHORT_LIVED", Duration.ofMillis(1500)));
    long pttl = plain.pttl("wechat:{" + appId + "}:access_token");
    assertTrue(pttl > 0 && pttl <= 1500, "was " + pttl);

    store.save(key, AccessToken.of("ALREADY_EXPIRED", clock.instant().minusSeconds(1)));
    assertEquals(Optional.empty(), store.load(key));
  }

  @Test
  void corruptEntriesReadAsNoTokenAndSaveRepairsThem() {
    RedisTokenStore store = store();
    String tokenKey = "wechat:{" + appId + "}:access_token";
    for (String bad :
        List.of("garbage", ":NOEXPIRY", "12x:TOKEN", "1700000000000:", "1700000000000:has space")) {
      plain.set(tokenKey, bad);
      assertEquals(Optional.empty(), store.load(key), bad);
    }
    AccessToken t = token("REPAIRED", Duration.ofHours(2));
    store.save(key, t);
    assertEquals(Optional.of(t), store.load(key));

    // Another library's hash under our key: no token, not an outage; the next save replaces it.
    plain.del(tokenKey);
    plain.hset(tokenKey, "field", "value");
    assertEquals(Optional.empty(), store.load(key));
    store.save(key, t);
    assertEquals(Optional.of(t), store.load(key));
  }

  @Test
  void aHoldOffKeyHoldingAnotherTypeReadsAsNoneAndTheNextSaveReplacesIt() {
    RedisTokenStore store = store();
    String holdOffKey = store.layout().holdOffKey(key);
    plain.hset(holdOffKey, "field", "value");
    assertEquals(Optional.empty(), store.loadHoldOff(key));
    TokenStore.SharedHoldOff holdOff =
        TokenStore.SharedHoldOff.of(1, clock.instant().plusSeconds(1), -1, "system error");
    store.saveHoldOff(key, holdOff);
    assertEquals(Optional.of(holdOff), store.loadHoldOff(key));
  }

  @Test
  void tokenValuesWithColonsRoundTrip() {
    RedisTokenStore store = store();
    AccessToken t = token("a:b:c:" + "z".repeat(20), Duration.ofHours(2));
    store.save(key, t);
    assertEquals(Optional.of(t), store.load(key));
    assertFalse(store.deleteIfValue(key, "c:" + "z".repeat(20)));
    assertTrue(store.deleteIfValue(key, t.value()));
  }

  @Test
  void compareAndDeleteNeverRemovesANewerToken() {
    RedisTokenStore stale = store();
    RedisTokenStore fresh = store();
    AccessToken old = token("OLD_TOKEN_1", Duration.ofHours(2));
    AccessToken newer = token("NEW_TOKEN_2", Duration.ofHours(2));
    stale.save(key, old);
    fresh.save(key, newer);

    assertFalse(stale.deleteIfValue(key, old.value()), "the stale node's invalidate");
    assertEquals(Optional.of(newer), fresh.load(key));
    assertTrue(fresh.deleteIfValue(key, newer.value()));
    assertEquals(Optional.empty(), stale.load(key));
    assertFalse(fresh.deleteIfValue(key, newer.value()), "nothing left to delete");
  }

  @Test
  void lockExcludesOtherNodesAndIsReleasedOnlyByItsOwner() throws Exception {
    RedisTokenStore a = store();
    RedisTokenStore b = store();
    String lockKey = "wechat:{" + appId + "}:access_token:lock";

    RefreshLock held = a.tryLock(key, Duration.ofMillis(600), Duration.ZERO).orElseThrow();
    long t0 = System.nanoTime();
    assertEquals(
        Optional.empty(), b.tryLock(key, Duration.ofSeconds(5), Duration.ZERO), "single attempt");
    assertEquals(Optional.empty(), b.tryLock(key, Duration.ofSeconds(5), Duration.ofMillis(150)));
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertTrue(waited >= 140, "waited the whole maxWait, was " + waited);

    // The lease lapses by itself (the holder "crashed"); another node takes the lock within its
    // wait.
    RefreshLock taken = b.tryLock(key, Duration.ofSeconds(5), Duration.ofSeconds(5)).orElseThrow();
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertTrue(
        tookMillis >= 550 && tookMillis < 4_000, "taken after the lease, at " + tookMillis + " ms");
    String owner = plain.get(lockKey);

    held.close(); // late release of a lapsed lock
    assertEquals(
        owner, plain.get(lockKey), "a lapsed holder must not release the new holder's lock");
    taken.close();
    assertNull(plain.get(lockKey));
    taken.close(); // idempotent
  }

  /**
   * Issue 21, item 18: a refresh-lock key left with no expiry (a foreign client's {@code SET}
   * without {@code PX}, or a bug) would block every refresh forever, reported as held by another
   * instance; the store takes it over and warns.
   */
  @Test
  void aLockKeyWithNoExpiryIsTakenOverWithAWarnAndTheProviderRefreshes() throws Exception {
    String lockKey = "stale:{" + TestApp.APP_ID + "}:access_token:lock";
    plain.set(lockKey, "a-foreign-owner"); // no PX: a lock no lease would ever end
    assertEquals(-1, plain.pttl(lockKey));
    RedisTokenStore store = RedisTokenStore.builder(redis.newClient()).keyPrefix("stale:").build();
    try (WeChatStandIn wechat = TestApp.standIn();
        LogCapture logs = new LogCapture();
        AccessTokenProvider tokens =
            AccessTokenProvider.builder()
                .appId(TestApp.APP_ID)
                .appSecret(TestApp.SECRET)
                .apiBaseUrl(wechat.baseUrl())
                .store(store)
                .refreshPolicy(RefreshPolicy.builder().lockWait(Duration.ofMillis(500)).build())
                .build()) {
      String got = tokens.get().value();
      assertEquals(TestApp.token(wechat, 1), got);
      assertEquals(1, wechat.tokenRequests());
      assertTrue(
          logs.text()
              .matches(
                  "(?s).*WARN .*The Redis lock "
                      + lockKey.replace("{", "\\{")
                      + " had no expiry.*took it over.*"),
          logs.text());
      assertNotEquals(
          "a-foreign-owner", plain.get(lockKey), "the foreign lock is gone, released after use");
    }
  }

  @Test
  void aForeignLockWithATtlIsLeftToItsHolder() throws Exception {
    RedisTokenStore store = store();
    String lockKey = store.layout().lockKey(key);
    plain.psetex(lockKey, 60_000, "another-node");
    assertTrue(store.tryLock(key, Duration.ofSeconds(5), Duration.ofMillis(100)).isEmpty());
    assertEquals("another-node", plain.get(lockKey));
  }

  @Test
  void aWaiterGetsTheLockSoonAfterItsRelease() throws Exception {
    RedisTokenStore a = store();
    RedisTokenStore b = store();
    RefreshLock held = a.tryLock(key, Duration.ofSeconds(10), Duration.ZERO).orElseThrow();
    Thread releaser =
        new Thread(
            () -> {
              try {
                Thread.sleep(500);
              } catch (InterruptedException e) {
                return;
              }
              held.close();
            });
    long t0 = System.nanoTime();
    releaser.start();
    try (RefreshLock ignored =
        b.tryLock(key, Duration.ofSeconds(10), Duration.ofSeconds(8)).orElseThrow()) {
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      // Released at 500 ms; polls are at most 200 ms apart, so well before the 10 s lease.
      assertTrue(ms >= 450 && ms < 3_000, "got it at " + ms + " ms");
    }
    releaser.join();
  }

  @Test
  void tryLockIsInterruptible() throws Exception {
    RedisTokenStore a = store();
    RedisTokenStore b = store();
    try (RefreshLock ignored =
        a.tryLock(key, Duration.ofSeconds(10), Duration.ZERO).orElseThrow()) {
      Thread.currentThread().interrupt();
      assertThrows(
          InterruptedException.class,
          () -> b.tryLock(key, Duration.ofSeconds(1), Duration.ofSeconds(5)));
      assertFalse(Thread.interrupted());
    }
  }

  @Test
  void notifiesSubscribersOfSavesAndDeletesButNotOfExpiry() throws Exception {
    RedisTokenStore watcher = store();
    RedisTokenStore writer = store();
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    TokenKey marker = TokenKey.of(appId, "marker");
    Subscription s1 = watcher.subscribe(key, () -> events.add("token"));
    Subscription s2 = watcher.subscribe(marker, () -> events.add("marker"));
    awaitTrue(watcher::isListening, "the subscription is confirmed");

    writer.save(key, token("T1", Duration.ofHours(2)));
    assertEquals("token", events.poll(5, TimeUnit.SECONDS));
    assertFalse(writer.deleteIfValue(key, "OTHER"));
    assertTrue(writer.deleteIfValue(key, "T1"));
    assertEquals(
        "token",
        events.poll(5, TimeUnit.SECONDS),
        "the delete is a change; the failed one was not");

    // An entry that expires in Redis is no change: the marker published after the expiry arrives
    // first, and messages on one connection arrive in order.
    RedisTokenStore realTime = RedisTokenStore.builder(redis.newClient()).build();
    realTime.save(key, AccessToken.of("T2", Instant.now().plusMillis(200)));
    assertEquals("token", events.poll(5, TimeUnit.SECONDS));
    awaitTrue(
        () -> !plain.exists("wechat:{" + appId + "}:access_token"), "the entry expires in Redis");
    writer.save(marker, token("M", Duration.ofHours(1)));
    assertEquals("marker", events.poll(5, TimeUnit.SECONDS));
    assertTrue(events.isEmpty(), "no message for the expiry: " + events);

    s1.close();
    writer.save(key, token("T3", Duration.ofHours(2)));
    writer.save(marker, token("M2", Duration.ofHours(1)));
    assertEquals("marker", events.poll(5, TimeUnit.SECONDS), "a closed subscription is not told");
    s2.close();
    s2.close(); // idempotent
  }

  @Test
  void theNotificationThreadEndsWithTheLastSubscription() throws Exception {
    String prefix = "leak-" + UUID.randomUUID() + ":";
    RedisTokenStore store =
        RedisTokenStore.builder(redis.newClient()).keyPrefix(prefix).clock(clock).build();
    String threadName = ChangeNotifier.THREAD_NAME_PREFIX + prefix;
    for (int i = 0; i < 3; i++) {
      Subscription a = store.subscribe(key, () -> {});
      Subscription b = store.subscribe(TokenKey.of(appId, "other"), () -> {});
      if (i == 1) {
        awaitTrue(store::isListening, "listening");
      }
      assertEquals(1, threads(threadName), "one thread for every subscription of a store");
      a.close();
      assertEquals(1, threads(threadName), "still one subscription open");
      b.close();
      awaitTrue(() -> threads(threadName) == 0, "the thread ends after the last close");
    }
  }

  @Test
  void everyFailureNamesRedisTheKeyAndTheAddressButNoToken() throws Exception {
    int port = TestRedis.freePort(false); // nothing listens there
    try (UnifiedJedis down =
        TestRedis.portable(
            new PooledConnectionProvider(
                new HostAndPort("127.0.0.1", port),
                DefaultJedisClientConfig.builder().connectionTimeoutMillis(500).build()))) {
      RedisTokenStore store = RedisTokenStore.builder(down).clock(clock).build();
      AccessToken t = token("SECRET_TOKEN_VALUE_0123456789", Duration.ofHours(2));
      List<Runnable> calls =
          List.of(
              () -> store.load(key),
              () -> store.save(key, t),
              () -> store.deleteIfValue(key, t.value()),
              () -> {
                try {
                  store.tryLock(key, Duration.ofSeconds(1), Duration.ofSeconds(1));
                } catch (InterruptedException e) {
                  throw new AssertionError(e);
                }
              });
      for (Runnable call : calls) {
        long t0 = System.nanoTime();
        TokenStoreException e = assertThrows(TokenStoreException.class, call::run);
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 3_000, "fails fast");
        String m = e.getMessage();
        assertTrue(m.startsWith("Redis"), m);
        assertTrue(m.contains("{" + appId + "}:access_token"), m);
        assertTrue(m.contains("127.0.0.1:" + port), m);
        assertFalse(m.contains(t.value()), m);
      }
      Subscription s = store.subscribe(key, () -> {}); // never throws: retries in the background
      assertFalse(store.isListening());
      s.close();
    }
  }

  @Test
  void badArgumentsAreRejectedClearly() {
    RedisTokenStore store = store();
    AccessToken t = token("T", Duration.ofHours(1));
    assertEquals(
        "jedis",
        assertThrows(NullPointerException.class, () -> RedisTokenStore.builder(null)).getMessage());
    assertEquals(
        "jedis",
        assertThrows(NullPointerException.class, () -> new RedisTokenStore(null)).getMessage());
    assertEquals(
        "key", assertThrows(NullPointerException.class, () -> store.load(null)).getMessage());
    assertEquals(
        "token",
        assertThrows(NullPointerException.class, () -> store.save(key, null)).getMessage());
    assertEquals(
        "expectedValue",
        assertThrows(NullPointerException.class, () -> store.deleteIfValue(key, null))
            .getMessage());
    assertEquals(
        "onChange",
        assertThrows(NullPointerException.class, () -> store.subscribe(key, null)).getMessage());
    assertEquals(
        "lease",
        assertThrows(NullPointerException.class, () -> store.tryLock(key, null, Duration.ZERO))
            .getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> store.tryLock(key, Duration.ZERO, Duration.ZERO));
    assertThrows(
        IllegalArgumentException.class,
        () -> store.tryLock(key, Duration.ofSeconds(1), Duration.ofMillis(-1)));
    assertNotNull(t);

    RedisTokenStore.Builder b = RedisTokenStore.builder(plain);
    assertEquals(
        "keyPrefix",
        assertThrows(NullPointerException.class, () -> b.keyPrefix(null)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> b.keyPrefix("a{b"));
    assertThrows(IllegalArgumentException.class, () -> b.keyPrefix("a}b"));
    assertThrows(IllegalArgumentException.class, () -> b.keyPrefix("a\nb"));
    assertThrows(IllegalArgumentException.class, () -> b.keyPrefix("p".repeat(201)));
    assertEquals(
        "clock", assertThrows(NullPointerException.class, () -> b.clock(null)).getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> b.lockPolling(Duration.ZERO, Duration.ofMillis(100)));
    assertThrows(
        IllegalArgumentException.class,
        () -> b.lockPolling(Duration.ofMillis(300), Duration.ofMillis(100)));
    assertThrows(
        IllegalArgumentException.class,
        () -> b.lockPolling(Duration.ofMillis(10), Duration.ofSeconds(6)));
    assertEquals("RedisTokenStore{keyPrefix=x:}", b.keyPrefix("x:").build().toString());
  }

  @Test
  void globCharactersInThePrefixMatchLiterally() {
    assertEquals("a\\*b\\?c\\[d\\]e\\\\f:*", RedisLayout.of("a*b?c[d]e\\f:").channelPattern());
  }

  static int threads(String name) {
    return (int)
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().equals(name) && t.isAlive())
            .count();
  }

  /** Waits up to 10 s for {@code condition}, polling; fails with {@code what} otherwise. */
  static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(10);
    }
  }
}

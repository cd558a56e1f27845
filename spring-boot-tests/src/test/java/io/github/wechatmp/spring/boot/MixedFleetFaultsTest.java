package io.github.wechatmp.spring.boot;

import io.github.wechatmp.token.RefreshPolicy;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.wechatmp.WeChatException;
import io.github.wechatmp.store.redis.RedisTokenStore;
import io.github.wechatmp.test.Fault;
import io.github.wechatmp.test.ManualClock;
import io.github.wechatmp.test.ReceivedRequest;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import io.github.wechatmp.token.TokenStore.RefreshLock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.github.wechatmp.token.TokenStore.SharedHoldOff;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import redis.clients.jedis.JedisPooled;

/**
 * Issue 14 in a mixed fleet on one real Redis: a node on the Jedis {@code RedisTokenStore} and a
 * node on the starter's Spring Data Redis store (on Lettuce) share one failure hold-off, so
 * together they make the attempts of one provider's hold-off schedule, and each refuses the late
 * fenced save of a lock the other took over. Both write the same bytes, and the Spring store takes
 * over a refresh lock left with no TTL (issue 21, item 18), as the Jedis store does ({@code
 * RedisTokenStoreTest}).
 */
class MixedFleetFaultsTest {
  static final String SECRET = "s3cr3t-0123456789abcdef0123456789";

  private final TestRedis redis = TestRedis.get();
  private JedisPooled jedis;
  private LettuceConnectionFactory lettuce;
  private final List<AutoCloseable> stores = new ArrayList<>();

  @BeforeEach
  void connect() {
    jedis = redis.jedis();
    lettuce = new LettuceConnectionFactory(new RedisStandaloneConfiguration(redis.host, redis.port));
    lettuce.afterPropertiesSet();
    lettuce.start();
  }

  @AfterEach
  void disconnect() throws Exception {
    for (AutoCloseable s : stores) {
      s.close();
    }
    lettuce.destroy();
    jedis.close();
  }

  private RedisTokenStore jedisStore(ManualClock clock) {
    return RedisTokenStore.builder(jedis).clock(clock).build();
  }

  private SpringDataRedisTokenStore springStore(ManualClock clock) {
    SpringDataRedisTokenStore s = new SpringDataRedisTokenStore(lettuce, "wechat:", clock);
    stores.add(s);
    return s;
  }

  private static String newAppId() {
    return "wxmix" + UUID.randomUUID().toString().replace("-", "").substring(0, 13);
  }

  /**
   * Runs one provider per store over a fresh app for 60 s of a manual clock, each calling get()
   * every 100 ms, against a stand-in answering 40125 throughout; returns the stand-in's token
   * requests, every one of which it checks got 40125.
   */
  private int tokenRequestsUnder40125(
      String appId, List<Function<ManualClock, TokenStore>> storesOfTheNodes) {
    ManualClock clock = new ManualClock(Instant.parse("2026-12-01T02:00:00Z"));
    try (WeChatStandIn wechat =
        WeChatStandIn.builder().appId(appId).appSecret(SECRET).clock(clock).start()) {
      wechat.failFor(
          Duration.ofHours(1),
          Fault.errcode(40125, "invalid appsecret").at(WeChatStandIn.TOKEN_PATH));
      List<AccessTokenProvider> nodes = new ArrayList<>();
      for (Function<ManualClock, TokenStore> store : storesOfTheNodes) {
        nodes.add(
            AccessTokenProvider.builder()
                .appId(appId)
                .appSecret(SECRET)
                .apiBaseUrl(wechat.baseUrl())
                .store(store.apply(clock))
                .clock(clock)
                .build());
      }
      try {
        for (int step = 0; step < 600; step++) {
          for (AccessTokenProvider p : nodes) {
            try {
              p.get();
            } catch (WeChatException expected) {
              // held off, or WeChat's refusal
            }
          }
          clock.advance(Duration.ofMillis(100));
        }
      } finally {
        nodes.forEach(AccessTokenProvider::close);
      }
      assertThat(wechat.received(WeChatStandIn.TOKEN_PATH))
          .extracting(ReceivedRequest::errcode)
          .containsOnly(40125);
      return wechat.tokenRequests();
    }
  }

  @Test
  void bothStoresWriteTheSameBytesForTheSameTokenAndHoldOff() {
    ManualClock clock = new ManualClock(Instant.parse("2026-12-01T02:00:00Z"));
    TokenStore viaJedis = jedisStore(clock);
    TokenStore springStore = springStore(clock);
    TokenKey a = TokenKey.of(newAppId(), TokenKey.ACCESS_TOKEN);
    TokenKey b = TokenKey.of(newAppId(), TokenKey.ACCESS_TOKEN);
    AccessToken token =
        AccessToken.of("TOKEN:with:colons", clock.instant().plusSeconds(7200))
            .withIssuedAt(clock.instant());
    SharedHoldOff holdOff =
        SharedHoldOff.of(3, clock.instant().plusSeconds(30), 40125, "invalid appsecret: x");

    viaJedis.save(a, token);
    springStore.save(b, token);
    viaJedis.saveHoldOff(a, holdOff);
    springStore.saveHoldOff(b, holdOff);

    String expected =
        token.expiresAt().toEpochMilli() + "," + token.issuedAt().orElseThrow().toEpochMilli()
            + ":TOKEN:with:colons";
    assertThat(jedis.get("wechat:{" + a.appId() + "}:access_token")).isEqualTo(expected);
    assertThat(jedis.get("wechat:{" + b.appId() + "}:access_token")).isEqualTo(expected);
    String expectedHoldOff =
        "3:" + holdOff.notBefore().toEpochMilli() + ":40125:invalid appsecret: x";
    assertThat(jedis.get("wechat:{" + a.appId() + "}:access_token:holdoff"))
        .isEqualTo(expectedHoldOff);
    assertThat(jedis.get("wechat:{" + b.appId() + "}:access_token:holdoff"))
        .isEqualTo(expectedHoldOff);
    // Each reads what the other wrote.
    assertThat(springStore.load(a)).contains(token);
    assertThat(viaJedis.load(b)).contains(token);
    assertThat(springStore.loadHoldOff(a)).contains(holdOff);
    assertThat(viaJedis.loadHoldOff(b)).contains(holdOff);
  }

  @Test
  @ExtendWith(OutputCaptureExtension.class)
  void aLockKeyWithNoExpiryIsTakenOverWithAWarnAndTheProviderRefreshes(CapturedOutput output) {
    String appId = newAppId();
    String lockKey = "wechat:{" + appId + "}:access_token:lock";
    jedis.set(lockKey, "a-foreign-owner"); // no PX: a lock no lease would ever end
    assertThat(jedis.pttl(lockKey)).isEqualTo(-1);
    TokenStore springStore = springStore(new ManualClock(Instant.now()));
    try (WeChatStandIn wechat = WeChatStandIn.builder().appId(appId).appSecret(SECRET).start();
        AccessTokenProvider tokens =
            AccessTokenProvider.builder()
                .appId(appId)
                .appSecret(SECRET)
                .apiBaseUrl(wechat.baseUrl())
                .store(springStore)
                .refreshPolicy(RefreshPolicy.builder().lockWait(Duration.ofMillis(500)).build())
                .build()) {
      String got = tokens.get().value();
      assertThat(got).isEqualTo(wechat.issuedTokens().get(0));
      assertThat(wechat.tokenRequests()).isEqualTo(1);
      assertThat(output.getAll())
          .containsPattern(
              "WARN.*The Redis lock " + lockKey.replace("{", "\\{") + " had no expiry.*took it over");
      assertThat(jedis.get(lockKey)).as("released after use").isNotEqualTo("a-foreign-owner");
    }
  }

  @Test
  void aJedisNodeAndASpringDataRedisNodeShareOneHoldOffAndMakeTheAttemptsOfOne() {
    int jedisAlone = tokenRequestsUnder40125(newAppId(), List.of(this::jedisStore));
    int springAlone = tokenRequestsUnder40125(newAppId(), List.of(this::springStore));
    String appId = newAppId();
    int both = tokenRequestsUnder40125(appId, List.of(this::jedisStore, this::springStore));

    // 1 s, 2 s, 4 s, 8 s, 16 s, 32 s: attempts at 0, 1, 3, 7, 15 and 31 s within the 60 s.
    assertThat(jedisAlone).isEqualTo(6);
    assertThat(springAlone).as("the Spring Data Redis store alone").isEqualTo(6);
    assertThat(both).as("one schedule for both nodes, not two").isEqualTo(6);
    // The hold-off is RedisTokenStore's key and value, whichever node wrote it last.
    assertThat(jedis.get("wechat:{" + appId + "}:access_token:holdoff"))
        .matches("6:\\d+:40125:invalid appsecret");
  }

  @Test
  void aHoldOffWrittenByEitherStoreIsReadByTheOtherAndClearedForBoth() {
    ManualClock clock = new ManualClock(Instant.parse("2026-12-01T02:00:00Z"));
    RedisTokenStore viaJedis = jedisStore(clock);
    SpringDataRedisTokenStore viaSpring = springStore(clock);
    TokenKey key = TokenKey.of(newAppId(), TokenKey.ACCESS_TOKEN);
    TokenStore.SharedHoldOff fromJedis =
        TokenStore.SharedHoldOff.of(2, clock.instant().plusSeconds(2), 40125, "invalid: a:b");
    viaJedis.saveHoldOff(key, fromJedis);
    assertThat(viaSpring.loadHoldOff(key)).contains(fromJedis);
    TokenStore.SharedHoldOff fromSpring =
        TokenStore.SharedHoldOff.of(3, clock.instant().plusSeconds(4), -1, "system error");
    viaSpring.saveHoldOff(key, fromSpring);
    assertThat(viaJedis.loadHoldOff(key)).contains(fromSpring);
    // The same TTL rule: 10 minutes past the end, by the store's clock.
    assertThat(jedis.pttl(viaSpring.layout().holdOffKey(key)))
        .isBetween(Duration.ofMinutes(10).toMillis(), Duration.ofMinutes(10).plusSeconds(4).toMillis());
    viaJedis.clearHoldOff(key);
    assertThat(viaSpring.loadHoldOff(key)).isEmpty();
    viaSpring.saveHoldOff(key, fromSpring);
    viaSpring.clearHoldOff(key);
    assertThat(viaJedis.loadHoldOff(key)).isEmpty();
  }

  @Test
  void aFencedSaveFromTheSpringStoreIsRefusedOnceTheJedisSideTookTheLockOver() throws Exception {
    ManualClock clock = new ManualClock(Instant.now());
    RedisTokenStore viaJedis = jedisStore(clock);
    SpringDataRedisTokenStore viaSpring = springStore(clock);
    TokenKey key = TokenKey.of(newAppId(), TokenKey.ACCESS_TOKEN);

    RefreshLock stalled = viaSpring.tryLock(key, Duration.ofMillis(300), Duration.ZERO).orElseThrow();
    assertThat(viaJedis.tryLock(key, Duration.ofSeconds(30), Duration.ZERO))
        .as("one lock: the Jedis side waits while the Spring side holds it")
        .isEmpty();
    Optional<RefreshLock> takenOver =
        viaJedis.tryLock(key, Duration.ofSeconds(30), Duration.ofSeconds(10));
    assertThat(takenOver).as("the Jedis side takes it once the lease lapsed").isPresent();
    AccessToken jedisToken = token(clock, "JEDIS_NEXT_HOLDER_");
    assertThat(viaJedis.saveFenced(key, jedisToken, takenOver.get())).isTrue();

    AccessToken late = token(clock, "SPRING_LATE_HOLDER_");
    assertThat(viaSpring.saveFenced(key, late, stalled)).as("the late save is refused").isFalse();
    assertThat(viaSpring.load(key).map(AccessToken::value)).contains(jedisToken.value());
    assertThat(viaJedis.load(key)).contains(jedisToken);

    stalled.close(); // the lapsed holder's close leaves the Jedis side's lock alone
    assertThat(viaSpring.tryLock(key, Duration.ofSeconds(30), Duration.ZERO)).isEmpty();
    takenOver.get().close();
  }

  @Test
  void aFencedSaveFromTheJedisStoreIsRefusedOnceTheSpringSideTookTheLockOver() throws Exception {
    ManualClock clock = new ManualClock(Instant.now());
    RedisTokenStore viaJedis = jedisStore(clock);
    SpringDataRedisTokenStore viaSpring = springStore(clock);
    TokenKey key = TokenKey.of(newAppId(), TokenKey.ACCESS_TOKEN);

    RefreshLock stalled = viaJedis.tryLock(key, Duration.ofMillis(300), Duration.ZERO).orElseThrow();
    Optional<RefreshLock> takenOver =
        viaSpring.tryLock(key, Duration.ofSeconds(30), Duration.ofSeconds(10));
    assertThat(takenOver).isPresent();
    AccessToken springToken = token(clock, "SPRING_NEXT_HOLDER_");
    assertThat(viaSpring.saveFenced(key, springToken, takenOver.get())).isTrue();
    assertThat(viaJedis.saveFenced(key, token(clock, "JEDIS_LATE_HOLDER_"), stalled)).isFalse();
    assertThat(viaJedis.load(key)).as("with its issue time").contains(springToken);
    stalled.close();
    takenOver.get().close();
  }

  @Test
  void aSpringStoreRefusesToFenceWithALockOfAnotherKeyOrStore() throws Exception {
    ManualClock clock = new ManualClock(Instant.now());
    SpringDataRedisTokenStore viaSpring = springStore(clock);
    TokenKey key = TokenKey.of(newAppId(), TokenKey.ACCESS_TOKEN);
    TokenKey other = TokenKey.of(key.appId(), TokenKey.JSAPI_TICKET);
    try (RefreshLock jedisLock =
            jedisStore(clock).tryLock(key, Duration.ofSeconds(30), Duration.ZERO).orElseThrow();
        RefreshLock otherKey =
            viaSpring.tryLock(other, Duration.ofSeconds(30), Duration.ZERO).orElseThrow()) {
      AccessToken t = token(clock, "NEVER_SAVED_");
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> viaSpring.saveFenced(key, t, jedisLock))
          .isInstanceOf(IllegalArgumentException.class);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> viaSpring.saveFenced(key, t, otherKey))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(viaSpring.load(key)).isEmpty();
    }
  }

  private static AccessToken token(ManualClock clock, String prefix) {
    Instant issued = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    return AccessToken.of(prefix + "x".repeat(40), issued, issued.plusSeconds(7200));
  }
}

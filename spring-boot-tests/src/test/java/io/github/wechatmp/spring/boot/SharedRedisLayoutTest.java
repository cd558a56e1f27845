package io.github.wechatmp.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wechatmp.store.redis.RedisTokenStore;
import io.github.wechatmp.test.ManualClock;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import io.github.wechatmp.token.TokenStore.SharedHoldOff;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import redis.clients.jedis.JedisPooled;

/**
 * The Jedis {@code RedisTokenStore} and the starter's Spring Data Redis store (on Lettuce) write
 * the same bytes, on one real Redis; and the Spring store takes over a refresh lock left with no
 * TTL (issue 21, item 18), as the Jedis store does ({@code StaleLockTest} in its module).
 */
@ExtendWith(OutputCaptureExtension.class)
class SharedRedisLayoutTest {
  static final String SECRET = "s3cr3t-0123456789abcdef0123456789";

  private final TestRedis redis = TestRedis.get();
  private JedisPooled jedis;
  private LettuceConnectionFactory lettuce;
  private SpringDataRedisTokenStore springStore;

  @BeforeEach
  void connect() {
    jedis = redis.jedis();
    lettuce = new LettuceConnectionFactory(new RedisStandaloneConfiguration(redis.host, redis.port));
    lettuce.afterPropertiesSet();
    lettuce.start();
  }

  @AfterEach
  void disconnect() {
    if (springStore != null) {
      springStore.close();
    }
    lettuce.destroy();
    jedis.close();
  }

  private static String newAppId() {
    return "wxlay" + UUID.randomUUID().toString().replace("-", "").substring(0, 13);
  }

  @Test
  void bothStoresWriteTheSameBytesForTheSameTokenAndHoldOff() {
    ManualClock clock = new ManualClock(Instant.parse("2026-12-01T02:00:00Z"));
    TokenStore viaJedis = RedisTokenStore.builder(jedis).clock(clock).build();
    springStore = new SpringDataRedisTokenStore(lettuce, "wechat:", clock);
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
  void aLockKeyWithNoExpiryIsTakenOverWithAWarnAndTheProviderRefreshes(CapturedOutput output) {
    String appId = newAppId();
    String lockKey = "wechat:{" + appId + "}:access_token:lock";
    jedis.set(lockKey, "a-foreign-owner"); // no PX: a lock no lease would ever end
    assertThat(jedis.pttl(lockKey)).isEqualTo(-1);
    springStore = new SpringDataRedisTokenStore(lettuce, "wechat:");
    try (WeChatStandIn wechat = WeChatStandIn.builder().appId(appId).appSecret(SECRET).start();
        AccessTokenProvider tokens =
            AccessTokenProvider.builder()
                .appId(appId)
                .appSecret(SECRET)
                .apiBaseUrl(wechat.baseUrl())
                .store(springStore)
                .lockWait(Duration.ofMillis(500))
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
}

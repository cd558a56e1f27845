package io.github.wechatmp.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.LogCapture;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.TokenKey;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/**
 * Issue 21, item 18: a refresh-lock key left with no expiry (a foreign client's {@code SET} without
 * {@code PX}, or a bug) would block every refresh forever; the store takes it over and warns.
 */
class StaleLockTest {
  private static TestRedis redis;
  private static UnifiedJedis plain;

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
                .lockWait(Duration.ofMillis(500))
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
  void aLockWithATtlIsLeftToItsHolder() throws Exception {
    RedisTokenStore store = RedisTokenStore.builder(redis.newClient()).keyPrefix("held:").build();
    TokenKey key = TokenKey.of(TestApp.APP_ID, TokenKey.ACCESS_TOKEN);
    String lockKey = store.layout().lockKey(key);
    plain.psetex(lockKey, 60_000, "another-node");
    assertTrue(store.tryLock(key, Duration.ofSeconds(5), Duration.ofMillis(100)).isEmpty());
    assertEquals("another-node", plain.get(lockKey));
    plain.del(lockKey);
  }
}

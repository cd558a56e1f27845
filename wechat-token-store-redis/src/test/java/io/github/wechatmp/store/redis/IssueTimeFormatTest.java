package io.github.wechatmp.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenKey;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/** Issue 14, item 6: Redis values keep issue times, and values in the format before still read. */
class IssueTimeFormatTest {
  private static final TokenKey KEY = TokenKey.of("wx0123456789abcd01", TokenKey.ACCESS_TOKEN);
  private static final String REDIS_KEY =
      RedisTokenStore.DEFAULT_PREFIX + "{wx0123456789abcd01}:access_token";
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
  void aValueInTodaysFormatIsReadBackAsATokenOfUnknownIssueTime() {
    long expiresAt = Instant.now().plusSeconds(3600).toEpochMilli();
    // Exactly what RedisTokenStore wrote before issue times were kept.
    plain.set(REDIS_KEY, expiresAt + ":TODAY_FORMAT_TOKEN_0123456789");

    AccessToken read = RedisTokenStore.builder(redis.newClient()).build().load(KEY).orElseThrow();

    assertEquals("TODAY_FORMAT_TOKEN_0123456789", read.value());
    assertEquals(Instant.ofEpochMilli(expiresAt), read.expiresAt());
    assertEquals(Optional.empty(), read.issuedAt());
  }

  @Test
  void theIssueTimeIsStoredBeforeTheValueAndReadBack() {
    Instant issued = Instant.ofEpochMilli(Instant.now().toEpochMilli());
    AccessToken t = AccessToken.of("ISSUED_TOKEN_0123456789", issued, issued.plusSeconds(7200));
    RedisTokenStore store = RedisTokenStore.builder(redis.newClient()).build();

    store.save(KEY, t);

    assertEquals(
        t.expiresAt().toEpochMilli() + "," + issued.toEpochMilli() + ":" + t.value(),
        plain.get(REDIS_KEY));
    assertEquals(t, store.load(KEY).orElseThrow());
    // compare-and-delete still finds the value behind the times
    assertEquals(true, store.deleteIfValue(KEY, t.value()));
  }
}

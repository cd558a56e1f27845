package io.github.wechatmp.store.redis;

import static io.github.wechatmp.store.redis.RedisTokenStoreTest.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.token.AccessToken;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/**
 * The store over a client on a {@code SentineledConnectionProvider}: the client finds the primary
 * through an embedded Sentinel.
 */
class RedisSentinelTest {
  private static TestRedis redis;
  private static UnifiedJedis plain;

  @BeforeAll
  static void start() throws Exception {
    redis = TestRedis.sentineled();
    plain = redis.newClient();
    assertEquals("PONG", plain.ping());
  }

  @AfterAll
  static void stop() {
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void herdAndInvalidationWorkThroughSentinel() throws Exception {
    SharedTokenTest.herdRounds(redis, plain, 2);
    try (Nodes nodes = new Nodes(redis)) {
      Nodes.Node a = nodes.add();
      Nodes.Node b = nodes.add();
      AccessToken t1 = a.provider.get();
      assertEquals(t1, b.provider.get());
      awaitTrue(() -> a.store.isListening() && b.store.isListening(), "both hosts listen");
      a.provider.invalidate(t1.value());
      assertTrue(b.invalidated.await(5, TimeUnit.SECONDS), "b dropped the rejected token");
      nodes.assertHerdGets(4, 2);
      assertEquals(2, nodes.wechat.tokenRequests());
    }
  }
}

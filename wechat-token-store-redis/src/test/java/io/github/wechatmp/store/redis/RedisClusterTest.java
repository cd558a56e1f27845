package io.github.wechatmp.store.redis;

import static io.github.wechatmp.store.redis.RedisTokenStoreTest.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.token.AccessToken;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * The same guarantees over a sharded Redis Cluster of three primaries, through {@link
 * JedisCluster}.
 */
class RedisClusterTest {
  private static TestRedis cluster;
  private static UnifiedJedis plain;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = TestRedis.cluster();
    plain = cluster.newClient();
    assertTrue(plain instanceof JedisCluster);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void herdOfEightHostsMakesOneRequestPerRound() throws Exception {
    SharedTokenTest.herdRounds(cluster, plain, 3);
  }

  @Test
  void invalidationReachesHostsConnectedToOtherClusterNodes() throws Exception {
    try (Nodes nodes = new Nodes(cluster)) {
      Nodes.Node a = nodes.add();
      Nodes.Node b = nodes.add();
      Nodes.Node c = nodes.add();
      AccessToken t1 = a.provider.get();
      assertEquals(t1, b.provider.get());
      assertEquals(t1, c.provider.get());
      String tokenKey = nodes.tokenKey();
      assertEquals(
          JedisClusterCRC16.getSlot(tokenKey), JedisClusterCRC16.getSlot(tokenKey + ":lock"));
      for (Nodes.Node n : nodes.nodes) {
        awaitTrue(n.store::isListening, "every host listens for changes");
      }
      a.provider.invalidate(t1.value());
      // Each host subscribes on whichever node its client picked; classic pub/sub spans the
      // cluster.
      assertTrue(b.invalidated.await(5, TimeUnit.SECONDS), "host b dropped the rejected token");
      assertTrue(c.invalidated.await(5, TimeUnit.SECONDS), "host c dropped the rejected token");
      nodes.assertHerdGets(4, 2);
      assertEquals(2, nodes.wechat.tokenRequests());
    }
  }
}

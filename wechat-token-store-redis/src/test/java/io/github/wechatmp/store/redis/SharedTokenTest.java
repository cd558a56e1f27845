package io.github.wechatmp.store.redis;

import static io.github.wechatmp.store.redis.RedisTokenStoreTest.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.wechatmp.test.Fault;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessToken;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;

/**
 * Many hosts sharing one token through one Redis server, end to end with providers and a fake
 * WeChat.
 */
class SharedTokenTest {
  static final int NODES = 8;
  static final int THREADS_PER_NODE = 16;

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
  void herdOfEightHostsMakesOneRequestPerRound() throws Exception {
    herdRounds(redis, plain, 5);
  }

  /**
   * 8 hosts, 16 threads each, all asking at once for a token none of them may serve (none yet, then
   * in every later round one within its expiry margin): exactly one request reaches WeChat per
   * round and every host ends with that token.
   */
  static void herdRounds(TestRedis redis, UnifiedJedis plain, int rounds) throws Exception {
    try (Nodes nodes = new Nodes(redis)) {
      nodes.wechat.failNext(
          Integer.MAX_VALUE,
          Fault.slow(Duration.ofMillis(300))
              .at(
                  WeChatStandIn
                      .TOKEN_PATH)); // a slow WeChat widens the window in which the others pile up
      for (int i = 0; i < NODES; i++) {
        nodes.add();
      }
      for (int round = 1; round <= rounds; round++) {
        if (round > 1) {
          nodes.clock.advance(
              Duration.ofSeconds(7200 - 20)); // stale everywhere: 20 s left, margin 30 s
        }
        long t0 = System.nanoTime();
        Set<String> values = nodes.herd(THREADS_PER_NODE);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(
            round,
            nodes.wechat.tokenRequests(),
            "exactly one request reached WeChat in round " + round);
        assertEquals(
            1, values.size(), "all " + NODES * THREADS_PER_NODE + " callers got one token");
        String value = values.iterator().next();
        assertEquals(TestApp.token(nodes.wechat, round), value);
        assertEquals(value, nodes.storedValue(plain), "the token in Redis");
        for (Nodes.Node n : nodes.nodes) {
          assertEquals(value, n.provider.get().value(), "every host ends with the same token");
        }
        System.err.println(
            "herd round "
                + round
                + " on "
                + redis
                + ": "
                + ms
                + " ms, "
                + nodes.wechat.tokenRequests()
                + " requests in all");
      }
      assertEquals(rounds, nodes.wechat.tokenRequests());
    }
  }

  @Test
  void aCrashedLockHolderBlocksTheOthersForAtMostItsLease() throws Exception {
    try (Nodes nodes = new Nodes(redis)) {
      UnifiedJedis crashedClient = redis.newClient();
      RedisTokenStore crashed =
          RedisTokenStore.builder(crashedClient).keyPrefix(nodes.prefix).build();
      long t0 = System.nanoTime();
      // A host took the refresh lock with a 3 s lease and died before it could release it.
      crashed.tryLock(nodes.key, Duration.ofSeconds(3), Duration.ZERO).orElseThrow();
      crashedClient.close();

      for (int i = 0; i < 4; i++) {
        nodes.add(Duration.ofSeconds(10), Duration.ofSeconds(12));
      }
      Set<String> values = nodes.herd(8);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertEquals(1, values.size());
      assertEquals(1, nodes.wechat.tokenRequests(), "one of the others fetched, once");
      assertTrue(
          ms >= 2_900, "nobody fetched while the crashed host's lease ran, done at " + ms + " ms");
      assertTrue(ms < 10_000, "taken over soon after the 3 s lease, done at " + ms + " ms");
    }
  }

  @Test
  void aStaleHostsInvalidateDoesNotRemoveANewerToken() throws Exception {
    try (Nodes nodes = new Nodes(redis)) {
      Nodes.Node stale = nodes.add();
      Nodes.Node fresh = nodes.add();
      AccessToken t1 = stale.provider.get();
      assertEquals(t1, fresh.provider.get());
      assertEquals(1, nodes.wechat.tokenRequests());

      AccessToken t2 = fresh.provider.refresh();
      assertNotEquals(t1.value(), t2.value());
      assertEquals(2, nodes.wechat.tokenRequests());

      // WeChat rejected the old token on the stale host: its invalidate must leave the new one
      // alone.
      stale.provider.invalidate(t1.value());
      assertEquals(t2.value(), nodes.storedValue(plain));
      assertEquals(t2, fresh.provider.get());
      assertEquals(t2, stale.provider.get());
      assertEquals(2, nodes.wechat.tokenRequests());
      assertEquals(0, fresh.invalidations.get(), "the fresh host never dropped its token");
    }
  }

  @Test
  void anInvalidationReachesEveryHostWithinTheBound() throws Exception {
    try (Nodes nodes = new Nodes(redis)) {
      Nodes.Node a = nodes.add();
      Nodes.Node b = nodes.add();
      Nodes.Node c = nodes.add();
      AccessToken t1 = a.provider.get();
      assertEquals(t1, b.provider.get());
      assertEquals(t1, c.provider.get());
      for (Nodes.Node n : nodes.nodes) {
        awaitTrue(n.store::isListening, "every host listens for changes");
      }

      long t0 = System.nanoTime();
      a.provider.invalidate(t1.value());
      assertTrue(b.invalidated.await(5, TimeUnit.SECONDS), "host b dropped the rejected token");
      assertTrue(c.invalidated.await(5, TimeUnit.SECONDS), "host c dropped the rejected token");
      System.err.println(
          "invalidation reached the other hosts in "
              + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)
              + " ms");
      assertNull(nodes.storedValue(plain), "removed from Redis");
      assertEquals(1, nodes.wechat.tokenRequests(), "nobody fetched yet: nobody asked");

      Set<String> values = nodes.herd(4);
      assertEquals(Set.of(TestApp.token(nodes.wechat, 2)), values, "one new token for all");
      assertEquals(2, nodes.wechat.tokenRequests());
    }
  }

  @Test
  void theHotPathMakesNoRedisRoundTrip() throws Exception {
    assumeTrue(
        redis.isEmbedded(), "counts every command the server processes; needs a server of its own");
    try (Nodes nodes = new Nodes(redis)) {
      // Seeded before the host starts, so that no change message (and no re-read) follows its
      // get().
      AccessToken t =
          AccessToken.of("SEEDED_TOKEN_0123456789", nodes.clock.instant().plusSeconds(7200));
      RedisTokenStore.builder(plain)
          .keyPrefix(nodes.prefix)
          .clock(nodes.clock)
          .build()
          .save(nodes.key, t);
      Nodes.Node n = nodes.add();
      assertEquals(t, n.provider.get(), "adopted from Redis");
      awaitTrue(n.store::isListening, "the subscription is settled");
      long before = commandsProcessed();
      for (int i = 0; i < 10_000; i++) {
        assertEquals(t, n.provider.get());
      }
      long after = commandsProcessed();
      assertEquals(1, after - before, "only the INFO that counts them");
      assertEquals(0, nodes.wechat.tokenRequests());
    }
  }

  // INFO through sendCommand: UnifiedJedis.info exists only from Jedis 6 on.
  private static String infoStats() {
    Object reply = plain.sendCommand(Protocol.Command.INFO, "stats");
    return reply instanceof byte[] bytes
        ? new String(bytes, StandardCharsets.UTF_8)
        : String.valueOf(reply);
  }

  private static long commandsProcessed() {
    for (String line : infoStats().split("\r?\n")) {
      if (line.startsWith("total_commands_processed:")) {
        return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    throw new AssertionError("no total_commands_processed in INFO stats");
  }
}

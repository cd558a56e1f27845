package io.github.wechatmp.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.MutableClock;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.RefreshPolicy;
import io.github.wechatmp.token.TokenEventListener;
import io.github.wechatmp.token.TokenKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import redis.clients.jedis.UnifiedJedis;

/**
 * Simulated hosts of one application: each node has its own Jedis client, its own {@link
 * RedisTokenStore} and its own provider, as separate machines would; they share only Redis, the
 * fake WeChat and (so that tests need not sleep until tokens expire) one clock.
 */
final class Nodes implements AutoCloseable {
  final TestRedis redis;
  final WeChatStandIn wechat;
  final MutableClock clock = new MutableClock();

  /** The setting of the hosts added from now on; zero: they never fetch without Redis. */
  Duration storeOutageFetchInterval = RefreshPolicy.defaults().storeOutageFetchInterval();

  final String prefix = "wechat-test-" + UUID.randomUUID().toString().substring(0, 8) + ":";
  final TokenKey key = TokenKey.of(TestApp.APP_ID, TokenKey.ACCESS_TOKEN);
  final List<Node> nodes = new ArrayList<>();

  Nodes(TestRedis redis) throws Exception {
    this.redis = redis;
    this.wechat = TestApp.standIn(clock);
  }

  /** One host. */
  final class Node {
    final UnifiedJedis client;
    final RedisTokenStore store;
    final AccessTokenProvider provider;
    final AtomicInteger invalidations = new AtomicInteger();
    volatile CountDownLatch invalidated = new CountDownLatch(1);

    Node(Duration lockLease, Duration lockWait) {
      client = redis.newClient();
      store = RedisTokenStore.builder(client).keyPrefix(prefix).clock(clock).build();
      provider =
          AccessTokenProvider.builder()
              .appId(TestApp.APP_ID)
              .appSecret(TestApp.SECRET)
              .apiBaseUrl(wechat.baseUrl())
              .clock(clock)
              .store(store)
              .refreshPolicy(
                  RefreshPolicy.builder()
                      .lockLease(lockLease)
                      .lockWait(lockWait)
                      .storeOutageFetchInterval(storeOutageFetchInterval)
                      .build())
              .eventListener(
                  new TokenEventListener() {
                    @Override
                    public void onInvalidated(TokenKey k, boolean wasCurrent) {
                      if (wasCurrent) {
                        invalidations.incrementAndGet();
                        invalidated.countDown();
                      }
                    }
                  })
              .build();
    }
  }

  Node add() {
    return add(Duration.ofSeconds(10), Duration.ofSeconds(12));
  }

  Node add(Duration lockLease, Duration lockWait) {
    Node n = new Node(lockLease, lockWait);
    nodes.add(n);
    return n;
  }

  /** The Redis key holding the token. */
  String tokenKey() {
    return prefix + "{" + key.appId() + "}:" + key.kind();
  }

  /** The token value in Redis now, read with a plain client, or null. */
  String storedValue(UnifiedJedis plain) {
    String raw = plain.get(tokenKey());
    return raw == null ? null : raw.substring(raw.indexOf(':') + 1);
  }

  /** Runs {@link #herd} and checks that every caller got the n-th token the stand-in issued. */
  void assertHerdGets(int threadsPerNode, int nthToken) throws InterruptedException {
    Set<String> got = herd(threadsPerNode); // first: the token is issued during the herd
    assertEquals(Set.of(TestApp.token(wechat, nthToken)), got);
  }

  /**
   * Every node calls {@code get()} from {@code threadsPerNode} threads released at once; returns
   * the distinct values they got. Fails on any exception or if a thread is not done within 30 s.
   */
  Set<String> herd(int threadsPerNode) throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (Node n : nodes) {
      for (int i = 0; i < threadsPerNode; i++) {
        Thread t =
            new Thread(
                () -> {
                  try {
                    start.await();
                    AccessToken token = n.provider.get();
                    got.add(token.value());
                  } catch (Throwable e) {
                    errors.add(e);
                  }
                });
        t.start();
        threads.add(t);
      }
    }
    start.countDown();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (Thread t : threads) {
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      assertTrue(!t.isAlive(), "a get() did not return within 30 s");
    }
    if (!errors.isEmpty()) {
      AssertionError e = new AssertionError("get() failed on " + errors.size() + " threads");
      errors.forEach(e::addSuppressed);
      throw e;
    }
    assertEquals(nodes.size() * threadsPerNode, got.size());
    return new HashSet<>(got);
  }

  @Override
  public void close() throws Exception {
    for (Node n : nodes) {
      n.provider.close();
    }
    wechat.close();
    // Closing the providers closed their subscriptions, which must end every notification thread.
    String threadName = ChangeNotifier.THREAD_NAME_PREFIX + prefix;
    RedisTokenStoreTest.awaitTrue(
        () -> RedisTokenStoreTest.threads(threadName) == 0,
        "the notification threads of " + prefix + " end");
  }
}

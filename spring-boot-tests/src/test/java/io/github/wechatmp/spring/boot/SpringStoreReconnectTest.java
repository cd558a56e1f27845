package io.github.wechatmp.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wechatmp.store.redis.RedisTokenStore;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.TokenStore;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import redis.clients.jedis.JedisPooled;

/**
 * Issue 14, item 5 for the Spring Data Redis store: after its listener container reconnects, a
 * provider re-reads its key and adopts the token another node saved while its notifications were
 * lost.
 */
class SpringStoreReconnectTest {
  static final String SECRET = "s3cr3t-0123456789abcdef0123456789";

  private final TestRedis redis = TestRedis.get();
  private final String appId =
      "wxre" + UUID.randomUUID().toString().replace("-", "").substring(0, 14);
  private CuttingProxy proxy;
  private LettuceConnectionFactory throughProxy;
  private SpringDataRedisTokenStore springStore;
  private JedisPooled jedis;
  private WeChatStandIn wechat;
  private AccessTokenProvider springNode;
  private AccessTokenProvider jedisNode;

  @BeforeEach
  void start() throws Exception {
    proxy = new CuttingProxy(redis.port);
    throughProxy =
        new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", proxy.port()));
    throughProxy.afterPropertiesSet();
    throughProxy.start();
    springStore = new SpringDataRedisTokenStore(throughProxy, "wechat:", Clock.systemUTC());
    jedis = redis.jedis();
    wechat = WeChatStandIn.builder().appId(appId).appSecret(SECRET).start();
    springNode = node(springStore);
    jedisNode = node(RedisTokenStore.builder(jedis).build());
  }

  private AccessTokenProvider node(TokenStore store) {
    return AccessTokenProvider.builder()
        .appId(appId)
        .appSecret(SECRET)
        .apiBaseUrl(wechat.baseUrl())
        .store(store)
        .build();
  }

  @AfterEach
  void stop() throws Exception {
    springNode.close();
    jedisNode.close();
    springStore.close();
    throughProxy.destroy();
    proxy.close();
    jedis.close();
    wechat.close();
  }

  @Test
  void aTokenSavedWhileTheContainerWasCutOffIsAdoptedAfterItReconnects() throws Exception {
    String first = springNode.get().value();
    assertThat(jedisNode.get().value()).isEqualTo(first);
    // The container is listening once a change reaches the Spring node.
    String second = jedisNode.refresh().value();
    awaitTrue(() -> springNode.get().value().equals(second), "a change arrives while connected");

    proxy.cut(Duration.ofSeconds(3));
    String third = jedisNode.refresh().value(); // published while the Spring node is cut off
    assertThat(third).isNotEqualTo(second);

    awaitTrue(
        () -> springNode.get().value().equals(third),
        "the Spring node re-read its key after the container reconnected");
    assertThat(wechat.tokenRequests()).as("adopted, not fetched").isEqualTo(3);
  }

  private static void awaitTrue(BooleanSupplier condition, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(50);
    }
  }
}

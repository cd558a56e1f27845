package io.github.wechatmp.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wechatmp.store.redis.RedisTokenStore;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import redis.clients.jedis.JedisPooled;

/**
 * A fleet on one real Redis: two Spring Boot applications on Lettuce (the starter's Spring Data
 * Redis store) and a third node on the Jedis {@code RedisTokenStore}. They share one token, fetched
 * once, and an invalidation on one node reaches the others over the shared channel.
 */
class MixedFleetTest {
  static final String APP_ID = "wxfleet0123456789";

  private final TestRedis redis = TestRedis.get();
  private WeChatStandIn wechat;
  private ConfigurableApplicationContext first;
  private ConfigurableApplicationContext second;
  private JedisPooled jedis;
  private AccessTokenProvider third;

  @BeforeEach
  void start() {
    redis.flush();
    wechat = WeChatStandIn.start();
    first = node();
    second = node();
    jedis = redis.jedis();
    third =
        AccessTokenProvider.builder()
            .appId(APP_ID)
            .appSecret("s")
            .apiBaseUrl(wechat.baseUrl())
            .store(RedisTokenStore.builder(jedis).build())
            .build();
  }

  @AfterEach
  void stop() {
    third.close();
    jedis.close();
    second.close();
    first.close();
    wechat.close();
  }

  private ConfigurableApplicationContext node() {
    return new SpringApplicationBuilder(Node.class)
        .web(WebApplicationType.NONE)
        .properties(
            "wechat.mp.app-id=" + APP_ID,
            "wechat.mp.app-secret=s",
            // These tests count who fetches when; a fetch at start-up would blur that.
            "wechat.mp.fetch-at-startup=false",
            "wechat.mp.api-base-url=" + wechat.baseUrl(),
            "spring.data.redis.host=" + redis.host,
            "spring.data.redis.port=" + redis.port)
        .run();
  }

  @Test
  void bothBootNodesUseTheSpringDataRedisStoreOnLettuce() {
    for (ConfigurableApplicationContext node : new ConfigurableApplicationContext[] {first, second}) {
      assertThat(node.getBean(TokenStore.class)).isInstanceOf(SpringDataRedisTokenStore.class);
      assertThat(node.getBean(org.springframework.data.redis.connection.RedisConnectionFactory.class))
          .isInstanceOf(org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory.class);
    }
  }

  @Test
  void bootNodesAdoptATokenTheJedisNodeFetchedWithItsIssueTime() {
    String value = third.get().value();
    assertThat(jedis.get("wechat:{" + APP_ID + "}:access_token"))
        .as("RedisTokenStore writes <expiresAt>,<issuedAt>:<token>")
        .matches("\\d+,\\d+:.*");
    assertThat(first.getBean(AccessTokenProvider.class).get().value()).isEqualTo(value);
    assertThat(second.getBean(AccessTokenProvider.class).get().value()).isEqualTo(value);
    assertThat(wechat.tokenRequests()).as("the Boot nodes fetch nothing").isEqualTo(1);
  }

  @Test
  void twoBootNodesAndAJedisNodeShareOneTokenFetchedOnce() throws Exception {
    AccessTokenProvider a = first.getBean(AccessTokenProvider.class);
    AccessTokenProvider b = second.getBean(AccessTokenProvider.class);
    CountDownLatch go = new CountDownLatch(1);
    CompletableFuture<AccessToken> fromA = CompletableFuture.supplyAsync(() -> await(go, a));
    CompletableFuture<AccessToken> fromB = CompletableFuture.supplyAsync(() -> await(go, b));
    go.countDown();
    String value = fromA.get(30, TimeUnit.SECONDS).value();
    assertThat(fromB.get(30, TimeUnit.SECONDS).value()).isEqualTo(value);
    assertThat(wechat.tokenRequests()).isEqualTo(1);

    assertThat(third.get().value()).as("the Jedis node adopts it").isEqualTo(value);
    assertThat(wechat.tokenRequests()).isEqualTo(1);
    assertThat(jedis.get("wechat:{" + APP_ID + "}:access_token")).endsWith(":" + value);
  }

  @Test
  @Tag("slow")
  void anInvalidationOnABootNodeReachesTheJedisNode() throws Exception {
    AccessTokenProvider a = first.getBean(AccessTokenProvider.class);
    String old = a.get().value();
    assertThat(third.get().value()).isEqualTo(old);
    // Subscriptions are made in the background and a message published before one is made is
    // lost (as documented), so first make sure both nodes hear changes: a token saved through the
    // Jedis store is adopted by both once they listen. Real time: the pub/sub delivery.
    TokenKey key = TokenKey.of(APP_ID, TokenKey.ACCESS_TOKEN);
    String probe = "probe-token-" + System.nanoTime();
    RedisTokenStore store = RedisTokenStore.builder(jedis).build();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!(probe.equals(third.get().value()) && probe.equals(a.get().value()))
        && System.nanoTime() < deadline) {
      store.save(key, AccessToken.of(probe, Instant.now().plusSeconds(7500)));
      Thread.sleep(100);
    }
    assertThat(third.get().value()).as("the Jedis node adopted a newer token").isEqualTo(probe);
    assertThat(a.get().value()).as("the Boot node adopted a newer token").isEqualTo(probe);

    a.invalidate(probe);
    // The Jedis node hears the compare-and-delete on the shared channel and drops the token; its
    // next get() fetches or adopts a new one.
    String now = third.get().value();
    while (now.equals(probe) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      now = third.get().value();
    }
    assertThat(now).isNotEqualTo(probe);
  }

  private static AccessToken await(CountDownLatch go, AccessTokenProvider p) {
    try {
      go.await();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
    return p.get();
  }

  /** A node: nothing but the auto-configuration. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class Node {}
}

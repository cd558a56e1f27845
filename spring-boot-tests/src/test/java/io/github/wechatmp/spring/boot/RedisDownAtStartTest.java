package io.github.wechatmp.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wechatmp.store.redis.RedisTokenStore;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import io.github.wechatmp.token.TokenStoreException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import redis.clients.jedis.JedisPooled;

/**
 * A Redis that is down when the application starts must not stop the start, and notifications
 * begin once it is up.
 */
class RedisDownAtStartTest {
  @Test
  @Tag("slow")
  void subscribingWhileRedisIsDownNeitherThrowsAndHearsChangesOnceItIsUp() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    LettuceConnectionFactory factory =
        new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", port));
    factory.afterPropertiesSet();
    factory.start();
    try (SpringDataRedisTokenStore store = new SpringDataRedisTokenStore(factory, "wechat:")) {
      TokenKey key = TokenKey.of("wxdown", TokenKey.ACCESS_TOKEN);
      java.util.concurrent.CountDownLatch changed = new java.util.concurrent.CountDownLatch(1);
      TokenStore.Subscription subscription = store.subscribe(key, changed::countDown);
      assertThat(subscription).isNotNull();
      assertThatThrownBy(() -> store.load(key))
          .isInstanceOf(TokenStoreException.class)
          .hasMessageStartingWith("Redis: could not read wechat:{wxdown}:access_token");
      // Redis comes up: the background retry subscribes, and a save elsewhere is heard.
      redis.embedded.RedisServer server =
          redis.embedded.RedisServer.newRedisServer()
              .bind("127.0.0.1")
              .port(port)
              .setting("save \"\"")
              .setting("appendonly no")
              .build();
      server.start();
      try (JedisPooled jedis = new JedisPooled("127.0.0.1", port)) {
        RedisTokenStore other = RedisTokenStore.builder(jedis).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!changed.await(200, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline) {
          other.save(key, AccessToken.of("t-" + System.nanoTime(), Instant.now().plusSeconds(600)));
        }
        assertThat(changed.getCount()).as("a change heard after Redis came up").isZero();
      } finally {
        subscription.close();
        server.stop();
      }
    } finally {
      factory.destroy();
    }
  }
}

package io.github.wechatmp.spring.boot;

import io.github.wechatmp.store.tck.TokenStoreContract;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import redis.clients.jedis.JedisPooled;

/**
 * The Spring Data Redis store against every promise of the TokenStore contract, on a real Redis;
 * each store of the test has its own connection factory, as separate hosts would.
 */
abstract class SpringDataRedisStoreContract extends TokenStoreContract {
  private final List<RedisConnectionFactory> factories = new ArrayList<>();

  /** A started factory of the client under test. */
  abstract RedisConnectionFactory factory(RedisStandaloneConfiguration config);

  private RedisConnectionFactory started(RedisStandaloneConfiguration config) {
    RedisConnectionFactory f = factory(config);
    factories.add(f);
    return f;
  }

  @Override
  protected TokenStore newStore() {
    TestRedis redis = TestRedis.get();
    return new SpringDataRedisTokenStore(
        started(new RedisStandaloneConfiguration(redis.host, redis.port)), "wechat:");
  }

  @Override
  protected TokenStore newStoreOnSameStorage(TokenStore store) {
    return newStore();
  }

  @Override
  protected void corrupt(TokenStore store, TokenKey key) {
    try (JedisPooled jedis = TestRedis.get().jedis()) {
      jedis.set(((SpringDataRedisTokenStore) store).layout().tokenKey(key), "not-a-stored-token");
    }
  }

  @Override
  protected void leaveLockWithoutLease(TokenStore store, TokenKey key) {
    try (JedisPooled jedis = TestRedis.get().jedis()) {
      jedis.set(((SpringDataRedisTokenStore) store).layout().lockKey(key), "a-foreign-owner");
    }
  }

  @Override
  protected TokenStore newFailingStore() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    return new SpringDataRedisTokenStore(
        started(new RedisStandaloneConfiguration("127.0.0.1", port)), "wechat:");
  }

  @Override
  protected boolean keepsIssueTimes() {
    return true;
  }

  @Override
  protected boolean sharesHoldOffs() {
    return true;
  }

  @Override
  protected boolean fencesSaves() {
    return true;
  }

  @Override
  protected boolean notifiesChanges() {
    return true;
  }

  @AfterEach
  void closeFactories() {
    for (RedisConnectionFactory f : factories) {
      try {
        ((org.springframework.beans.factory.DisposableBean) f).destroy();
      } catch (Exception e) {
        // closing a factory is no part of the contract
      }
    }
  }
}

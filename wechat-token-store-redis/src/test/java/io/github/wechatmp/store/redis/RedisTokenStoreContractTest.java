package io.github.wechatmp.store.redis;

import io.github.wechatmp.store.tck.TokenStoreContract;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.providers.PooledConnectionProvider;

/**
 * RedisTokenStore against the TokenStore contract, on a real Redis; every instance has its own
 * client, as every host of an application would.
 */
class RedisTokenStoreContractTest extends TokenStoreContract {
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

  @Override
  protected TokenStore newStore() {
    return RedisTokenStore.builder(redis.newClient()).build();
  }

  @Override
  protected TokenStore newStoreOnSameStorage(TokenStore store) {
    return RedisTokenStore.builder(redis.newClient()).build();
  }

  @Override
  protected void corrupt(TokenStore store, TokenKey key) {
    plain.set(
        RedisTokenStore.DEFAULT_PREFIX + '{' + key.appId() + "}:" + key.kind(), "not:a:token");
  }

  @Override
  protected void leaveLockWithoutLease(TokenStore store, TokenKey key) {
    plain.set(((RedisTokenStore) store).layout().lockKey(key), "a-foreign-owner");
  }

  @Override
  protected TokenStore newFailingStore() {
    // Nothing listens on that port: every command fails to connect.
    UnifiedJedis nowhere =
        TestRedis.portable(
            new PooledConnectionProvider(
                new HostAndPort("127.0.0.1", TestRedis.freePort(false)),
                DefaultJedisClientConfig.builder()
                    .connectionTimeoutMillis(500)
                    .socketTimeoutMillis(500)
                    .build()));
    return RedisTokenStore.builder(nowhere).build();
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
}

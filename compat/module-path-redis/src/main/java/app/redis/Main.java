package app.redis;

import io.github.wechatmp.store.redis.RedisTokenStore;
import io.github.wechatmp.token.AccessTokenProvider;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;

/** Fetches one token from the WeChat at args[0] through the Redis on 127.0.0.1:args[4]. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // A sized pool, as a production application configures it: the pool's types come from
    // commons-pool2, which the application never names in its module-info.
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setMaxTotal(8);
    try (JedisPooled jedis =
            new JedisPooled(
                pool,
                new HostAndPort("127.0.0.1", Integer.parseInt(args[4])),
                DefaultJedisClientConfig.builder().connectionTimeoutMillis(1000).build());
        AccessTokenProvider provider =
            AccessTokenProvider.builder()
                .appId(args[1])
                .appSecret(args[2])
                .apiBaseUrl(args[0])
                .store(RedisTokenStore.builder(jedis).build())
                .build()) {
      System.out.println("token " + provider.get().masked());
      System.out.println("stored " + (jedis.get("wechat:{" + args[1] + "}:access_token") != null));
    }
  }
}

/**
 * A {@code TokenStore} and a {@code MessageDeduplicator} that every instance of an application
 * shares through Redis (a single server, Sentinel or Redis Cluster) over Jedis: {@link
 * io.github.wechatmp.store.redis.RedisTokenStore}.
 */
// Jedis has no descriptor, only a stable Automatic-Module-Name.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.github.wechatmp.store.redis {
  // RedisTokenStore implements io.github.wechatmp.token.TokenStore and is built from a Jedis
  // redis.clients.jedis.UnifiedJedis.
  requires transitive io.github.wechatmp;
  requires transitive redis.clients.jedis;
  // Jedis's own API (JedisPooled's constructors, ConnectionPoolConfig) is built on commons-pool2
  // types, and Jedis has no descriptor to pass them on: read it here so that an application that
  // requires only this module can configure a pool.
  requires transitive org.apache.commons.pool2;
  requires org.slf4j;

  exports io.github.wechatmp.store.redis;
}

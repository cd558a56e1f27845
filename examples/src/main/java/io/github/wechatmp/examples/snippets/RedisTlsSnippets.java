package io.github.wechatmp.examples.snippets;

import io.github.wechatmp.store.redis.RedisTokenStore;
import io.github.wechatmp.token.AccessTokenProvider;
import javax.net.ssl.SSLParameters;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;

/** Redis over TLS with the host name checked: docs/token-server-setup.md (issue 21, item 13). */
final class RedisTlsSnippets {
  private RedisTlsSnippets() {}

  static AccessTokenProvider redisOverTls() {
    // snippet:start token-server-redis-tls
    // Jedis checks that the certificate chains to a trusted CA but not the name in it: without
    // endpoint identification, any server holding a certificate from a trusted CA (one issued for
    // another of your hosts, say) could pose as this Redis and hand out tokens.
    SSLParameters checkHostName = new SSLParameters();
    checkHostName.setEndpointIdentificationAlgorithm("HTTPS");
    JedisPooled jedis =
        new JedisPooled(
            new HostAndPort("redis.internal", 6380),
            DefaultJedisClientConfig.builder().ssl(true).sslParameters(checkHostName).build());
    AccessTokenProvider tokens =
        AccessTokenProvider.builder()
            .appId(System.getenv("WECHAT_APP_ID"))
            .appSecret(System.getenv("WECHAT_APP_SECRET"))
            .store(new RedisTokenStore(jedis))
            .build();
    // snippet:end
    return tokens;
  }
}

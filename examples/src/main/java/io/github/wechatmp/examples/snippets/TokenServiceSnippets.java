package io.github.wechatmp.examples.snippets;

import io.github.wechatmp.http.AccessTokenInterceptor;
import io.github.wechatmp.store.redis.RedisTokenStore;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.TokenServiceProvider;
import okhttp3.OkHttpClient;
import redis.clients.jedis.JedisPooled;

/** Docs snippets (docs/token-server.md): the token service's Java client, read-only providers. */
final class TokenServiceSnippets {
  private TokenServiceSnippets() {}

  static OkHttpClient tokenServiceClient() {
    // snippet:start token-service-client
    // The token comes from the central token service, not from WeChat: same get(), same
    // interceptor; a token WeChat rejects (40001) is reported to the service's passive refresh.
    AccessTokenProvider tokens =
        TokenServiceProvider.builder(
                "https://tokens.internal:8700", System.getenv("TOKEN_SERVER_KEY"))
            .appId(System.getenv("WECHAT_APP_ID"))
            .build();
    OkHttpClient client =
        new OkHttpClient.Builder().addInterceptor(new AccessTokenInterceptor(tokens)).build();
    // snippet:end
    return client;
  }

  static AccessTokenProvider readOnly() {
    // snippet:start read-only
    // Adopts the tokens the token service (or any provider) saves in Redis; never asks WeChat,
    // so it needs no AppSecret and no whitelisted IP.
    JedisPooled jedis = new JedisPooled("redis.internal", 6379);
    AccessTokenProvider tokens =
        AccessTokenProvider.builder()
            .appId(System.getenv("WECHAT_APP_ID"))
            .store(new RedisTokenStore(jedis))
            .readOnly(true)
            .build();
    // snippet:end
    return tokens;
  }
}

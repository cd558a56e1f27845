package io.github.wechatmp.examples.snippets;

import io.github.wechatmp.http.AccessTokenInterceptor;
import io.github.wechatmp.store.file.FileTokenStore;
import io.github.wechatmp.store.redis.RedisTokenStore;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.RefreshPolicy;
import io.github.wechatmp.token.TokenEventListener;
import io.github.wechatmp.token.TokenKey;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import redis.clients.jedis.JedisPooled;

/**
 * Docs snippets (README.md, docs/tokens-and-stores.md, docs/operations.md): getting the token,
 * choosing a store, what a store outage may cost, stable tokens, token-aware API calls, events for
 * metrics.
 */
final class TokenSnippets {
  private TokenSnippets() {}

  static String getAToken() {
    // snippet:start get-token
    AccessTokenProvider tokens =
        AccessTokenProvider.builder()
            .appId(System.getenv("WECHAT_APP_ID"))
            .appSecret(System.getenv("WECHAT_APP_SECRET"))
            .build(); // does no I/O; share one provider per app and close it on shutdown

    String accessToken = tokens.get().value(); // from memory while fresh; thread-safe
    // snippet:end
    tokens.close();
    return accessToken;
  }

  static AccessTokenProvider fileStore() {
    // snippet:start file-store
    // Every process on this host that uses this path shares one token and one refresh.
    AccessTokenProvider tokens =
        AccessTokenProvider.builder()
            .appId(System.getenv("WECHAT_APP_ID"))
            .appSecret(System.getenv("WECHAT_APP_SECRET"))
            .store(new FileTokenStore(Path.of("/var/lib/myapp/wechat-tokens.json")))
            .build();
    // snippet:end
    return tokens;
  }

  static AccessTokenProvider redisStore() {
    // snippet:start redis-store
    // Every host that uses this Redis shares one token and one refresh. JedisSentineled and
    // JedisCluster work the same way.
    JedisPooled jedis = new JedisPooled("redis.internal", 6379);
    AccessTokenProvider tokens =
        AccessTokenProvider.builder()
            .appId(System.getenv("WECHAT_APP_ID"))
            .appSecret(System.getenv("WECHAT_APP_SECRET"))
            .store(new RedisTokenStore(jedis))
            .build();
    // snippet:end
    return tokens;
  }

  static AccessTokenProvider storeOutage(JedisPooled jedis) {
    // snippet:start store-outage
    // While Redis is unreachable and no usable token is held, fetch one without it at most once
    // every 5 minutes (the default is 60 s); Duration.ZERO fails calls instead until Redis returns.
    AccessTokenProvider tokens =
        AccessTokenProvider.builder()
            .appId(System.getenv("WECHAT_APP_ID"))
            .appSecret(System.getenv("WECHAT_APP_SECRET"))
            .store(new RedisTokenStore(jedis))
            .refreshPolicy(
                RefreshPolicy.builder().storeOutageFetchInterval(Duration.ofMinutes(5)).build())
            .build();
    // snippet:end
    return tokens;
  }

  static AccessTokenProvider stableToken() {
    // snippet:start stable-token
    // cgi-bin/stable_token: the secret travels in a POST body, and the token is independent of
    // cgi-bin/token's. refresh() then sends force_refresh=true: at most 20 a day, 30 s apart.
    AccessTokenProvider tokens =
        AccessTokenProvider.builder()
            .appId(System.getenv("WECHAT_APP_ID"))
            .appSecret(System.getenv("WECHAT_APP_SECRET"))
            .stableToken(true)
            .build();
    // snippet:end
    return tokens;
  }

  static AccessTokenProvider withMetrics(AtomicLong fetches, AtomicLong failures) {
    // snippet:start listener
    AccessTokenProvider tokens =
        AccessTokenProvider.builder()
            .appId(System.getenv("WECHAT_APP_ID"))
            .appSecret(System.getenv("WECHAT_APP_SECRET"))
            .eventListener(
                new TokenEventListener() {
                  @Override
                  public void onFetched(TokenKey key, AccessToken token, Duration latency) {
                    fetches.incrementAndGet(); // or a counter of your metrics library
                  }

                  @Override
                  public void onRefreshFailed(
                      TokenKey key, RuntimeException error, int consecutiveFailures) {
                    failures.incrementAndGet();
                  }
                })
            .build();
    // snippet:end
    return tokens;
  }

  static String callAnApi(AccessTokenProvider tokens) throws IOException {
    // snippet:start interceptor
    // Adds access_token to requests for WeChat's API hosts; on 40001/40014/42001 it invalidates
    // that token and retries once with a fresh one.
    OkHttpClient client =
        new OkHttpClient.Builder().addInterceptor(new AccessTokenInterceptor(tokens)).build();
    Request request =
        new Request.Builder().url("https://api.weixin.qq.com/cgi-bin/get_api_domain_ip").build();
    try (Response response = client.newCall(request).execute()) {
      return response.body().string();
    }
    // snippet:end
  }
}

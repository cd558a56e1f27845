package io.github.wechatmp.token;

import io.github.wechatmp.internal.http.WeChatHttp;
import io.github.wechatmp.internal.refresh.CredentialFetcher;
import io.github.wechatmp.internal.refresh.EngineBackedProvider;
import io.github.wechatmp.internal.refresh.RefreshingCache;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/** The {@link AccessTokenProvider} that {@link AccessTokenProvider.Builder#build()} makes. */
final class CachingAccessTokenProvider extends EngineBackedProvider {
  private final String apiBaseUrl; // canonical text: one literal is one string for many providers
  private final OkHttpClient httpClient;

  CachingAccessTokenProvider(AccessTokenProvider.Builder b) {
    super(engine(b, key(b)));
    this.apiBaseUrl = b.apiBaseUrl;
    this.httpClient = b.givenHttpClient();
  }

  private static TokenKey key(AccessTokenProvider.Builder b) {
    return TokenKey.of(
        b.appId.strip(), b.stableToken ? TokenKey.STABLE_ACCESS_TOKEN : TokenKey.ACCESS_TOKEN);
  }

  private static RefreshingCache engine(AccessTokenProvider.Builder b, TokenKey key) {
    return RefreshingCache.builder()
        .key(key)
        .fetcher(fetcher(b, key))
        .store(b.store)
        .policy(b.policyOr(RefreshPolicy.defaults()))
        .clock(b.givenClock())
        .listener(b.givenListener())
        .fetchesWithoutStore(!b.readOnly)
        .build();
  }

  private static CredentialFetcher fetcher(AccessTokenProvider.Builder b, TokenKey key) {
    if (b.readOnly) {
      return (force, timeout) -> {
        throw new TokenUnavailableException(
            "The read-only provider of "
                + key
                + " found no usable token in the store; it never asks WeChat itself",
            null);
      };
    }
    return new TokenEndpoint(
        b.givenHttpClient(),
        b.apiBaseUrl,
        key.appId(),
        b.appSecret.strip(),
        b.stableToken,
        b.givenClock());
  }

  @Override
  public HttpUrl apiBaseUrl() {
    return WeChatHttp.parsed(apiBaseUrl);
  }

  @Override
  public OkHttpClient httpClient() {
    return httpClient;
  }

  @Override
  public String toString() {
    return "AccessTokenProvider{" + key() + '}';
  }
}

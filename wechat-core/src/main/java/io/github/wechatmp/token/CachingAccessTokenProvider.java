package io.github.wechatmp.token;

import io.github.wechatmp.internal.refresh.CredentialFetcher;
import io.github.wechatmp.internal.refresh.RefreshingCache;
import okhttp3.HttpUrl;

/** The {@link AccessTokenProvider} that {@link AccessTokenProvider.Builder#build()} makes. */
final class CachingAccessTokenProvider extends EngineBackedProvider {
  private final HttpUrl apiBaseUrl;

  CachingAccessTokenProvider(AccessTokenProvider.Builder b) {
    super(b.appId.strip(), engine(b));
    this.apiBaseUrl = b.apiBaseUrl;
  }

  private static RefreshingCache engine(AccessTokenProvider.Builder b) {
    String appId = b.appId.strip();
    TokenKey key =
        TokenKey.of(appId, b.stableToken ? TokenKey.STABLE_ACCESS_TOKEN : TokenKey.ACCESS_TOKEN);
    CredentialFetcher fetcher =
        b.readOnly
            ? (force, timeout) -> {
              throw new TokenUnavailableException(
                  "The read-only provider of "
                      + key
                      + " found no usable token in the store; it never asks WeChat itself",
                  null);
            }
            : new TokenEndpoint(
                b.httpClient,
                b.apiBaseUrl,
                appId,
                b.appSecret.strip(),
                b.stableToken,
                b.options.clock());
    return RefreshingCache.builder().key(key).fetcher(fetcher).options(b.options).build();
  }

  @Override
  public HttpUrl apiBaseUrl() {
    return apiBaseUrl;
  }

  @Override
  public String toString() {
    return "AccessTokenProvider{" + cache().key() + '}';
  }
}

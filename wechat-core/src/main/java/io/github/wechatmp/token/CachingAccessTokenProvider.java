package io.github.wechatmp.token;

import io.github.wechatmp.internal.refresh.CacheHolder;
import io.github.wechatmp.internal.refresh.CredentialFetcher;
import io.github.wechatmp.internal.refresh.RefreshingCache;
import java.util.concurrent.CompletableFuture;
import okhttp3.HttpUrl;

/** The {@link AccessTokenProvider} that {@link AccessTokenProvider.Builder#build()} makes. */
final class CachingAccessTokenProvider implements AccessTokenProvider, CacheHolder {
  private final String appId;
  private final RefreshingCache cache;
  private final HttpUrl apiBaseUrl;

  CachingAccessTokenProvider(AccessTokenProvider.Builder b) {
    this.appId = b.appId.strip();
    this.apiBaseUrl = b.apiBaseUrl;
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
    this.cache = RefreshingCache.builder().key(key).fetcher(fetcher).options(b.options).build();
  }

  @Override
  public AccessToken get() {
    return cache.get();
  }

  @Override
  public CompletableFuture<AccessToken> getAsync() {
    return cache.getAsync();
  }

  @Override
  public TokenStatus status() {
    return cache.status();
  }

  @Override
  public AccessToken refresh() {
    return cache.refresh();
  }

  @Override
  public void invalidate(String rejectedToken) {
    cache.invalidate(rejectedToken);
  }

  @Override
  public RefreshingCache cache() {
    return cache;
  }

  @Override
  public String appId() {
    return appId;
  }

  @Override
  public HttpUrl apiBaseUrl() {
    return apiBaseUrl;
  }

  @Override
  public void close() {
    cache.close();
  }

  @Override
  public String toString() {
    return "AccessTokenProvider{" + cache.key() + '}';
  }
}

package io.github.wechatmp.token;

import io.github.wechatmp.internal.refresh.CacheHolder;
import io.github.wechatmp.internal.refresh.RefreshingCache;
import java.util.concurrent.CompletableFuture;

/** The {@link AccessTokenProvider} that {@link TokenServiceProvider.Builder#build()} makes. */
final class ServiceAccessTokenProvider implements AccessTokenProvider, CacheHolder {
  private final String appId;
  private final TokenServiceEndpoint endpoint;
  private final RefreshingCache cache;

  ServiceAccessTokenProvider(TokenServiceProvider.Builder b) {
    this.appId = b.appId.strip();
    this.endpoint =
        new TokenServiceEndpoint(b.httpClient, b.url, b.apiKey, appId, b.options.clock());
    this.cache =
        RefreshingCache.builder()
            .key(TokenKey.of(appId, TokenKey.ACCESS_TOKEN))
            .fetcher(endpoint)
            .options(b.options)
            .build();
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

  /**
   * {@inheritDoc}
   *
   * <p>If {@code rejectedToken} is the token held, the next fetch reports it to the service's
   * passive-refresh endpoint ({@code POST v1/accounts/{appId}/access_token/rejected}) and takes the
   * new token from its answer. Does no I/O itself.
   */
  @Override
  public void invalidate(String rejectedToken) {
    endpoint.reportRejected(rejectedToken);
    cache.invalidate(rejectedToken);
  }

  @Override
  public String appId() {
    return appId;
  }

  @Override
  public RefreshingCache cache() {
    return cache;
  }

  @Override
  public void close() {
    cache.close();
  }

  @Override
  public String toString() {
    return "TokenServiceProvider{" + cache.key() + '}'; // never the key
  }
}

package io.github.wechatmp.open;

import io.github.wechatmp.internal.refresh.CacheHolder;
import io.github.wechatmp.internal.refresh.RefreshingCache;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.TokenStatus;
import java.util.concurrent.CompletableFuture;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * An {@link AccessTokenProvider} on the SDK's refresh engine for one of the platform's credential
 * kinds (its own {@code component_access_token}, an authorizer's access token): the same hot path,
 * single flight across the cluster through the store, hold-offs and {@link #status()} as the
 * official account's own provider. A provider built on it (the jsapi ticket's) takes its store,
 * policy, base URL and HTTP client, as it would from the official account's own. Thread-safe as the
 * engine is.
 */
final class PlatformProvider implements AccessTokenProvider, CacheHolder {
  private final RefreshingCache cache;
  private final HttpUrl apiBaseUrl;
  private final OkHttpClient httpClient;

  PlatformProvider(RefreshingCache cache, HttpUrl apiBaseUrl, OkHttpClient httpClient) {
    this.cache = cache;
    this.apiBaseUrl = apiBaseUrl;
    this.httpClient = httpClient;
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
  public String appId() {
    return cache.key().appId();
  }

  @Override
  public HttpUrl apiBaseUrl() {
    return apiBaseUrl;
  }

  @Override
  public OkHttpClient httpClient() {
    return httpClient;
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
    return "PlatformProvider[" + cache.key() + ", " + cache.status().state() + "]";
  }
}

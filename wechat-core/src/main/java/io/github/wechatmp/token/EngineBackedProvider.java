package io.github.wechatmp.token;

import io.github.wechatmp.internal.refresh.CacheHolder;
import io.github.wechatmp.internal.refresh.RefreshingCache;
import java.util.concurrent.CompletableFuture;

/**
 * What the SDK's own {@link AccessTokenProvider}s share: every call goes to the refresh engine of
 * one key. Subclasses say how the engine fetches and what they add; thread-safe as the engine is.
 */
abstract class EngineBackedProvider implements AccessTokenProvider, CacheHolder {
  private final String appId;
  private final RefreshingCache cache;

  EngineBackedProvider(String appId, RefreshingCache cache) {
    this.appId = appId;
    this.cache = cache;
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
}

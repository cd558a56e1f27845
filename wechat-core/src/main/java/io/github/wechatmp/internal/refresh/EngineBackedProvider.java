package io.github.wechatmp.internal.refresh;

import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStatus;
import java.util.concurrent.CompletableFuture;
import okhttp3.OkHttpClient;

/**
 * What the SDK's own {@link AccessTokenProvider}s share (the official account's, the token
 * service's, the third-party platform's): every call goes to the refresh engine of one key.
 * Subclasses say how the engine is built and what they add; thread-safe as the engine is. It hands
 * its engine (store and policy) to a provider built on it (the jsapi ticket's) as a {@link
 * CacheHolder}.
 */
public abstract class EngineBackedProvider implements AccessTokenProvider, CacheHolder {
  private final RefreshingCache cache;

  /** Puts the provider on {@code cache}. */
  protected EngineBackedProvider(RefreshingCache cache) {
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
    return cache.key().appId();
  }

  /** Returns the key the token is stored under. */
  public TokenKey key() {
    return cache.key();
  }

  @Override
  public RefreshingCache cache() {
    return cache;
  }

  /** None by default: the provider asks WeChat with the SDK's default client. */
  @Override
  public OkHttpClient httpClient() {
    return null;
  }

  @Override
  public void close() {
    cache.close();
  }
}

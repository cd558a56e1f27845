package io.github.wechatmp.token;

import io.github.wechatmp.internal.refresh.CacheHolder;
import io.github.wechatmp.internal.refresh.CredentialFetcher;
import io.github.wechatmp.internal.refresh.RefreshingCache;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import okhttp3.OkHttpClient;

/**
 * What the SDK's own {@link AccessTokenProvider}s share: every call goes to the refresh engine of
 * one key. Subclasses say how the engine fetches and what they add; thread-safe as the engine is.
 * It hands its store and policy to a provider built on it (the jsapi ticket's) as a {@link
 * CacheHolder}.
 */
abstract class EngineBackedProvider
    implements AccessTokenProvider, CacheHolder<TokenStore, RefreshPolicy> {
  private final String appId;
  private final TokenKey key;
  private final TokenStore store;
  private final RefreshPolicy policy;
  private final RefreshingCache<AccessToken> cache;

  EngineBackedProvider(
      String appId,
      TokenKey key,
      CredentialFetcher<AccessToken> fetcher,
      TokenStore store,
      RefreshPolicy policy,
      Clock clock,
      TokenEventListener listener) {
    this.appId = appId;
    this.key = key;
    this.store = store != null ? store : new InMemoryTokenStore();
    this.policy = policy;
    this.cache = TokenEngines.engine(key, fetcher, this.store, policy, clock, listener);
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
    return TokenEngines.status(cache.status());
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

  /** Returns the key the token is stored under. */
  TokenKey key() {
    return key;
  }

  @Override
  public RefreshingCache<AccessToken> cache() {
    return cache;
  }

  @Override
  public TokenStore store() {
    return store;
  }

  @Override
  public RefreshPolicy policy() {
    return policy;
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

package io.github.wechatmp.internal.refresh;

/**
 * Implemented by the SDK's providers, so that a provider built on another (the jsapi ticket's, on
 * the access token's) can take its store and policy. Internal: not part of the API.
 */
public interface CacheHolder {
  /** Returns the engine behind this provider. */
  RefreshingCache cache();
}

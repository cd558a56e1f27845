package io.github.wechatmp.internal.refresh;

import okhttp3.OkHttpClient;

/**
 * Implemented by the SDK's access token providers, so that a provider of another credential kind
 * built on one (the jsapi ticket's) takes its store, policy, and HTTP client: what the access token
 * provider was pointed at, it is too. Internal: not part of the API.
 */
public interface CacheHolder {
  /** Returns the engine behind this provider. */
  RefreshingCache cache();

  /** Returns the HTTP client of the application's this provider was given, or null. */
  OkHttpClient httpClient();
}

package io.github.wechatmp.open;

import io.github.wechatmp.internal.refresh.EngineBackedProvider;
import io.github.wechatmp.internal.refresh.RefreshingCache;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * An {@code AccessTokenProvider} on the SDK's refresh engine for one of the platform's credential
 * kinds (its own {@code component_access_token}, an authorizer's access token): the same hot path,
 * single flight across the cluster through the store, hold-offs and {@code status()} as the
 * official account's own provider. A provider built on it (the jsapi ticket's) takes its store,
 * policy, base URL and HTTP client, as it would from the official account's own. Thread-safe as the
 * engine is.
 */
final class PlatformProvider extends EngineBackedProvider {
  private final HttpUrl apiBaseUrl;
  private final OkHttpClient httpClient;

  PlatformProvider(RefreshingCache cache, HttpUrl apiBaseUrl, OkHttpClient httpClient) {
    super(cache);
    this.apiBaseUrl = apiBaseUrl;
    this.httpClient = httpClient;
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
  public String toString() {
    return "PlatformProvider[" + key() + ", " + status().state() + "]";
  }
}

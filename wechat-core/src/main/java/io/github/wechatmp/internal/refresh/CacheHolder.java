package io.github.wechatmp.internal.refresh;

/**
 * Implemented by the SDK's providers, so that a provider built on another (the jsapi ticket's, on
 * the access token's) can take its store and policy. Generic in the API's store and policy types,
 * which the engine never uses: it only passes them from one API package to another, so that neither
 * needs the other's package-private classes. Internal: not part of the API.
 *
 * @param <S> the API's store type
 * @param <P> the API's refresh policy type
 */
public interface CacheHolder<S, P> {
  /** Returns the engine behind this provider. */
  RefreshingCache<?> cache();

  /** Returns the store the provider's credential is shared through. */
  S store();

  /** Returns the policy in force. */
  P policy();

  /** Returns the HTTP client of the application's the provider was given, or null. */
  okhttp3.OkHttpClient httpClient();
}

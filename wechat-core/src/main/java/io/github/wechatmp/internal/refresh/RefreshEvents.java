package io.github.wechatmp.internal.refresh;

import java.time.Duration;

/**
 * Where the engine reports what happened to its credential; the API package adapts its event
 * listener to this. Called on the engine's threads; a failure is logged, never propagated.
 * Internal: not part of the SDK's API.
 *
 * @param <T> the credential
 */
public interface RefreshEvents<T> {
  /** A credential was fetched from WeChat. */
  default void onFetched(T credential, Duration latency) {}

  /** A credential another instance stored was adopted. */
  default void onAdopted(T credential) {}

  /** A refresh failed. */
  default void onRefreshFailed(RuntimeException error, int consecutiveFailures) {}

  /** A credential was invalidated (rejected here, or removed from the store by another). */
  default void onInvalidated(boolean wasCurrent) {}
}

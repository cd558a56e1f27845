package io.github.wechatmp.token;

import java.time.Duration;

/**
 * Hears what a provider does with its token, for logs and metrics, without the SDK depending on a
 * metrics framework. Every method has an empty default; implement those you need.
 *
 * <p>Methods are called on one of the SDK's shared refresh threads ({@code wechat-refresh-N}, which
 * every provider of the JVM uses) or on the caller's thread, synchronously: they must be quick and
 * must not block, or they hold up other accounts' refreshes, and must not call back into the
 * provider. An exception thrown by a listener is logged and otherwise ignored. Tokens passed in are
 * {@link AccessToken}s, whose {@code toString()} masks them; a listener should not log {@link
 * AccessToken#value()}.
 */
public interface TokenEventListener {

  /** A listener that ignores every event. */
  TokenEventListener NONE = new TokenEventListener() {};

  /**
   * This instance asked WeChat and received a new token.
   *
   * @param key the credential refreshed
   * @param token the new token
   * @param latency how long the fetch took, retries included
   */
  default void onFetched(TokenKey key, AccessToken token, Duration latency) {}

  /**
   * This instance fetched a token without the store, which could not be reached while it held no
   * token it could serve; called after {@link #onFetched}. The token is served, and saved to the
   * store when the store answers again (unless a newer one is found there, which is adopted). With
   * classic tokens each such fetch voids the tokens other instances hold five minutes later; see
   * {@link RefreshPolicy.Builder#storeOutageFetchInterval(Duration)}.
   *
   * @param key the credential fetched
   * @param token the new token, not yet in the store
   */
  default void onFetchedWithoutStore(TokenKey key, AccessToken token) {}

  /**
   * This instance took a token another instance (or provider) had already saved in the store,
   * instead of asking WeChat.
   *
   * @param key the credential adopted
   * @param token the token taken from the store
   */
  default void onAdopted(TokenKey key, AccessToken token) {}

  /**
   * A refresh failed. If a still-valid token is held it goes on being served.
   *
   * @param key the credential whose refresh failed
   * @param error the failure, as callers waiting on the refresh receive it
   * @param consecutiveFailures how many refreshes in a row have failed, this one included
   */
  default void onRefreshFailed(TokenKey key, RuntimeException error, int consecutiveFailures) {}

  /**
   * A token was reported as rejected by WeChat and dropped.
   *
   * @param key the credential whose token was rejected
   * @param wasCurrent whether it was the token this provider held (an older one is simply ignored)
   */
  default void onInvalidated(TokenKey key, boolean wasCurrent) {}
}

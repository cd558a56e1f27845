package io.github.wechatmp.internal.refresh;

import java.time.Duration;

/**
 * Asks WeChat for a new credential. Internal: not part of the SDK's API.
 *
 * @param <T> the credential
 */
@FunctionalInterface
public interface CredentialFetcher<T> {
  /**
   * Fetches a credential, once, without retrying.
   *
   * @param forceRefresh whether the caller asked for a new credential even if WeChat would return
   *     the current one (the stable token's {@code force_refresh})
   * @param timeout the longest the call may take
   * @throws io.github.wechatmp.WeChatApiException for an error WeChat returned
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be asked or understood
   */
  T fetch(boolean forceRefresh, Duration timeout);
}

package io.github.wechatmp.internal.refresh;

import io.github.wechatmp.token.AccessToken;
import java.time.Duration;

/**
 * Asks WeChat (or a token service) for a new credential of one kind: the access token, the jsapi
 * ticket, and whatever kind comes next. Each credential kind has one; it is all the engine needs to
 * know of where the credential comes from. Internal: not part of the SDK's API.
 */
@FunctionalInterface
public interface CredentialFetcher {
  /**
   * Fetches a credential, once, without retrying.
   *
   * @param forceRefresh whether the caller asked for a new credential even if WeChat would return
   *     the current one (the stable token's {@code force_refresh})
   * @param timeout the longest the call may take
   * @throws io.github.wechatmp.WeChatApiException for an error WeChat returned
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be asked or understood
   */
  AccessToken fetch(boolean forceRefresh, Duration timeout);
}

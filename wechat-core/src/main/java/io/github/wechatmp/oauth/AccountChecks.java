package io.github.wechatmp.oauth;

import io.github.wechatmp.token.TokenKey;
import java.util.Objects;

/**
 * The rules for the account settings that both builders of this package take, kept in one place so
 * that {@link WebAuthorization} and {@link StateCodec} accept and refuse the same values.
 */
final class AccountChecks {
  private AccountChecks() {}

  /**
   * Checks an AppID by the rule every {@link TokenKey} of it follows (it names the store's
   * entries).
   *
   * @throws IllegalArgumentException if it is not 1 to 64 characters of {@code [A-Za-z0-9_-]}
   */
  static String appId(String appId) {
    TokenKey.of(appId, "access_token");
    return appId;
  }

  /**
   * Checks an AppSecret, without ever putting it in the message.
   *
   * @throws NullPointerException if it is null
   * @throws IllegalArgumentException if it is blank
   */
  static String appSecret(String appSecret) {
    Objects.requireNonNull(appSecret, "appSecret");
    if (appSecret.isBlank()) {
      throw new IllegalArgumentException("appSecret must not be blank");
    }
    return appSecret;
  }

  /**
   * Checks, at build time, that the AppID was set.
   *
   * @throws IllegalStateException if it was not
   */
  static void requireAppId(String appId) {
    if (appId == null) {
      throw new IllegalStateException("appId is required");
    }
  }
}

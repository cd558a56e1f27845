package io.github.wechatmp.oauth;

import java.util.Objects;

/**
 * A WeChat user's profile as {@code sns/userinfo} returns it today. WeChat no longer returns a
 * user's sex, province, city or country (they come back empty), so this holds only what it still
 * returns.
 *
 * @param openId the user's OpenID for this official account
 * @param nickname the nickname the user let the page see (WeChat returns {@code "微信用户"} when the
 *     user did not share it); never null, possibly empty
 * @param avatarUrl the URL of the user's avatar image, or empty when the user has none
 * @param unionId the user's UnionID across the developer's accounts, or null when the account is
 *     not bound to an Open Platform account
 */
public record WeChatUser(String openId, String nickname, String avatarUrl, String unionId) {
  /**
   * Checks the parts.
   *
   * @param openId the user's OpenID
   * @param nickname the nickname, possibly empty
   * @param avatarUrl the avatar's URL, possibly empty
   * @param unionId the UnionID, or null
   * @throws NullPointerException if {@code openId}, {@code nickname} or {@code avatarUrl} is null
   */
  public WeChatUser {
    Objects.requireNonNull(openId, "openId");
    Objects.requireNonNull(nickname, "nickname");
    Objects.requireNonNull(avatarUrl, "avatarUrl");
  }
}

package io.github.wechatmp.oauth;

import io.github.wechatmp.internal.Secrets;
import java.time.Instant;
import java.util.Objects;

/**
 * What exchanging a web authorization code gave: the user's OpenID and the user's own access token
 * (not the account's), to read their profile with and to refresh for 30 days. Its {@link
 * #toString()} masks both tokens; keep it, if at all, where the account's credentials are kept.
 *
 * @param accessToken the user's access token for {@code sns/*} calls
 * @param refreshToken the token that renews {@code accessToken} for 30 days
 * @param openId the user's OpenID for this official account
 * @param unionId the user's UnionID, or null (only a {@code snsapi_userinfo} token of an account
 *     bound to an Open Platform account carries one)
 * @param scope what the user granted
 * @param snapshotUser whether the user is on a Moments snapshot page ({@code is_snapshotuser}): the
 *     OpenID is a virtual one and the user has not signed in; do not treat it as a sign-in
 * @param expiresAt when {@code accessToken} expires
 */
public record WebAccessToken(
    String accessToken,
    String refreshToken,
    String openId,
    String unionId,
    Scope scope,
    boolean snapshotUser,
    Instant expiresAt) {
  /**
   * Checks the parts.
   *
   * @param accessToken the user's access token
   * @param refreshToken the refresh token
   * @param openId the user's OpenID
   * @param unionId the user's UnionID, or null
   * @param scope what the user granted
   * @param snapshotUser whether the user is on a Moments snapshot page
   * @param expiresAt when the access token expires
   * @throws NullPointerException if a part other than {@code unionId} is null
   * @throws IllegalArgumentException if a token or the OpenID is empty
   */
  public WebAccessToken {
    nonEmpty(accessToken, "accessToken");
    nonEmpty(refreshToken, "refreshToken");
    nonEmpty(openId, "openId");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /**
   * Returns whether the access token has expired at {@code now}.
   *
   * @param now the instant to check at
   * @return true at or after {@link #expiresAt()}
   */
  public boolean isExpiredAt(Instant now) {
    return !now.isBefore(expiresAt);
  }

  /** Returns the token with both tokens masked. */
  @Override
  public String toString() {
    return "WebAccessToken{openId="
        + openId
        + ", unionId="
        + unionId
        + ", scope="
        + scope.value()
        + ", snapshotUser="
        + snapshotUser
        + ", expiresAt="
        + expiresAt
        + ", accessToken="
        + Secrets.mask(accessToken)
        + ", refreshToken="
        + Secrets.mask(refreshToken)
        + '}';
  }

  private static void nonEmpty(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isEmpty()) {
      throw new IllegalArgumentException(name + " is empty");
    }
  }
}

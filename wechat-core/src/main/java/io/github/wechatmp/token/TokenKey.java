package io.github.wechatmp.token;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Names one credential in a {@link TokenStore}: whose it is (the AppID) and which kind it is.
 * Classic and stable access tokens are distinct credentials at WeChat (neither voids the other), so
 * they have distinct kinds; so does the {@code jsapi_ticket}. Many apps can share one store because
 * every key names its AppID.
 *
 * <p>Immutable and thread-safe. {@link #toString()} gives the canonical form {@code appId:kind},
 * which stores may use as their own key (a store may also build its own layout from the parts, as
 * the Redis store does to keep one app's keys in one cluster slot).
 */
public final class TokenKey {
  /** The kind of an access token from {@code cgi-bin/token}. */
  public static final String ACCESS_TOKEN = "access_token";

  /** The kind of an access token from {@code cgi-bin/stable_token}. */
  public static final String STABLE_ACCESS_TOKEN = "stable_access_token";

  /** The kind of a JS-SDK {@code jsapi_ticket}. */
  public static final String JSAPI_TICKET = "jsapi_ticket";

  private static final Pattern APP_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern KIND = Pattern.compile("[a-z0-9_]{1,64}");

  private final String appId;
  private final String kind;

  private TokenKey(String appId, String kind) {
    this.appId = appId;
    this.kind = kind;
  }

  /**
   * Returns the key of credential {@code kind} of app {@code appId}.
   *
   * @param appId the AppID: 1 to 64 characters of {@code [A-Za-z0-9_-]}
   * @param kind 1 to 64 characters of {@code [a-z0-9_]}, such as {@link #ACCESS_TOKEN}
   * @return the key
   * @throws IllegalArgumentException if a part is null or not of that form
   */
  public static TokenKey of(String appId, String kind) {
    if (appId == null || !APP_ID.matcher(appId).matches()) {
      throw new IllegalArgumentException("appId must be 1 to 64 characters of [A-Za-z0-9_-]");
    }
    if (kind == null || !KIND.matcher(kind).matches()) {
      throw new IllegalArgumentException("kind must be 1 to 64 characters of [a-z0-9_]");
    }
    return new TokenKey(appId, kind);
  }

  /**
   * Parses the canonical form {@code appId:kind} that {@link #toString()} returns.
   *
   * @param text the canonical form
   * @return the key
   * @throws IllegalArgumentException if {@code text} is null or not of that form
   */
  public static TokenKey parse(String text) {
    int colon = text == null ? -1 : text.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("a token key has the form appId:kind");
    }
    return of(text.substring(0, colon), text.substring(colon + 1));
  }

  /**
   * Returns the AppID this credential belongs to.
   *
   * @return the AppID
   */
  public String appId() {
    return appId;
  }

  /**
   * Returns the kind of credential, such as {@link #ACCESS_TOKEN}.
   *
   * @return the kind
   */
  public String kind() {
    return kind;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenKey
        && ((TokenKey) o).appId.equals(appId)
        && ((TokenKey) o).kind.equals(kind);
  }

  @Override
  public int hashCode() {
    return Objects.hash(appId, kind);
  }

  /** Returns the canonical form {@code appId:kind}. */
  @Override
  public String toString() {
    return appId + ':' + kind;
  }
}

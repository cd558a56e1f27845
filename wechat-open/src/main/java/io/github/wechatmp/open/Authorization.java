package io.github.wechatmp.open;

import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the platform knows of one official account that authorized it: the account's AppID, the
 * {@code authorizer_refresh_token} WeChat issued for it, the function sets it granted, when it was
 * authorized, its {@link State} and when this record was last changed.
 *
 * <p>The refresh token is the one credential of the platform that WeChat issues only once: it lives
 * until the merchant cancels the authorization and changes only on re-authorization, and losing it
 * means asking the merchant to authorize again. That is why it lives in an {@link
 * AuthorizationStore}, which keeps it durably, and why {@link #toString()} shows it only masked.
 *
 * <p>Immutable. {@link #updatedAt()} orders the versions of one account's record: a store never
 * replaces a record with an older one (see {@link AuthorizationStore#save}).
 *
 * @param authorizerAppId the authorized official account's AppID: 1 to 64 characters of {@code
 *     [A-Za-z0-9_-]}
 * @param refreshToken the {@code authorizer_refresh_token}, 1 to 512 characters
 * @param functionIds the ids of the function sets ({@code func_info}) the account granted, in
 *     WeChat's order; copied
 * @param authorizedAt when the account authorized the platform (or last re-authorized it)
 * @param state whether the authorization is in force
 * @param updatedAt when this version of the record was made
 */
public record Authorization(
    String authorizerAppId,
    String refreshToken,
    List<Integer> functionIds,
    Instant authorizedAt,
    State state,
    Instant updatedAt) {

  /** The longest refresh token a record takes: WeChat's are well under 100 characters. */
  public static final int MAX_REFRESH_TOKEN_LENGTH = 512;

  /** Whether an authorization is in force. */
  public enum State {
    /** In force: the platform may fetch the account's tokens with its refresh token. */
    AUTHORIZED,
    /**
     * WeChat refused the refresh token ({@code 61023}) and no valid one could be recovered: the
     * merchant must authorize the platform again. No token is fetched for the account meanwhile.
     */
    NEEDS_REAUTHORIZATION,
    /**
     * The merchant cancelled the authorization ({@code unauthorized}). The record is kept, not
     * deleted, so that the history stays visible; no token is fetched for the account.
     */
    REVOKED
  }

  /**
   * Checks and copies the values.
   *
   * @param authorizerAppId the account's AppID
   * @param refreshToken its refresh token
   * @param functionIds the granted function set ids
   * @param authorizedAt when it authorized the platform
   * @param state whether the authorization is in force
   * @param updatedAt when this version was made
   * @throws NullPointerException if any value is null
   * @throws IllegalArgumentException if the AppID or the refresh token is malformed
   */
  public Authorization {
    checkAppId(authorizerAppId);
    Objects.requireNonNull(refreshToken, "refreshToken");
    if (refreshToken.isEmpty() || refreshToken.length() > MAX_REFRESH_TOKEN_LENGTH) {
      throw new IllegalArgumentException(
          "refreshToken must have 1 to "
              + MAX_REFRESH_TOKEN_LENGTH
              + " characters, not "
              + refreshToken.length());
    }
    for (int i = 0; i < refreshToken.length(); i++) {
      char c = refreshToken.charAt(i);
      if (c <= ' ' || c >= 0x7f) {
        throw new IllegalArgumentException(
            "refreshToken may hold only visible ASCII characters (position " + i + " does not)");
      }
    }
    functionIds = List.copyOf(Objects.requireNonNull(functionIds, "functionIds"));
    Objects.requireNonNull(authorizedAt, "authorizedAt");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  /**
   * Returns a new authorization in force, as WeChat's {@code api_query_auth} answer describes it.
   *
   * @param authorizerAppId the account's AppID
   * @param refreshToken its {@code authorizer_refresh_token}
   * @param functionIds the granted function set ids
   * @param now when the authorization happened; also the record's {@link #updatedAt()}
   * @return the record, {@link State#AUTHORIZED}
   */
  public static Authorization authorized(
      String authorizerAppId, String refreshToken, List<Integer> functionIds, Instant now) {
    return new Authorization(
        authorizerAppId, refreshToken, functionIds, now, State.AUTHORIZED, now);
  }

  /**
   * Returns this record with another refresh token, for a token WeChat rotated.
   *
   * @param newRefreshToken the refresh token WeChat now answers with
   * @param now when it was received
   * @return the new version of the record
   */
  public Authorization withRefreshToken(String newRefreshToken, Instant now) {
    return new Authorization(
        authorizerAppId, newRefreshToken, functionIds, authorizedAt, state, now);
  }

  /**
   * Returns this record in another state.
   *
   * @param newState the state
   * @param now when it changed
   * @return the new version of the record
   */
  public Authorization withState(State newState, Instant now) {
    return new Authorization(
        authorizerAppId, refreshToken, functionIds, authorizedAt, newState, now);
  }

  /**
   * Checks an authorizer AppID as every store and record does.
   *
   * @param authorizerAppId the AppID
   * @return the AppID
   * @throws NullPointerException if it is null
   * @throws IllegalArgumentException if it is empty, longer than 64 characters, or holds a
   *     character outside {@code [A-Za-z0-9_-]}
   */
  public static String checkAppId(String authorizerAppId) {
    Objects.requireNonNull(authorizerAppId, "authorizerAppId");
    int n = authorizerAppId.length();
    if (n == 0 || n > 64) {
      throw new IllegalArgumentException("an authorizer AppID has 1 to 64 characters, not " + n);
    }
    for (int i = 0; i < n; i++) {
      char c = authorizerAppId.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '-';
      if (!ok) {
        throw new IllegalArgumentException(
            "an authorizer AppID holds only [A-Za-z0-9_-]; position " + i + " does not");
      }
    }
    return authorizerAppId;
  }

  /** Shows the refresh token masked: its first and last four characters and its length. */
  @Override
  public String toString() {
    return "Authorization[authorizerAppId="
        + authorizerAppId
        + ", refreshToken="
        + mask(refreshToken)
        + ", functionIds="
        + functionIds
        + ", authorizedAt="
        + authorizedAt
        + ", state="
        + state
        + ", updatedAt="
        + updatedAt
        + "]";
  }

  /** A count of zero for every state, for {@link AuthorizationStore#countByState()}. */
  static Map<State, Long> zeroCounts() {
    Map<State, Long> counts = new EnumMap<>(State.class);
    for (State s : State.values()) {
      counts.put(s, 0L);
    }
    return counts;
  }

  static String mask(String secret) {
    int n = secret.length();
    return n < 16
        ? "****(" + n + " chars)"
        : secret.substring(0, 4) + "****" + secret.substring(n - 4) + "(" + n + " chars)";
  }
}

package io.github.wechatmp.token;

import io.github.wechatmp.internal.Secrets;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A credential WeChat issued and the instant it stops being valid: an {@code access_token}, or,
 * stored under its own {@link TokenKey}, another expiring credential such as a {@code
 * jsapi_ticket}. A token made by {@link #of(String, Instant, Instant)} also knows when it was
 * issued, so a provider that adopts it from a store knows its real lifetime and scales its margins
 * to it; one made by {@link #of(String, Instant)} (read from an entry written before issue times
 * were stored, say) does not, and is then treated with the configured margins in full.
 *
 * <p>Immutable and thread-safe. {@link #toString()} masks the value; only {@link #value()} returns
 * it whole.
 */
public final class AccessToken {
  /** The longest value accepted; WeChat asks callers to reserve 512 characters. */
  public static final int MAX_LENGTH = 2048;

  private final String value;
  private final Instant expiresAt;
  private final Instant issuedAt; // null: unknown

  private AccessToken(String value, Instant issuedAt, Instant expiresAt) {
    this.value = value;
    this.issuedAt = issuedAt;
    this.expiresAt = expiresAt;
  }

  /**
   * Creates a token that knows when it was issued.
   *
   * @param value the credential exactly as WeChat issued it: 1 to {@value #MAX_LENGTH} printable
   *     ASCII characters
   * @param issuedAt when WeChat issued it (in practice: when its answer was received)
   * @param expiresAt when WeChat stops accepting it
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code value} is empty, too long or not printable ASCII, an
   *     instant cannot be expressed in epoch milliseconds, or {@code issuedAt} is after {@code
   *     expiresAt}
   * @return the token
   */
  public static AccessToken of(String value, Instant issuedAt, Instant expiresAt) {
    Objects.requireNonNull(issuedAt, "issuedAt");
    AccessToken t = of(value, expiresAt);
    try {
      issuedAt.toEpochMilli();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("issuedAt is out of range: " + issuedAt);
    }
    if (issuedAt.isAfter(expiresAt)) {
      throw new IllegalArgumentException(
          "issuedAt " + issuedAt + " is after expiresAt " + expiresAt);
    }
    return new AccessToken(t.value, issuedAt, expiresAt);
  }

  /**
   * Creates a token.
   *
   * @param value the credential exactly as WeChat issued it: 1 to {@value #MAX_LENGTH} printable
   *     ASCII characters
   * @param expiresAt when WeChat stops accepting it
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code value} is empty, too long or not printable ASCII, or
   *     {@code expiresAt} cannot be expressed in epoch milliseconds
   * @return the token
   */
  public static AccessToken of(String value, Instant expiresAt) {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(expiresAt, "expiresAt");
    if (value.isEmpty() || value.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "token value must have 1 to " + MAX_LENGTH + " characters, got " + value.length());
    }
    try {
      expiresAt.toEpochMilli();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("expiresAt is out of range: " + expiresAt);
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c <= ' ' || c > '~') {
        throw new IllegalArgumentException("token value must be printable ASCII without spaces");
      }
    }
    return new AccessToken(value, null, expiresAt);
  }

  /**
   * Returns the whole credential, for use in a request to WeChat. Never log it.
   *
   * @return the value exactly as WeChat issued it
   */
  public String value() {
    return value;
  }

  /**
   * Returns the value masked, safe to log or show: its first and last four characters and its
   * length, such as {@code TOKE****wxyz(157 chars)}.
   *
   * @return the masked value
   */
  public String masked() {
    return Secrets.mask(value);
  }

  /**
   * Returns the instant WeChat stops accepting this token.
   *
   * @return the expiry instant
   */
  public Instant expiresAt() {
    return expiresAt;
  }

  /**
   * Returns when WeChat issued this token, if known: tokens fetched by this SDK know it, and the
   * SDK's stores keep it; a token made by {@link #of(String, Instant)} does not.
   *
   * @return the issue instant, or empty if unknown
   */
  public Optional<Instant> issuedAt() {
    return Optional.ofNullable(issuedAt);
  }

  /**
   * Returns the same token with the issue instant {@code issuedAt}; for stores that keep it apart
   * from the value.
   *
   * @param issuedAt when WeChat issued it
   * @return a new token
   * @throws NullPointerException if {@code issuedAt} is null
   * @throws IllegalArgumentException as {@link #of(String, Instant, Instant)} does
   */
  public AccessToken withIssuedAt(Instant issuedAt) {
    return of(value, issuedAt, expiresAt);
  }

  /**
   * Returns whether the token has expired at {@code now}.
   *
   * @param now the instant to test
   * @return true if {@code now} is at or after {@link #expiresAt()}
   * @throws NullPointerException if {@code now} is null
   */
  public boolean isExpiredAt(Instant now) {
    return !now.isBefore(expiresAt);
  }

  /**
   * Tokens are equal if value, expiry and (known or unknown) issue instant are.
   *
   * @param o the other object
   * @return whether it is an equal token
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof AccessToken
        && ((AccessToken) o).value.equals(value)
        && ((AccessToken) o).expiresAt.equals(expiresAt)
        && Objects.equals(((AccessToken) o).issuedAt, issuedAt);
  }

  @Override
  public int hashCode() {
    return value.hashCode() * 31 + expiresAt.hashCode();
  }

  /** Returns the token masked, with its issue instant if known and its expiry; never the value. */
  @Override
  public String toString() {
    return "AccessToken{value="
        + masked()
        + (issuedAt == null ? "" : ", issuedAt=" + issuedAt)
        + ", expiresAt="
        + expiresAt
        + '}';
  }
}

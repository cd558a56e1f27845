package io.github.wechatmp.token;

import io.github.wechatmp.internal.Secrets;
import java.time.Instant;
import java.util.Objects;

/**
 * A credential WeChat issued and the instant it stops being valid: an {@code access_token}, or,
 * stored under its own {@link TokenKey}, another expiring credential such as a {@code
 * jsapi_ticket}.
 *
 * <p>Immutable and thread-safe. {@link #toString()} masks the value; only {@link #value()} returns
 * it whole.
 */
public final class AccessToken {
  /** The longest value accepted; WeChat asks callers to reserve 512 characters. */
  public static final int MAX_LENGTH = 2048;

  private final String value;
  private final Instant expiresAt;

  private AccessToken(String value, Instant expiresAt) {
    this.value = value;
    this.expiresAt = expiresAt;
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
    return new AccessToken(value, expiresAt);
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
   * Returns whether the token has expired at {@code now}.
   *
   * @param now the instant to test
   * @return true if {@code now} is at or after {@link #expiresAt()}
   * @throws NullPointerException if {@code now} is null
   */
  public boolean isExpiredAt(Instant now) {
    return !now.isBefore(expiresAt);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AccessToken
        && ((AccessToken) o).value.equals(value)
        && ((AccessToken) o).expiresAt.equals(expiresAt);
  }

  @Override
  public int hashCode() {
    return value.hashCode() * 31 + expiresAt.hashCode();
  }

  /** Returns the token masked, with its expiry; never the whole value. */
  @Override
  public String toString() {
    return "AccessToken{value=" + masked() + ", expiresAt=" + expiresAt + '}';
  }
}

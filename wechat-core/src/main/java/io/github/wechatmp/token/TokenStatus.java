package io.github.wechatmp.token;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a provider knows about its credential at one instant, read without blocking and without
 * asking WeChat or the store: for health checks, metrics gauges and dashboards. Returned by {@link
 * AccessTokenProvider#status()} and {@code JsapiTicketProvider.status()}.
 *
 * <p>Immutable and thread-safe. Its {@link #toString()} and {@link #lastError()} never hold a whole
 * token or the AppSecret.
 */
public final class TokenStatus {

  /**
   * Where the held credential is on its timeline. The thresholds are the provider's margins: {@code
   * dueAt = expiresAt - refreshMargin}, {@code staleAt = expiresAt - expiryMargin} (each shortened
   * for credentials that live less than a few margins).
   */
  public enum State {
    /** No credential is held: none fetched yet, or it was invalidated or the provider closed. */
    NONE,
    /** A credential is held and served at once; no refresh is needed. */
    FRESH,
    /**
     * A credential is held and still served at once, and a background refresh is due (from {@code
     * dueAt}).
     */
    DUE,
    /**
     * A credential is held that has not expired but is within the expiry margin (from {@code
     * staleAt}): callers wait for a refresh, and get it only if the refresh fails.
     */
    STALE,
    /** The credential held has expired (from {@code expiresAt}); it is never served. */
    EXPIRED
  }

  private final State state;
  private final Instant expiresAt;
  private final Instant lastRefreshAt;
  private final int consecutiveFailures;
  private final Instant holdOffUntil;
  private final String lastError;
  private final boolean unsaved;

  private TokenStatus(
      State state,
      Instant expiresAt,
      Instant lastRefreshAt,
      int consecutiveFailures,
      Instant holdOffUntil,
      String lastError,
      boolean unsaved) {
    this.state = state;
    this.expiresAt = expiresAt;
    this.lastRefreshAt = lastRefreshAt;
    this.consecutiveFailures = consecutiveFailures;
    this.holdOffUntil = holdOffUntil;
    this.lastError = lastError;
    this.unsaved = unsaved;
  }

  /**
   * Makes a status; for providers, and for tests of code that reads one. The values are taken as
   * given, so {@code lastError} must already be safe to show.
   *
   * @param state the state; not null
   * @param expiresAt when the held credential expires, or null if none is held
   * @param lastRefreshAt the last successful refresh (a fetch or an adoption from the store), or
   *     null if none succeeded yet
   * @param consecutiveFailures refreshes that failed in a row; not negative
   * @param holdOffUntil until when new refreshes are held off, or null for no hold-off
   * @param lastError a message about the last failure that is safe to show, or null
   * @return the status
   * @throws NullPointerException if {@code state} is null
   * @throws IllegalArgumentException if {@code consecutiveFailures} is negative, or {@code state}
   *     is {@link State#NONE} with an {@code expiresAt}, or another state without one
   */
  public static TokenStatus of(
      State state,
      Instant expiresAt,
      Instant lastRefreshAt,
      int consecutiveFailures,
      Instant holdOffUntil,
      String lastError) {
    Objects.requireNonNull(state, "state");
    if (consecutiveFailures < 0) {
      throw new IllegalArgumentException("consecutiveFailures must not be negative");
    }
    if ((state == State.NONE) != (expiresAt == null)) {
      throw new IllegalArgumentException(
          "expiresAt must be given exactly when a credential is held (state " + state + ")");
    }
    return new TokenStatus(
        state, expiresAt, lastRefreshAt, consecutiveFailures, holdOffUntil, lastError, false);
  }

  /**
   * Returns this status saying whether the held credential is in the store yet; see {@link
   * #unsaved()}.
   *
   * @param unsaved whether the held credential is not in the store yet
   * @return the status with that flag, the rest unchanged
   * @throws IllegalArgumentException if {@code unsaved} is true and no credential is held
   */
  public TokenStatus withUnsaved(boolean unsaved) {
    if (unsaved && state == State.NONE) {
      throw new IllegalArgumentException("no credential is held, so none can be unsaved");
    }
    return new TokenStatus(
        state, expiresAt, lastRefreshAt, consecutiveFailures, holdOffUntil, lastError, unsaved);
  }

  /**
   * Returns whether the held credential is not in the store yet: it was fetched while the store
   * could not be reached (or could not take it), and is saved when the store answers again, unless
   * a newer one is found there. Meanwhile this instance serves a token the others do not share;
   * with classic tokens, theirs and its own void each other five minutes after each fetch.
   *
   * @return true while the held credential waits to be saved
   */
  public boolean unsaved() {
    return unsaved;
  }

  /**
   * Returns where the held credential is on its timeline, judged by the provider's clock when the
   * status was taken.
   *
   * @return the state, never null
   */
  public State state() {
    return state;
  }

  /**
   * Returns when the held credential expires.
   *
   * @return the expiry instant, or empty if none is held ({@link State#NONE})
   */
  public Optional<Instant> expiresAt() {
    return Optional.ofNullable(expiresAt);
  }

  /**
   * Returns the instant, by the provider's clock, of the last successful refresh: a fetch from
   * WeChat or an adoption from the store.
   *
   * @return the instant, or empty if no refresh has succeeded yet
   */
  public Optional<Instant> lastRefreshAt() {
    return Optional.ofNullable(lastRefreshAt);
  }

  /**
   * Returns how many refreshes failed in a row since the last one that succeeded; calls refused
   * during a hold-off do not count.
   *
   * @return the count, 0 after a success
   */
  public int consecutiveFailures() {
    return consecutiveFailures;
  }

  /**
   * Returns until when, after a failure, the provider refuses to start a new refresh.
   *
   * @return the end of the hold-off, or empty if none is in force (or the last refresh succeeded)
   */
  public Optional<Instant> holdOffUntil() {
    return Optional.ofNullable(holdOffUntil);
  }

  /**
   * Returns a message about the last failed refresh, safe to show: it names the exception's type
   * and never holds the AppSecret or a whole token.
   *
   * @return the message, or empty if the last refresh succeeded or none failed
   */
  public Optional<String> lastError() {
    return Optional.ofNullable(lastError);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof TokenStatus)) {
      return false;
    }
    TokenStatus other = (TokenStatus) o;
    return state == other.state
        && unsaved == other.unsaved
        && consecutiveFailures == other.consecutiveFailures
        && Objects.equals(expiresAt, other.expiresAt)
        && Objects.equals(lastRefreshAt, other.lastRefreshAt)
        && Objects.equals(holdOffUntil, other.holdOffUntil)
        && Objects.equals(lastError, other.lastError);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        state, expiresAt, lastRefreshAt, consecutiveFailures, holdOffUntil, lastError, unsaved);
  }

  /** Returns the status for logs; it holds no token value at all, masked or not. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("TokenStatus{state=").append(state);
    if (expiresAt != null) {
      b.append(", expiresAt=").append(expiresAt);
    }
    if (lastRefreshAt != null) {
      b.append(", lastRefreshAt=").append(lastRefreshAt);
    }
    b.append(", consecutiveFailures=").append(consecutiveFailures);
    if (holdOffUntil != null) {
      b.append(", holdOffUntil=").append(holdOffUntil);
    }
    if (lastError != null) {
      b.append(", lastError=").append(lastError);
    }
    if (unsaved) {
      b.append(", unsaved");
    }
    return b.append('}').toString();
  }
}

package io.github.wechatmp.internal.refresh;

import java.time.Instant;

/**
 * What the engine knows about its credential at one instant, as plain values; the API package makes
 * its status type of it. Immutable. Internal: not part of the SDK's API.
 */
public final class Status {
  private final Phase phase;
  private final Instant expiresAt;
  private final Instant lastRefreshAt;
  private final int consecutiveFailures;
  private final Instant holdOffUntil;
  private final String lastError;

  Status(
      Phase phase,
      Instant expiresAt,
      Instant lastRefreshAt,
      int consecutiveFailures,
      Instant holdOffUntil,
      String lastError) {
    this.phase = phase;
    this.expiresAt = expiresAt;
    this.lastRefreshAt = lastRefreshAt;
    this.consecutiveFailures = consecutiveFailures;
    this.holdOffUntil = holdOffUntil;
    this.lastError = lastError;
  }

  /** Returns the phase. */
  public Phase phase() {
    return phase;
  }

  /** Returns the held credential's expiry, or null if none is held. */
  public Instant expiresAt() {
    return expiresAt;
  }

  /** Returns the last successful refresh or adoption, or null. */
  public Instant lastRefreshAt() {
    return lastRefreshAt;
  }

  /** Returns the failed refreshes in a row. */
  public int consecutiveFailures() {
    return consecutiveFailures;
  }

  /** Returns the end of the hold-off in force, or null. */
  public Instant holdOffUntil() {
    return holdOffUntil;
  }

  /** Returns the last failure's masked message, or null. */
  public String lastError() {
    return lastError;
  }
}

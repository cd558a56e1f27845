package io.github.wechatmp.internal.refresh;

import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.TokenEventListener;
import io.github.wechatmp.token.TokenStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The refresh engine's settings that every cached credential's builder offers (the access token's,
 * the jsapi ticket's), with their defaults and their checks, kept in one place so that both accept
 * exactly the same values. Mutable and not thread-safe, like the builders that hold one. Internal:
 * not part of the API.
 */
public final class RefreshOptions {
  TokenStore store;
  Clock clock = Clock.systemUTC();
  Duration refreshMargin = Duration.ofSeconds(200);
  Duration expiryMargin = Duration.ofSeconds(30);
  Duration lockLease = Duration.ofSeconds(10);
  Duration lockWait = Duration.ofSeconds(12);
  int maxRetries = 2;
  Duration retryBackoff = Duration.ofMillis(200);
  Duration failureHoldOffMax = Duration.ofMinutes(2);
  TokenEventListener listener = TokenEventListener.NONE;

  /**
   * Not null; null before {@link #store(TokenStore)} means a new {@link InMemoryTokenStore} per
   * cache.
   */
  public void store(TokenStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** Not null. */
  public void clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Returns the clock. */
  public Clock clock() {
    return clock;
  }

  /** Between 0 and a day. */
  public void refreshMargin(Duration d) {
    refreshMargin = check(d, "refreshMargin", true, Duration.ofDays(1));
  }

  /** Between 0 and a day. */
  public void expiryMargin(Duration d) {
    expiryMargin = check(d, "expiryMargin", true, Duration.ofDays(1));
  }

  /** Positive, at most 10 minutes. */
  public void lockLease(Duration d) {
    lockLease = check(d, "lockLease", false, Duration.ofMinutes(10));
  }

  /** Between 0 and 10 minutes. */
  public void lockWait(Duration d) {
    lockWait = check(d, "lockWait", true, Duration.ofMinutes(10));
  }

  /** Between 0 and 10. */
  public void maxRetries(int n) {
    if (n < 0 || n > 10) {
      throw new IllegalArgumentException("maxRetries must be between 0 and 10");
    }
    maxRetries = n;
  }

  /** Between 0 and a minute. */
  public void retryBackoff(Duration d) {
    retryBackoff = check(d, "retryBackoff", true, Duration.ofMinutes(1));
  }

  /** Positive, at most a day. */
  public void failureHoldOffMax(Duration d) {
    failureHoldOffMax = check(d, "failureHoldOffMax", false, Duration.ofDays(1));
  }

  /** Not null. */
  public void listener(TokenEventListener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  private static Duration check(Duration d, String name, boolean zeroAllowed, Duration max) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || (!zeroAllowed && d.isZero())) {
      throw new IllegalArgumentException(
          name + (zeroAllowed ? " must not be negative" : " must be positive"));
    }
    if (d.compareTo(max) > 0) {
      throw new IllegalArgumentException(name + " must be at most " + max);
    }
    return d;
  }
}

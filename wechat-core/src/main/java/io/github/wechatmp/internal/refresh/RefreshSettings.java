package io.github.wechatmp.internal.refresh;

import java.time.Duration;
import java.util.Objects;

/**
 * The checks every builder of a cached credential applies to the refresh engine's settings, so that
 * the access token and the jsapi ticket accept exactly the same values. Internal: not part of the API.
 */
public final class RefreshSettings {
  private RefreshSettings() {}

  /** Between 0 and a day. */
  public static Duration refreshMargin(Duration d) {
    return check(d, "refreshMargin", true, Duration.ofDays(1));
  }

  /** Between 0 and a day. */
  public static Duration expiryMargin(Duration d) {
    return check(d, "expiryMargin", true, Duration.ofDays(1));
  }

  /** Positive, at most 10 minutes. */
  public static Duration lockLease(Duration d) {
    return check(d, "lockLease", false, Duration.ofMinutes(10));
  }

  /** Between 0 and 10 minutes. */
  public static Duration lockWait(Duration d) {
    return check(d, "lockWait", true, Duration.ofMinutes(10));
  }

  /** Between 0 and 10. */
  public static int maxRetries(int n) {
    if (n < 0 || n > 10) {
      throw new IllegalArgumentException("maxRetries must be between 0 and 10");
    }
    return n;
  }

  /** Between 0 and a minute. */
  public static Duration retryBackoff(Duration d) {
    return check(d, "retryBackoff", true, Duration.ofMinutes(1));
  }

  /** Positive, at most a day. */
  public static Duration failureHoldOffMax(Duration d) {
    return check(d, "failureHoldOffMax", false, Duration.ofDays(1));
  }

  private static Duration check(Duration d, String name, boolean zeroAllowed, Duration max) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || (!zeroAllowed && d.isZero())) {
      throw new IllegalArgumentException(name + (zeroAllowed ? " must not be negative" : " must be positive"));
    }
    if (d.compareTo(max) > 0) {
      throw new IllegalArgumentException(name + " must be at most " + max);
    }
    return d;
  }
}

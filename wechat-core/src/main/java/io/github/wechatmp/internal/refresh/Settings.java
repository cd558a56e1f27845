package io.github.wechatmp.internal.refresh;

import java.time.Duration;
import java.util.Objects;

/**
 * The engine's settings as plain values: what the API's refresh policy says, already checked by it.
 * Immutable. Internal: not part of the SDK's API.
 */
public final class Settings {
  final Duration refreshMargin;
  final Duration expiryMargin;
  final Duration lockLease;
  final Duration lockWait;
  final int maxRetries;
  final Duration retryBackoff;
  final Duration failureHoldOffMax;
  final Duration rejectionRefetchInterval;

  /** The settings, each as the policy of the same name gives it. */
  public Settings(
      Duration refreshMargin,
      Duration expiryMargin,
      Duration lockLease,
      Duration lockWait,
      int maxRetries,
      Duration retryBackoff,
      Duration failureHoldOffMax,
      Duration rejectionRefetchInterval) {
    this.refreshMargin = Objects.requireNonNull(refreshMargin, "refreshMargin");
    this.expiryMargin = Objects.requireNonNull(expiryMargin, "expiryMargin");
    this.lockLease = Objects.requireNonNull(lockLease, "lockLease");
    this.lockWait = Objects.requireNonNull(lockWait, "lockWait");
    this.maxRetries = maxRetries;
    this.retryBackoff = Objects.requireNonNull(retryBackoff, "retryBackoff");
    this.failureHoldOffMax = Objects.requireNonNull(failureHoldOffMax, "failureHoldOffMax");
    this.rejectionRefetchInterval =
        Objects.requireNonNull(rejectionRefetchInterval, "rejectionRefetchInterval");
  }
}

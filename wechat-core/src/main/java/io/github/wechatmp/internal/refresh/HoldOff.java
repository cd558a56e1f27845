package io.github.wechatmp.internal.refresh;

/**
 * The hold-off after failed refreshes: no new attempt for 1 s after the first failure, doubling
 * with each failure in a row, up to a cap; so a broken configuration cannot burn WeChat's daily
 * quota, and a store that is down is not hammered. Pure.
 */
final class HoldOff {
  static final long FIRST_MILLIS = 1_000;

  private HoldOff() {}

  /** How long to hold off after {@code consecutive} (at least 1) failures in a row. */
  static long millis(int consecutive, long capMillis) {
    return Math.min(capMillis, FIRST_MILLIS << Math.min(Math.max(consecutive, 1) - 1, 20));
  }
}

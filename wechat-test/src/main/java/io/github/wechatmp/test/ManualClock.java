package io.github.wechatmp.test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that moves only when a test moves it, so that tests of expiry, voiding overlaps and daily
 * quotas need no sleeping. Give the same instance to the {@link WeChatStandIn} and to the code
 * under test. Thread-safe.
 */
public final class ManualClock extends Clock {
  private final AtomicReference<Instant> now;
  private final ZoneId zone;

  /**
   * Makes a clock that stands at {@code start}, in UTC.
   *
   * @param start the time it shows until moved
   * @throws NullPointerException if {@code start} is null
   */
  public ManualClock(Instant start) {
    this(new AtomicReference<>(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
  }

  /** Makes a clock that stands at the current system time, in UTC. */
  public ManualClock() {
    this(Instant.now());
  }

  private ManualClock(AtomicReference<Instant> now, ZoneId zone) {
    this.now = now;
    this.zone = zone;
  }

  /**
   * Moves the clock forward (or back, for a negative amount).
   *
   * @param amount how far to move it
   * @return the new time
   * @throws NullPointerException if {@code amount} is null
   */
  public Instant advance(Duration amount) {
    Objects.requireNonNull(amount, "amount");
    return now.updateAndGet(t -> t.plus(amount));
  }

  /**
   * Sets the clock.
   *
   * @param instant the time it shows from now on
   * @throws NullPointerException if {@code instant} is null
   */
  public void set(Instant instant) {
    now.set(Objects.requireNonNull(instant, "instant"));
  }

  /**
   * Returns the zone, UTC unless made by {@link #withZone}.
   *
   * @return the zone
   */
  @Override
  public ZoneId getZone() {
    return zone;
  }

  /**
   * Returns a clock in another zone that shares this clock's time: moving either moves both.
   *
   * @param zone the zone
   * @return the clock
   */
  @Override
  public Clock withZone(ZoneId zone) {
    return new ManualClock(now, Objects.requireNonNull(zone, "zone"));
  }

  /**
   * Returns the time the clock shows.
   *
   * @return the current instant of this clock
   */
  @Override
  public Instant instant() {
    return now.get();
  }

  /**
   * Describes the clock.
   *
   * @return its time and zone
   */
  @Override
  public String toString() {
    return "ManualClock{" + now.get() + ", " + zone + '}';
  }
}

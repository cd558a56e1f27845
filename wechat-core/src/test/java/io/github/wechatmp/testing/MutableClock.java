package io.github.wechatmp.testing;

import io.github.wechatmp.test.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.Flow;

/**
 * A clock tests move by hand, so that no test sleeps until a token expires: the {@link ManualClock}
 * that users' tests use, at a fixed, realistic start, and so on the same path. Providers built on
 * it subscribe to its moves: moving it runs the wake-ups (a token's due time, a hold-off's end) and
 * the refreshes due by then, before the move returns. Thread-safe.
 */
public final class MutableClock extends Clock implements Flow.Publisher<Instant> {
  private final ManualClock clock;

  public MutableClock(Instant start) {
    this.clock = new ManualClock(start);
  }

  /** A clock at a fixed, realistic instant. */
  public MutableClock() {
    this(Instant.parse("2026-11-24T08:00:00Z"));
  }

  /** Moves the clock on, and runs the wake-ups and refreshes that came due. */
  public void advance(Duration d) {
    clock.advance(d);
  }

  /** Sets the clock, and runs the wake-ups and refreshes that came due. */
  public void set(Instant instant) {
    clock.set(instant);
  }

  @Override
  public void subscribe(Flow.Subscriber<? super Instant> subscriber) {
    clock.subscribe(subscriber);
  }

  @Override
  public long millis() {
    return clock.millis();
  }

  @Override
  public Instant instant() {
    return clock.instant();
  }

  @Override
  public ZoneId getZone() {
    return clock.getZone();
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException();
  }
}

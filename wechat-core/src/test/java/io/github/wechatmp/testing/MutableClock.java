package io.github.wechatmp.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock tests move by hand, so that no test sleeps until a token expires. Providers built on it
 * schedule their wake-ups (a token's due time) on its {@link ManualScheduler}, which moving the
 * clock runs. Thread-safe.
 */
public final class MutableClock extends Clock {
  private final AtomicLong millis;
  private final ManualScheduler scheduler;

  public MutableClock(Instant start) {
    this.millis = new AtomicLong(start.toEpochMilli());
    this.scheduler = new ManualScheduler(this);
    io.github.wechatmp.internal.refresh.Scheduler.bind(this, scheduler);
  }

  /** A clock at a fixed, realistic instant. */
  public MutableClock() {
    this(Instant.parse("2026-11-24T08:00:00Z"));
  }

  /** Moves the clock on, and runs the wake-ups that came due. */
  public void advance(Duration d) {
    millis.addAndGet(d.toMillis());
    scheduler.runDue();
  }

  /** Sets the clock, and runs the wake-ups that came due. */
  public void set(Instant instant) {
    millis.set(instant.toEpochMilli());
    scheduler.runDue();
  }

  /** The scheduler of the providers built on this clock. */
  public ManualScheduler scheduler() {
    return scheduler;
  }

  @Override
  public long millis() {
    return millis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException();
  }
}

package io.github.wechatmp.test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that moves only when a test moves it, so that tests of expiry, voiding overlaps and daily
 * quotas need no sleeping. Give the same instance to the {@link WeChatStandIn} and to the code
 * under test. Thread-safe.
 *
 * <p>It is also a {@link Flow.Publisher} of its moves: every {@link #advance} and {@link #set}
 * hands the new time to each subscriber, on the moving thread, and returns when they have all
 * returned. The SDK's providers subscribe when they are given this clock: moving it runs every
 * refresh due by the new time (the proactive refresh of a token, the retry at the end of a
 * hold-off), on the same code path as in production, before {@code advance} returns; so a test
 * moves the clock and asserts at once, without sleeping or polling.
 */
public final class ManualClock extends Clock implements Flow.Publisher<Instant> {
  private final AtomicReference<Instant> now;
  private final ZoneId zone;
  private final List<Subscription> subscriptions;

  /**
   * Makes a clock that stands at {@code start}, in UTC.
   *
   * @param start the time it shows until moved
   * @throws NullPointerException if {@code start} is null
   */
  public ManualClock(Instant start) {
    this(
        new AtomicReference<>(Objects.requireNonNull(start, "start")),
        ZoneOffset.UTC,
        new CopyOnWriteArrayList<>());
  }

  /** Makes a clock that stands at the current system time, in UTC. */
  public ManualClock() {
    this(Instant.now());
  }

  private ManualClock(AtomicReference<Instant> now, ZoneId zone, List<Subscription> subscriptions) {
    this.now = now;
    this.zone = zone;
    this.subscriptions = subscriptions;
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
    Instant moved = now.updateAndGet(t -> t.plus(amount));
    publish(moved);
    return moved;
  }

  /**
   * Sets the clock.
   *
   * @param instant the time it shows from now on
   * @throws NullPointerException if {@code instant} is null
   */
  public void set(Instant instant) {
    now.set(Objects.requireNonNull(instant, "instant"));
    publish(instant);
  }

  /**
   * Subscribes {@code subscriber} to the clock's moves: from its first request on, each {@link
   * #advance} and {@link #set} calls its {@code onNext} with the new time, on the moving thread,
   * and waits for it to return. It never completes. Clocks made by {@link #withZone} share their
   * subscribers with this one.
   *
   * @param subscriber the subscriber
   * @throws NullPointerException if {@code subscriber} is null
   */
  @Override
  public void subscribe(Flow.Subscriber<? super Instant> subscriber) {
    Subscription s = new Subscription(Objects.requireNonNull(subscriber, "subscriber"));
    subscriptions.add(s);
    subscriber.onSubscribe(s);
  }

  private void publish(Instant instant) {
    for (Subscription s : subscriptions) {
      s.deliver(instant);
    }
  }

  /** One subscriber's demand; deliveries to it are one at a time. */
  private final class Subscription implements Flow.Subscription {
    private final Flow.Subscriber<? super Instant> subscriber;
    private long demand; // guarded by this

    Subscription(Flow.Subscriber<? super Instant> subscriber) {
      this.subscriber = subscriber;
    }

    synchronized void deliver(Instant instant) {
      if (demand == 0) {
        return;
      }
      if (demand != Long.MAX_VALUE) {
        demand--;
      }
      subscriber.onNext(instant);
    }

    @Override
    public synchronized void request(long n) {
      if (n <= 0) {
        subscriptions.remove(this);
        subscriber.onError(new IllegalArgumentException("request(n) needs n > 0, got " + n));
        return;
      }
      demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
    }

    @Override
    public void cancel() {
      subscriptions.remove(this);
    }
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
    return new ManualClock(now, Objects.requireNonNull(zone, "zone"), subscriptions);
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

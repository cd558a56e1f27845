package io.github.wechatmp.tokenserver;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The passive refresh of one credential (an account's access token or jsapi ticket, an authorizer's
 * access token, the platform's component token): a compare-and-invalidate, honoured at most once
 * per interval. Thread-safe.
 *
 * @param <T> the credential's type
 */
final class PassiveRefresh<T> {
  /** A passive refresh refused because the last one of this credential was too recent. */
  static final class TooSoon extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final long retryAfterSeconds;

    TooSoon(long retryAfterSeconds) {
      super(null, null, false, false);
      this.retryAfterSeconds = retryAfterSeconds;
    }
  }

  /** What the provider of the credential offers: its current value, and compare-and-invalidate. */
  interface Source<T> {
    T get();

    void invalidate(String value);
  }

  private final Source<T> source;
  private final Function<T, String> value;
  private final Function<T, Instant> expiresAt;
  private final Clock clock;
  private final long minIntervalMillis;

  /**
   * Serializes the decision (not the fetch after it), so that of many simultaneous reports of one
   * value exactly one invalidates it.
   */
  private final ReentrantLock lock = new ReentrantLock();

  private long lastMillis = Long.MIN_VALUE / 2; // guarded by lock

  PassiveRefresh(
      Source<T> source,
      Function<T, String> value,
      Function<T, Instant> expiresAt,
      Clock clock,
      long minIntervalMillis) {
    this.source = source;
    this.value = value;
    this.expiresAt = expiresAt;
    this.clock = clock;
    this.minIntervalMillis = minIntervalMillis;
  }

  /** Builds one over a supplier and an invalidation, as the providers have them. */
  static <T> PassiveRefresh<T> of(
      Supplier<T> get,
      Consumer<String> invalidate,
      Function<T, String> value,
      Function<T, Instant> expiresAt,
      Clock clock,
      long minIntervalMillis) {
    return new PassiveRefresh<>(
        new Source<T>() {
          @Override
          public T get() {
            return get.get();
          }

          @Override
          public void invalidate(String v) {
            invalidate.accept(v);
          }
        },
        value,
        expiresAt,
        clock,
        minIntervalMillis);
  }

  /**
   * If {@code rejected} is still the current value it is invalidated (in memory and,
   * compare-and-delete, in the store) and the next read fetches a new one, once, for however many
   * callers; a report of an older value changes nothing. Either way the caller gets the value to
   * use now.
   *
   * @throws TooSoon if the current value was reported less than the minimum interval after the last
   *     honoured report: a client that reports every token it gets must not spend the daily quota
   *     for everyone
   */
  T reject(String rejected) {
    T current;
    lock.lock();
    try {
      current = source.get();
      if (!value.apply(current).equals(rejected)) {
        return current;
      }
      long now = clock.millis();
      long next = lastMillis + minIntervalMillis;
      if (now < next) {
        throw new TooSoon(Math.max(1, (next - now + 999) / 1000));
      }
      source.invalidate(rejected);
      // Taken after the provider's own record of the re-fetch, so that its bound never outlasts
      // ours.
      lastMillis = clock.millis();
    } finally {
      lock.unlock();
    }
    T fresh = source.get();
    // The provider's bound is shared through the store, so another server instance's recent
    // re-fetch makes it keep a credential this instance would have replaced: that report is
    // refused too, never answered with the value just reported. The same value expiring later is
    // a new fetch (WeChat may answer a stable token with the same value).
    if (value.apply(fresh).equals(rejected)
        && expiresAt.apply(fresh).equals(expiresAt.apply(current))) {
      throw new TooSoon(Math.max(1, (minIntervalMillis + 999) / 1000));
    }
    return fresh;
  }
}

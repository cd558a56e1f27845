package io.github.wechatmp.internal.refresh;

import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenKey;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fetch a cache makes without the store while the store is unreachable and the cache holds no
 * token it may serve (none, or one past its stale point): without it an outage of the store that
 * outlasts the held token would fail every call until the store returns. The token fetched is
 * served at once and saved to the store, fenced, when it answers again (the cache's late save).
 *
 * <p>Bounded, because with classic tokens each such fetch voids the tokens the other processes hold
 * five minutes later: at most one per {@code RefreshPolicy.storeOutageFetchInterval} (zero: never).
 * A fetch that returns the token already held (the stable-token endpoint does so while it is valid)
 * voids nothing and issues nothing: it does not spend the interval, but the next attempt waits for
 * that token's expiry, when WeChat has a new one. Failed attempts spend nothing either: they follow
 * the ordinary hold-off, as every failed fetch does. Runs on the cache's refresh thread only, one
 * at a time.
 */
final class StoreOutageFetch {
  /** The engine's log, by the name users configure it under. */
  private static final Logger log = LoggerFactory.getLogger(RefreshingCache.class);

  /** Who fetched, for the log line. */
  private static final long PID = ProcessHandle.current().pid();

  private final TokenKey key;
  private final Clock clock;
  private final long intervalMillis;
  private final Duration lockLease;
  private final Retrier retrier;
  private final SharedRefresh.Host host;

  /** No fetch without the store before this instant, by the clock; MIN_VALUE for none yet. */
  private volatile long notBeforeMillis = Long.MIN_VALUE;

  StoreOutageFetch(
      TokenKey key,
      Clock clock,
      long intervalMillis,
      Duration lockLease,
      Retrier retrier,
      SharedRefresh.Host host) {
    this.key = key;
    this.clock = clock;
    this.intervalMillis = intervalMillis;
    this.lockLease = lockLease;
    this.retrier = retrier;
    this.host = host;
  }

  /**
   * Whether, the store having just failed, the cache should fetch without it now: it holds no token
   * it may serve at once, and the bound allows a fetch.
   */
  boolean wanted(RefreshingCache.Snapshot held, long nowMillis) {
    if (intervalMillis <= 0) {
      return false;
    }
    if (held.token != null && nowMillis < held.staleAtMillis) {
      return false; // the held token is still served at once: the store may well be back by then
    }
    long notBefore = notBeforeMillis;
    // A clock set back (before the last fetch) does not lock the fetch out for that much longer.
    return notBefore == Long.MIN_VALUE
        || nowMillis >= notBefore
        || nowMillis < notBefore - intervalMillis;
  }

  /**
   * Fetches without the store, within the time a fetch under the lock would have (the lock's
   * lease), and serves what it fetched, to be saved when the store answers.
   *
   * @param storeFailure why the store could not be used, for the log
   * @throws RuntimeException the fetch's failure, recorded as a failed refresh (with its hold-off)
   */
  RefreshingCache.Snapshot fetch(RuntimeException storeFailure) throws InterruptedException {
    RefreshingCache.Snapshot held = host.held();
    long started = System.nanoTime();
    AccessToken fetched;
    try {
      fetched = retrier.fetch(false, started + lockLease.toNanos());
    } catch (RuntimeException e) {
      host.recordFailure(e, Long.MAX_VALUE);
      throw e;
    }
    long now = clock.millis();
    boolean same = held.token != null && held.token.value().equals(fetched.value());
    notBeforeMillis =
        same ? Math.min(now + intervalMillis, held.expiresAtMillis) : now + intervalMillis;
    host.fetchSucceeded(fetched);
    Duration latency = Duration.ofNanos(System.nanoTime() - started);
    log.warn(
        "The token store is unreachable and no usable token of {} is held: fetched {} from WeChat "
            + "without the store's lock in process {} in {} ms; serving it, and saving it to the "
            + "store when it answers. {}No other fetch without the store for {} s. The store: {}",
        key,
        fetched,
        PID,
        latency.toMillis(),
        same
            ? "WeChat returned the token already held (a stable token): nothing was voided. "
            : "A classic token fetched this way voids the tokens other instances hold, five "
                + "minutes from now. ",
        (notBeforeMillis - now) / 1000,
        storeFailure.getMessage());
    RefreshingCache.Snapshot installed = host.installFetched(fetched, false, latency);
    host.fetchedWithoutStore(fetched);
    return installed;
  }
}

package io.github.wechatmp.internal.refresh;

import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import io.github.wechatmp.token.TokenStoreException;
import io.github.wechatmp.token.TokenUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared-refresh protocol, exactly as the store's Javadoc ({@code TokenStore}) numbers it, run
 * synchronously on the calling thread: (1) load the entry, and adopt a token another instance
 * stored; (2) take the store's refresh lock, waiting a bounded time; (3) load again under the lock,
 * and adopt what another instance wrote meanwhile; (4) only otherwise fetch from WeChat (with
 * retries, within the lock's lease), save, and release the lock. It never fetches without the lock
 * but when the store is unreachable and no usable token is held, and then within the bound of
 * {@link StoreOutageFetch}. What it does to the cache (adopting, installing, recording a failure)
 * goes through its {@link Host}. Thread-safe if the host is; the cache runs one at a time.
 */
final class SharedRefresh {
  private static final Logger log = LoggerFactory.getLogger(SharedRefresh.class);

  /**
   * Store outages hold off new attempts briefly only, so that recovery follows the store's within
   * seconds.
   */
  static final long STORE_HOLD_OFF_MAX_MILLIS = 5_000;

  /** Who fetched, for the fetch's log line. */
  private static final long PID = ProcessHandle.current().pid();

  /** What the protocol needs of the cache it refreshes. */
  interface Host {
    /** The snapshot served now. */
    RefreshingCache.Snapshot held();

    /**
     * When a token the store holds comes due here: by default {@code policyDueAtMillis}, its expiry
     * less the refresh margin; earlier where refreshes are spread over a window ({@link
     * RefreshAdmission}), so that a stored token this cache's refresh came for is not taken for a
     * fresh one.
     */
    default long dueAtMillis(AccessToken stored, long policyDueAtMillis) {
      return policyDueAtMillis;
    }

    /** The last failure, until a refresh succeeds; or null. */
    RefreshingCache.Failure failure();

    /** The value last reported as rejected by WeChat, never to be adopted again; or null. */
    String rejectedValue();

    /** Serves a token another instance stored. */
    RefreshingCache.Snapshot adopt(AccessToken stored);

    /** WeChat issued a token: the failure and hold-off end. */
    void fetchSucceeded(AccessToken fetched);

    /** Serves a fetched token, saved to the store or (if {@code saved} is false) not. */
    RefreshingCache.Snapshot installFetched(AccessToken fetched, boolean saved, Duration latency);

    /** The store answered a call: a store outage, if one was logged, has ended. */
    default void storeAnswered() {}

    /** The store failed: a store outage begins, if none was logged. */
    default void storeFailed(RuntimeException error) {}

    /** The token just installed was fetched without the store, which could not be reached. */
    default void fetchedWithoutStore(AccessToken fetched) {}

    /** Records a failed refresh and holds new ones off, for at most {@code capMillis}. */
    void recordFailure(RuntimeException error, long capMillis);

    /**
     * Honours a hold-off another instance recorded in the store; by default as a failure of its own
     * (the cache makes the store's count and end its own).
     */
    default void holdOffShared(TokenStore.SharedHoldOff holdOff, RuntimeException error) {
      recordFailure(error, Long.MAX_VALUE);
    }
  }

  /**
   * Whether a failure is the account's, and so shared through the store: a wrong AppSecret (40001
   * or 40125 on the token endpoint), WeChat's system error (-1), the quota used up (45009). An IP
   * outside the whitelist (40164), a risk confirmation (61004, 8950x) or a transport failure stays
   * with the host that saw it, so that one host outside the whitelist never holds off the others.
   */
  static boolean isAccountFailure(RuntimeException e) {
    if (!(e instanceof WeChatApiException)) {
      return false;
    }
    int code = ((WeChatApiException) e).errorCode();
    return code == 40001 || code == 40125 || code == -1 || code == 45009;
  }

  private final TokenKey key;
  private final TokenStore store;
  private final Clock clock;
  private final long refreshMarginMillis;
  private final long expiryMarginMillis;
  private final Duration lockLease;
  private final Duration lockWait;
  private final Retrier retrier;
  private final Host host;
  private final StoreOutageFetch outageFetch;

  SharedRefresh(
      TokenKey key,
      TokenStore store,
      Clock clock,
      long refreshMarginMillis,
      long expiryMarginMillis,
      Duration lockLease,
      Duration lockWait,
      Retrier retrier,
      Host host,
      long storeOutageFetchIntervalMillis) {
    this.key = key;
    this.store = store;
    this.clock = clock;
    this.refreshMarginMillis = refreshMarginMillis;
    this.expiryMarginMillis = expiryMarginMillis;
    this.lockLease = lockLease;
    this.lockWait = lockWait;
    this.retrier = retrier;
    this.host = host;
    this.outageFetch =
        new StoreOutageFetch(key, clock, storeOutageFetchIntervalMillis, lockLease, retrier, host);
  }

  /** One refresh, on the refresh thread: the store first, then the lock, then WeChat. */
  RefreshingCache.Snapshot run(boolean force, String seen) throws InterruptedException {
    RefreshingCache.Snapshot held = host.held();
    long now = clock.millis();
    if (!force) {
      AccessToken stored = loadUsable(now, true);
      if (isNewerOrFresh(stored, seen, false, now)) {
        return host.adopt(stored);
      }
    }
    honourSharedHoldOff(now);
    RefreshingCache.Failure f = host.failure();
    if (f != null && now < f.notBeforeMillis) {
      if (!force && held.token != null && now < held.expiresAtMillis) {
        return held;
      }
      throw f.error;
    }

    Optional<TokenStore.RefreshLock> lock;
    try {
      lock = store.tryLock(key, lockLease, lockWait);
    } catch (RuntimeException e) {
      return afterStoreFailure(storeFailure(e, "lock"), force);
    }
    host.storeAnswered();
    if (lock.isEmpty()) {
      return afterLockTimeout(force, seen);
    }
    long deadlineNanos =
        System.nanoTime() + lockLease.toNanos() - Math.min(1_000_000_000L, lockLease.toNanos() / 5);
    TokenStore.RefreshLock refreshLock = lock.get();
    try {
      now = clock.millis();
      AccessToken stored;
      try {
        stored = loadUsable(now, false);
      } catch (RuntimeException e) {
        if (!(e instanceof TokenStoreException)) {
          throw e;
        }
        return afterStoreFailure(e, force);
      }
      if (isNewerOrFresh(stored, seen, force, now)) {
        return host.adopt(stored);
      }
      // Under the lock: the holder before us may have failed and recorded a hold-off.
      if (honourSharedHoldOff(now)) {
        RefreshingCache.Snapshot h = host.held();
        if (!force && h.token != null && now < h.expiresAtMillis) {
          return h;
        }
        throw host.failure().error;
      }
      return fetchAndSave(force, deadlineNanos, refreshLock);
    } finally {
      refreshLock.close();
    }
  }

  /**
   * The store failed. With no token to serve at once, fetch without the store, within the bound of
   * {@link StoreOutageFetch}; otherwise serve what is still valid (unless the caller demanded a new
   * token), or fail naming the store. Either way further attempts are held off for a few seconds,
   * so an unreachable store is not asked again on every call; a hold-off that serves the held token
   * ends when it expires, so that the fetch without the store is not put off past it.
   */
  private RefreshingCache.Snapshot afterStoreFailure(RuntimeException e, boolean force)
      throws InterruptedException {
    RefreshingCache.Snapshot held = host.held();
    long now = clock.millis();
    if (outageFetch.wanted(held, now)) {
      host.storeFailed(
          new TokenUnavailableException(
              "The token store failed while refreshing " + key + ": " + e.getMessage(), e));
      return outageFetch.fetch(e);
    }
    boolean serveHeld = !force && held.token != null && now < held.expiresAtMillis;
    RuntimeException error =
        new TokenUnavailableException(
            "The token store failed while refreshing "
                + key
                + (serveHeld ? "" : " and no valid token is held")
                + ": "
                + e.getMessage(),
            e);
    host.recordFailure(
        error,
        serveHeld
            ? Math.max(1, Math.min(STORE_HOLD_OFF_MAX_MILLIS, held.expiresAtMillis - now))
            : STORE_HOLD_OFF_MAX_MILLIS);
    if (serveHeld) {
      return held;
    }
    throw error;
  }

  private RefreshingCache.Snapshot afterLockTimeout(boolean force, String seen) {
    long now = clock.millis();
    AccessToken stored = loadUsable(now, true);
    if (stored != null && !(force && stored.value().equals(seen))) {
      return host.adopt(stored);
    }
    RefreshingCache.Snapshot held = host.held();
    if (!force && held.token != null && now < held.expiresAtMillis) {
      log.warn(
          "Timed out after {} ms waiting for the refresh lock of {}; serving the token held until it expires at {}",
          lockWait.toMillis(),
          key,
          held.token.expiresAt());
      return held;
    }
    RuntimeException error =
        new TokenUnavailableException(
            "Timed out after "
                + lockWait.toMillis()
                + " ms waiting for the refresh lock of "
                + key
                + ", held by another instance, and "
                + (force ? "no newer token appeared" : "no valid token is held"),
            null);
    host.recordFailure(error, STORE_HOLD_OFF_MAX_MILLIS);
    throw error;
  }

  /**
   * Any failure of the store, whatever a store of users' own throws, as the store's own failure
   * type ({@code TokenStoreException}).
   */
  private RuntimeException storeFailure(RuntimeException e, String operation) {
    if (e instanceof TokenStoreException) {
      return e;
    }
    // Not e.getMessage(): a store of users' own might put a token value in it.
    return new TokenStoreException(
        "The token store ("
            + store.getClass().getName()
            + ") failed to "
            + operation
            + " "
            + key
            + " with "
            + e.getClass().getName(),
        e);
  }

  private RefreshingCache.Snapshot fetchAndSave(
      boolean force, long deadlineNanos, TokenStore.RefreshLock refreshLock)
      throws InterruptedException {
    long started = System.nanoTime();
    AccessToken fetched;
    try {
      fetched = retrier.fetch(force, deadlineNanos);
    } catch (RuntimeException e) {
      host.recordFailure(e, Long.MAX_VALUE);
      shareHoldOff(e);
      throw e;
    }
    if (sawSharedHoldOff || host.failure() != null) {
      clearSharedHoldOff();
    }
    host.fetchSucceeded(fetched);
    Duration latency = Duration.ofNanos(System.nanoTime() - started);
    log.info(
        "Fetched a new token for {} ({}) in process {} in {} ms: {}",
        key,
        force ? "forced refresh" : "refresh",
        PID,
        latency.toMillis(),
        fetched);
    if (System.nanoTime() - deadlineNanos > 0) {
      // The lease may have lapsed while fetching, and another instance fetched since: its token,
      // being newer, voids ours, so keep to it rather than overwrite it.
      AccessToken stored = loadUsable(clock.millis(), true);
      if (stored != null && stored.expiresAt().isAfter(fetched.expiresAt())) {
        log.warn(
            "The refresh lock of {} lapsed while fetching; adopting the newer token another instance saved",
            key);
        return host.adopt(stored);
      }
    }
    boolean saved = false;
    try {
      if (!store.saveFenced(key, fetched, refreshLock)) {
        // Our lease lapsed before the save (a pause after the fetch): the next holder may have
        // saved a newer token, which ours must not replace. Take what the store holds.
        AccessToken stored = loadUsable(clock.millis(), true);
        log.warn(
            "The refresh lock of {} lapsed before its token was saved; the store refused the late "
                + "save{}",
            key,
            stored != null ? " and its token is adopted" : "");
        if (stored != null) {
          return host.adopt(stored);
        }
        return host.installFetched(fetched, false, latency);
      }
      saved = true;
    } catch (RuntimeException e) {
      log.warn(
          "Could not save the new token of {} to the store; serving it from memory only",
          key,
          storeFailure(e, "save"));
    }
    return host.installFetched(fetched, saved, latency);
  }

  /** Whether a shared hold-off was seen since the last success, so that success clears it. */
  private volatile boolean sawSharedHoldOff;

  /**
   * Reads the store's hold-off and, while it lasts, makes it this instance's; returns whether one
   * is in force. A store failure reads as none.
   */
  private boolean honourSharedHoldOff(long now) {
    Optional<TokenStore.SharedHoldOff> shared;
    try {
      shared = store.loadHoldOff(key);
    } catch (RuntimeException e) {
      log.debug("Could not read the hold-off of {} from the store", key, e);
      return false;
    }
    if (shared == null || shared.isEmpty()) {
      return false;
    }
    TokenStore.SharedHoldOff h = shared.get();
    sawSharedHoldOff = true;
    long notBefore = h.notBefore().toEpochMilli();
    if (now >= notBefore) {
      return false;
    }
    RefreshingCache.Failure mine = host.failure();
    if (mine == null || mine.notBeforeMillis < notBefore || mine.consecutive < h.failures()) {
      host.holdOffShared(h, new WeChatApiException(h.errorCode(), h.errorMessage()));
    }
    return true;
  }

  /** After a failed fetch, under the lock: an account failure's hold-off goes to the store. */
  private void shareHoldOff(RuntimeException e) {
    if (!isAccountFailure(e)) {
      return;
    }
    RefreshingCache.Failure f = host.failure();
    if (f == null) {
      return;
    }
    WeChatApiException api = (WeChatApiException) e;
    try {
      store.saveHoldOff(
          key,
          TokenStore.SharedHoldOff.of(
              f.consecutive,
              Instant.ofEpochMilli(f.notBeforeMillis),
              api.errorCode(),
              api.errorMessage()));
      sawSharedHoldOff = true;
    } catch (RuntimeException storeFailed) {
      log.debug("Could not share the hold-off of {} through the store", key, storeFailed);
    }
  }

  private void clearSharedHoldOff() {
    try {
      store.clearHoldOff(key);
      sawSharedHoldOff = false;
    } catch (RuntimeException e) {
      log.debug("Could not clear the hold-off of {} in the store", key, e);
    }
  }

  /** What became of a token the store could not take when it was fetched. */
  enum LateSave {
    /** Saved now (or found already saved): the other instances adopt it. */
    SAVED,
    /** The store holds a newer token, adopted instead. */
    ADOPTED,
    /** The store still fails, or another instance is refreshing: try again later. */
    RETRY
  }

  /**
   * Saves {@code fetched}, which the store could not take when it was fetched, now that it may
   * answer again: under the refresh lock (a single attempt, no wait), unless the store by now holds
   * a newer token, which is adopted instead. Without this the next instance to come due would fetch
   * a token of its own and void this one everywhere it is held.
   */
  LateSave saveLate(AccessToken fetched) throws InterruptedException {
    Optional<TokenStore.RefreshLock> lock;
    try {
      lock = store.tryLock(key, lockLease, Duration.ZERO);
    } catch (RuntimeException e) {
      return LateSave.RETRY;
    }
    host.storeAnswered();
    if (lock.isEmpty()) {
      return LateSave.RETRY; // another instance is refreshing: adopt its token, or try again
    }
    TokenStore.RefreshLock held = lock.get();
    try {
      Optional<AccessToken> stored;
      try {
        stored = store.load(key);
      } catch (RuntimeException e) {
        return LateSave.RETRY;
      }
      if (stored != null && stored.isPresent()) {
        AccessToken other = stored.get();
        if (other.value().equals(fetched.value())) {
          return LateSave.SAVED;
        }
        AccessToken usable = usable(stored, clock.millis());
        if (usable != null && isNewer(usable, fetched)) {
          log.info(
              "The store of {} answers again and holds a newer token than the one fetched while it "
                  + "failed; adopting it",
              key);
          host.adopt(usable);
          return LateSave.ADOPTED;
        }
      }
      try {
        if (!store.saveFenced(key, fetched, held)) {
          return LateSave.RETRY;
        }
      } catch (RuntimeException e) {
        return LateSave.RETRY;
      }
      log.info(
          "Saved the token of {} fetched while the store failed, now that it answers again: {}",
          key,
          fetched);
      return LateSave.SAVED;
    } finally {
      held.close();
    }
  }

  /**
   * Whether {@code a} was issued after {@code b}: by issue time if both know it, else by expiry.
   */
  boolean isNewer(AccessToken a, AccessToken b) {
    Optional<Instant> ai = a.issuedAt();
    Optional<Instant> bi = b.issuedAt();
    if (ai.isPresent() && bi.isPresent()) {
      return ai.get().isAfter(bi.get());
    }
    return a.expiresAt().isAfter(b.expiresAt());
  }

  /**
   * Returns the stored token if it may be served: not within the expiry margin, and not the one
   * last reported as rejected. With {@code quiet}, a store failure reads as no token.
   */
  AccessToken loadUsable(long now, boolean quiet) {
    Optional<AccessToken> loaded;
    try {
      loaded = store.load(key);
    } catch (RuntimeException e) {
      RuntimeException error = storeFailure(e, "read");
      if (quiet) {
        log.debug("Could not read {} from the store", key, error);
        return null;
      }
      throw error;
    }
    return usable(loaded, now);
  }

  AccessToken usable(Optional<AccessToken> loaded, long now) {
    if (loaded == null || loaded.isEmpty()) {
      return null;
    }
    AccessToken t = loaded.get();
    long expiresAt = t.expiresAt().toEpochMilli();
    // The margin scales with the token's real lifetime when it knows its issue time, else applies
    // in full: the remaining life of a stored token says nothing of its lifetime.
    if (expiresAt
                - Timeline.expiryMarginFor(
                    expiresAt, RefreshingCache.issuedAtMillis(t), expiryMarginMillis, now, true)
            <= now
        || t.value().equals(host.rejectedValue())) {
      return null;
    }
    return t;
  }

  /**
   * Whether a usable stored token makes fetching needless: it is not the token whose refresh was
   * asked for (another instance replaced it), or, unless the caller forces a new one, it is not
   * due.
   */
  private boolean isNewerOrFresh(AccessToken stored, String seen, boolean force, long now) {
    if (stored == null) {
      return false;
    }
    if (!stored.value().equals(seen)) {
      return true;
    }
    return !force
        && now < host.dueAtMillis(stored, stored.expiresAt().toEpochMilli() - refreshMarginMillis);
  }
}

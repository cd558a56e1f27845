package io.github.wechatmp.internal.refresh;

import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.WeChatException;
import io.github.wechatmp.WeChatTransportException;
import io.github.wechatmp.internal.Secrets;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.TokenEventListener;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStatus;
import io.github.wechatmp.token.TokenStatus.State;
import io.github.wechatmp.token.TokenStore;
import io.github.wechatmp.token.TokenStore.RefreshLock;
import io.github.wechatmp.token.TokenStoreException;
import io.github.wechatmp.token.TokenUnavailableException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The refresh engine behind every cached WeChat credential (the access token, the jsapi ticket): a
 * lock-free in-memory copy for the hot path, a background refresh when the copy comes due, a
 * blocking single-flight refresh when it is unusable, and cross-process single-flight through a
 * {@link TokenStore}'s refresh lock. Internal: not part of the SDK's API.
 *
 * <p>Thread-safe. Owns one daemon thread, started on demand, on which every refresh and store
 * reconciliation runs, so they are serialized with each other; it ends after a minute with nothing
 * to do, or on {@link #close()}. With the system clock, one daemon thread shared by all caches
 * marks tokens due (see {@link #get()}).
 */
public final class RefreshingCache implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RefreshingCache.class);

  private static final long FIRST_HOLD_OFF_MILLIS = 1_000;

  /**
   * Store outages hold off new attempts briefly only, so that recovery follows the store's within
   * seconds.
   */
  private static final long STORE_HOLD_OFF_MAX_MILLIS = 5_000;

  /** During a hold-off with no usable token, how often the store may still be asked for one. */
  private static final long HOLD_OFF_STORE_CHECK_MILLIS = 1_000;

  /** How often the shared watch marks tokens due, with the system clock. */
  private static final long DUE_WATCH_PERIOD_MILLIS = 1_000;

  private static final ScheduledThreadPoolExecutor DUE_WATCH = newDueWatch();

  /**
   * The least pause between two background refreshes, so a due token that WeChat returns unchanged
   * cannot spin.
   */
  private static final long MIN_PREFETCH_INTERVAL_MILLIS = 10_000;

  /**
   * An immutable view of the held token and the instants at which it becomes due and unusable.
   * {@code fresh} is false for no token, and, with the system clock, once the due watch has seen
   * the token come due. {@code shared} says the store is known to have held this token (it was
   * adopted from there, or saved there), so that its disappearance from the store means an
   * invalidation.
   */
  private static final class Snapshot {
    final AccessToken token;
    final boolean fresh;
    final boolean shared;
    final long dueAtMillis;
    final long staleAtMillis;
    final long expiresAtMillis;

    Snapshot(
        AccessToken token,
        boolean fresh,
        boolean shared,
        long dueAtMillis,
        long staleAtMillis,
        long expiresAtMillis) {
      this.token = token;
      this.fresh = fresh;
      this.shared = shared;
      this.dueAtMillis = dueAtMillis;
      this.staleAtMillis = staleAtMillis;
      this.expiresAtMillis = expiresAtMillis;
    }

    Snapshot withFresh(boolean f) {
      return new Snapshot(token, f, shared, dueAtMillis, staleAtMillis, expiresAtMillis);
    }
  }

  private static final Snapshot EMPTY =
      new Snapshot(null, false, false, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE);

  /** The outcome of the last refresh that failed, until one succeeds. */
  private static final class Failure {
    final RuntimeException error;
    final int consecutive;
    final long notBeforeMillis;
    final String safeMessage;

    Failure(RuntimeException error, int consecutive, long notBeforeMillis, String safeMessage) {
      this.error = error;
      this.consecutive = consecutive;
      this.notBeforeMillis = notBeforeMillis;
      this.safeMessage = safeMessage;
    }
  }

  private static final VarHandle SNAPSHOT;

  static {
    try {
      SNAPSHOT =
          MethodHandles.lookup().findVarHandle(RefreshingCache.class, "snapshot", Snapshot.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final TokenKey key;
  private final TokenStore store;
  private final CredentialFetcher fetcher;
  private final Clock clock;
  private final long refreshMarginMillis;
  private final long expiryMarginMillis;
  private final Duration lockLease;
  private final Duration lockWait;
  private final int maxRetries;
  private final long retryBackoffMillis;
  private final long failureHoldOffMaxMillis;
  private final TokenEventListener listener;
  private final ThreadPoolExecutor executor;

  /**
   * With the system clock, reading it costs more than the rest of {@link #get()} together (about 25
   * ns on a virtual machine), so the hot path reads no clock: a watch shared by all caches looks at
   * the clock every second and marks the token due. Being periodic rather than a one-shot timer, it
   * also catches up within a second after the host was suspended or its clock stepped. With any
   * other clock (tests, users' own), the hot path compares against the clock on every call.
   */
  private final boolean dueWatched;

  private final ScheduledFuture<?> dueWatch;
  private volatile long lastHoldOffStoreCheckMillis = Long.MIN_VALUE;

  @SuppressWarnings("unused") // accessed through SNAPSHOT and read directly on the hot path
  private volatile Snapshot snapshot = EMPTY;

  private final AtomicReference<CompletableFuture<Snapshot>> inFlight = new AtomicReference<>();
  private volatile Failure failure;
  private volatile long lastRefreshAtMillis = Long.MIN_VALUE;
  private volatile String rejectedValue;
  private final AtomicBoolean subscribed = new AtomicBoolean();
  private final AtomicBoolean reconcilePending = new AtomicBoolean();
  private volatile TokenStore.Subscription subscription;
  private volatile boolean closed;

  private RefreshingCache(Builder b) {
    this.key = Objects.requireNonNull(b.key, "key");
    this.store = Objects.requireNonNull(b.store, "store");
    this.fetcher = Objects.requireNonNull(b.fetcher, "fetcher");
    this.clock = Objects.requireNonNull(b.clock, "clock");
    this.refreshMarginMillis = b.refreshMargin.toMillis();
    this.expiryMarginMillis = b.expiryMargin.toMillis();
    this.lockLease = b.lockLease;
    this.lockWait = b.lockWait;
    this.maxRetries = b.maxRetries;
    this.retryBackoffMillis = b.retryBackoff.toMillis();
    this.failureHoldOffMaxMillis = b.failureHoldOffMax.toMillis();
    this.listener = Objects.requireNonNull(b.listener, "listener");
    String threadName = "wechat-refresh-" + key;
    AtomicInteger n = new AtomicInteger();
    this.executor =
        new ThreadPoolExecutor(
            0,
            1,
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, threadName + "-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.dueWatched = clock.getClass() == Clock.systemUTC().getClass();
    this.dueWatch = dueWatched ? DueWatch.start(this) : null;
  }

  private static ScheduledThreadPoolExecutor newDueWatch() {
    ScheduledThreadPoolExecutor e =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "wechat-token-due-watch");
              t.setDaemon(true);
              return t;
            });
    e.setRemoveOnCancelPolicy(true);
    return e;
  }

  /**
   * The periodic check that marks a cache's token due. It holds its cache weakly, so that a cache
   * nobody closed can still be collected; the check then cancels itself.
   */
  private static final class DueWatch implements Runnable {
    private final WeakReference<RefreshingCache> cache;
    private volatile ScheduledFuture<?> future;

    private DueWatch(RefreshingCache cache) {
      this.cache = new WeakReference<>(cache);
    }

    static ScheduledFuture<?> start(RefreshingCache cache) {
      DueWatch w = new DueWatch(cache);
      w.future =
          DUE_WATCH.scheduleWithFixedDelay(
              w, DUE_WATCH_PERIOD_MILLIS, DUE_WATCH_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
      return w.future;
    }

    @Override
    public void run() {
      RefreshingCache c = cache.get();
      if (c == null) {
        ScheduledFuture<?> f = future;
        if (f != null) {
          f.cancel(false);
        }
        return;
      }
      c.markDueIfTime();
    }
  }

  private void markDueIfTime() {
    Snapshot s = snapshot;
    if (s.fresh && clock.millis() >= s.dueAtMillis) {
      SNAPSHOT.compareAndSet(this, s, s.withFresh(false));
    }
  }

  /** Returns a builder; every setting must be given. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the key under which the credential is stored. */
  public TokenKey key() {
    return key;
  }

  /** Returns a usable credential; see {@code AccessTokenProvider#get()} for the contract. */
  public AccessToken get() {
    Snapshot s = snapshot;
    if (s.fresh && (dueWatched || clock.millis() < s.dueAtMillis)) {
      return s.token;
    }
    return getSlow();
  }

  private AccessToken getSlow() {
    ensureOpen();
    subscribeOnce();
    Snapshot s = snapshot;
    long now = clock.millis();
    if (now < s.dueAtMillis) {
      if (!s.fresh && s.token != null) {
        SNAPSHOT.compareAndSet(this, s, s.withFresh(true)); // the wall clock was set back
      }
      return s.token;
    }
    Failure f = failure;
    boolean heldOff = f != null && now < f.notBeforeMillis;
    if (s.token != null && now < s.staleAtMillis) {
      if (!heldOff) {
        startRefresh(false, s.token.value());
      }
      return s.token;
    }
    if (heldOff) {
      // Within the hold-off after a failure: the token while it is valid, else the last error at
      // once, but for a look at the store now and then (another instance may have a token).
      if (s.token != null && now < s.expiresAtMillis) {
        return s.token;
      }
      if (now
          < lastHoldOffStoreCheckMillis
              + HOLD_OFF_STORE_CHECK_MILLIS) { // no overflow from MIN_VALUE
        throw f.error;
      }
      lastHoldOffStoreCheckMillis = now;
    }
    try {
      return await(startRefresh(false, s.token == null ? null : s.token.value())).token;
    } catch (WeChatException e) {
      // A token that has not really expired beats an error, even within the expiry margin.
      Snapshot held = snapshot;
      if (held.token != null && clock.millis() < held.expiresAtMillis) {
        return held.token;
      }
      throw e;
    }
  }

  /**
   * Returns what is known about the credential now. Reads the clock and volatile fields only: no
   * lock, no I/O.
   */
  public TokenStatus status() {
    Snapshot s = snapshot;
    Failure f = failure;
    long now = clock.millis();
    State state =
        s.token == null
            ? State.NONE
            : Timeline.stateAt(s.dueAtMillis, s.staleAtMillis, s.expiresAtMillis, now);
    long last = lastRefreshAtMillis;
    return TokenStatus.of(
        state,
        s.token == null ? null : s.token.expiresAt(),
        last == Long.MIN_VALUE ? null : Instant.ofEpochMilli(last),
        f == null ? 0 : f.consecutive,
        f != null && now < f.notBeforeMillis ? Instant.ofEpochMilli(f.notBeforeMillis) : null,
        f == null ? null : f.safeMessage);
  }

  /**
   * A failure's message as a status may show it: its type and message, with any token value this
   * cache knows of masked (a store of users' own might have put one there).
   */
  private String safeMessage(RuntimeException e) {
    String text = e.getClass().getSimpleName() + ": " + e.getMessage();
    Snapshot s = snapshot;
    if (s.token != null) {
      text = text.replace(s.token.value(), s.token.masked());
    }
    String rejected = rejectedValue;
    if (rejected != null && !rejected.isEmpty()) {
      text = text.replace(rejected, Secrets.mask(rejected));
    }
    return text;
  }

  /**
   * Returns a credential newer than the one held when called; see {@code
   * AccessTokenProvider#refresh()}.
   */
  public AccessToken refresh() {
    ensureOpen();
    subscribeOnce();
    Snapshot before = snapshot;
    String seen = before.token == null ? null : before.token.value();
    Snapshot result = await(startRefresh(true, seen));
    if (result.token != null && seen != null && result.token.value().equals(seen)) {
      // We joined a refresh that started before us and kept the same token: ask once more,
      // ourselves.
      result = await(startRefresh(true, seen));
    }
    return result.token;
  }

  /** Drops {@code rejected} from memory and, if still current there, from the store. */
  public void invalidate(String rejected) {
    if (rejected == null || rejected.isBlank()) {
      return;
    }
    rejectedValue = rejected;
    boolean wasCurrent = false;
    for (; ; ) {
      Snapshot s = snapshot;
      if (s.token == null || !s.token.value().equals(rejected)) {
        break;
      }
      if (SNAPSHOT.compareAndSet(this, s, EMPTY)) {
        wasCurrent = true;
        break;
      }
    }
    boolean deleted = false;
    try {
      deleted = store.deleteIfValue(key, rejected);
    } catch (RuntimeException e) {
      log.warn(
          "Could not remove the rejected token of {} from the store; it will not be adopted again",
          key,
          e);
    }
    log.info(
        "Token of {} was rejected by WeChat: dropped from memory: {}, from the store: {}",
        key,
        wasCurrent,
        deleted);
    boolean dropped = wasCurrent;
    fire(() -> listener.onInvalidated(key, dropped));
  }

  /** Stops the refresh thread and the store subscription. Idempotent. */
  @Override
  public void close() {
    closed = true;
    snapshot = EMPTY; // sends every later get() down the slow path, which refuses
    if (dueWatch != null) {
      dueWatch.cancel(false);
    }
    executor.shutdownNow();
    TokenStore.Subscription sub = subscription;
    if (sub != null) {
      sub.close();
    }
    CompletableFuture<Snapshot> f = inFlight.get();
    if (f != null) {
      f.completeExceptionally(new IllegalStateException("the provider of " + key + " was closed"));
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the provider of " + key + " is closed");
    }
  }

  private CompletableFuture<Snapshot> startRefresh(boolean force, String seen) {
    for (; ; ) {
      CompletableFuture<Snapshot> current = inFlight.get();
      if (current != null) {
        return current;
      }
      CompletableFuture<Snapshot> mine = new CompletableFuture<>();
      if (inFlight.compareAndSet(null, mine)) {
        try {
          executor.execute(() -> runRefresh(mine, force, seen));
        } catch (RejectedExecutionException e) {
          inFlight.compareAndSet(mine, null);
          mine.completeExceptionally(
              new IllegalStateException("the provider of " + key + " is closed"));
        }
        return mine;
      }
    }
  }

  private void runRefresh(CompletableFuture<Snapshot> mine, boolean force, String seen) {
    Snapshot result = null;
    Throwable error = null;
    try {
      result = refreshNow(force, seen);
      if (result.token == null) {
        // install() backed out: close() or invalidate() won the race. Never hand out "no token".
        throw closed
            ? new IllegalStateException("the provider of " + key + " was closed")
            : new TokenUnavailableException(
                "The token of "
                    + key
                    + " was invalidated while it was being "
                    + "refreshed; ask again",
                null);
      }
    } catch (Throwable t) {
      error = t;
    } finally {
      inFlight.compareAndSet(mine, null);
    }
    if (error == null) {
      mine.complete(result);
    } else {
      mine.completeExceptionally(error);
    }
  }

  /** One refresh, on the refresh thread: the store first, then the lock, then WeChat. */
  private Snapshot refreshNow(boolean force, String seen) throws InterruptedException {
    Snapshot held = snapshot;
    long now = clock.millis();
    if (!force) {
      AccessToken stored = loadUsable(now, true);
      if (isNewerOrFresh(stored, seen, false, now)) {
        return adopt(stored);
      }
    }
    Failure f = failure;
    if (f != null && now < f.notBeforeMillis) {
      if (!force && held.token != null && now < held.expiresAtMillis) {
        return held;
      }
      throw f.error;
    }

    Optional<RefreshLock> lock;
    try {
      lock = store.tryLock(key, lockLease, lockWait);
    } catch (RuntimeException e) {
      return afterStoreFailure(storeFailure(e, "lock"), force);
    }
    if (lock.isEmpty()) {
      return afterLockTimeout(force, seen);
    }
    long deadlineNanos =
        System.nanoTime() + lockLease.toNanos() - Math.min(1_000_000_000L, lockLease.toNanos() / 5);
    RefreshLock refreshLock = lock.get();
    try {
      now = clock.millis();
      AccessToken stored;
      try {
        stored = loadUsable(now, false);
      } catch (TokenStoreException e) {
        return afterStoreFailure(e, force);
      }
      if (isNewerOrFresh(stored, seen, force, now)) {
        return adopt(stored);
      }
      return fetchAndSave(force, deadlineNanos);
    } finally {
      refreshLock.close();
    }
  }

  /**
   * Never fetch without the store's lock: serve what is still valid (unless the caller demanded a
   * new token), or fail naming the store. Either way further attempts are held off for a few
   * seconds, so an unreachable store is not asked again on every call.
   */
  private Snapshot afterStoreFailure(TokenStoreException e, boolean force) {
    Snapshot held = snapshot;
    boolean serveHeld = !force && held.token != null && clock.millis() < held.expiresAtMillis;
    TokenUnavailableException error =
        new TokenUnavailableException(
            "The token store failed while refreshing "
                + key
                + (serveHeld ? "" : " and no valid token is held")
                + ": "
                + e.getMessage(),
            e);
    recordFailure(error, STORE_HOLD_OFF_MAX_MILLIS);
    if (serveHeld) {
      return held;
    }
    throw error;
  }

  private Snapshot afterLockTimeout(boolean force, String seen) {
    long now = clock.millis();
    AccessToken stored = loadUsable(now, true);
    if (stored != null && !(force && stored.value().equals(seen))) {
      return adopt(stored);
    }
    Snapshot held = snapshot;
    if (!force && held.token != null && now < held.expiresAtMillis) {
      log.warn(
          "Timed out after {} ms waiting for the refresh lock of {}; serving the token held until it expires at {}",
          lockWait.toMillis(),
          key,
          held.token.expiresAt());
      return held;
    }
    TokenUnavailableException error =
        new TokenUnavailableException(
            "Timed out after "
                + lockWait.toMillis()
                + " ms waiting for the refresh lock of "
                + key
                + ", held by another instance, and "
                + (force ? "no newer token appeared" : "no valid token is held"),
            null);
    recordFailure(error, STORE_HOLD_OFF_MAX_MILLIS);
    throw error;
  }

  /**
   * Any failure of the store, whatever a store of users' own throws, as a {@link
   * TokenStoreException}.
   */
  private TokenStoreException storeFailure(RuntimeException e, String operation) {
    if (e instanceof TokenStoreException) {
      return (TokenStoreException) e;
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

  private Snapshot fetchAndSave(boolean force, long deadlineNanos) throws InterruptedException {
    long started = System.nanoTime();
    AccessToken fetched;
    try {
      fetched = fetchWithRetries(force, deadlineNanos);
    } catch (RuntimeException e) {
      recordFailure(e, failureHoldOffMaxMillis);
      throw e;
    }
    failure = null;
    lastRefreshAtMillis = clock.millis();
    if (fetched.value().equals(rejectedValue)) {
      rejectedValue = null; // WeChat has just issued it: whatever was rejected, this one is good
    }
    Duration latency = Duration.ofNanos(System.nanoTime() - started);
    log.info("Fetched a new token for {} in {} ms: {}", key, latency.toMillis(), fetched);
    if (System.nanoTime() - deadlineNanos > 0) {
      // The lease may have lapsed while fetching, and another instance fetched since: its token,
      // being newer, voids ours, so keep to it rather than overwrite it.
      AccessToken stored = loadUsable(clock.millis(), true);
      if (stored != null && stored.expiresAt().isAfter(fetched.expiresAt())) {
        log.warn(
            "The refresh lock of {} lapsed while fetching; adopting the newer token another instance saved",
            key);
        return adopt(stored);
      }
    }
    boolean saved = false;
    try {
      store.save(key, fetched);
      saved = true;
    } catch (RuntimeException e) {
      log.warn(
          "Could not save the new token of {} to the store; serving it from memory only",
          key,
          storeFailure(e, "save"));
    }
    Snapshot s = install(fetched, saved);
    fire(() -> listener.onFetched(key, fetched, latency));
    return s;
  }

  private AccessToken fetchWithRetries(boolean force, long deadlineNanos)
      throws InterruptedException {
    for (int attempt = 0; ; attempt++) {
      long remaining = deadlineNanos - System.nanoTime();
      if (remaining <= 0) {
        throw new WeChatTransportException(
            "No time left within the refresh lock's lease of "
                + lockLease.toMillis()
                + " ms to ask WeChat for "
                + key,
            null);
      }
      try {
        return fetcher.fetch(force, Duration.ofNanos(remaining));
      } catch (WeChatApiException e) {
        if (!e.isRetryable() || attempt >= maxRetries) {
          throw e;
        }
        log.debug("WeChat was busy issuing {} (attempt {}); retrying", key, attempt + 1);
      } catch (WeChatTransportException e) {
        if (attempt >= maxRetries) {
          throw e;
        }
        log.debug(
            "Could not reach WeChat for {} (attempt {}): {}; retrying",
            key,
            attempt + 1,
            e.getMessage());
      }
      long cap = retryBackoffMillis << Math.min(attempt, 16);
      long pause = cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
      long pauseNanos =
          Math.min(TimeUnit.MILLISECONDS.toNanos(pause), deadlineNanos - System.nanoTime());
      if (pauseNanos > 0) {
        TimeUnit.NANOSECONDS.sleep(pauseNanos);
      }
    }
  }

  private void recordFailure(RuntimeException e, long holdOffMaxMillis) {
    Failure previous = failure;
    int consecutive = previous == null ? 1 : previous.consecutive + 1;
    long holdOff =
        Math.min(
            Math.min(failureHoldOffMaxMillis, holdOffMaxMillis),
            FIRST_HOLD_OFF_MILLIS << Math.min(consecutive - 1, 20));
    failure = new Failure(e, consecutive, clock.millis() + holdOff, safeMessage(e));
    log.warn(
        "Refreshing {} failed ({} in a row); no new attempt for {} ms: {}",
        key,
        consecutive,
        holdOff,
        e.getMessage());
    fire(() -> listener.onRefreshFailed(key, e, consecutive));
  }

  private Snapshot adopt(AccessToken stored) {
    Snapshot held = snapshot;
    if (held.token != null && held.token.equals(stored)) {
      return held;
    }
    log.debug("Adopted the token of {} from the store: {}", key, stored);
    failure = null; // another instance succeeded: this one's hold-off no longer protects anything
    lastRefreshAtMillis = clock.millis();
    Snapshot s = install(stored, true);
    fire(() -> listener.onAdopted(key, stored));
    return s;
  }

  /**
   * Makes {@code token} the one served. Runs on the refresh thread; {@link #invalidate} and {@link
   * #close} may race with it, so it re-checks them after writing and backs out.
   *
   * @param shared whether the store holds this token (adopted from it, or saved to it)
   */
  private Snapshot install(AccessToken token, boolean shared) {
    long now = clock.millis();
    long expiresAt = token.expiresAt().toEpochMilli();
    long lifetime = Math.max(0, expiresAt - now);
    long expiryMargin = Math.min(expiryMarginMillis, lifetime / 4);
    long refreshMargin = Math.max(expiryMargin, Math.min(refreshMarginMillis, lifetime / 2));
    long staleAt = expiresAt - expiryMargin;
    long dueAt = expiresAt - refreshMargin;
    Snapshot current = snapshot;
    if (current.token != null
        && current.token.value().equals(token.value())
        && now >= current.dueAtMillis) {
      // WeChat (the stable endpoint) handed back the token we already held: do not ask again at
      // once.
      dueAt = Math.min(staleAt, Math.max(dueAt, now + MIN_PREFETCH_INTERVAL_MILLIS));
    }
    Snapshot s = new Snapshot(token, true, shared, dueAt, staleAt, expiresAt);
    snapshot = s;
    // close() and invalidate() write their flag before their own snapshot change, so one of the two
    // sides always sees the other: either they replaced s, or s is backed out here.
    if (closed || token.value().equals(rejectedValue)) {
      SNAPSHOT.compareAndSet(this, s, EMPTY);
      return EMPTY;
    }
    return s;
  }

  /**
   * Returns the stored token if it may be served: not within the expiry margin, and not the one
   * last reported as rejected. With {@code quiet}, a store failure reads as no token.
   */
  private AccessToken loadUsable(long now, boolean quiet) {
    Optional<AccessToken> loaded;
    try {
      loaded = store.load(key);
    } catch (RuntimeException e) {
      TokenStoreException failure = storeFailure(e, "read");
      if (quiet) {
        log.debug("Could not read {} from the store", key, failure);
        return null;
      }
      throw failure;
    }
    return usable(loaded, now);
  }

  private AccessToken usable(Optional<AccessToken> loaded, long now) {
    if (loaded == null || loaded.isEmpty()) {
      return null;
    }
    AccessToken t = loaded.get();
    // The full expiry margin applies: the stored token's original lifetime is unknown here.
    if (t.expiresAt().toEpochMilli() - expiryMarginMillis <= now
        || t.value().equals(rejectedValue)) {
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
    return !force && now < stored.expiresAt().toEpochMilli() - refreshMarginMillis;
  }

  private Snapshot await(CompletableFuture<Snapshot> future) {
    long boundMillis = lockWait.toMillis() + 2 * lockLease.toMillis() + 5_000;
    try {
      return future.get(boundMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TokenUnavailableException("Interrupted while waiting for the token of " + key, e);
    } catch (TimeoutException e) {
      throw new TokenUnavailableException(
          "No token for " + key + " after waiting " + boundMillis + " ms", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      if (cause instanceof InterruptedException) {
        throw new TokenUnavailableException("The refresh of " + key + " was interrupted", cause);
      }
      throw new WeChatException("Refreshing " + key + " failed", cause);
    }
  }

  private void subscribeOnce() {
    if (subscribed.get() || !subscribed.compareAndSet(false, true)) {
      return;
    }
    try {
      executor.execute(
          () -> {
            try {
              subscription = store.subscribe(key, this::onStoreChanged);
              if (closed) {
                subscription.close();
              }
            } catch (RuntimeException e) {
              log.warn(
                  "Could not subscribe to changes of {} in the store; other instances' invalidations "
                      + "will be seen only when this instance's token comes due",
                  key,
                  e);
            }
          });
    } catch (RejectedExecutionException e) {
      // closed meanwhile
    }
  }

  private void onStoreChanged() {
    if (closed || !reconcilePending.compareAndSet(false, true)) {
      return;
    }
    try {
      executor.execute(this::reconcile);
    } catch (RejectedExecutionException e) {
      reconcilePending.set(false);
    }
  }

  /** Brings memory in line with the store after another party saved or deleted the entry. */
  private void reconcile() {
    reconcilePending.set(false);
    Snapshot held = snapshot;
    Optional<AccessToken> loaded;
    try {
      loaded = store.load(key);
    } catch (RuntimeException e) {
      log.debug("Could not read {} from the store after a change notification", key, e);
      return;
    }
    if (loaded == null || loaded.isEmpty()) {
      // Only a token the store held can have been removed from it; one this instance could not save
      // is still good, and a spurious notification must not cost a fetch.
      if (held.token != null && held.shared && SNAPSHOT.compareAndSet(this, held, EMPTY)) {
        log.info(
            "The token of {} was removed from the store by another instance; dropped it from memory",
            key);
        fire(() -> listener.onInvalidated(key, true));
      }
      return;
    }
    AccessToken stored = usable(loaded, clock.millis());
    if (stored != null && (held.token == null || !held.token.value().equals(stored.value()))) {
      adopt(stored);
    }
  }

  private void fire(Runnable event) {
    try {
      event.run();
    } catch (RuntimeException e) {
      log.warn("A token event listener of {} failed", key, e);
    }
  }

  /** What a {@link RefreshingCache} is made of: its key, how to fetch, and the shared options. */
  public static final class Builder {
    TokenKey key;
    CredentialFetcher fetcher;
    TokenStore store;
    Clock clock;
    Duration refreshMargin;
    Duration expiryMargin;
    Duration lockLease;
    Duration lockWait;
    int maxRetries;
    Duration retryBackoff;
    Duration failureHoldOffMax;
    TokenEventListener listener;

    Builder() {}

    /** The store key. */
    public Builder key(TokenKey v) {
      key = v;
      return this;
    }

    /** How to ask WeChat. */
    public Builder fetcher(CredentialFetcher v) {
      fetcher = v;
      return this;
    }

    /** Copies the options as they are now; a later change to them does not reach this cache. */
    public Builder options(RefreshOptions o) {
      store = o.store == null ? new InMemoryTokenStore() : o.store;
      clock = o.clock;
      refreshMargin = o.refreshMargin;
      expiryMargin = o.expiryMargin;
      lockLease = o.lockLease;
      lockWait = o.lockWait;
      maxRetries = o.maxRetries;
      retryBackoff = o.retryBackoff;
      failureHoldOffMax = o.failureHoldOffMax;
      listener = o.listener;
      return this;
    }

    /** Makes the cache; does no I/O. */
    public RefreshingCache build() {
      return new RefreshingCache(this);
    }
  }
}

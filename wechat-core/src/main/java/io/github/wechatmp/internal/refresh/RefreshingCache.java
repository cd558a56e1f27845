package io.github.wechatmp.internal.refresh;

import io.github.wechatmp.WeChatException;
import io.github.wechatmp.internal.Secrets;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The refresh engine behind every cached WeChat credential (the access token, the jsapi ticket): a
 * lock-free in-memory copy for the hot path, a background refresh when the copy comes due, a
 * blocking single-flight refresh when it is unusable, and cross-process single-flight through a
 * store's refresh lock ({@link SharedSlot}). Generic in its credential {@code T}, so that it
 * depends on no API package: the API package that builds one says what its credential, store,
 * settings and events are. Internal: not part of the SDK's API.
 *
 * <p>Thread-safe. Owns no thread: its refreshes and store reconciliations run one at a time on the
 * {@link Scheduler}'s bounded pool, shared by every cache of the JVM, and one wake-up per cache, at
 * the held token's due time, starts the background refresh whether or not anyone calls {@link
 * #get()}.
 */
public final class RefreshingCache<T> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RefreshingCache.class);

  /** During a hold-off with no usable token, how often the store may still be asked for one. */
  private static final long HOLD_OFF_STORE_CHECK_MILLIS = 1_000;

  /**
   * The least pause between two background refreshes, so a due token that WeChat returns unchanged
   * cannot spin.
   */
  private static final long MIN_PREFETCH_INTERVAL_MILLIS = 10_000;

  /**
   * An immutable view of the held token and the instants at which it becomes due and unusable.
   * {@code fresh} is false for no token, and once the wake-up at the due time has run: the hot path
   * reads this flag and no clock. {@code shared} says the store is known to have held this token
   * (it was adopted from there, or saved there), so that its disappearance from the store means an
   * invalidation.
   */
  static final class Snapshot<T> {
    final T token;
    final boolean fresh;
    final boolean shared;
    final long dueAtMillis;
    final long staleAtMillis;
    final long expiresAtMillis;

    /** Completed with {@link #token}: what {@code getAsync()} returns on the hot path. */
    final CompletableFuture<T> completed;

    Snapshot(
        T token,
        boolean fresh,
        boolean shared,
        long dueAtMillis,
        long staleAtMillis,
        long expiresAtMillis,
        CompletableFuture<T> completed) {
      this.token = token;
      this.fresh = fresh;
      this.shared = shared;
      this.dueAtMillis = dueAtMillis;
      this.staleAtMillis = staleAtMillis;
      this.expiresAtMillis = expiresAtMillis;
      this.completed = completed;
    }

    Snapshot<T> withFresh(boolean f) {
      return new Snapshot<>(
          token, f, shared, dueAtMillis, staleAtMillis, expiresAtMillis, completed);
    }

    Snapshot<T> asShared() {
      return new Snapshot<>(
          token, fresh, true, dueAtMillis, staleAtMillis, expiresAtMillis, completed);
    }
  }

  @SuppressWarnings("rawtypes") // one empty snapshot for every credential type: it holds none
  private static final Snapshot EMPTY =
      new Snapshot<>(null, false, false, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, null);

  @SuppressWarnings("unchecked") // EMPTY holds no credential
  private static <T> Snapshot<T> empty() {
    return (Snapshot<T>) EMPTY;
  }

  /** The outcome of the last refresh that failed, until one succeeds. */
  static final class Failure {
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
  private static final VarHandle IN_FLIGHT;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      SNAPSHOT = l.findVarHandle(RefreshingCache.class, "snapshot", Snapshot.class);
      IN_FLIGHT = l.findVarHandle(RefreshingCache.class, "inFlight", CompletableFuture.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Object key; // its toString() names it in logs and messages
  private final CredentialType<T> type;
  private final SharedRefresh<T> protocol;
  private final StoreWatcher<T> watcher;
  private final SharedSlot<T> store;
  private final CredentialFetcher<T> fetcher;
  private final Clock clock;
  private final Settings policy;
  private final RefreshEvents<T> listener;
  private final Scheduler scheduler;
  private final SerialExecutor executor;
  private final WakeUp wakeUpTask = new WakeUp(this);

  /**
   * Reading the system clock costs more than the rest of {@link #get()} together (about 25 ns on a
   * virtual machine), so the hot path reads no clock: this one-shot wake-up, at the held token's
   * due time, marks it due and starts the background refresh (or, after a failure, retries at the
   * end of the hold-off). Guarded by {@code this}.
   */
  private Scheduler.Cancellable wakeUp = Scheduler.NONE;

  private volatile long lastHoldOffStoreCheckMillis = Long.MIN_VALUE;

  @SuppressWarnings("unused") // accessed through SNAPSHOT and read directly on the hot path
  private volatile Snapshot<T> snapshot = empty();

  @SuppressWarnings("unused") // accessed through IN_FLIGHT; a field, not an AtomicReference, to
  // keep an idle cache small (10,000 accounts in one JVM)
  private volatile CompletableFuture<Snapshot<T>> inFlight;

  private volatile Failure failure;
  private volatile long lastRefreshAtMillis = Long.MIN_VALUE;
  private volatile String rejectedValue;

  private volatile boolean closed;

  /** When a rejection last dropped the held token, making way for a re-fetch. */
  private volatile long lastRejectionRefetchMillis = Long.MIN_VALUE;

  /** Rejections bounded since then; for the log only. */
  private volatile int boundedRejections;

  /** A token fetched while the store could not take it, to be saved when it answers; or null. */
  private volatile T unsaved;

  /**
   * Whether every {@code get()} reads the clock. The shared scheduler's wake-ups follow the system
   * clock, so the hot path may trust the snapshot only under it (or under a scheduler bound to the
   * clock, as tests bind one). A clock of the application's own (a test's manual clock shared with
   * a stand-in WeChat, say) can jump at any moment; a token it made expired must not be served
   * until the next wake-up notices, so such an engine checks the clock on every call.
   */
  private final boolean readsClock;

  private static boolean isSystemClock(Clock clock) {
    return clock.getClass() == Clock.systemUTC().getClass();
  }

  private RefreshingCache(Builder<T> b) {
    this.key = Objects.requireNonNull(b.key, "key");
    this.type = Objects.requireNonNull(b.type, "type");
    this.store = Objects.requireNonNull(b.store, "store");
    this.fetcher = Objects.requireNonNull(b.fetcher, "fetcher");
    this.clock = Objects.requireNonNull(b.clock, "clock");
    this.policy = Objects.requireNonNull(b.settings, "settings");
    this.listener = Objects.requireNonNull(b.events, "events");
    this.scheduler = Scheduler.forClock(clock);
    this.readsClock = scheduler == SharedScheduler.INSTANCE && !isSystemClock(clock);
    this.executor = new SerialExecutor(scheduler);
    Host host = new Host();
    this.watcher = new StoreWatcher<>(key, store, scheduler, executor, host);
    this.protocol =
        new SharedRefresh<>(
            key,
            type,
            store,
            clock,
            policy.refreshMargin.toMillis(),
            policy.expiryMargin.toMillis(),
            policy.lockLease,
            policy.lockWait,
            Retrier.of(
                key, fetcher, policy.maxRetries, policy.retryBackoff.toMillis(), policy.lockLease),
            host);
  }

  /** What the shared-refresh protocol and the store watcher do to this cache. */
  private final class Host implements SharedRefresh.Host<T>, StoreWatcher.Target<T> {
    @Override
    public boolean closed() {
      return closed;
    }

    @Override
    public void storeChanged(Optional<T> loaded, boolean afterReconnect) {
      reconcile(loaded, afterReconnect);
    }

    @Override
    public Snapshot<T> held() {
      return snapshot;
    }

    @Override
    public Failure failure() {
      return failure;
    }

    @Override
    public String rejectedValue() {
      return rejectedValue;
    }

    @Override
    public Snapshot<T> adopt(T stored) {
      return RefreshingCache.this.adopt(stored);
    }

    @Override
    public void storeAnswered() {
      RefreshingCache.this.storeAnswered();
    }

    @Override
    public void fetchSucceeded(T fetched) {
      failuresEnded();
      failure = null;
      lastRefreshAtMillis = clock.millis();
      if (type.value(fetched).equals(rejectedValue)) {
        rejectedValue = null; // WeChat has just issued it: whatever was rejected, this one is good
      }
    }

    @Override
    public Snapshot<T> installFetched(T fetched, boolean saved, Duration latency) {
      Snapshot<T> s = install(fetched, saved, false);
      unsaved = saved ? null : fetched;
      if (!saved) {
        scheduleLateSave(1);
      }
      fire(() -> listener.onFetched(fetched, latency));
      return s;
    }

    @Override
    public void recordFailure(RuntimeException error, long capMillis) {
      RefreshingCache.this.recordFailure(error, capMillis);
    }

    @Override
    public void holdOffShared(SharedSlot.HoldOffRecord holdOff, RuntimeException error) {
      long notBefore = holdOff.notBeforeMillis;
      failure = new Failure(error, holdOff.failures, notBefore, safeMessage(error));
      if (snapshot.token != null) {
        wakeUpAt(notBefore);
      }
      log.debug("Honouring the hold-off of {} another instance recorded: {}", key, holdOff);
    }
  }

  /**
   * The wake-up of one cache. It holds its cache weakly, so that a cache nobody closed can still be
   * collected; its pending wake-up then does nothing.
   */
  private static final class WakeUp extends WeakReference<RefreshingCache<?>> implements Runnable {
    WakeUp(RefreshingCache<?> cache) {
      super(cache);
    }

    @Override
    public void run() {
      RefreshingCache<?> c = get();
      if (c != null) {
        c.onWakeUp();
      }
    }
  }

  /** Arms the one wake-up of this cache for {@code atMillis}, replacing any armed before. */
  private void wakeUpAt(long atMillis) {
    synchronized (this) {
      wakeUp.cancel();
      if (closed) {
        wakeUp = Scheduler.NONE;
        return;
      }
      wakeUp = scheduler.schedule(wakeUpTask, atMillis - clock.millis());
    }
  }

  /** The token came due, or a hold-off ended: refresh in the background, proactively. */
  private void onWakeUp() {
    if (closed) {
      return;
    }
    Snapshot<T> s = snapshot;
    if (s.token == null) {
      return; // invalidated or never fetched: the next get() fetches
    }
    long now = clock.millis();
    if (now < s.dueAtMillis) {
      wakeUpAt(s.dueAtMillis); // early: the clock was set back
      return;
    }
    if (s.fresh) {
      SNAPSHOT.compareAndSet(this, s, s.withFresh(false));
    }
    Failure f = failure;
    if (f != null && now < f.notBeforeMillis) {
      wakeUpAt(f.notBeforeMillis);
      return;
    }
    startRefresh(false, type.value(s.token));
  }

  /** How long a caller waits for a refresh at most: the lock's wait, two leases, and 5 s. */
  private long waitBoundMillis() {
    return policy.lockWait.toMillis() + 2 * policy.lockLease.toMillis() + 5_000;
  }

  /** Returns a builder; every setting must be given. */
  public static <T> Builder<T> builder() {
    return new Builder<>();
  }

  /** Returns the name of the key under which the credential is stored, for messages. */
  public Object key() {
    return key;
  }

  /** Returns a usable credential; see {@code AccessTokenProvider#get()} for the contract. */
  public T get() {
    Snapshot<T> s = snapshot;
    if (s.fresh && !readsClock) {
      return s.token;
    }
    return getSlow();
  }

  /**
   * Returns a future of what {@link #get()} would return; see {@code
   * AccessTokenProvider#getAsync()}. Never blocks; allocates nothing while the token is fresh.
   */
  public CompletableFuture<T> getAsync() {
    Snapshot<T> s = snapshot;
    if (s.fresh && !readsClock) {
      return s.completed;
    }
    return getAsyncSlow();
  }

  /** {@link #getSlow()}'s decisions, without the waiting. */
  private CompletableFuture<T> getAsyncSlow() {
    if (closed) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("the provider of " + key + " is closed"));
    }
    watcher.start();
    Snapshot<T> s = snapshot;
    Snapshot<T> served;
    try {
      served = withoutWaiting(s, clock.millis());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (served != null) {
      return served.completed;
    }
    CompletableFuture<Snapshot<T>> refresh =
        startRefresh(false, s.token == null ? null : type.value(s.token));
    CompletableFuture<T> result = new CompletableFuture<>();
    long boundMillis = waitBoundMillis();
    Scheduler.Cancellable timeout = timeoutAt(result, clock.millis() + boundMillis, boundMillis);
    refresh.whenComplete(
        (done, error) -> {
          timeout.cancel();
          if (error == null) {
            result.complete(done.token);
            return;
          }
          Throwable cause = asThrown(error);
          Snapshot<T> held = snapshot;
          if (cause instanceof WeChatException
              && held.token != null
              && clock.millis() < held.expiresAtMillis) {
            result.complete(held.token); // a token that has not really expired beats an error
          } else {
            result.completeExceptionally(cause);
          }
        });
    return result;
  }

  /**
   * Fails {@code result} at {@code atMillis} by the clock, unless it completed before; rechecks the
   * clock when run, since the scheduler may run it early.
   */
  private Scheduler.Cancellable timeoutAt(
      CompletableFuture<T> result, long atMillis, long boundMillis) {
    return scheduler.schedule(
        () -> {
          long left = atMillis - clock.millis();
          if (result.isDone()) {
            return;
          }
          if (left > 0) {
            timeoutAt(result, atMillis, boundMillis);
          } else {
            result.completeExceptionally(
                type.unavailable(
                    "No token for " + key + " after waiting " + boundMillis + " ms", null));
          }
        },
        atMillis - clock.millis());
  }

  /**
   * The decisions of {@code get()} and {@code getAsync()} off the hot path, short of waiting:
   * returns the snapshot whose token to serve at once (starting a background refresh of a due
   * token), or null when the caller must wait for the refresh this started. Within the hold-off
   * after a failure it serves a token that has not really expired, else throws the last error at
   * once, but for a look at the store now and then (another instance may have a token).
   */
  private Snapshot<T> withoutWaiting(Snapshot<T> s, long now) {
    if (now < s.dueAtMillis) {
      if (!s.fresh && s.token != null && SNAPSHOT.compareAndSet(this, s, s.withFresh(true))) {
        wakeUpAt(s.dueAtMillis); // the wall clock was set back
      }
      return s;
    }
    Failure f = failure;
    boolean heldOff = f != null && now < f.notBeforeMillis;
    if (s.token != null && now < s.staleAtMillis) {
      if (!heldOff) {
        startRefresh(false, type.value(s.token));
      }
      return s;
    }
    if (heldOff) {
      if (s.token != null && now < s.expiresAtMillis) {
        return s;
      }
      if (now < lastHoldOffStoreCheckMillis + HOLD_OFF_STORE_CHECK_MILLIS) { // no overflow from MIN
        throw f.error;
      }
      lastHoldOffStoreCheckMillis = now;
    }
    return null;
  }

  private T getSlow() {
    ensureOpen();
    watcher.start();
    Snapshot<T> s = snapshot;
    Snapshot<T> served;
    try {
      served = withoutWaiting(s, clock.millis());
    } catch (RuntimeException heldOff) {
      throw onCallersStack(heldOff);
    }
    if (served != null) {
      return served.token;
    }
    try {
      return await(startRefresh(false, s.token == null ? null : type.value(s.token))).token;
    } catch (WeChatException e) {
      // A token that has not really expired beats an error, even within the expiry margin.
      Snapshot<T> held = snapshot;
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
  public Status status() {
    Snapshot<T> s = snapshot;
    Failure f = failure;
    long now = clock.millis();
    Phase state =
        s.token == null
            ? Phase.NONE
            : Timeline.stateAt(s.dueAtMillis, s.staleAtMillis, s.expiresAtMillis, now);
    long last = lastRefreshAtMillis;
    return new Status(
        state,
        s.token == null ? null : type.expiresAt(s.token),
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
    Snapshot<T> s = snapshot;
    if (s.token != null) {
      text = text.replace(type.value(s.token), type.masked(s.token));
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
  public T refresh() {
    ensureOpen();
    watcher.start();
    Snapshot<T> before = snapshot;
    String seen = before.token == null ? null : type.value(before.token);
    Snapshot<T> result = await(startRefresh(true, seen));
    if (result.token != null && seen != null && type.value(result.token).equals(seen)) {
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
    Snapshot<T> current = snapshot;
    if (current.token != null && type.value(current.token).equals(rejected)) {
      long now = clock.millis();
      long interval = policy.rejectionRefetchInterval.toMillis();
      long last = lastRejectionRefetchMillis;
      if (interval > 0 && last != Long.MIN_VALUE && now >= last && now < last + interval) {
        // Bounded: the token fetched after the last rejection is rejected too; fetching again at
        // once would spend a fetch per API call on a reset secret or a rejecting proxy.
        int n = ++boundedRejections;
        if (n == 1 || Integer.bitCount(n) == 1) {
          log.warn(
              "WeChat rejected the token of {} again within {} ms of the last re-fetch (by this "
                  + "instance or another); keeping it until then ({} such rejections)",
              key,
              interval,
              n);
        }
        return;
      }
      lastRejectionRefetchMillis = now;
      boundedRejections = 0;
    }
    rejectedValue = rejected;
    boolean wasCurrent = false;
    for (; ; ) {
      Snapshot<T> s = snapshot;
      if (s.token == null || !type.value(s.token).equals(rejected)) {
        break;
      }
      if (SNAPSHOT.compareAndSet(this, s, EMPTY)) {
        wasCurrent = true;
        break;
      }
    }
    boolean deleted = false;
    try {
      deleted = store.deleteIfValue(rejected);
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
    fire(() -> listener.onInvalidated(dropped));
  }

  /** Stops the refresh thread and the store subscription. Idempotent. */
  @Override
  public void close() {
    closed = true;
    snapshot = empty(); // sends every later get() down the slow path, which refuses
    synchronized (this) {
      wakeUp.cancel();
      wakeUp = Scheduler.NONE;
    }
    watcher.close();
    CompletableFuture<Snapshot<T>> f = inFlight;
    if (f != null) {
      f.completeExceptionally(new IllegalStateException("the provider of " + key + " was closed"));
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the provider of " + key + " is closed");
    }
  }

  private CompletableFuture<Snapshot<T>> startRefresh(boolean force, String seen) {
    for (; ; ) {
      CompletableFuture<Snapshot<T>> current = inFlight;
      if (current != null) {
        return current;
      }
      CompletableFuture<Snapshot<T>> mine = new CompletableFuture<>();
      if (IN_FLIGHT.compareAndSet(this, null, mine)) {
        executor.execute(() -> runRefresh(mine, force, seen));
        return mine;
      }
    }
  }

  private void runRefresh(CompletableFuture<Snapshot<T>> mine, boolean force, String seen) {
    Snapshot<T> result = null;
    Throwable error = null;
    try {
      if (closed) {
        throw new IllegalStateException("the provider of " + key + " is closed");
      }
      result = protocol.run(force, seen);
      if (result.token == null) {
        // install() backed out: close() or invalidate() won the race. Never hand out "no token".
        throw closed
            ? new IllegalStateException("the provider of " + key + " was closed")
            : type.unavailable(
                "The token of "
                    + key
                    + " was invalidated while it was being "
                    + "refreshed; ask again",
                null);
      }
    } catch (Throwable t) {
      error = t;
    } finally {
      IN_FLIGHT.compareAndSet(this, mine, null);
    }
    if (error == null) {
      mine.complete(result);
    } else {
      mine.completeExceptionally(error);
    }
  }

  private void recordFailure(RuntimeException e, long holdOffMaxMillis) {
    Failure previous = failure;
    int consecutive = previous == null ? 1 : previous.consecutive + 1;
    long holdOff =
        HoldOff.millis(
            consecutive, Math.min(policy.failureHoldOffMax.toMillis(), holdOffMaxMillis));
    long notBefore = clock.millis() + holdOff;
    failure = new Failure(e, consecutive, notBefore, safeMessage(e));
    if (snapshot.token != null) {
      wakeUpAt(notBefore); // retry then, in the background, so that the token does not lapse
    }
    logFailure(e, consecutive, holdOff);
    fire(() -> listener.onRefreshFailed(e, consecutive));
  }

  /** When the store's outage began, by the clock; or MIN_VALUE while the store answers. */
  private volatile long storeOutageSinceMillis = Long.MIN_VALUE;

  /** The last failure logged at WARN, to count identical ones rather than repeat them. */
  private volatile String lastLoggedFailure;

  private volatile int identicalFailures;

  /**
   * Quiet logs: a store outage is one WARN when it starts (and one INFO with its duration when it
   * ends, see {@link #storeAnswered()}); other identical failures in a row are counted, logged at
   * WARN the 1st, 2nd, 4th, 8th... time with their count, else at DEBUG.
   */
  private void logFailure(RuntimeException e, int consecutive, long holdOff) {
    if (store.isStoreFailure(e.getCause())) {
      if (storeOutageSinceMillis == Long.MIN_VALUE) {
        storeOutageSinceMillis = clock.millis();
        log.warn(
            "The token store fails for {}; serving the token held, if any, and trying again every "
                + "few seconds (logged again when it answers): {}",
            key,
            e.getMessage());
      } else {
        log.debug("The token store still fails for {}: {}", key, e.getMessage());
      }
      return;
    }
    String signature = e.getClass().getName() + ": " + safeMessage(e);
    int n = signature.equals(lastLoggedFailure) ? identicalFailures + 1 : 1;
    lastLoggedFailure = signature;
    identicalFailures = n;
    if (Integer.bitCount(n) == 1) {
      log.warn(
          "Refreshing {} failed ({} in a row{}); no new attempt for {} ms: {}",
          key,
          consecutive,
          n > 1 ? ", the same failure " + n + " times" : "",
          holdOff,
          e.getMessage());
    } else {
      log.debug(
          "Refreshing {} failed again ({} in a row, the same failure {} times); no new attempt for {} ms",
          key,
          consecutive,
          n,
          holdOff);
    }
  }

  /** The store answered: ends a store outage, logging its duration once. */
  private void storeAnswered() {
    long since = storeOutageSinceMillis;
    if (since != Long.MIN_VALUE) {
      storeOutageSinceMillis = Long.MIN_VALUE;
      log.info(
          "The token store answers again for {}, after an outage of {} ms",
          key,
          Math.max(0, clock.millis() - since));
    }
  }

  /** A refresh succeeded: ends a run of identical failures, saying how long it was. */
  private void failuresEnded() {
    int n = identicalFailures;
    if (lastLoggedFailure != null) {
      if (n > 1) {
        log.info("Refreshing {} succeeded after the same failure {} times in a row", key, n);
      }
      lastLoggedFailure = null;
      identicalFailures = 0;
    }
  }

  /** Tries, after a growing pause (1 s doubling to 5 s), to save the token the store refused. */
  private void scheduleLateSave(int attempt) {
    long delay = HoldOff.millis(attempt, SharedRefresh.STORE_HOLD_OFF_MAX_MILLIS);
    scheduler.schedule(() -> executor.execute(() -> lateSave(attempt)), delay);
  }

  private void lateSave(int attempt) {
    T t = unsaved;
    Snapshot<T> held = snapshot;
    if (closed
        || t == null
        || held.token == null
        || !type.value(held.token).equals(type.value(t))
        || clock.millis() >= held.expiresAtMillis) {
      if (unsaved == t) {
        unsaved = null; // replaced, invalidated or expired: nothing left worth sharing
      }
      return;
    }
    SharedRefresh.LateSave outcome;
    try {
      outcome = protocol.saveLate(t);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      outcome = SharedRefresh.LateSave.RETRY;
    }
    switch (outcome) {
      case SAVED:
        unsaved = null;
        Snapshot<T> now = snapshot;
        if (now.token == t && !now.shared) {
          SNAPSHOT.compareAndSet(this, now, now.asShared());
        }
        break;
      case ADOPTED:
        unsaved = null;
        break;
      default:
        scheduleLateSave(attempt + 1);
    }
  }

  private Snapshot<T> adopt(T stored) {
    Snapshot<T> held = snapshot;
    if (held.token != null && held.token.equals(stored)) {
      return held;
    }
    log.debug("Adopted the token of {} from the store: {}", key, stored);
    unsaved = null;
    // The store answered with a token: a store outage ends here too, not only when this instance
    // next takes the lock (which may be many refreshes away), so the next outage gets its own WARN.
    storeAnswered();
    failuresEnded();
    failure = null; // another instance succeeded: this one's hold-off no longer protects anything
    lastRefreshAtMillis = clock.millis();
    Snapshot<T> s = install(stored, true, true);
    fire(() -> listener.onAdopted(stored));
    return s;
  }

  /**
   * Makes {@code token} the one served. Runs on the refresh thread; {@link #invalidate} and {@link
   * #close} may race with it, so it re-checks them after writing and backs out.
   *
   * @param shared whether the store holds this token (adopted from it, or saved to it)
   * @param adopted whether it was adopted from the store rather than fetched
   */
  private Snapshot<T> install(T token, boolean shared, boolean adopted) {
    long now = clock.millis();
    Timeline timeline =
        Timeline.of(
            type.expiresAt(token).toEpochMilli(),
            issuedAtMillis(type, token),
            policy.refreshMargin.toMillis(),
            policy.expiryMargin.toMillis(),
            now,
            adopted);
    Snapshot<T> current = snapshot;
    if (current.token != null
        && type.value(current.token).equals(type.value(token))
        && now >= current.dueAtMillis) {
      // WeChat (the stable endpoint) handed back the token we already held: do not ask again at
      // once.
      timeline = timeline.dueNoEarlierThan(now + MIN_PREFETCH_INTERVAL_MILLIS);
    }
    long dueAt = timeline.dueAtMillis;
    long staleAt = timeline.staleAtMillis;
    long expiresAt = timeline.expiresAtMillis;
    Snapshot<T> s =
        new Snapshot<>(
            token,
            now < dueAt,
            shared,
            dueAt,
            staleAt,
            expiresAt,
            current.token == token ? current.completed : SharedFuture.completed(token));
    snapshot = s;
    wakeUpAt(dueAt);
    // close() and invalidate() write their flag before their own snapshot change, so one of the two
    // sides always sees the other: either they replaced s, or s is backed out here.
    if (closed || type.value(token).equals(rejectedValue)) {
      SNAPSHOT.compareAndSet(this, s, EMPTY);
      return empty();
    }
    return s;
  }

  private Snapshot<T> await(CompletableFuture<Snapshot<T>> future) {
    long boundMillis = waitBoundMillis();
    try {
      return future.get(boundMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw type.unavailable("Interrupted while waiting for the token of " + key, e);
    } catch (TimeoutException e) {
      throw type.unavailable("No token for " + key + " after waiting " + boundMillis + " ms", e);
    } catch (ExecutionException e) {
      Throwable cause = asThrown(e.getCause());
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw onCallersStack((RuntimeException) cause);
    }
  }

  /**
   * A failure that happened on another thread (the refresh thread), as the caller throws it: of the
   * same kind, with the caller's own stack, and the failure as its cause.
   */
  private static RuntimeException onCallersStack(RuntimeException e) {
    if (e instanceof WeChatException) {
      return ((WeChatException) e).onCallersStack();
    }
    if (e.getClass() == IllegalStateException.class) {
      return new IllegalStateException(e.getMessage(), e);
    }
    return e;
  }

  /** What a refresh's failure is thrown as: a runtime exception or an error, as it was if it is. */
  private Throwable asThrown(Throwable cause) {
    if (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof RuntimeException || cause instanceof Error) {
      return cause;
    }
    if (cause instanceof InterruptedException) {
      return type.unavailable("The refresh of " + key + " was interrupted", cause);
    }
    return new WeChatException("Refreshing " + key + " failed", cause);
  }

  /** Brings memory in line with the store after another party saved or deleted the entry. */
  private void reconcile(Optional<T> loaded, boolean afterReconnect) {
    Snapshot<T> held = snapshot;
    if (loaded.isEmpty() && afterReconnect) {
      // The store may have lost its data (a Redis restarted without persistence): the token held
      // is still good, and dropping it on every instance at once would cost a fetch each.
      return;
    }
    if (loaded.isEmpty()) {
      // Only a token the store held can have been removed from it; one this instance could not save
      // is still good, and a spurious notification must not cost a fetch.
      if (held.token != null && held.shared && SNAPSHOT.compareAndSet(this, held, EMPTY)) {
        // Only a rejection removes a token from the store: the instance that removed it re-fetches,
        // so this one's rejections are bounded from now as if it had, and the replacement it adopts
        // is not dropped and fetched again here (the bound is shared through the store this way).
        lastRejectionRefetchMillis = clock.millis();
        boundedRejections = 0;
        log.info(
            "The token of {} was removed from the store by another instance; dropped it from memory",
            key);
        fire(() -> listener.onInvalidated(true));
      }
      return;
    }
    T stored = protocol.usable(loaded, clock.millis());
    if (stored != null
        && (held.token == null || !type.value(held.token).equals(type.value(stored)))) {
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

  /** The issue instant of {@code credential} in epoch milliseconds, or {@link Timeline#UNKNOWN}. */
  static <T> long issuedAtMillis(CredentialType<T> type, T credential) {
    Optional<Instant> issued = type.issuedAt(credential);
    return issued.isPresent() ? issued.get().toEpochMilli() : Timeline.UNKNOWN;
  }

  /**
   * What a {@link RefreshingCache} is made of: its key's name, its credential type, how to fetch,
   * the store's slot, the clock, the settings and where events go. Every setting must be given.
   */
  public static final class Builder<T> {
    Object key;
    CredentialType<T> type;
    CredentialFetcher<T> fetcher;
    SharedSlot<T> store;
    Clock clock;
    Settings settings;
    RefreshEvents<T> events;

    Builder() {}

    /** The store key's name, for messages and logs. */
    public Builder<T> key(Object v) {
      key = v;
      return this;
    }

    /** What the credential is. */
    public Builder<T> type(CredentialType<T> v) {
      type = v;
      return this;
    }

    /** How to ask WeChat. */
    public Builder<T> fetcher(CredentialFetcher<T> v) {
      fetcher = v;
      return this;
    }

    /** The key of the store the credential is shared through. */
    public Builder<T> store(SharedSlot<T> v) {
      store = v;
      return this;
    }

    /** The clock that decides expiry. */
    public Builder<T> clock(Clock v) {
      clock = v;
      return this;
    }

    /** The settings. */
    public Builder<T> settings(Settings v) {
      settings = v;
      return this;
    }

    /** Where events go. */
    public Builder<T> events(RefreshEvents<T> v) {
      events = v;
      return this;
    }

    /** Makes the cache; does no I/O. */
    public RefreshingCache<T> build() {
      return new RefreshingCache<>(this);
    }
  }
}

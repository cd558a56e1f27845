package io.github.wechatmp.internal.refresh;

import io.github.wechatmp.WeChatException;
import io.github.wechatmp.internal.Secrets;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.RefreshPolicy;
import io.github.wechatmp.token.TokenEventListener;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStatus;
import io.github.wechatmp.token.TokenStore;
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
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The refresh engine behind every cached WeChat credential (the access token, the jsapi ticket): a
 * lock-free in-memory copy for the hot path, a background refresh when the copy comes due, a
 * blocking single-flight refresh when it is unusable, and cross-process single-flight through the
 * {@link TokenStore}'s refresh lock. A credential kind is the kind of its {@link TokenKey} and its
 * {@link CredentialFetcher}; everything else is the engine's. Internal: not part of the SDK's API.
 *
 * <p>Thread-safe. Owns no thread: its refreshes and store reconciliations run one at a time on the
 * {@link Scheduler}'s bounded pool, shared by every cache of the JVM (or, when a {@link #get()}
 * caller would only wait for them and none is running, on that caller's thread), and one wake-up
 * per cache, at the held token's due time, starts the background refresh whether or not anyone
 * calls {@link #get()}.
 */
public final class RefreshingCache implements AutoCloseable {
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
  static final class Snapshot {
    final AccessToken token;
    final boolean fresh;
    final boolean shared;
    final long dueAtMillis;
    final long staleAtMillis;
    final long expiresAtMillis;

    /** Completed with {@link #token}: what {@code getAsync()} returns on the hot path. */
    final CompletableFuture<AccessToken> completed;

    Snapshot(
        AccessToken token,
        boolean fresh,
        boolean shared,
        long dueAtMillis,
        long staleAtMillis,
        long expiresAtMillis,
        CompletableFuture<AccessToken> completed) {
      this.token = token;
      this.fresh = fresh;
      this.shared = shared;
      this.dueAtMillis = dueAtMillis;
      this.staleAtMillis = staleAtMillis;
      this.expiresAtMillis = expiresAtMillis;
      this.completed = completed;
    }

    /** Where the held token is at {@code nowMillis}: the state every decision starts from. */
    TokenStatus.State stateAt(long nowMillis) {
      return token == null
          ? TokenStatus.State.NONE
          : Timeline.stateAt(dueAtMillis, staleAtMillis, expiresAtMillis, nowMillis);
    }

    Snapshot withFresh(boolean f) {
      return new Snapshot(token, f, shared, dueAtMillis, staleAtMillis, expiresAtMillis, completed);
    }

    Snapshot asShared() {
      return new Snapshot(
          token, fresh, true, dueAtMillis, staleAtMillis, expiresAtMillis, completed);
    }
  }

  @SuppressWarnings("rawtypes") // one empty snapshot for every credential type: it holds none
  private static final Snapshot EMPTY =
      new Snapshot(null, false, false, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, null);

  private static Snapshot empty() {
    return EMPTY;
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

  private final TokenKey key;
  private final SharedRefresh protocol;
  private final StoreWatcher watcher;
  private final TokenStore store;
  private final CredentialFetcher fetcher;
  private final Clock clock;
  private final RefreshPolicy policy;
  private final TokenEventListener listener;
  private final Scheduler scheduler;
  private final SerialExecutor executor;
  private final WakeUp wakeUpTask = new WakeUp(this);
  private final FailureLog failureLog;

  /** The rate and spread of this cache's group's background refreshes, or null for none. */
  private final RefreshAdmission admission;

  /**
   * The token whose background refresh holds a slot of the {@link #admission}, and the slot's
   * instant; guarded by {@code this}.
   */
  private AccessToken admittedFor;

  private long admittedAtMillis;

  /**
   * Reading the system clock costs more than the rest of {@link #get()} together (about 25 ns on a
   * virtual machine), so the hot path reads no clock: this one-shot wake-up, at the held token's
   * due time, marks it due and starts the background refresh (or, after a failure, retries at the
   * end of the hold-off). Guarded by {@code this}.
   */
  private Scheduler.Cancellable wakeUp = Scheduler.NONE;

  private volatile long lastHoldOffStoreCheckMillis = Long.MIN_VALUE;

  @SuppressWarnings("unused") // accessed through SNAPSHOT and read directly on the hot path
  private volatile Snapshot snapshot = empty();

  @SuppressWarnings("unused") // accessed through IN_FLIGHT; a field, not an AtomicReference, to
  // keep an idle cache small (10,000 accounts in one JVM)
  private volatile CompletableFuture<Snapshot> inFlight;

  private volatile Failure failure;
  private volatile long lastRefreshAtMillis = Long.MIN_VALUE;
  private volatile String rejectedValue;

  private volatile boolean closed;

  /** When a rejection last dropped the held token, making way for a re-fetch. */
  private volatile long lastRejectionRefetchMillis = Long.MIN_VALUE;

  /** Rejections bounded since then; for the log only. */
  private volatile int boundedRejections;

  /** A token fetched while the store could not take it, to be saved when it answers; or null. */
  private volatile AccessToken unsaved;

  /**
   * Whether every {@code get()} reads the clock. The shared timer's wake-ups follow the system
   * clock, so the hot path may trust the snapshot only under it, or under a clock that publishes
   * its moves (a test's manual clock), whose wake-ups run as it moves. Any other clock of the
   * application's own can jump unseen; a token it made expired must not be served until the next
   * wake-up notices, so such an engine checks the clock on every call.
   */
  private final boolean readsClock;

  private static boolean isSystemClock(Clock clock) {
    return clock.getClass() == Clock.systemUTC().getClass();
  }

  private RefreshingCache(Builder b) {
    this.key = Objects.requireNonNull(b.key, "key");
    this.store = b.store != null ? b.store : new InMemoryTokenStore();
    this.fetcher = Objects.requireNonNull(b.fetcher, "fetcher");
    this.clock = Objects.requireNonNull(b.clock, "clock");
    this.policy = Objects.requireNonNull(b.policy, "policy");
    this.listener = Objects.requireNonNull(b.listener, "listener");
    this.scheduler = Scheduler.forClock(clock);
    this.readsClock = scheduler instanceof SharedScheduler && !isSystemClock(clock);
    this.executor = new SerialExecutor(scheduler);
    this.failureLog = new FailureLog(key, clock);
    this.admission = b.admission;
    Host host = new Host();
    this.watcher = new StoreWatcher(key, store, scheduler, executor, host);
    this.protocol =
        new SharedRefresh(
            key,
            store,
            clock,
            policy.refreshMargin().toMillis(),
            policy.expiryMargin().toMillis(),
            policy.lockLease(),
            policy.lockWait(),
            Retrier.of(
                key,
                admission == null ? fetcher : counted(fetcher, admission, clock),
                policy.maxRetries(),
                policy.retryBackoff().toMillis(),
                policy.lockLease()),
            host,
            b.fetchesWithoutStore ? policy.storeOutageFetchInterval().toMillis() : 0);
  }

  /** {@code fetcher}, each of whose fetches takes a slot of {@code admission}. */
  private static CredentialFetcher counted(
      CredentialFetcher fetcher, RefreshAdmission admission, Clock clock) {
    return (force, timeout) -> {
      admission.fetching(clock.millis());
      return fetcher.fetch(force, timeout);
    };
  }

  /** The timeline of {@code token}, received at {@code nowMillis}, as this cache serves it. */
  private Timeline timelineOf(AccessToken token, long nowMillis, boolean adopted) {
    long issuedAt = issuedAtMillis(token);
    Timeline timeline =
        Timeline.of(
            token.expiresAt().toEpochMilli(),
            issuedAt,
            policy.refreshMargin().toMillis(),
            policy.expiryMargin().toMillis(),
            nowMillis,
            adopted);
    return admission == null
        ? timeline
        : timeline.dueWithinWindow(issuedAt, nowMillis, RefreshAdmission.placeOf(key));
  }

  /** What the shared-refresh protocol and the store watcher do to this cache. */
  private final class Host implements SharedRefresh.Host, StoreWatcher.Target {
    @Override
    public boolean closed() {
      return closed;
    }

    @Override
    public void storeChanged(Optional<AccessToken> loaded, boolean afterReconnect) {
      reconcile(loaded, afterReconnect);
    }

    @Override
    public Snapshot held() {
      return snapshot;
    }

    @Override
    public Failure failure() {
      return failure;
    }

    @Override
    public long dueAtMillis(AccessToken stored, long policyDueAtMillis) {
      return admission == null
          ? policyDueAtMillis
          : timelineOf(stored, clock.millis(), true).dueAtMillis;
    }

    @Override
    public String rejectedValue() {
      return rejectedValue;
    }

    @Override
    public Snapshot adopt(AccessToken stored) {
      return RefreshingCache.this.adopt(stored);
    }

    @Override
    public void storeAnswered() {
      failureLog.storeAnswered();
    }

    @Override
    public void storeFailed(RuntimeException error) {
      failureLog.storeFailed(error);
    }

    @Override
    public void fetchedWithoutStore(AccessToken fetched) {
      fire(() -> listener.onFetchedWithoutStore(key, fetched));
    }

    @Override
    public void fetchSucceeded(AccessToken fetched) {
      failureLog.succeeded();
      failure = null;
      lastRefreshAtMillis = clock.millis();
      if (fetched.value().equals(rejectedValue)) {
        rejectedValue = null; // WeChat has just issued it: whatever was rejected, this one is good
      }
    }

    @Override
    public Snapshot installFetched(AccessToken fetched, boolean saved, Duration latency) {
      Snapshot s = install(fetched, saved, false);
      unsaved = saved ? null : fetched;
      if (!saved) {
        scheduleLateSave(1);
      }
      fire(() -> listener.onFetched(key, fetched, latency));
      return s;
    }

    @Override
    public void recordFailure(RuntimeException error, long capMillis) {
      RefreshingCache.this.recordFailure(error, capMillis);
    }

    @Override
    public void holdOffShared(TokenStore.SharedHoldOff holdOff, RuntimeException error) {
      long notBefore = holdOff.notBefore().toEpochMilli();
      failure = new Failure(error, holdOff.failures(), notBefore, safeMessage(error));
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
  private static final class WakeUp extends WeakReference<RefreshingCache> implements Runnable {
    WakeUp(RefreshingCache cache) {
      super(cache);
    }

    @Override
    public void run() {
      RefreshingCache c = get();
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
    Snapshot s = snapshot;
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
    if (admission != null && !admitted(s, now)) {
      return;
    }
    refreshInBackground(s);
  }

  /**
   * Whether the background refresh of the due snapshot {@code s} may start at {@code now} under the
   * group's rate: each attempt takes a slot of the {@link #admission}, and until the slot comes the
   * token (still valid) is served and the wake-up is armed for the slot.
   */
  private boolean admitted(Snapshot s, long now) {
    long at;
    synchronized (this) {
      if (admittedFor != s.token) {
        admittedFor = s.token;
        admittedAtMillis = admission.reserve(now, s.staleAtMillis, key);
      }
      at = admittedAtMillis;
      if (now >= at) {
        admittedFor = null; // spent: a further attempt for this token takes a slot of its own
      }
    }
    if (now < at) {
      wakeUpAt(at);
      return false;
    }
    return true;
  }

  /**
   * Starts the background refresh of the due snapshot {@code s}. Joining a refresh already in
   * flight would not do: a token adopted past its due time arms a wake-up due at once, which may
   * run while the adoption that installed it is still in flight, and joining that adoption would
   * leave the token due with nothing left to refresh it. So the wake-up decides again once that
   * refresh ends.
   */
  private void refreshInBackground(Snapshot s) {
    for (; ; ) {
      CompletableFuture<Snapshot> running = inFlight;
      if (running != null) {
        running.whenComplete((done, error) -> onWakeUp());
        return;
      }
      CompletableFuture<Snapshot> mine = new CompletableFuture<>();
      if (IN_FLIGHT.compareAndSet(this, null, mine)) {
        mine.whenComplete((done, error) -> afterBackgroundRefresh(s));
        executor.execute(() -> runRefresh(mine, false, s.token.value()));
        return;
      }
    }
  }

  /**
   * A background refresh of {@code s} ended. If it kept the same token with no failure (it adopted
   * that very token from the store, or timed out on the lock while the token is still valid),
   * nothing else would wake this cache before the token goes stale: ask again after the least
   * pause, by the clock.
   */
  private void afterBackgroundRefresh(Snapshot s) {
    Snapshot now = snapshot;
    if (closed || now.token != s.token || now.fresh) {
      return; // replaced (its install armed the next wake-up), invalidated, or fresh again
    }
    long t = clock.millis();
    Failure f = failure;
    if (f != null && t < f.notBeforeMillis) {
      return; // the failure armed the retry at the end of its hold-off
    }
    wakeUpAt(t + MIN_PREFETCH_INTERVAL_MILLIS);
  }

  /** How long a caller waits for a refresh at most: the lock's wait, two leases, and 5 s. */
  private long waitBoundMillis() {
    return policy.lockWait().toMillis() + 2 * policy.lockLease().toMillis() + 5_000;
  }

  /** Returns a builder; every setting must be given. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the key under which the credential is stored. */
  public TokenKey key() {
    return key;
  }

  /** Returns the store the credential is shared through. */
  public TokenStore store() {
    return store;
  }

  /** Returns the refresh policy in force. */
  public RefreshPolicy policy() {
    return policy;
  }

  /** Returns a usable credential; see {@code AccessTokenProvider#get()} for the contract. */
  public AccessToken get() {
    Snapshot s = snapshot;
    if (s.fresh && !readsClock) {
      return s.token;
    }
    return getSlow();
  }

  /**
   * Returns a future of what {@link #get()} would return; see {@code
   * AccessTokenProvider#getAsync()}. Never blocks; allocates nothing while the token is fresh.
   */
  public CompletableFuture<AccessToken> getAsync() {
    Snapshot s = snapshot;
    if (s.fresh && !readsClock) {
      return s.completed;
    }
    return getAsyncSlow();
  }

  /** {@link #getSlow()}'s decisions, without the waiting. */
  private CompletableFuture<AccessToken> getAsyncSlow() {
    if (closed) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("the provider of " + key + " is closed"));
    }
    watcher.start();
    Snapshot s = snapshot;
    Snapshot served;
    try {
      served = withoutWaiting(s, clock.millis());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (served != null) {
      return served.completed;
    }
    CompletableFuture<Snapshot> refresh =
        startRefresh(false, s.token == null ? null : s.token.value());
    CompletableFuture<AccessToken> result = new CompletableFuture<>();
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
          Snapshot held = snapshot;
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
      CompletableFuture<AccessToken> result, long atMillis, long boundMillis) {
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
                new TokenUnavailableException(
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
  private Snapshot withoutWaiting(Snapshot s, long now) {
    Failure f = failure;
    boolean heldOff = f != null && now < f.notBeforeMillis;
    switch (s.stateAt(now)) {
      case FRESH:
        if (!s.fresh && SNAPSHOT.compareAndSet(this, s, s.withFresh(true))) {
          wakeUpAt(s.dueAtMillis); // the wall clock was set back
        }
        return s;
      case DUE:
        // Under a rate, the refresh waits for its slot, which the wake-up took: not a caller's.
        if (!heldOff && admission == null) {
          startRefresh(false, s.token.value());
        }
        return s;
      case STALE:
        // Not served but by a hold-off: then a token that has not really expired beats an error.
        return heldOff ? s : null;
      default: // NONE or EXPIRED: nothing to serve
        if (heldOff) {
          if (now < lastHoldOffStoreCheckMillis + HOLD_OFF_STORE_CHECK_MILLIS) { // no overflow
            throw f.error;
          }
          lastHoldOffStoreCheckMillis = now;
        }
        return null;
    }
  }

  private AccessToken getSlow() {
    ensureOpen();
    // The subscription is queued first, as start() would run it, but not handed to the pool: a
    // caller who waits for a refresh runs both itself (startRefreshHere); any other return kicks.
    watcher.startQueued();
    Snapshot s = snapshot;
    Snapshot served;
    try {
      served = withoutWaiting(s, clock.millis());
    } catch (RuntimeException heldOff) {
      executor.kick();
      throw onCallersStack(heldOff);
    }
    if (served != null) {
      executor.kick();
      return served.token;
    }
    try {
      return await(startRefreshHere(s.token == null ? null : s.token.value())).token;
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
    TokenStatus.State state = s.stateAt(now);
    long last = lastRefreshAtMillis;
    return TokenStatus.of(
            state,
            s.token == null ? null : s.token.expiresAt(),
            last == Long.MIN_VALUE ? null : Instant.ofEpochMilli(last),
            f == null ? 0 : f.consecutive,
            f != null && now < f.notBeforeMillis ? Instant.ofEpochMilli(f.notBeforeMillis) : null,
            f == null ? null : f.safeMessage)
        .withUnsaved(s.token != null && s.token == unsaved);
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
    watcher.start();
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
    Snapshot current = snapshot;
    if (current.token != null && current.token.value().equals(rejected)) {
      long now = clock.millis();
      long interval = policy.rejectionRefetchInterval().toMillis();
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
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      wakeUp.cancel();
      wakeUp = Scheduler.NONE;
    }
    snapshot = empty(); // sends every later get() down the slow path, which refuses
    watcher.close();
    scheduler.close();
    CompletableFuture<Snapshot> f = inFlight;
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
      CompletableFuture<Snapshot> current = inFlight;
      if (current != null) {
        return current;
      }
      CompletableFuture<Snapshot> mine = new CompletableFuture<>();
      if (IN_FLIGHT.compareAndSet(this, null, mine)) {
        executor.execute(() -> runRefresh(mine, force, seen));
        return mine;
      }
    }
  }

  /**
   * {@link #startRefresh}, for a caller who waits for it: run on the caller's thread when none of
   * this cache's work is queued or running (an interrupted caller hands it to the pool, so that the
   * interrupt cannot fail a refresh others may join).
   */
  private CompletableFuture<Snapshot> startRefreshHere(String seen) {
    for (; ; ) {
      CompletableFuture<Snapshot> current = inFlight;
      if (current != null) {
        executor.kick();
        return current;
      }
      CompletableFuture<Snapshot> mine = new CompletableFuture<>();
      if (IN_FLIGHT.compareAndSet(this, null, mine)) {
        Runnable task = () -> runRefresh(mine, false, seen);
        if (Thread.currentThread().isInterrupted() || !executor.runHereIfIdle(task)) {
          executor.execute(task);
        } else if (mine.isCompletedExceptionally()) {
          // Completed here: an interrupt that ended the refresh was the caller's, who keeps it.
          mine.exceptionally(
              e -> {
                if (e instanceof InterruptedException) {
                  Thread.currentThread().interrupt();
                }
                return null;
              });
        }
        return mine;
      }
    }
  }

  private void runRefresh(CompletableFuture<Snapshot> mine, boolean force, String seen) {
    Snapshot result = null;
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
            consecutive, Math.min(policy.failureHoldOffMax().toMillis(), holdOffMaxMillis));
    long notBefore = clock.millis() + holdOff;
    failure = new Failure(e, consecutive, notBefore, safeMessage(e));
    if (snapshot.token != null) {
      wakeUpAt(notBefore); // retry then, in the background, so that the token does not lapse
    }
    failureLog.failed(e, safeMessage(e), consecutive, holdOff);
    fire(() -> listener.onRefreshFailed(key, e, consecutive));
  }

  /** Tries, after a growing pause (1 s doubling to 5 s), to save the token the store refused. */
  private void scheduleLateSave(int attempt) {
    long delay = HoldOff.millis(attempt, SharedRefresh.STORE_HOLD_OFF_MAX_MILLIS);
    scheduler.schedule(() -> executor.execute(() -> lateSave(attempt)), delay);
  }

  private void lateSave(int attempt) {
    AccessToken t = unsaved;
    Snapshot held = snapshot;
    if (closed
        || t == null
        || held.token == null
        || !held.token.value().equals(t.value())
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
        Snapshot now = snapshot;
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

  private Snapshot adopt(AccessToken stored) {
    Snapshot held = snapshot;
    if (held.token != null && held.token.equals(stored)) {
      return held;
    }
    log.debug("Adopted the token of {} from the store: {}", key, stored);
    unsaved = null;
    // The store answered with a token: a store outage ends here too, not only when this instance
    // next takes the lock (which may be many refreshes away), so the next outage gets its own WARN.
    failureLog.storeAnswered();
    failureLog.succeeded();
    failure = null; // another instance succeeded: this one's hold-off no longer protects anything
    lastRefreshAtMillis = clock.millis();
    Snapshot s = install(stored, true, true);
    fire(() -> listener.onAdopted(key, stored));
    return s;
  }

  /**
   * Makes {@code token} the one served. Runs on the refresh thread; {@link #invalidate} and {@link
   * #close} may race with it, so it re-checks them after writing and backs out.
   *
   * @param shared whether the store holds this token (adopted from it, or saved to it)
   * @param adopted whether it was adopted from the store rather than fetched
   */
  private Snapshot install(AccessToken token, boolean shared, boolean adopted) {
    long now = clock.millis();
    Timeline timeline = timelineOf(token, now, adopted);
    Snapshot current = snapshot;
    if (current.token != null
        && current.token.value().equals(token.value())
        && now >= current.dueAtMillis) {
      // WeChat (the stable endpoint) handed back the token we already held: do not ask again at
      // once.
      timeline = timeline.dueNoEarlierThan(now + MIN_PREFETCH_INTERVAL_MILLIS);
    }
    long dueAt = timeline.dueAtMillis;
    long staleAt = timeline.staleAtMillis;
    long expiresAt = timeline.expiresAtMillis;
    Snapshot s =
        new Snapshot(
            token,
            now < dueAt,
            shared,
            dueAt,
            staleAt,
            expiresAt,
            current.token == token ? current.completed : SharedFuture.completed(token));
    snapshot = s;
    if (admission != null) {
      synchronized (this) {
        admittedFor = null; // a slot reserved for the token replaced is void; it holds no token
      }
    }
    wakeUpAt(dueAt);
    // close() and invalidate() write their flag before their own snapshot change, so one of the two
    // sides always sees the other: either they replaced s, or s is backed out here.
    if (closed || token.value().equals(rejectedValue)) {
      SNAPSHOT.compareAndSet(this, s, EMPTY);
      return empty();
    }
    return s;
  }

  private Snapshot await(CompletableFuture<Snapshot> future) {
    long boundMillis = waitBoundMillis();
    try {
      return future.get(boundMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TokenUnavailableException("Interrupted while waiting for the token of " + key, e);
    } catch (TimeoutException e) {
      throw new TokenUnavailableException(
          "No token for " + key + " after waiting " + boundMillis + " ms", e);
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
      return new TokenUnavailableException("The refresh of " + key + " was interrupted", cause);
    }
    return new WeChatException("Refreshing " + key + " failed", cause);
  }

  /** Brings memory in line with the store after another party saved or deleted the entry. */
  private void reconcile(Optional<AccessToken> loaded, boolean afterReconnect) {
    Snapshot held = snapshot;
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
        fire(() -> listener.onInvalidated(key, true));
      }
      return;
    }
    AccessToken stored = protocol.usable(loaded, clock.millis());
    if (stored != null && (held.token == null || !held.token.value().equals(stored.value()))) {
      if (held.token != null && held.token == unsaved && protocol.isNewer(held.token, stored)) {
        // Another instance saved the token it fetched while the store was down, and ours is newer:
        // WeChat voids the older one, so keep ours; its late save replaces the stored one.
        return;
      }
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
  static long issuedAtMillis(AccessToken credential) {
    Optional<Instant> issued = credential.issuedAt();
    return issued.isPresent() ? issued.get().toEpochMilli() : Timeline.UNKNOWN;
  }

  /**
   * What a {@link RefreshingCache} is made of: the key its credential is stored under (whose kind
   * says which credential it is), how to fetch it, the store it is shared through, the policy, the
   * clock and the listener. The key and the fetcher must be given; the rest have the defaults of
   * the providers' builders.
   */
  public static final class Builder {
    TokenKey key;
    CredentialFetcher fetcher;
    TokenStore store;
    RefreshPolicy policy = RefreshPolicy.defaults();
    Clock clock = Clock.systemUTC();
    TokenEventListener listener = TokenEventListener.NONE;
    boolean fetchesWithoutStore = true;
    RefreshAdmission admission;

    Builder() {}

    /**
     * Whether the fetcher may be asked while the store is unreachable (within the policy's {@code
     * storeOutageFetchInterval}); default true. False for a fetcher that only reads what others
     * stored (a read-only provider), which could say nothing but that the store holds no token.
     */
    public Builder fetchesWithoutStore(boolean v) {
      fetchesWithoutStore = v;
      return this;
    }

    /**
     * The rate and spread of the background refreshes of the group this cache belongs to; null (the
     * default) for neither: refresh at the policy's due point, at once.
     */
    public Builder admission(RefreshAdmission v) {
      admission = v;
      return this;
    }

    /** The key the credential is stored under; its kind names the credential. */
    public Builder key(TokenKey v) {
      key = v;
      return this;
    }

    /** How to ask WeChat (or whoever issues the credential). */
    public Builder fetcher(CredentialFetcher v) {
      fetcher = v;
      return this;
    }

    /** The store the credential is shared through; null for a new in-memory store of its own. */
    public Builder store(TokenStore v) {
      store = v;
      return this;
    }

    /** The refresh policy. */
    public Builder policy(RefreshPolicy v) {
      policy = v;
      return this;
    }

    /**
     * The clock that decides expiry; a clock that publishes its moves drives the wake-ups (see
     * {@link Scheduler#forClock}).
     */
    public Builder clock(Clock v) {
      clock = v;
      return this;
    }

    /** Where events go. */
    public Builder listener(TokenEventListener v) {
      listener = v;
      return this;
    }

    /** Makes the cache; does no I/O. */
    public RefreshingCache build() {
      return new RefreshingCache(this);
    }
  }
}

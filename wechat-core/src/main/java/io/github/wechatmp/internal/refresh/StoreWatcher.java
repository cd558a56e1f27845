package io.github.wechatmp.internal.refresh;

import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one key of a store for other parties' changes ({@link TokenStore#watch}): on each
 * notification it reads the entry once, on the cache's serial executor (coalescing notifications
 * that arrive meanwhile), and hands what it read to the cache. Subscribes on first use, never on
 * construction, so that building a provider does no I/O. Thread-safe.
 */
final class StoreWatcher implements TokenStore.ChangeListener {
  private static final Logger log = LoggerFactory.getLogger(StoreWatcher.class);

  /** What the watcher tells its cache. */
  interface Target {
    /** Whether the cache was closed: then nothing more is read or handed over. */
    boolean closed();

    /**
     * The entry as read after a notification; empty if there is none.
     *
     * @param afterReconnect the store's notifications were down and are back, so an absent entry
     *     may be lost data rather than an invalidation
     */
    void storeChanged(Optional<AccessToken> loaded, boolean afterReconnect);
  }

  private static final VarHandle STARTED;
  private static final VarHandle PENDING;

  /** No read is pending. */
  private static final int IDLE = 0;

  /** A read is pending for reconnects only: an absent entry then proves nothing. */
  private static final int RECONNECT = 1;

  /** A read is pending for a change: an absent entry means an invalidation. */
  private static final int CHANGE = 2;

  /** The longest a re-read after a reconnect is put off, so that thousands do not read at once. */
  private static final long RECONNECT_READ_SPREAD_MILLIS = 1_000;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      STARTED = l.findVarHandle(StoreWatcher.class, "started", boolean.class);
      PENDING = l.findVarHandle(StoreWatcher.class, "pending", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final TokenKey key;
  private final TokenStore store;
  private final Scheduler scheduler;
  private final SerialExecutor executor;
  private final Target target;

  @SuppressWarnings("unused") // accessed through STARTED
  private volatile boolean started;

  /**
   * {@link #IDLE}, {@link #RECONNECT} or {@link #CHANGE}: one field, so that a change arriving
   * while a read is pending is never taken for a reconnect. Accessed through PENDING.
   */
  @SuppressWarnings("unused")
  private volatile int pending;

  private volatile TokenStore.Subscription subscription;

  private static final int MAX_READ_ATTEMPTS = 5;

  StoreWatcher(
      TokenKey key, TokenStore store, Scheduler scheduler, SerialExecutor executor, Target target) {
    this.key = key;
    this.store = store;
    this.scheduler = scheduler;
    this.executor = executor;
    this.target = target;
  }

  /** Subscribes, once, in the background. */
  void start() {
    if (started || !STARTED.compareAndSet(this, false, true)) {
      return;
    }
    executor.execute(this::subscribe);
  }

  /**
   * Like {@link #start()}, but only queues the subscription on the executor, for a caller who then
   * runs the executor's queue itself or {@linkplain SerialExecutor#kick() kicks} it.
   */
  void startQueued() {
    if (started || !STARTED.compareAndSet(this, false, true)) {
      return;
    }
    executor.enqueue(this::subscribe);
  }

  private void subscribe() {
    if (target.closed()) {
      return;
    }
    try {
      TokenStore.Subscription w =
          store.watch(key, this); // itself, not two lambdas: 10,000 in a JVM
      subscription = w;
      if (target.closed() && w != null) {
        w.close();
      }
    } catch (RuntimeException e) {
      log.warn(
          "Could not subscribe to changes of {} in the store; other instances' invalidations "
              + "will be seen only when this instance's token comes due",
          key,
          e);
    }
  }

  /** Stops the notifications. Idempotent. */
  void close() {
    TokenStore.Subscription sub = subscription;
    if (sub != null) {
      sub.close();
    }
  }

  @Override
  public void onChange() {
    notified(false);
  }

  @Override
  public void onResubscribed() {
    notified(true);
  }

  /**
   * Reads once for every notification that arrives before the read: a change among them wins over a
   * reconnect, since only a change makes an absent entry mean an invalidation.
   */
  private void notified(boolean afterReconnect) {
    if (target.closed()) {
      return;
    }
    if (!afterReconnect) {
      // At once, even when a reconnect's read is pending: that one is put off, and a change is
      // news. Whichever read runs first takes the state; the other finds nothing pending.
      if ((int) PENDING.getAndSet(this, CHANGE) != CHANGE) {
        executor.execute(() -> read(1));
      }
      return;
    }
    if (PENDING.compareAndSet(this, IDLE, RECONNECT)) {
      // Every provider of the JVM hears the reconnect at once: spread their reads over a second.
      scheduler.schedule(
          () -> executor.execute(() -> read(1)),
          ThreadLocalRandom.current().nextLong(RECONNECT_READ_SPREAD_MILLIS));
    }
  }

  /**
   * Reads the entry for the pending notifications. A read that fails is tried again, a few times
   * with a growing pause, since a notification arriving on a connection that just came back often
   * finds the client's other connections still broken; the notification would otherwise be lost.
   */
  private void read(int attempt) {
    int state = (int) PENDING.getAndSet(this, IDLE);
    if (state == IDLE || target.closed()) {
      return; // another read took what was pending
    }
    boolean afterReconnect = state == RECONNECT;
    Optional<AccessToken> loaded;
    try {
      loaded = store.load(key);
    } catch (RuntimeException e) {
      if (attempt >= MAX_READ_ATTEMPTS) {
        log.debug("Could not read {} from the store after a change notification", key, e);
        return;
      }
      scheduler.schedule(
          () -> {
            // Reads again unless a newer notification already will. A read that had to wait for
            // the store to answer again is taken as one after a reconnect: the store may have lost
            // its data meanwhile, so an absent entry no longer proves an invalidation.
            if (PENDING.compareAndSet(this, IDLE, RECONNECT)) {
              executor.execute(() -> read(attempt + 1));
            }
          },
          HoldOff.millis(attempt, 5_000));
      return;
    }
    target.storeChanged(loaded == null ? Optional.empty() : loaded, afterReconnect);
  }
}

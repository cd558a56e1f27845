package io.github.wechatmp.internal.refresh;

import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one key of a store for other parties' changes ({@link TokenStore#subscribe}): on each
 * notification it reads the entry once, on the cache's serial executor (coalescing notifications
 * that arrive meanwhile), and hands what it read to the cache. Subscribes on first use, never on
 * construction, so that building a provider does no I/O. Thread-safe.
 */
final class StoreWatcher {
  private static final Logger log = LoggerFactory.getLogger(StoreWatcher.class);

  /** What the watcher tells its cache. */
  interface Target {
    /** Whether the cache was closed: then nothing more is read or handed over. */
    boolean closed();

    /** The entry as read after a change notification; empty if there is none. */
    void storeChanged(Optional<AccessToken> loaded);
  }

  private static final VarHandle STARTED;
  private static final VarHandle PENDING;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      STARTED = l.findVarHandle(StoreWatcher.class, "started", boolean.class);
      PENDING = l.findVarHandle(StoreWatcher.class, "pending", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final TokenKey key;
  private final TokenStore store;
  private final SerialExecutor executor;
  private final Target target;

  @SuppressWarnings("unused") // accessed through STARTED
  private volatile boolean started;

  @SuppressWarnings("unused") // accessed through PENDING
  private volatile boolean pending;

  private volatile TokenStore.Subscription subscription;

  StoreWatcher(TokenKey key, TokenStore store, SerialExecutor executor, Target target) {
    this.key = key;
    this.store = store;
    this.executor = executor;
    this.target = target;
  }

  /** Subscribes, once, in the background. */
  void start() {
    if (started || !STARTED.compareAndSet(this, false, true)) {
      return;
    }
    executor.execute(
        () -> {
          if (target.closed()) {
            return;
          }
          try {
            subscription = store.subscribe(key, this::onChange);
            if (target.closed()) {
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
  }

  /** Stops the notifications. Idempotent. */
  void close() {
    TokenStore.Subscription sub = subscription;
    if (sub != null) {
      sub.close();
    }
  }

  private void onChange() {
    if (target.closed() || !PENDING.compareAndSet(this, false, true)) {
      return;
    }
    executor.execute(this::read);
  }

  private void read() {
    pending = false;
    if (target.closed()) {
      return;
    }
    Optional<AccessToken> loaded;
    try {
      loaded = store.load(key);
    } catch (RuntimeException e) {
      log.debug("Could not read {} from the store after a change notification", key, e);
      return;
    }
    target.storeChanged(loaded == null ? Optional.empty() : loaded);
  }
}

package io.github.wechatmp.token;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link TokenStore} in this process's memory: the default of every provider, and the right
 * choice when one process is the only caller of WeChat for an app. Providers in this process that
 * share one instance share one token and make one refresh between them; processes do not share it.
 *
 * <p>Thread-safe; never throws {@link TokenStoreException}. The refresh lock is a fair {@link
 * ReentrantLock} per key, not owned by a thread: it may be released from any thread, and its lease
 * is honoured (a lock held past its lease may be taken by another caller). Change notifications
 * ({@link #subscribe}) are delivered synchronously, on the thread that saved or deleted, to every
 * subscriber of the key.
 */
public final class InMemoryTokenStore implements TokenStore {
  private static final Logger log = LoggerFactory.getLogger(InMemoryTokenStore.class);

  private final ConcurrentMap<TokenKey, AccessToken> tokens = new ConcurrentHashMap<>();
  private final ConcurrentMap<TokenKey, LeaseLock> locks = new ConcurrentHashMap<>();
  private final ConcurrentMap<TokenKey, CopyOnWriteArrayList<Runnable>> subscribers =
      new ConcurrentHashMap<>();

  /** Creates an empty store. */
  public InMemoryTokenStore() {}

  private final ConcurrentMap<TokenKey, SharedHoldOff> holdOffs = new ConcurrentHashMap<>();

  @Override
  public Optional<SharedHoldOff> loadHoldOff(TokenKey key) {
    return Optional.ofNullable(holdOffs.get(Objects.requireNonNull(key, "key")));
  }

  @Override
  public void saveHoldOff(TokenKey key, SharedHoldOff holdOff) {
    holdOffs.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(holdOff, "holdOff"));
  }

  @Override
  public void clearHoldOff(TokenKey key) {
    holdOffs.remove(Objects.requireNonNull(key, "key"));
  }

  @Override
  public Optional<AccessToken> load(TokenKey key) {
    return Optional.ofNullable(tokens.get(Objects.requireNonNull(key, "key")));
  }

  @Override
  public void save(TokenKey key, AccessToken token) {
    tokens.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(token, "token"));
    notifySubscribers(key);
  }

  @Override
  public boolean deleteIfValue(TokenKey key, String expectedValue) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(expectedValue, "expectedValue");
    boolean[] deleted = {false};
    tokens.computeIfPresent(
        key,
        (k, current) -> {
          if (current.value().equals(expectedValue)) {
            deleted[0] = true;
            return null;
          }
          return current;
        });
    if (deleted[0]) {
      notifySubscribers(key);
    }
    return deleted[0];
  }

  @Override
  public Optional<RefreshLock> tryLock(TokenKey key, Duration lease, Duration maxWait)
      throws InterruptedException {
    TokenStore.checkLockArguments(key, lease, maxWait);
    LeaseLock lock = locks.computeIfAbsent(key, k -> new LeaseLock());
    return Optional.ofNullable(lock.acquire(lease.toNanos(), maxWait.toNanos()));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Checks the lock's owner and lease under the lock's own mutex, and writes while holding it,
   * so no other caller can take the lock between the check and the write.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code lock} was not taken on {@code key} of this store
   */
  @Override
  public boolean saveFenced(TokenKey key, AccessToken token, RefreshLock lock) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(lock, "lock");
    if (!(lock instanceof LeaseLock.Held) || ((LeaseLock.Held) lock).parent() != locks.get(key)) {
      throw new IllegalArgumentException("the lock was not taken on " + key + " of this store");
    }
    boolean saved = ((LeaseLock.Held) lock).whileHeld(() -> tokens.put(key, token));
    if (saved) {
      notifySubscribers(key);
    }
    return saved;
  }

  @Override
  public Subscription subscribe(TokenKey key, Runnable onChange) {
    Objects.requireNonNull(onChange, "onChange");
    CopyOnWriteArrayList<Runnable> list =
        subscribers.computeIfAbsent(
            Objects.requireNonNull(key, "key"), k -> new CopyOnWriteArrayList<>());
    list.add(onChange);
    return () -> list.remove(onChange);
  }

  private void notifySubscribers(TokenKey key) {
    CopyOnWriteArrayList<Runnable> list = subscribers.get(key);
    if (list == null) {
      return;
    }
    for (Runnable r : list) {
      try {
        r.run();
      } catch (RuntimeException e) {
        log.warn("A change subscriber of {} failed", key, e);
      }
    }
  }

  /** A mutual exclusion with a lease, usable from any thread; one per key. */
  private static final class LeaseLock {
    private final ReentrantLock mutex = new ReentrantLock(true);
    private final java.util.concurrent.locks.Condition released = mutex.newCondition();
    private Object owner; // guarded by mutex
    private long leaseEndsNanos; // guarded by mutex

    RefreshLock acquire(long leaseNanos, long maxWaitNanos) throws InterruptedException {
      long deadline = System.nanoTime() + maxWaitNanos;
      if (!mutex.tryLock(maxWaitNanos, TimeUnit.NANOSECONDS)) {
        return null;
      }
      try {
        while (true) {
          long now = System.nanoTime();
          if (owner == null || now - leaseEndsNanos >= 0) {
            Object me = new Object();
            owner = me;
            leaseEndsNanos = now + leaseNanos;
            return new Held(me);
          }
          long waitNanos = Math.min(deadline - now, leaseEndsNanos - now);
          if (deadline - now <= 0) {
            return null;
          }
          released.awaitNanos(waitNanos);
        }
      } finally {
        mutex.unlock();
      }
    }

    /** A held lock: closing it releases it while still owned. */
    final class Held implements RefreshLock {
      private final Object me;

      Held(Object me) {
        this.me = me;
      }

      LeaseLock parent() {
        return LeaseLock.this;
      }

      /** Runs {@code action} if still the owner within the lease, holding the mutex throughout. */
      boolean whileHeld(Runnable action) {
        mutex.lock();
        try {
          if (owner != me || System.nanoTime() - leaseEndsNanos >= 0) {
            return false;
          }
          action.run();
          return true;
        } finally {
          mutex.unlock();
        }
      }

      @Override
      public void close() {
        release(me);
      }
    }

    private void release(Object me) {
      mutex.lock();
      try {
        if (owner == me) {
          owner = null;
          released.signalAll();
        }
      } finally {
        mutex.unlock();
      }
    }
  }
}

package io.github.wechatmp.store.file;

import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore.RefreshLock;
import java.nio.channels.FileLock;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One refresh lock of a token file: an OS lock on one byte of the lock file, which excludes other
 * processes, behind an in-JVM lease lock, which excludes this JVM's other threads and stores (the
 * JVM refuses overlapping OS locks of one process, and would not exclude them anyway).
 *
 * <p>The holder's lease is enforced in this JVM: when it lapses, the {@link Daemon} thread (or the
 * next caller who finds it lapsed) releases the OS lock, so a hung holder is overtaken by this
 * JVM's threads and by other processes alike. Not owned by a thread: any thread may close it.
 *
 * <p>Thread-safe; all state is guarded by {@code this}.
 */
final class RangeLock {
  private static final Logger log = LoggerFactory.getLogger(FileTokenStore.class);

  private final SharedFile file;
  private final long position;

  private Object owner;
  private TokenKey ownerKey;
  private long leaseNanos;
  private long leaseEndsNanos;
  private FileLock fileLock;
  private ScheduledFuture<?> lapse;

  RangeLock(SharedFile file, long position) {
    this.file = file;
    this.position = position;
  }

  synchronized Optional<RefreshLock> acquire(TokenKey key, long leaseNanos, long maxWaitNanos)
      throws InterruptedException {
    long deadline = System.nanoTime() + maxWaitNanos;
    long pause = TimeUnit.MILLISECONDS.toNanos(1);
    while (true) {
      long now = System.nanoTime();
      if (owner != null && now - leaseEndsNanos >= 0) {
        releaseLapsed();
      }
      long remaining = deadline - now;
      if (owner == null) {
        FileLock acquired = file.tryFileLock(position);
        if (acquired != null) {
          return Optional.of(grant(key, acquired, leaseNanos));
        }
        if (remaining <= 0) {
          return Optional.empty();
        }
        // Another process holds it. The OS tells no one when it is released, so poll, backing off;
        // a release in this JVM wakes us at once.
        TimeUnit.NANOSECONDS.timedWait(this, Math.min(pause, remaining));
        pause = Math.min(pause * 2, SharedFile.MAX_POLL_NANOS);
      } else {
        if (remaining <= 0) {
          return Optional.empty();
        }
        TimeUnit.NANOSECONDS.timedWait(this, Math.min(remaining, leaseEndsNanos - now));
      }
    }
  }

  private RefreshLock grant(TokenKey key, FileLock acquired, long leaseNanos) {
    Object me = new Object();
    owner = me;
    ownerKey = key;
    fileLock = acquired;
    this.leaseNanos = leaseNanos;
    leaseEndsNanos = System.nanoTime() + leaseNanos;
    try {
      lapse = Daemon.EXECUTOR.schedule(() -> lapse(me), leaseNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      lapse =
          null; // cannot happen with an executor nobody shuts down; callers still check the lease
    }
    log.debug("Took the refresh lock of {} in {}", key, file);
    return new Handle(me);
  }

  private synchronized void lapse(Object me) {
    if (owner == me && System.nanoTime() - leaseEndsNanos >= 0) {
      releaseLapsed();
    }
  }

  private void releaseLapsed() {
    log.warn(
        "The refresh lock of {} in {} was held longer than its lease of {} ms; released it",
        ownerKey,
        file,
        TimeUnit.NANOSECONDS.toMillis(leaseNanos));
    releaseHeld();
  }

  private void releaseHeld() {
    if (lapse != null) {
      lapse.cancel(false);
      lapse = null;
    }
    file.release(fileLock);
    fileLock = null;
    owner = null;
    ownerKey = null;
    notifyAll();
  }

  private synchronized void release(Object me) {
    if (owner == me) {
      log.debug("Released the refresh lock of {} in {}", ownerKey, file);
      releaseHeld();
    }
  }

  /**
   * Runs {@code action} if {@code me} still owns the lock within its lease, holding this lock's
   * monitor (so no thread of this JVM can take it over) and so its OS lock (so no other process
   * can) throughout.
   */
  private synchronized boolean whileHeld(Object me, Runnable action) {
    if (owner != me || System.nanoTime() - leaseEndsNanos >= 0 || !fileLock.isValid()) {
      return false;
    }
    action.run();
    return true;
  }

  /** What the holder closes; releases only while it is still the owner. */
  final class Handle implements RefreshLock {
    private final Object me;

    Handle(Object me) {
      this.me = me;
    }

    RangeLock parent() {
      return RangeLock.this;
    }

    boolean whileHeld(Runnable action) {
      return RangeLock.this.whileHeld(me, action);
    }

    @Override
    public void close() {
      try {
        release(me);
      } catch (RuntimeException e) {
        log.warn("Could not release a refresh lock in {}; its lease ends it", file, e);
      }
    }
  }
}

package io.github.wechatmp.internal.refresh;

import java.time.Clock;
import java.util.Comparator;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The timer of every cache on one clock that publishes its moves (a test's manual clock): their
 * wake-ups are due by that clock and run on the thread that moves it, all of them first, and then
 * the move returns only once the refreshes and store reads they started on the shared pool have
 * finished (running, as in production, side by side). So a test moves the clock and asserts, with
 * no sleeping and no polling, and the engine runs the code it runs in production: only the timer
 * differs. One per clock, kept by the {@link SharedScheduler} while a cache on the clock is open;
 * each cache holds it through a {@link #hold() handle}. Thread-safe.
 */
final class ClockDrivenScheduler implements Flow.Subscriber<Object> {
  private static final Logger log = LoggerFactory.getLogger(ClockDrivenScheduler.class);

  /**
   * The longest a move of the clock waits for the work it started: far beyond any refresh a test
   * lets finish (the lock's wait and lease are bounded), short of hanging a test forever.
   */
  private static final long SETTLE_MILLIS = TimeUnit.MINUTES.toMillis(2);

  private final Clock clock;
  private final SharedScheduler pool;

  /**
   * Pending wake-ups, earliest first (ties in the order scheduled): a move finds the due ones and a
   * cancel removes one in logarithmic time, with 100,000 caches on one clock. Guarded by this.
   */
  private final NavigableSet<Timer> timers =
      new TreeSet<>(
          Comparator.comparingLong((Timer t) -> t.atMillis).thenComparingLong(t -> t.seq));

  private long scheduled; // how many wake-ups were ever scheduled, their order; guarded by this
  private int running; // tasks handed to the pool and not yet finished; guarded by this
  private boolean closed; // guarded by this
  private Flow.Subscription subscription; // guarded by this
  int holders; // guarded by the pool

  ClockDrivenScheduler(Clock clock, SharedScheduler pool) {
    this.clock = clock;
    this.pool = pool;
  }

  /** Returns the clock this timer follows. */
  Clock clock() {
    return clock;
  }

  /** One cache's share of this timer and of the pool: its scheduler. */
  Scheduler hold() {
    return new Scheduler() {
      private boolean released; // guarded by this

      @Override
      public Cancellable schedule(Runnable task, long delayMillis) {
        return ClockDrivenScheduler.this.schedule(task, delayMillis);
      }

      @Override
      public void execute(Runnable task) {
        ClockDrivenScheduler.this.execute(task);
      }

      @Override
      public void close() {
        synchronized (this) {
          if (released) {
            return;
          }
          released = true;
        }
        pool.release(ClockDrivenScheduler.this);
      }
    };
  }

  /** A wake-up, due at an instant of the clock. */
  private final class Timer implements Scheduler.Cancellable {
    final long atMillis;
    final long seq;
    final Runnable task;

    Timer(long atMillis, long seq, Runnable task) {
      this.atMillis = atMillis;
      this.seq = seq;
      this.task = task;
    }

    @Override
    public void cancel() {
      synchronized (ClockDrivenScheduler.this) {
        timers.remove(this);
      }
    }
  }

  private Scheduler.Cancellable schedule(Runnable task, long delayMillis) {
    if (delayMillis <= 0) {
      // Due already (a token adopted past its due time, say): it runs now, as the JVM's timer
      // would run it, not at the clock's next move, which may never come.
      execute(task);
      return Scheduler.NONE;
    }
    long at = clock.millis() + delayMillis;
    synchronized (this) {
      if (closed) {
        return Scheduler.NONE;
      }
      Timer t = new Timer(at, scheduled++, task);
      timers.add(t);
      return t;
    }
  }

  private void execute(Runnable task) {
    synchronized (this) {
      if (closed) {
        return; // every cache on the clock was closed: the work is moot, and nobody waits for it
      }
      running++;
    }
    pool.execute(
        () -> {
          try {
            task.run();
          } finally {
            synchronized (this) {
              running--;
              notifyAll();
            }
          }
        });
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    boolean cancel;
    synchronized (this) {
      subscription = s;
      cancel = closed;
    }
    if (cancel) {
      s.cancel();
    } else {
      s.request(Long.MAX_VALUE);
    }
  }

  /** The clock moved: run what came due, and wait for the work it started. */
  @Override
  public void onNext(Object instant) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_MILLIS);
    for (; ; ) {
      Timer next = nextDue();
      if (next != null) {
        next.task.run();
        continue;
      }
      synchronized (this) {
        while (running > 0) {
          long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
          if (left <= 0) {
            log.warn(
                "Work started by moving the clock did not finish within {} ms; returning",
                SETTLE_MILLIS);
            return;
          }
          try {
            wait(left);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        if (!hasDue()) {
          return;
        }
      }
    }
  }

  /** Removes and returns the earliest wake-up due by the clock, or null. */
  private synchronized Timer nextDue() {
    return hasDue() ? timers.pollFirst() : null;
  }

  private boolean hasDue() {
    return !timers.isEmpty() && timers.first().atMillis <= clock.millis();
  }

  @Override
  public void onError(Throwable error) {
    log.debug("The clock stopped publishing its moves", error);
  }

  @Override
  public void onComplete() {}

  /** No cache on the clock is open any more: stop listening to it. */
  void close() {
    Flow.Subscription s;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      timers.clear();
      s = subscription;
    }
    if (s != null) {
      s.cancel();
    }
  }
}

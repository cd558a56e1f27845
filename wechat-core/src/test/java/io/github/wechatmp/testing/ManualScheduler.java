package io.github.wechatmp.testing;

import io.github.wechatmp.internal.refresh.Scheduler;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The refresh engine's scheduler for tests: wake-ups are due by a {@link MutableClock} and run when
 * the test moves it ({@link #runDue()}), on the test's thread, so that no test waits in real time
 * for a token to come due. Refreshes run on the production pool, as in production. Thread-safe.
 */
public final class ManualScheduler implements Scheduler {
  private final Clock clock;
  private final Scheduler pool = Scheduler.forClock(Clock.systemUTC());
  private final List<Timer> timers = new ArrayList<>(); // guarded by this

  private final class Timer implements Cancellable {
    final long atMillis;
    final Runnable task;

    Timer(long atMillis, Runnable task) {
      this.atMillis = atMillis;
      this.task = task;
    }

    @Override
    public void cancel() {
      synchronized (ManualScheduler.this) {
        timers.remove(this);
      }
    }
  }

  public ManualScheduler(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Cancellable schedule(Runnable task, long delayMillis) {
    Timer t = new Timer(clock.millis() + Math.max(0, delayMillis), task);
    synchronized (this) {
      timers.add(t);
    }
    return t;
  }

  @Override
  public void execute(Runnable task) {
    pool.execute(task);
  }

  /** How many wake-ups are pending. */
  public synchronized int pending() {
    return timers.size();
  }

  /** Runs every wake-up due by the clock, earliest first, including ones those schedule. */
  public void runDue() {
    for (; ; ) {
      Timer next = null;
      synchronized (this) {
        long now = clock.millis();
        for (Timer t : timers) {
          if (t.atMillis <= now && (next == null || t.atMillis < next.atMillis)) {
            next = t;
          }
        }
        if (next == null) {
          return;
        }
        timers.remove(next);
      }
      next.task.run();
    }
  }
}

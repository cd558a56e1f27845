package io.github.wechatmp.internal.refresh;

import java.time.Clock;
import java.util.concurrent.Flow;

/**
 * Where one cache's work runs: one-shot wake-ups (a token's due time, the end of a hold-off) and
 * refreshes. A cache takes one from {@link #forClock} when it is built and {@linkplain #close()
 * closes} it when it is closed: the threads behind it are shared, and counted, not global.
 */
public interface Scheduler {

  /** A scheduled wake-up that may be cancelled. */
  interface Cancellable {
    /** Cancels the wake-up if it has not run yet. Idempotent. */
    void cancel();
  }

  /** A wake-up that was never scheduled. */
  Cancellable NONE = () -> {};

  /**
   * Runs {@code task} once, {@code delayMillis} from now by the clock this scheduler serves. The
   * task must be short and must not block: it runs on the scheduler's timer. It may run early
   * (after the host slept, or the wall clock was stepped), so it must check its own time and, if
   * early, schedule itself again. After {@link #close()} it is dropped.
   */
  Cancellable schedule(Runnable task, long delayMillis);

  /**
   * Runs {@code task} on the bounded pool where refreshes run (they may block on the network or the
   * store). After {@link #close()} it is dropped.
   */
  void execute(Runnable task);

  /** Gives up this cache's share of the threads. Idempotent. */
  void close();

  /**
   * A scheduler for a cache on {@code clock}. A clock that is also a {@link Flow.Publisher} of its
   * instants (a test's manual clock, such as {@code ManualClock} of module {@code wechat-test})
   * tells of its every move: the wake-ups of every cache on it are due by it and run when it moves,
   * and each move returns only once the wake-ups due by then, and the refreshes they started, have
   * finished. Any other clock's wake-ups run on the JVM's shared timer. Refreshes run on the shared
   * refresh pool either way.
   */
  static Scheduler forClock(Clock clock) {
    SharedScheduler shared = SharedScheduler.acquire();
    return clock instanceof Flow.Publisher
        ? shared.drivenBy(clock, (Flow.Publisher<?>) clock)
        : shared;
  }
}

package io.github.wechatmp.internal.refresh;

import java.time.Clock;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Where the refresh engine's work runs: one-shot wake-ups (a token's due time, the end of a
 * hold-off) and refreshes. Production uses {@link SharedScheduler}, shared by every provider of the
 * JVM; tests bind a manual scheduler to their own clock ({@link #bind}), so that moving the clock
 * fires the wake-ups and the engine runs its production path, deterministically.
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
   * task must be short and must not block: it runs on the scheduler's timer.
   */
  Cancellable schedule(Runnable task, long delayMillis);

  /**
   * Runs {@code task} on the bounded pool where refreshes run (they may block on the network or the
   * store).
   */
  void execute(Runnable task);

  /** The scheduler for engines on {@code clock}: a bound one, else the shared production one. */
  static Scheduler forClock(Clock clock) {
    synchronized (Bindings.BOUND) {
      Scheduler s = Bindings.BOUND.get(clock);
      if (s != null) {
        return s;
      }
    }
    return SharedScheduler.INSTANCE;
  }

  /**
   * Makes {@code scheduler} the one for engines built on {@code clock} (a test's manual clock).
   * Held weakly by the clock.
   */
  static void bind(Clock clock, Scheduler scheduler) {
    synchronized (Bindings.BOUND) {
      Bindings.BOUND.put(clock, scheduler);
    }
  }

  /** The bindings of {@link #bind}; a holder so that the interface has no mutable field. */
  final class Bindings {
    static final Map<Clock, Scheduler> BOUND = new WeakHashMap<>();

    private Bindings() {}
  }
}

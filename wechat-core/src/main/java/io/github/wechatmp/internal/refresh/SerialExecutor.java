package io.github.wechatmp.internal.refresh;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs one cache's tasks (refreshes, store reconciliations) one at a time, in order, on the shared
 * refresh pool: the cache's work stays serialized as if it had a thread of its own, without costing
 * one while idle. Thread-safe.
 */
final class SerialExecutor {
  private final Scheduler scheduler;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean running = new AtomicBoolean();

  SerialExecutor(Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  void execute(Runnable task) {
    tasks.add(task);
    drainLater();
  }

  private void drainLater() {
    if (!tasks.isEmpty() && running.compareAndSet(false, true)) {
      scheduler.execute(this::drain);
    }
  }

  private void drain() {
    try {
      Runnable next = tasks.poll();
      if (next != null) {
        next.run();
      }
    } finally {
      running.set(false);
      drainLater(); // one task per turn, so that many busy caches share the pool fairly
    }
  }
}

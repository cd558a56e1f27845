package io.github.wechatmp.callback;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The bounded pool that runs handlers off the request thread, so the request thread can answer at
 * the deadline. Daemon threads named {@code wechat-callback-handler-N}, started as needed up to a
 * bound and ended after a minute idle; a bounded queue beyond which {@link #submit} refuses.
 *
 * <p>Why not a {@code ThreadPoolExecutor}: handing a task to a parked thread and the result back
 * costs tens of microseconds of wake-up latency each way, many times the work of answering a
 * message. A worker that has just finished a task spins briefly (up to {@link #SPIN_NANOS}) before
 * parking, and so does the request thread waiting for the reply (20 us), so under steady traffic a
 * task is picked up and answered without a wake-up; an idle pool parks and costs nothing.
 */
final class HandlerPool {
  /**
   * How long a worker that just finished spins for the next task before parking. Measured on a
   * loaded 2-core machine: at 50 us the hand-off often fell back to a park and a wake-up (p50 80
   * us); at 200 us it stayed near 1 us. It costs at most this much of one core per burst of
   * messages, and nothing when idle.
   */
  static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

  private static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final AtomicInteger POOLS = new AtomicInteger();

  private final int maxThreads;
  private final int maxQueued;
  private final String namePrefix;
  private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicInteger threads = new AtomicInteger();
  private final AtomicInteger spinning = new AtomicInteger();
  private final AtomicInteger names = new AtomicInteger();
  private final ConcurrentLinkedDeque<Thread> idle = new ConcurrentLinkedDeque<>();

  HandlerPool(int maxThreads, int maxQueued) {
    this.maxThreads = maxThreads;
    this.maxQueued = maxQueued;
    this.namePrefix = "wechat-callback-" + POOLS.incrementAndGet() + "-handler-";
  }

  /** Queues {@code task}; false if the queue is full. */
  boolean submit(Runnable task) {
    if (queued.incrementAndGet() > maxQueued) {
      queued.decrementAndGet();
      return false;
    }
    queue.offer(task);
    if (spinning.get() > 0) {
      return true; // a spinning worker takes it, or finds it when it re-checks before parking
    }
    Thread parked = idle.pollFirst();
    if (parked != null) {
      LockSupport.unpark(parked);
      return true;
    }
    while (true) {
      int n = threads.get();
      if (n >= maxThreads) {
        return true; // every worker is busy; the first to finish takes it
      }
      if (threads.compareAndSet(n, n + 1)) {
        break;
      }
    }
    Thread t = new Thread(this::work, namePrefix + names.incrementAndGet());
    t.setDaemon(true);
    t.start();
    return true;
  }

  private void work() {
    Thread me = Thread.currentThread();
    try {
      while (true) {
        Runnable r = queue.poll();
        if (r == null) {
          spinning.incrementAndGet();
          long end = System.nanoTime() + SPIN_NANOS;
          while ((r = queue.poll()) == null && System.nanoTime() - end < 0) {
            Thread.onSpinWait();
          }
          spinning.decrementAndGet();
        }
        if (r == null) {
          idle.addFirst(me);
          if (!queue.isEmpty()) {
            idle.remove(me);
            continue;
          }
          LockSupport.parkNanos(this, KEEP_ALIVE_NANOS);
          if (idle.remove(me) && queue.isEmpty()) {
            return; // nobody woke it for a minute: end the thread
          }
          continue;
        }
        queued.decrementAndGet();
        r.run(); // tasks catch their own exceptions
      }
    } finally {
      threads.decrementAndGet();
      if (!queue.isEmpty() && threads.get() == 0) {
        // a task came as the last worker left: make sure someone runs it
        Runnable orphan = queue.poll();
        if (orphan != null) {
          queued.decrementAndGet();
          submit(orphan);
        }
      }
    }
  }
}

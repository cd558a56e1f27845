package io.github.wechatmp.callback;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The bounded pool that runs handlers off the request thread, so the request thread can answer at
 * the deadline. Daemon threads named {@code wechat-callback-N-handler-M}, started as needed up to a
 * bound and ended after a minute idle; a bounded queue beyond which {@link #submit} refuses.
 *
 * <p>Why not a {@code ThreadPoolExecutor}: waking a parked thread costs tens of microseconds on a
 * virtual machine whose other core is idle (measured: a park-only hand-off took the callback
 * benchmark from 5.6 to about 50 us a message), many times the work of answering a message. So one
 * worker waits awake, watching a one-task hand, but only while a request is on its way to a
 * hand-off ({@link #demand}) and for {@link #GRACE_NANOS} after the last one; otherwise every
 * worker parks. An earlier version kept each finished worker spinning for 200 us whatever the
 * traffic; this one spends awake time only alongside requests, and nothing when idle.
 */
final class HandlerPool {
  private static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(60);

  /**
   * How long a worker stays awake after the last request on its way to a hand-off: long enough to
   * bridge the gap between one request's end and the next one's start under steady traffic, short
   * enough to cost little when traffic stops.
   */
  static final long GRACE_NANOS = TimeUnit.MICROSECONDS.toNanos(10);

  /**
   * The grace after a task whose request thread had parked and had to be woken: its next request
   * comes a wake-up later than usual, and a worker that parked in the meantime would have to be
   * woken in turn, which keeps every later message on the slow path (measured: 30 us instead of 5).
   */
  static final long LONG_GRACE_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

  /** Set when a handler thread had to wake its request thread; read by the next wait. A hint. */
  private volatile boolean wokeWaiter;

  private static final AtomicInteger POOLS = new AtomicInteger();

  private final int maxThreads;
  private final int maxQueued;
  private final String namePrefix;
  private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicInteger threads = new AtomicInteger();
  private final AtomicInteger names = new AtomicInteger();

  /** Requests on their way to a hand-off: verifying, decrypting, parsing (CPU work only). */
  private final AtomicInteger demand = new AtomicInteger();

  /** 1 while a worker waits awake for the next task; never more than one does. */
  private final AtomicInteger awake = new AtomicInteger();

  /**
   * The awake worker's hand: a task put here goes to it with one write, which it sees while it
   * watches this one field (the queue's head and counters are written by every submit and poll).
   */
  private final AtomicReference<Runnable> handOff = new AtomicReference<>();

  private final ConcurrentLinkedDeque<Thread> idle = new ConcurrentLinkedDeque<>();

  HandlerPool(int maxThreads, int maxQueued) {
    this.maxThreads = maxThreads;
    this.maxQueued = maxQueued;
    this.namePrefix = "wechat-callback-" + POOLS.incrementAndGet() + "-handler-";
  }

  /**
   * One request's demand for an awake worker, not yet started: {@link Demand#start()} when the
   * request is known to be genuine (its signature checked) and will likely hand a task over within
   * microseconds. While any started demand is under way, one worker waits awake for the task, so
   * the hand-off costs no wake-up (which on a virtual machine with an idle core takes tens of
   * microseconds); if none is awake, the one that parked last is woken at the start, so that its
   * wake-up overlaps the request's own work. Call {@link Demand#end()} at the hand-off or when the
   * request ends without one.
   */
  Demand demand() {
    return new Demand();
  }

  /** One request's share of the demand; request thread only. */
  final class Demand {
    private boolean on;

    /** The request will likely hand a task over soon; idempotent. */
    void start() {
      if (on) {
        return;
      }
      on = true;
      demand.incrementAndGet();
      if (awake.get() == 0) {
        Thread parked = idle.pollFirst();
        if (parked != null) {
          LockSupport.unpark(parked);
        }
      }
    }

    /** The hand-off happened, or will not; idempotent, and harmless if never started. */
    void end() {
      if (on) {
        on = false;
        demand.decrementAndGet();
      }
    }
  }

  /** Queues {@code task}; false if the queue is full. */
  boolean submit(Runnable task) {
    if (awake.get() > 0 && handOff.compareAndSet(null, task)) {
      // Look again after handing: the worker leaves the awake state first and then empties its
      // hand, so either it takes the task or this sees it gone and takes the task back.
      if (awake.get() > 0 || !handOff.compareAndSet(task, null)) {
        return true;
      }
    }
    if (queued.incrementAndGet() > maxQueued) {
      queued.decrementAndGet();
      return false;
    }
    queue.offer(task);
    if (awake.get() > 0) {
      // The awake worker takes it; or, if it has just taken another, it sees this one when it
      // looks again after leaving the awake state, and wakes a worker for it (see work()).
      return true;
    }
    wakeOrStartWorker();
    return true;
  }

  /** Unparks an idle worker, or starts one if there is none and the bound allows. */
  private void wakeOrStartWorker() {
    Thread parked = idle.pollFirst();
    if (parked != null) {
      LockSupport.unpark(parked);
      return;
    }
    while (true) {
      int n = threads.get();
      if (n >= maxThreads) {
        return; // every worker is busy; the first to finish takes it
      }
      if (threads.compareAndSet(n, n + 1)) {
        break;
      }
    }
    Thread t = new Thread(this::work, namePrefix + names.incrementAndGet());
    t.setDaemon(true);
    t.start();
  }

  /** A handler thread had to unpark the request thread it answered: wait longer next time. */
  void wokeWaiter() {
    wokeWaiter = true;
  }

  /**
   * Waits awake for a task while requests are on their way to a hand-off, and for {@link
   * #GRACE_NANOS} after the last; null when that passed with no task. The wait costs at most as
   * much CPU as the requests' own work before their hand-off, plus the grace, and none when no
   * request comes: it is not a spin that holds a core while the callback is idle.
   */
  private Runnable awaitTask() {
    long grace = GRACE_NANOS;
    if (wokeWaiter) {
      wokeWaiter = false;
      grace = LONG_GRACE_NANOS;
    }
    long graceEnd = System.nanoTime() + grace;
    while (true) {
      Runnable r = handOff.get() != null ? handOff.getAndSet(null) : poll();
      if (r != null) {
        return r;
      }
      long now = System.nanoTime();
      if (demand.get() > 0) {
        graceEnd = now + grace;
      } else if (now - graceEnd >= 0) {
        return null;
      }
      Thread.onSpinWait();
    }
  }

  /** A queued task, counted out of the queue's bound. */
  private Runnable poll() {
    Runnable r = queue.poll();
    if (r != null) {
      queued.decrementAndGet();
    }
    return r;
  }

  private void work() {
    Thread me = Thread.currentThread();
    try {
      while (true) {
        Runnable r = poll();
        if (r == null && awake.compareAndSet(0, 1)) {
          r = awaitTask();
          awake.set(0);
          if (r == null) {
            r = handOff.getAndSet(null); // handed as this worker left the awake state
          } else if (handOff.get() != null || !queue.isEmpty()) {
            // Another task came for the awake worker as it took this one, and it is about to be
            // busy: it must not wait behind this task while other workers sleep.
            wakeOrStartWorker();
          }
        }
        if (r == null) {
          // Announce, then look again: a submit that queued before the announcement is seen
          // here, and one after it finds this thread in idle and unparks it.
          idle.addFirst(me);
          if (!queue.isEmpty()) {
            idle.remove(me);
            continue;
          }
          long parkedAt = System.nanoTime();
          LockSupport.parkNanos(this, KEEP_ALIVE_NANOS);
          // Still listed means nobody took this thread: a minute passed, or park returned early
          // (a permit left by an unpark that raced with the look above; that must not end the
          // thread, or the next task pays for starting a new one).
          if (idle.remove(me)
              && System.nanoTime() - parkedAt >= KEEP_ALIVE_NANOS
              && queue.isEmpty()) {
            return;
          }
          continue;
        }
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

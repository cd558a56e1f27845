package io.github.wechatmp.internal.refresh;

import java.time.Clock;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The production {@link Scheduler}: one timer thread ({@code wechat-token-timer}) for every wake-up
 * of every provider of the JVM, and a pool of at most {@link #REFRESH_THREADS} refresh threads
 * ({@code wechat-refresh-N}). All are daemon threads that end after 30 s with nothing to do, so an
 * idle JVM holds none, and an idle provider never costs one. One instance is shared while any cache
 * holds it: each cache {@linkplain #acquire() acquires} it and {@linkplain #close() releases} it,
 * and the last release shuts its threads down; the next cache starts a new one.
 *
 * <p>Platform threads rather than virtual ones: the SDK targets Java 17, where there are none, and
 * a refresh blocks in code (OkHttp, Jedis, file locks) that on the JDKs with virtual threads may
 * pin its carrier anyway. The bound keeps 10,000 accounts to a handful of threads; a refresh that
 * hangs occupies one thread for at most the refresh lock's lease, so the others go on.
 *
 * <p>The timer counts monotonic time, which stops while the host is suspended and ignores steps of
 * the wall clock; tokens expire by the wall clock. So while wake-ups are pending, one check a
 * second (for the whole JVM, not per token) compares the two, and when the wall clock has moved a
 * second or more beyond monotonic time it runs every pending wake-up at once: each re-checks its
 * own time and re-arms itself if it is early.
 */
final class SharedScheduler implements Scheduler {
  /** At most this many refreshes run at once, across all providers of the JVM. */
  static final int REFRESH_THREADS = 6;

  private static final long KEEP_ALIVE_SECONDS = 30;

  /** The instance caches hold now, or null; guarded by the class. */
  private static SharedScheduler shared;

  /** How many caches hold this instance; guarded by the class. */
  private int holders;

  /** The timers of the clocks that publish their moves, by clock; guarded by the class. */
  private final Map<Clock, ClockDrivenScheduler> driven = new IdentityHashMap<>();

  /** How far the wall clock may move beyond monotonic time before pending wake-ups run early. */
  static final long JUMP_MILLIS = 1_000;

  private final ScheduledThreadPoolExecutor timer;
  private final ThreadPoolExecutor refreshPool;
  private final AtomicBoolean watching = new AtomicBoolean();
  private volatile ScheduledFuture<?> watch;
  private long wallAtCheck; // guarded by the timer thread
  private long nanoAtCheck; // guarded by the timer thread

  private SharedScheduler() {
    timer = new ScheduledThreadPoolExecutor(1, daemon("wechat-token-timer", false));
    timer.setRemoveOnCancelPolicy(true); // cancelled wake-ups must not pile up for hours
    timer.setKeepAliveTime(KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
    timer.allowCoreThreadTimeOut(true); // the last worker stays while a wake-up is pending
    refreshPool =
        new ThreadPoolExecutor(
            REFRESH_THREADS,
            REFRESH_THREADS,
            KEEP_ALIVE_SECONDS,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            daemon("wechat-refresh-", true));
    refreshPool.allowCoreThreadTimeOut(true);
  }

  private static ThreadFactory daemon(String name, boolean numbered) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, numbered ? name + n.incrementAndGet() : name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Returns the shared instance, counting one more holder; starting one if none is held. */
  static SharedScheduler acquire() {
    synchronized (SharedScheduler.class) {
      SharedScheduler s = shared;
      if (s == null) {
        s = new SharedScheduler();
        shared = s;
      }
      s.holders++;
      return s;
    }
  }

  /**
   * The scheduler of a cache on {@code clock}, which publishes its moves: the one timer of all the
   * caches on that clock, subscribed to it while any of them is open. Counts as an {@link
   * #acquire()}: its close releases this instance too.
   */
  Scheduler drivenBy(Clock clock, Flow.Publisher<?> moves) {
    ClockDrivenScheduler timer;
    boolean subscribe = false;
    synchronized (SharedScheduler.class) {
      timer = driven.get(clock);
      if (timer == null) {
        timer = new ClockDrivenScheduler(clock, this);
        driven.put(clock, timer);
        subscribe = true;
      }
      timer.holders++;
    }
    if (subscribe) {
      moves.subscribe(timer);
    }
    return timer.hold();
  }

  /** A cache on a publishing clock was closed: its timer's count, then this instance's. */
  void release(ClockDrivenScheduler timer) {
    boolean last;
    synchronized (SharedScheduler.class) {
      last = --timer.holders == 0;
      if (last) {
        driven.remove(timer.clock());
      }
    }
    if (last) {
      timer.close();
    }
    close();
  }

  /** Counts one holder less; the last one shuts the threads down. Call once per acquire. */
  @Override
  public void close() {
    synchronized (SharedScheduler.class) {
      if (--holders > 0) {
        return;
      }
      if (shared == this) {
        shared = null;
      }
    }
    timer.shutdownNow();
    refreshPool.shutdown(); // a refresh running finishes; nothing new starts
  }

  @Override
  public Cancellable schedule(Runnable task, long delayMillis) {
    ScheduledFuture<?> f;
    try {
      f = timer.schedule(guarded(task), Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closed) {
      return NONE; // every cache holding this instance was closed: nothing is left to wake
    }
    if (!watching.get() && watching.compareAndSet(false, true)) {
      try {
        timer.execute(this::startWatch);
      } catch (RejectedExecutionException closed) {
        watching.set(false);
      }
    }
    return () -> f.cancel(false);
  }

  private void startWatch() {
    wallAtCheck = System.currentTimeMillis();
    nanoAtCheck = System.nanoTime();
    watch = timer.scheduleWithFixedDelay(this::checkClock, 1, 1, TimeUnit.SECONDS);
  }

  /** Once a second while wake-ups are pending: did the wall clock jump, or the host sleep? */
  private void checkClock() {
    long wall = System.currentTimeMillis();
    long nano = System.nanoTime();
    boolean jumped = jumped(wallAtCheck, nanoAtCheck, wall, nano);
    wallAtCheck = wall;
    nanoAtCheck = nano;
    if (jumped) {
      for (Runnable pending : timer.getQueue().toArray(new Runnable[0])) {
        pending.run(); // a one-shot task runs once: the queued copy is then a no-op
      }
    }
    if (timer.getQueue().isEmpty()) { // only this check is left (it is not queued while it runs)
      ScheduledFuture<?> w = watch;
      if (w != null) {
        w.cancel(false);
      }
      watching.set(false);
    }
  }

  /** Whether the wall clock moved {@link #JUMP_MILLIS} or more beyond monotonic time. */
  static boolean jumped(long wallBefore, long nanoBefore, long wallNow, long nanoNow) {
    long wallElapsed = wallNow - wallBefore;
    long monotonicElapsed = TimeUnit.NANOSECONDS.toMillis(nanoNow - nanoBefore);
    return Math.abs(wallElapsed - monotonicElapsed) >= JUMP_MILLIS;
  }

  @Override
  public void execute(Runnable task) {
    try {
      refreshPool.execute(guarded(task));
    } catch (RejectedExecutionException closed) {
      // every cache holding this instance was closed: its work is moot
    }
  }

  /** A task that throws must not end a shared thread nor be swallowed without a trace. */
  private static Runnable guarded(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException | Error e) {
        Thread t = Thread.currentThread();
        t.getUncaughtExceptionHandler().uncaughtException(t, e);
      }
    };
  }
}

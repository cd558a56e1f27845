package io.github.wechatmp.internal.refresh;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The production {@link Scheduler}: one timer thread ({@code wechat-token-timer}) for every wake-up
 * of every provider of the JVM, and a pool of at most {@link #REFRESH_THREADS} refresh threads
 * ({@code wechat-refresh-N}). All are daemon threads that end after 30 s with nothing to do, so an
 * idle JVM holds none, and an idle provider never costs one.
 *
 * <p>Platform threads rather than virtual ones: the SDK targets Java 17, where there are none, and
 * a refresh blocks in code (OkHttp, Jedis, file locks) that on the JDKs with virtual threads may
 * pin its carrier anyway. The bound keeps 10,000 accounts to a handful of threads; a refresh that
 * hangs occupies one thread for at most the refresh lock's lease, so the others go on.
 */
final class SharedScheduler implements Scheduler {
  /** At most this many refreshes run at once, across all providers of the JVM. */
  static final int REFRESH_THREADS = 6;

  private static final long KEEP_ALIVE_SECONDS = 30;

  static final SharedScheduler INSTANCE = new SharedScheduler();

  private final ScheduledThreadPoolExecutor timer;
  private final ThreadPoolExecutor refreshPool;

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

  @Override
  public Cancellable schedule(Runnable task, long delayMillis) {
    ScheduledFuture<?> f =
        timer.schedule(guarded(task), Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
    return () -> f.cancel(false);
  }

  @Override
  public void execute(Runnable task) {
    refreshPool.execute(guarded(task));
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

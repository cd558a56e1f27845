package io.github.wechatmp.store.redis;

import io.github.wechatmp.redis.RedisLayout;
import io.github.wechatmp.token.TokenStore.ChangeListener;
import io.github.wechatmp.token.TokenStore.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.UnifiedJedis;

/**
 * Delivers the change messages that {@link RedisTokenStore} publishes to the subscribers of this
 * process. One pattern subscription (the key prefix followed by {@code *}) on one connection serves
 * every key, so a store holds at most one connection of its client's pool for notifications however
 * many providers share it; classic pub/sub reaches every node of a Redis Cluster, so any node will
 * do.
 *
 * <p>Thread-safe. Owns two daemon threads, started with the first subscription and ended when the
 * last one is closed: the subscriber, which reconnects with a jittered backoff (100 ms doubling to
 * {@value #MAX_BACKOFF_MILLIS} ms) while Redis is unreachable, and a watch that sends a {@code
 * PING} on the subscribed connection every check interval. Jedis gives a subscribed connection no
 * read timeout, so a connection that dies silently (a peer or middlebox that stops forwarding
 * without a reset) would otherwise go unnoticed until TCP keepalive; when a {@code PING} goes
 * unanswered for two intervals, or a subscription is not confirmed within two intervals (the pool
 * handed out a connection that had died the same way), the watch abandons that connection and
 * subscribes on a new one. The abandoned thread stays blocked in its read until the operating
 * system gives up on the socket, then ends by itself.
 *
 * <p>Messages published while no subscription is confirmed are lost, so each subscription confirmed
 * after the first (a reconnect, or a silent connection replaced) is reported to every listener as
 * {@link ChangeListener#onResubscribed()}: they re-read their keys and adopt what changed
 * meanwhile. It is never reported as a change, because a provider told of a change that finds the
 * entry gone drops its token (that is how invalidations travel), and a Redis that lost its data
 * must not make every instance drop a token that WeChat still accepts.
 */
final class ChangeNotifier {
  private static final Logger log = LoggerFactory.getLogger(ChangeNotifier.class);

  static final long FIRST_BACKOFF_MILLIS = 100;
  static final long MAX_BACKOFF_MILLIS = 2_000;
  static final String THREAD_NAME_PREFIX = "wechat-redis-changes-";
  static final String WATCH_THREAD_NAME_PREFIX = "wechat-redis-watch-";
  static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(5);

  private final UnifiedJedis jedis;
  private final String pattern;
  private final String threadName;
  private final long checkIntervalNanos;
  private final Object lock = new Object();
  private final Map<String, CopyOnWriteArrayList<Registration>> listeners =
      new HashMap<>(); // guarded by lock
  private Worker worker; // guarded by lock: the running worker, or null when nobody listens
  private ScheduledExecutorService watch; // guarded by lock: runs while a worker does
  private boolean confirmedBefore; // guarded by lock: a subscription was confirmed since the start
  private int unconfirmedReplacements; // guarded by lock: replaced unconfirmed since one confirmed
  private final AtomicInteger abandonedAlive = new AtomicInteger();

  /** Abandoned subscriber threads that may still wait on a dead socket before no more are. */
  static final int MAX_ABANDONED = 4;

  ChangeNotifier(UnifiedJedis jedis, RedisLayout layout, Duration checkInterval) {
    this.jedis = jedis;
    this.pattern = layout.channelPattern();
    this.threadName = THREAD_NAME_PREFIX + layout.prefix();
    this.checkIntervalNanos = checkInterval.toNanos();
  }

  /** Registers {@code onChange} for messages on {@code channel}; never blocks, never does I/O. */
  Subscription add(String channel, ChangeListener listener) {
    Registration r = new Registration(channel, listener);
    Worker toStart = null;
    synchronized (lock) {
      listeners.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(r);
      if (worker == null) {
        worker = new Worker();
        toStart = worker;
        startWatch();
      }
    }
    if (toStart != null) {
      toStart.thread.start();
    }
    return r;
  }

  private void startWatch() {
    ScheduledThreadPoolExecutor w =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread t = new Thread(task, WATCH_THREAD_NAME_PREFIX + threadName);
              t.setDaemon(true);
              return t;
            });
    w.setRemoveOnCancelPolicy(true);
    w.scheduleWithFixedDelay(
        this::check, checkIntervalNanos, checkIntervalNanos, TimeUnit.NANOSECONDS);
    watch = w;
  }

  /**
   * On the watch thread: pings the confirmed subscription, or replaces it when the last ping has
   * gone unanswered for two intervals.
   */
  private void check() {
    Worker w;
    Listener l;
    boolean confirmed;
    synchronized (lock) {
      w = worker;
      l = w == null ? null : w.current;
      if (l == null) {
        return; // backing off: the worker's own loop handles that
      }
      confirmed = l.confirmed;
    }
    long now = System.nanoTime();
    if (!confirmed) {
      // Subscribing. A refused or failing connection ends the attempt by itself, but one the pool
      // handed out that had already died silently would wait for the confirmation for ever.
      if (now - l.startedNanos >= 2 * checkIntervalNanos
          && !l.everConfirmed
          && abandonedAlive.get() < MAX_ABANDONED) {
        replace(w, l, TimeUnit.NANOSECONDS.toMillis(now - l.startedNanos), false);
      }
      return;
    }
    long sent = l.pingSentNanos;
    if (sent != 0 && now - sent >= 2 * checkIntervalNanos) {
      replace(w, l, TimeUnit.NANOSECONDS.toMillis(now - sent), true);
      return;
    }
    if (sent == 0) {
      l.pingSentNanos = now;
      try {
        l.ping();
      } catch (RuntimeException e) {
        replace(w, l, 0, true);
      }
    }
  }

  /**
   * Abandons {@code silent}'s connection and subscribes on a new one. A confirmed subscription that
   * went silent is replaced at once, with a WARN. One that never confirmed may be a slow connection
   * rather than a dead one, or Redis may be unreachable: its replacement waits the backoff, which
   * grows with each replacement until a subscription confirms, and only the first is logged at
   * WARN; at most {@value #MAX_ABANDONED} abandoned threads may still wait on their sockets before
   * no more are abandoned.
   */
  private void replace(Worker silent, Listener l, long silentMillis, boolean wasConfirmed) {
    Worker replacement;
    int unconfirmedBefore;
    synchronized (lock) {
      if (worker != silent || silent.stopped) {
        return;
      }
      silent.stopped = true; // its thread ends whenever its read returns
      silent.abandoned = true;
      abandonedAlive.incrementAndGet();
      unconfirmedBefore = unconfirmedReplacements;
      if (!wasConfirmed) {
        unconfirmedReplacements++;
      }
      replacement = new Worker();
      replacement.startDelayMillis =
          wasConfirmed
              ? 0
              : Math.min(
                  MAX_BACKOFF_MILLIS, FIRST_BACKOFF_MILLIS << Math.min(unconfirmedBefore, 5));
      worker = replacement;
    }
    if (wasConfirmed || unconfirmedBefore == 0) {
      log.warn(
          "The Redis change subscription {} went silent (no answer for {} ms); subscribing again"
              + " on a new connection",
          pattern,
          silentMillis);
    } else {
      log.debug(
          "The Redis change subscription {} is still not confirmed after {} ms; trying another"
              + " connection ({} tries)",
          pattern,
          silentMillis,
          unconfirmedBefore + 1);
    }
    try {
      l.punsubscribe();
    } catch (RuntimeException e) {
      // Expected on a dead connection; the new subscription does not depend on it.
    }
    replacement.thread.start();
  }

  /**
   * Whether the subscription is confirmed by Redis now, so that a message published next arrives.
   */
  boolean isListening() {
    synchronized (lock) {
      return worker != null && worker.current != null && worker.current.confirmed;
    }
  }

  private void remove(Registration r) {
    Worker toStop = null;
    synchronized (lock) {
      List<Registration> list = listeners.get(r.channel);
      if (list == null || !list.remove(r)) {
        return;
      }
      if (list.isEmpty()) {
        listeners.remove(r.channel);
      }
      if (listeners.isEmpty() && worker != null) {
        toStop = worker;
        worker = null;
        watch.shutdownNow();
        watch = null;
      }
    }
    if (toStop != null) {
      toStop.stop();
    }
  }

  private void dispatch(String channel) {
    List<Registration> list;
    synchronized (lock) {
      list = listeners.get(channel);
    }
    if (list == null) {
      return; // another app's key under the same prefix
    }
    for (Registration r : list) {
      try {
        r.listener.onChange();
      } catch (RuntimeException e) {
        log.warn("A change subscriber of {} failed", channel, e);
      }
    }
  }

  /** Tells every listener that changes may have been missed while no subscription was confirmed. */
  private void dispatchResubscribed() {
    List<Registration> all = new ArrayList<>();
    synchronized (lock) {
      listeners.values().forEach(all::addAll);
    }
    for (Registration r : all) {
      try {
        r.listener.onResubscribed();
      } catch (RuntimeException e) {
        log.warn("A change subscriber of {} failed", r.channel, e);
      }
    }
  }

  private final class Registration implements Subscription {
    final String channel;
    final ChangeListener listener;

    Registration(String channel, ChangeListener listener) {
      this.channel = channel;
      this.listener = listener;
    }

    @Override
    public void close() {
      remove(this);
    }
  }

  /** The subscriber thread and its connection attempts. */
  private final class Worker implements Runnable {
    final Thread thread;
    private boolean stopped; // guarded by lock
    private boolean abandoned; // guarded by lock: stopped by replace(), its thread maybe stuck
    long startDelayMillis; // set before the thread starts
    private Listener current; // guarded by lock
    int failures; // consecutive failed attempts; only the worker thread touches it

    Worker() {
      thread = new Thread(this, threadName);
      thread.setDaemon(true);
    }

    void stop() {
      Listener l;
      boolean idle;
      synchronized (lock) {
        stopped = true;
        l = current != null && current.confirmed ? current : null;
        idle = current == null;
      }
      if (l != null) {
        try {
          l.punsubscribe(); // psubscribe() returns on the reply, leaving a clean connection for
          // the pool
        } catch (RuntimeException e) {
          // The connection is already broken; the thread sees that too and ends.
        }
      } else if (idle) {
        // Only a backoff pause is to be cut short. An interrupt while subscribed could end Jedis's
        // read
        // loop before the unsubscribe reply and hand a connection still in pub/sub mode back to the
        // pool.
        thread.interrupt();
      }
      // Otherwise it is connecting: onPSubscribe sees the stop and unsubscribes.
    }

    private boolean isStopped() {
      synchronized (lock) {
        return stopped;
      }
    }

    @Override
    public void run() {
      try {
        if (startDelayMillis > 0) {
          TimeUnit.MILLISECONDS.sleep(startDelayMillis);
        }
        subscribeUntilStopped();
      } catch (InterruptedException e) {
        // stopped during the start delay
      } finally {
        boolean wasAbandoned;
        synchronized (lock) {
          wasAbandoned = abandoned;
        }
        if (wasAbandoned) {
          abandonedAlive.decrementAndGet();
        }
      }
    }

    private void subscribeUntilStopped() {
      long backoff = FIRST_BACKOFF_MILLIS;
      while (true) {
        Listener l = new Listener(this);
        synchronized (lock) {
          if (stopped) {
            return;
          }
          current = l;
        }
        try {
          jedis.psubscribe(l, pattern);
        } catch (RuntimeException e) {
          if (isStopped()) {
            return;
          }
          failures++;
          if (l.everConfirmed) {
            log.warn(
                "Lost the Redis change subscription {}; reconnecting: {}", pattern, e.toString());
          } else if (failures == 1) {
            log.warn(
                "Could not subscribe to Redis changes {}; retrying with backoff: {}",
                pattern,
                e.toString());
          } else {
            log.debug(
                "Could not subscribe to Redis changes {} (attempt {}): {}",
                pattern,
                failures,
                e.toString());
          }
        } finally {
          synchronized (lock) {
            current = null;
          }
        }
        if (l.everConfirmed) {
          backoff = FIRST_BACKOFF_MILLIS;
        }
        if (isStopped()) {
          return;
        }
        long pause = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
        try {
          TimeUnit.MILLISECONDS.sleep(pause);
        } catch (InterruptedException e) {
          if (isStopped()) {
            return;
          }
        }
        backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
      }
    }
  }

  private final class Listener extends JedisPubSub {
    private final Worker owner;
    boolean confirmed; // guarded by lock
    volatile boolean everConfirmed;
    volatile long pingSentNanos; // when the unanswered PING went out, or 0 when none is
    final long startedNanos = System.nanoTime();

    Listener(Worker owner) {
      this.owner = owner;
    }

    @Override
    public void onPSubscribe(String pattern, int subscribedChannels) {
      boolean stop;
      boolean again;
      synchronized (lock) {
        stop = owner.stopped;
        confirmed = !stop;
        again = confirmedBefore;
        confirmedBefore |= !stop;
        if (!stop) {
          unconfirmedReplacements = 0;
        }
      }
      if (stop) {
        punsubscribe(); // closed while connecting: the closer could not reach this connection
        return;
      }
      if (again) {
        dispatchResubscribed();
      }
      everConfirmed = true;
      if (owner.failures > 0) {
        log.info(
            "Listening for Redis changes {} again after {} failed attempts",
            pattern,
            owner.failures);
      } else {
        log.debug("Listening for Redis changes {}", pattern);
      }
      owner.failures = 0;
    }

    @Override
    public void onPUnsubscribe(String pattern, int subscribedChannels) {
      synchronized (lock) {
        confirmed = false;
      }
    }

    @Override
    public void onPMessage(String pattern, String channel, String message) {
      dispatch(channel);
    }

    @Override
    public void onPong(String message) {
      pingSentNanos = 0;
    }
  }
}

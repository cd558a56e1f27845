package io.github.wechatmp.spring.boot;

import io.github.wechatmp.redis.AbstractRedisTokenStore;
import io.github.wechatmp.redis.RedisLayout;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import io.github.wechatmp.token.TokenStoreException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.SubscriptionListener;
import org.springframework.data.redis.listener.PatternTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * A {@link TokenStore} in Redis over Spring Data Redis, on the application's own {@link
 * RedisConnectionFactory} (Lettuce or Jedis, single server, Sentinel or Cluster). It reads and
 * writes {@link RedisLayout}'s keys, values, Lua scripts and change channel, as {@code
 * RedisTokenStore} (module {@code wechat-token-store-redis}) does, through the same {@link
 * AbstractRedisTokenStore}: so a fleet in which some nodes run this store and others {@code
 * RedisTokenStore} over Jedis shares one token, one lock and one hold-off (N nodes with a wrong
 * AppSecret make the attempts of one, whichever client each runs), and a node of either kind
 * stalled past its lease never overwrites the token the next holder (of either kind) saved.
 *
 * <p>Change notifications come through one {@link RedisMessageListenerContainer} on a pattern
 * subscription to {@code P*}, started in the background with the first {@link #subscribe} (retried,
 * 100 ms doubling to 2 s, while Redis is down, so a Redis down at start-up stops nothing) and
 * stopped by {@link #close()}; once started, the container reconnects by itself while Redis is
 * unreachable. Messages published meanwhile are lost, as with {@code RedisTokenStore}, so each
 * reconnect is reported to watchers ({@link #watch}) and every provider re-reads its key.
 *
 * <p>Failures: every method that cannot reach Redis throws {@link TokenStoreException} naming Redis
 * and the key; token values never appear in logs or messages. Thread-safe.
 */
public final class SpringDataRedisTokenStore extends AbstractRedisTokenStore
    implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SpringDataRedisTokenStore.class);

  /** The default key prefix, the same as {@code RedisTokenStore}'s: {@value}. */
  public static final String DEFAULT_PREFIX = RedisLayout.DEFAULT_PREFIX;

  private final RedisConnectionFactory connections;
  private final Map<String, CopyOnWriteArrayList<ChangeListener>> listeners =
      new ConcurrentHashMap<>();

  /** Whether a container's pattern subscription was confirmed before: later ones are reconnects. */
  private final AtomicBoolean subscribedBefore = new AtomicBoolean();

  private final Object containerLock = new Object();
  private RedisMessageListenerContainer container; // guarded by containerLock
  private boolean closed; // guarded by containerLock

  /**
   * Creates a store over the application's connections. Does no I/O.
   *
   * @param connections the connection factory; not closed by the store
   * @param keyPrefix the prefix of every key and channel, as {@code RedisTokenStore}'s
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the prefix is longer than 200 characters or holds a brace
   *     or a control character
   */
  public SpringDataRedisTokenStore(RedisConnectionFactory connections, String keyPrefix) {
    this(connections, keyPrefix, Clock.systemUTC());
  }

  SpringDataRedisTokenStore(RedisConnectionFactory connections, String keyPrefix, Clock clock) {
    super(
        new SpringDataRedisAccess(connections),
        RedisLayout.of(keyPrefix),
        clock,
        Duration.ofMillis(20),
        Duration.ofMillis(200));
    this.connections = connections;
  }

  static String checkPrefix(String keyPrefix) {
    return RedisLayout.checkPrefix(keyPrefix);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Starts the store's listener container with the first subscription; {@code onChange} runs on
   * the container's thread. Never does I/O on the caller's thread.
   */
  @Override
  public Subscription subscribe(TokenKey key, Runnable onChange) {
    Objects.requireNonNull(onChange, "onChange");
    return watch(key, onChange::run);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Like {@link #subscribe(TokenKey, Runnable)}; {@link ChangeListener#onResubscribed()} is
   * called, on the container's thread, each time the container's pattern subscription is confirmed
   * again after a lost connection (the container recovers by itself), so a provider re-reads its
   * key after every reconnect.
   */
  @Override
  public Subscription watch(TokenKey key, ChangeListener listener) {
    String channel = layout().tokenKey(key);
    Objects.requireNonNull(listener, "listener");
    listeners.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(listener);
    startContainer();
    AtomicBoolean done = new AtomicBoolean();
    return () -> {
      if (done.compareAndSet(false, true)) {
        List<ChangeListener> list = listeners.get(channel);
        if (list != null) {
          list.remove(listener);
        }
      }
    };
  }

  private void startContainer() {
    RedisMessageListenerContainer c;
    synchronized (containerLock) {
      if (container != null || closed) {
        return;
      }
      c = newContainer();
      container = c;
    }
    try {
      c.start();
      return;
    } catch (RuntimeException e) {
      // The container subscribes on start and throws while Redis is down: retry in the background,
      // each time with a new container, so that a Redis down at start-up stops nothing. Once
      // started, a container reconnects by itself.
      log.warn(
          "Could not subscribe to token changes under {}* yet ({}); retrying in the background",
          layout().prefix(),
          e.toString());
      destroy(c);
    }
    Thread retry = new Thread(this::startWithRetries, "wechat-redis-changes-start");
    retry.setDaemon(true);
    retry.start();
  }

  private RedisMessageListenerContainer newContainer() {
    RedisMessageListenerContainer c = new RedisMessageListenerContainer();
    c.setConnectionFactory(connections);
    c.setRecoveryInterval(2_000);
    SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor("wechat-redis-changes-");
    executor.setDaemon(true);
    c.setTaskExecutor(executor);
    c.addMessageListener(new ChangeMessages(), new PatternTopic(layout().channelPattern()));
    c.afterPropertiesSet();
    return c;
  }

  private void startWithRetries() {
    long pause = 200;
    while (true) {
      try {
        Thread.sleep(pause / 2 + ThreadLocalRandom.current().nextLong(pause / 2 + 1));
      } catch (InterruptedException e) {
        return;
      }
      pause = Math.min(2_000, pause * 2);
      synchronized (containerLock) {
        if (closed) {
          return;
        }
      }
      RedisMessageListenerContainer c = newContainer();
      try {
        c.start();
      } catch (RuntimeException e) {
        log.debug("Could not subscribe to token changes yet ({}); retrying", e.toString());
        destroy(c);
        continue;
      }
      boolean keep;
      synchronized (containerLock) {
        keep = !closed;
        if (keep) {
          container = c;
        }
      }
      if (keep) {
        log.info("Subscribed to token changes under {}*", layout().prefix());
      } else {
        destroy(c); // closed while it was starting
      }
      return;
    }
  }

  /**
   * The container's listener: a message is a change of its channel's key; a pattern subscription
   * confirmed after the first is a reconnect, after which messages may have been lost.
   */
  private final class ChangeMessages implements MessageListener, SubscriptionListener {
    @Override
    public void onMessage(Message message, byte[] pattern) {
      dispatch(new String(message.getChannel(), StandardCharsets.UTF_8));
    }

    @Override
    public void onPatternSubscribed(byte[] pattern, long count) {
      if (subscribedBefore.getAndSet(true)) {
        log.info(
            "Subscribed to token changes under {}* again; re-reading the keys", layout().prefix());
        listeners.forEach((channel, list) -> list.forEach(l -> tell(channel, l, true)));
      }
    }
  }

  private void dispatch(String channel) {
    List<ChangeListener> list = listeners.get(channel);
    if (list == null) {
      return;
    }
    for (ChangeListener l : list) {
      tell(channel, l, false);
    }
  }

  private static void tell(String channel, ChangeListener l, boolean resubscribed) {
    try {
      if (resubscribed) {
        l.onResubscribed();
      } else {
        l.onChange();
      }
    } catch (RuntimeException e) {
      log.warn("A change subscriber of {} failed", channel, e);
    }
  }

  /** Stops the change notifications. Idempotent; never throws. Does not close the factory. */
  @Override
  public void close() {
    RedisMessageListenerContainer c;
    synchronized (containerLock) {
      closed = true;
      c = container;
      container = null;
    }
    if (c != null) {
      destroy(c);
    }
  }

  private static void destroy(RedisMessageListenerContainer c) {
    try {
      c.destroy();
    } catch (Exception e) {
      log.warn("Could not stop the Redis listener container: {}", e.toString());
    }
  }

  /** Returns a description with the key prefix. */
  @Override
  public String toString() {
    return "SpringDataRedisTokenStore{keyPrefix=" + layout().prefix() + '}';
  }
}

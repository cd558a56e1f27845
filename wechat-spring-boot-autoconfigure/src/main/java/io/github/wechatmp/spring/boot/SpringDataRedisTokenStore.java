package io.github.wechatmp.spring.boot;

import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import io.github.wechatmp.token.TokenStoreException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.SubscriptionListener;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.listener.PatternTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * A {@link TokenStore} in Redis over Spring Data Redis, on the application's own {@link
 * RedisConnectionFactory} (Lettuce or Jedis, single server, Sentinel or Cluster). It uses exactly
 * the keys, values, Lua scripts and change channel of {@code RedisTokenStore} (module {@code
 * wechat-token-store-redis}): for the prefix {@code P}, AppID {@code A} and kind {@code K},
 *
 * <ul>
 *   <li>the token under {@code P{A}:K} as {@code <expiresAt>,<issuedAt>:<value>} (epoch
 *       milliseconds; {@code <expiresAt>:<value>} for a token of unknown issue time) with a TTL of
 *       the time left;
 *   <li>the refresh lock under {@code P{A}:K:lock}, a random owner id with a TTL of the lease;
 *   <li>the hold-off after an account's failed refreshes under {@code P{A}:K:holdoff}, as {@code
 *       <failures>:<notBefore epoch ms>:<errcode>:<errmsg>}, kept until 10 minutes past its end or
 *       the next success;
 *   <li>a message on channel {@code P{A}:K} on every save and successful compare-and-delete.
 * </ul>
 *
 * So a fleet in which some nodes run this store and others {@code RedisTokenStore} over Jedis
 * shares one token, one lock and one hold-off: N nodes with a wrong AppSecret make the attempts of
 * one, whichever client each runs. {@link #saveFenced} is fenced by the same script as {@code
 * RedisTokenStore}'s, so a node of either kind stalled past its lease never overwrites the token
 * the next holder (of either kind) saved.
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
public final class SpringDataRedisTokenStore implements TokenStore, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SpringDataRedisTokenStore.class);

  /** The default key prefix, the same as {@code RedisTokenStore}'s. */
  public static final String DEFAULT_PREFIX = "wechat:";

  /** The suffix of the refresh lock's key, as {@code RedisTokenStore}'s. */
  static final String LOCK_SUFFIX = ":lock";

  /** The suffix of the key of the shared hold-off, as {@code RedisTokenStore}'s. */
  static final String HOLD_OFF_SUFFIX = ":holdoff";

  /** How long a hold-off outlives its end, so that the next failure counts on from it. */
  static final long HOLD_OFF_KEEP_MILLIS = 10 * 60_000;

  static final String SAVED_MESSAGE = "saved";
  static final String DELETED_MESSAGE = "deleted";

  // The scripts, suffixes and messages are RedisTokenStore's, character for character (a test
  // compares them): a mixed fleet must agree on what a stored value, a lock, a hold-off and a
  // change message are.
  static final String SET_PX_SCRIPT = "return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])";

  static final String SAVE_SCRIPT =
      String.join(
          "\n",
          "if tonumber(ARGV[2]) > 0 then",
          "  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])",
          "else",
          "  redis.call('DEL', KEYS[1])",
          "end",
          "redis.call('PUBLISH', KEYS[1], ARGV[3])",
          "return 1");

  // KEYS[1] token key, KEYS[2] lock key; ARGV[1..3] as SAVE_SCRIPT's; ARGV[4] the lock's owner.
  static final String FENCED_SAVE_SCRIPT =
      String.join(
          "\n",
          "if redis.call('GET', KEYS[2]) ~= ARGV[4] then return 0 end",
          "if tonumber(ARGV[2]) > 0 then",
          "  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])",
          "else",
          "  redis.call('DEL', KEYS[1])",
          "end",
          "redis.call('PUBLISH', KEYS[1], ARGV[3])",
          "return 1");

  static final String DELETE_IF_VALUE_SCRIPT =
      String.join(
          "\n",
          "local v = redis.call('GET', KEYS[1])",
          "if not v then return 0 end",
          "local i = string.find(v, ':', 1, true)",
          "if i and string.sub(v, i + 1) == ARGV[1] then",
          "  redis.call('DEL', KEYS[1])",
          "  redis.call('PUBLISH', KEYS[1], ARGV[2])",
          "  return 1",
          "end",
          "return 0");

  static final String LOCK_SCRIPT =
      String.join(
          "\n",
          "if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then",
          "  return 1",
          "end",
          "return 0");

  static final String RELEASE_SCRIPT =
      String.join(
          "\n",
          "if redis.call('GET', KEYS[1]) == ARGV[1] then",
          "  return redis.call('DEL', KEYS[1])",
          "end",
          "return 0");

  private static final RedisScript<String> SET_PX = RedisScript.of(SET_PX_SCRIPT, String.class);
  private static final RedisScript<Long> SAVE = RedisScript.of(SAVE_SCRIPT, Long.class);
  private static final RedisScript<Long> FENCED_SAVE =
      RedisScript.of(FENCED_SAVE_SCRIPT, Long.class);
  private static final RedisScript<Long> DELETE_IF_VALUE =
      RedisScript.of(DELETE_IF_VALUE_SCRIPT, Long.class);
  private static final RedisScript<Long> LOCK = RedisScript.of(LOCK_SCRIPT, Long.class);
  private static final RedisScript<Long> RELEASE = RedisScript.of(RELEASE_SCRIPT, Long.class);

  private final RedisConnectionFactory connections;
  private final StringRedisTemplate redis;
  private final String prefix;
  private final Clock clock;
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
    this.connections = Objects.requireNonNull(connections, "connections");
    this.prefix = checkPrefix(keyPrefix);
    this.clock = clock;
    this.redis = new StringRedisTemplate(connections);
  }

  static String checkPrefix(String keyPrefix) {
    Objects.requireNonNull(keyPrefix, "keyPrefix");
    if (keyPrefix.length() > 200) {
      throw new IllegalArgumentException("keyPrefix must have at most 200 characters");
    }
    for (int i = 0; i < keyPrefix.length(); i++) {
      char c = keyPrefix.charAt(i);
      if (c == '{' || c == '}' || Character.isISOControl(c)) {
        throw new IllegalArgumentException(
            "keyPrefix must not hold '{', '}' or control characters: the hash tag {appId} follows it");
      }
    }
    return keyPrefix;
  }

  String tokenKey(TokenKey key) {
    return prefix + '{' + key.appId() + "}:" + key.kind();
  }

  String lockKey(TokenKey key) {
    return tokenKey(key) + LOCK_SUFFIX;
  }

  String holdOffKey(TokenKey key) {
    return tokenKey(key) + HOLD_OFF_SUFFIX;
  }

  /**
   * {@inheritDoc}
   *
   * <p>One {@code GET}; an entry that does not parse, or is not a string, reads as empty.
   */
  @Override
  public Optional<AccessToken> load(TokenKey key) {
    String redisKey = tokenKey(Objects.requireNonNull(key, "key"));
    String stored;
    try {
      stored = redis.opsForValue().get(redisKey);
    } catch (DataAccessException e) {
      if (String.valueOf(deepMessage(e)).contains("WRONGTYPE")) {
        log.warn("Ignoring the Redis entry {}: it is not a string", redisKey);
        return Optional.empty();
      }
      throw failure("read", redisKey, e, null);
    }
    if (stored == null) {
      return Optional.empty();
    }
    // RedisTokenStore's format: <expiresAtMillis>[,<issuedAtMillis>]:<token>
    int colon = stored.indexOf(':');
    if (colon > 0) {
      try {
        String times = stored.substring(0, colon);
        int comma = times.indexOf(',');
        long expiresAt = Long.parseLong(comma < 0 ? times : times.substring(0, comma));
        AccessToken token =
            AccessToken.of(stored.substring(colon + 1), Instant.ofEpochMilli(expiresAt));
        return Optional.of(
            comma < 0
                ? token
                : token.withIssuedAt(
                    Instant.ofEpochMilli(Long.parseLong(times.substring(comma + 1)))));
      } catch (RuntimeException e) {
        // corrupt: falls through
      }
    }
    log.warn(
        "Ignoring the Redis entry {}: it is not of the form"
            + " <expiresAtMillis>[,<issuedAtMillis>]:<token> ({} chars)",
        redisKey,
        stored.length());
    return Optional.empty();
  }

  /**
   * {@inheritDoc}
   *
   * <p>One Lua script that sets the entry with a TTL of the time left (an expired token deletes it)
   * and publishes a change message.
   */
  @Override
  public void save(TokenKey key, AccessToken token) {
    String redisKey = tokenKey(Objects.requireNonNull(key, "key"));
    Objects.requireNonNull(token, "token");
    long ttl = token.expiresAt().toEpochMilli() - clock.millis();
    try {
      if (ttl > 0) {
        redis.execute(SAVE, List.of(redisKey), stored(token), Long.toString(ttl), SAVED_MESSAGE);
      } else {
        redis.execute(SAVE, List.of(redisKey), "", "0", DELETED_MESSAGE);
      }
    } catch (DataAccessException e) {
      throw failure("save the token to", redisKey, e, token.value());
    }
    log.debug("Saved {} to Redis key {} with a TTL of {} ms", token, redisKey, Math.max(0, ttl));
  }

  /**
   * {@inheritDoc}
   *
   * <p>One Lua script, {@code RedisTokenStore}'s, that checks that the lock key still holds this
   * lock's owner id (Redis counts the lease: a lapsed lock's key is gone or another node's) and
   * only then saves as {@link #save} does; the token and lock keys share the app's hash slot. A
   * lock taken by a {@code RedisTokenStore} node since this one's lapsed refuses the save just as
   * one taken by another node of this store does.
   *
   * @throws IllegalArgumentException if {@code lock} was not taken on {@code key} by a store of
   *     this class
   */
  @Override
  public boolean saveFenced(TokenKey key, AccessToken token, RefreshLock lock) {
    String redisKey = tokenKey(Objects.requireNonNull(key, "key"));
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(lock, "lock");
    if (!(lock instanceof Lock) || !((Lock) lock).lockKey.equals(lockKey(key))) {
      throw new IllegalArgumentException("the lock was not taken on " + key + " by this store");
    }
    String owner = ((Lock) lock).owner;
    long ttl = token.expiresAt().toEpochMilli() - clock.millis();
    Long saved;
    try {
      saved =
          ttl > 0
              ? redis.execute(
                  FENCED_SAVE,
                  List.of(redisKey, lockKey(key)),
                  stored(token),
                  Long.toString(ttl),
                  SAVED_MESSAGE,
                  owner)
              : redis.execute(
                  FENCED_SAVE, List.of(redisKey, lockKey(key)), "", "0", DELETED_MESSAGE, owner);
    } catch (DataAccessException e) {
      throw failure("save the token to", redisKey, e, token.value());
    }
    boolean done = Long.valueOf(1).equals(saved);
    if (done) {
      log.debug("Saved {} to Redis key {} under the lock {}", token, redisKey, lock);
    } else {
      log.debug(
          "Refused to save {} to Redis key {}: the lock {} had lapsed", token, redisKey, lock);
    }
    return done;
  }

  /** RedisTokenStore's value: {@code <expiresAt>[,<issuedAt>]:<token>}, instants in epoch ms. */
  private static String stored(AccessToken token) {
    return token.expiresAt().toEpochMilli()
        + token.issuedAt().map(i -> "," + i.toEpochMilli()).orElse("")
        + ":"
        + token.value();
  }

  /** {@inheritDoc} */
  @Override
  public boolean deleteIfValue(TokenKey key, String expectedValue) {
    String redisKey = tokenKey(Objects.requireNonNull(key, "key"));
    Objects.requireNonNull(expectedValue, "expectedValue");
    try {
      Long deleted =
          redis.execute(DELETE_IF_VALUE, List.of(redisKey), expectedValue, DELETED_MESSAGE);
      return Long.valueOf(1).equals(deleted);
    } catch (DataAccessException e) {
      throw failure("compare-and-delete", redisKey, e, expectedValue);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Polls {@code SET lock owner NX PX lease} (in a script, as {@code RedisTokenStore} does) with
   * a jittered backoff of 20 ms doubling to 200 ms until the lock is had or {@code maxWait} passed.
   */
  @Override
  public Optional<RefreshLock> tryLock(TokenKey key, Duration lease, Duration maxWait)
      throws InterruptedException {
    TokenStore.checkLockArguments(key, lease, maxWait);
    String lockKey = lockKey(key);
    long leaseMillis = Math.max(1, saturatedMillis(lease));
    String owner = UUID.randomUUID().toString();
    long deadline = System.nanoTime() + saturatedNanos(maxWait);
    long pause = 20;
    while (true) {
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted while waiting for the Redis lock " + lockKey);
      }
      Long taken;
      try {
        taken = redis.execute(LOCK, List.of(lockKey), owner, Long.toString(leaseMillis));
      } catch (DataAccessException e) {
        throw failure("take the refresh lock", lockKey, e, null);
      }
      if (Long.valueOf(1).equals(taken)) {
        return Optional.of(new Lock(lockKey, owner));
      }
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        return Optional.empty();
      }
      long jittered = pause / 2 + ThreadLocalRandom.current().nextLong(pause / 2 + 1);
      TimeUnit.NANOSECONDS.sleep(
          Math.min(TimeUnit.MILLISECONDS.toNanos(Math.max(1, jittered)), remaining));
      pause = Math.min(200, pause * 2);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Reads {@code P{A}:K:holdoff}, {@code <failures>:<notBeforeMillis>:<errcode>:<errmsg>}, as
   * {@code RedisTokenStore} writes it; a value that does not parse, or is not a string, reads as
   * none.
   */
  @Override
  public Optional<SharedHoldOff> loadHoldOff(TokenKey key) {
    String redisKey = holdOffKey(Objects.requireNonNull(key, "key"));
    String stored;
    try {
      stored = redis.opsForValue().get(redisKey);
    } catch (DataAccessException e) {
      if (String.valueOf(deepMessage(e)).contains("WRONGTYPE")) {
        return Optional.empty(); // something else's value under our key: corrupt, reads as none
      }
      throw failure("read", redisKey, e, null);
    }
    if (stored == null) {
      return Optional.empty();
    }
    String[] parts = stored.split(":", 4);
    try {
      return Optional.of(
          SharedHoldOff.of(
              Integer.parseInt(parts[0]),
              Instant.ofEpochMilli(Long.parseLong(parts[1])),
              Integer.parseInt(parts[2]),
              parts.length > 3 ? parts[3] : ""));
    } catch (RuntimeException corrupt) {
      return Optional.empty();
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Sets {@code P{A}:K:holdoff} in {@code RedisTokenStore}'s one-line Lua {@code SET ... PX},
   * kept 10 minutes past the hold-off's end (by this store's clock) so that the next failure counts
   * on from it.
   */
  @Override
  public void saveHoldOff(TokenKey key, SharedHoldOff holdOff) {
    String redisKey = holdOffKey(Objects.requireNonNull(key, "key"));
    Objects.requireNonNull(holdOff, "holdOff");
    long notBefore = holdOff.notBefore().toEpochMilli();
    long ttl = Math.max(1, notBefore - clock.millis()) + HOLD_OFF_KEEP_MILLIS;
    String value =
        holdOff.failures()
            + ":"
            + notBefore
            + ":"
            + holdOff.errorCode()
            + ":"
            + holdOff.errorMessage();
    try {
      redis.execute(SET_PX, List.of(redisKey), value, Long.toString(ttl));
    } catch (DataAccessException e) {
      throw failure("save the hold-off to", redisKey, e, null);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>One {@code DEL} of {@code P{A}:K:holdoff}.
   */
  @Override
  public void clearHoldOff(TokenKey key) {
    String redisKey = holdOffKey(Objects.requireNonNull(key, "key"));
    try {
      redis.delete(redisKey);
    } catch (DataAccessException e) {
      throw failure("clear the hold-off in", redisKey, e, null);
    }
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
    String channel = tokenKey(Objects.requireNonNull(key, "key"));
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
          prefix,
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
    c.addMessageListener(new ChangeMessages(), new PatternTopic(escapeGlob(prefix) + '*'));
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
        log.info("Subscribed to token changes under {}*", prefix);
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
        log.info("Subscribed to token changes under {}* again; re-reading the keys", prefix);
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
    return "SpringDataRedisTokenStore{keyPrefix=" + prefix + '}';
  }

  static String escapeGlob(String s) {
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.toString();
  }

  static String deepMessage(Throwable e) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = e; t != null && b.length() < 2000; t = t.getCause()) {
      b.append(t.getMessage()).append(' ');
    }
    return b.toString();
  }

  static TokenStoreException failure(String what, String redisKey, Exception e, String secret) {
    String message = "Redis: could not " + what + ' ' + redisKey + ": " + deepMessage(e).strip();
    if (secret != null && !secret.isEmpty()) {
      message = message.replace(secret, "***");
    }
    return new TokenStoreException(message, e);
  }

  private static long saturatedMillis(Duration d) {
    try {
      return d.toMillis();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 4; // far off, and no overflow when added to nanoTime()
    }
  }

  private final class Lock implements RefreshLock {
    private final String lockKey;
    private final String owner;
    private final AtomicBoolean released = new AtomicBoolean();

    Lock(String lockKey, String owner) {
      this.lockKey = lockKey;
      this.owner = owner;
    }

    @Override
    public void close() {
      if (!released.compareAndSet(false, true)) {
        return;
      }
      try {
        Long r = redis.execute(RELEASE, List.of(lockKey), owner);
        if (!Long.valueOf(1).equals(r)) {
          log.warn("The Redis lock {} had lapsed before its release; left it alone", lockKey);
        }
      } catch (RuntimeException e) {
        log.warn(
            "Could not release the Redis lock {}; its lease will end it: {}",
            lockKey,
            e.toString());
      }
    }

    @Override
    public String toString() {
      return "RedisLock{" + lockKey + '}';
    }
  }
}

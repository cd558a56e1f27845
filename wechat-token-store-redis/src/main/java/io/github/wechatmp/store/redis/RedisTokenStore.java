package io.github.wechatmp.store.redis;

import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import io.github.wechatmp.token.TokenStoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A {@link TokenStore} in Redis, so that every instance of an application on every host shares one
 * token and one refresh lock. Works with any Jedis {@link UnifiedJedis}: {@code JedisPooled} (one
 * server), {@code JedisSentineled} (Sentinel) and {@code JedisCluster} (Redis Cluster). Give the
 * same store to every provider of a process; each host makes its own.
 *
 * <pre>{@code
 * JedisPooled jedis = new JedisPooled(poolConfig, "redis.internal", 6379, clientConfig);
 * TokenStore store = RedisTokenStore.builder(jedis).keyPrefix("myapp:wechat:").build();
 * AccessTokenProvider tokens = AccessTokenProvider.builder()
 *     .appId(appId).appSecret(appSecret).store(store).build();
 * }</pre>
 *
 * <h2>Keys and values</h2>
 *
 * For a {@link TokenKey} with AppID {@code A} and kind {@code K} and the prefix {@code P} (default
 * {@value #DEFAULT_PREFIX}):
 *
 * <ul>
 *   <li>{@code P{A}:K} holds the token as {@code <expiresAt>,<issuedAt>:<token value>} (instants in
 *       epoch milliseconds; {@code <expiresAt>:<token value>}, the format before issue times were
 *       kept, for a token that does not know its issue time, and read as such), a string written in
 *       one {@code SET ... PX}, so a reader sees value and times together. Releases of the SDK from
 *       before issue times were kept read the new format as a corrupt entry (no token), so during a
 *       rolling upgrade their nodes may fetch once more. Its TTL is the time left until the token's
 *       expiry by this store's {@linkplain Builder#clock clock}, never longer: Redis drops the
 *       entry no later than WeChat stops accepting it.
 *   <li>{@code P{A}:K:holdoff} holds the hold-off after failed refreshes that every node honours
 *       (see {@link TokenStore#loadHoldOff}), until 10 minutes past its end or the next success.
 *   <li>{@code P{A}:K:lock} holds the refresh lock while a node refreshes: a random owner id, with
 *       a TTL of the lock's lease.
 *   <li>The channel {@code P{A}:K} (the token key's name) carries a message on every {@link #save}
 *       and every successful {@link #deleteIfValue}.
 * </ul>
 *
 * The {@code {A}} hash tag puts every key of one app in one Redis Cluster slot, so that one Lua
 * script may touch them. A value that does not parse reads as no token, as the {@link TokenStore}
 * contract asks.
 *
 * <h2>Refresh lock</h2>
 *
 * {@link #tryLock} takes the lock with {@code SET lock owner NX PX lease}. While another node holds
 * it, it polls with a jittered backoff, 20 ms doubling to 200 ms by default ({@link
 * Builder#lockPolling}), until it gets the lock or {@code maxWait} has passed; it returns only the
 * held lock or empty, never early. Since the holder saves its token before releasing, a waiter gets
 * the lock at most one poll interval after the release and then finds the new token in the store
 * (the provider re-reads it under the lock). Releasing, and {@link #deleteIfValue}, are
 * compare-and-delete Lua scripts: a node never releases a lock another node holds after its own
 * lease lapsed, nor deletes a token another node wrote. Lease and wait come from the provider
 * ({@code AccessTokenProvider.Builder#lockLease} and {@code #lockWait}, 10 s and 12 s by default):
 * a holder that crashed blocks the others for at most one lease.
 *
 * <h2>Change notifications and the bound on invalidation</h2>
 *
 * {@link #save} and {@link #deleteIfValue} publish from the same Lua script that changes the key,
 * so no change goes out without its message. Subscribers ({@link #subscribe}) share one pattern
 * subscription per store on one connection of the client, kept by a daemon thread that reconnects
 * with a jittered backoff (100 ms doubling to 2 s) while Redis is unreachable, and that ends when
 * the last subscription is closed. While that connection is up, a token invalidated on one node
 * stops being served on every other node within the pub/sub delivery time plus one store read
 * (milliseconds on a healthy network, bounded by the client's socket timeout). Messages published
 * while a node is disconnected are lost, so each reconnect is reported to watchers ({@link #watch})
 * as {@link ChangeListener#onResubscribed()}: every provider re-reads its key and adopts a token
 * saved meanwhile. A reconnect is deliberately not reported as a change, so that a Redis that lost
 * its data does not make every node drop a valid token; a node that missed an invalidation drops
 * that token when it next comes due, or when WeChat rejects it there. Every subscriber of this
 * store is told of every change of its key, the changes made through this very store included; a
 * provider's re-read of its own change is a no-op.
 *
 * <h2>Failures and client settings</h2>
 *
 * Every method that cannot reach Redis throws {@link TokenStoreException} whose message names
 * Redis, the key, and Jedis's description of the failure (which names {@code host:port} for a
 * refused or timed-out connection). A provider then keeps serving the token it holds until that
 * token expires, and recovers by itself once Redis answers again. How long a caller waits for that
 * answer is set by the client: give it short timeouts, for example a {@code
 * DefaultJedisClientConfig} with {@code connectionTimeoutMillis(1000)} and {@code
 * socketTimeoutMillis(1000)}, and a pool config with {@code setMaxWait(Duration.ofSeconds(1))} (a
 * pool's default wait is unbounded) and a {@code maxTotal} that leaves one connection for the
 * notification thread. A store neither closes nor configures its client: close the providers before
 * the client. Jedis gives a subscribed connection no read timeout, so the store checks its
 * subscription with a {@code PING} every {@link Builder#subscriptionCheckInterval} (5 s by
 * default): a connection that died silently (no reset from the peer) is replaced within about three
 * intervals, and every provider then re-reads its key. Notifications are late or lost meanwhile, as
 * described above, never wrong.
 *
 * <p>The store uses {@code GET}, {@code EVAL} (scripts calling {@code GET}, {@code SET}, {@code
 * DEL} and {@code PUBLISH}), {@code PSUBSCRIBE} and {@code PING}: grant them if Redis ACLs are in
 * use. Any Redis from 2.6.12 on will do; the tests run against Redis 6.2.
 *
 * <p>Thread-safe: one instance serves any number of threads and providers. Token values never
 * appear in logs or exception messages.
 */
public final class RedisTokenStore implements TokenStore {
  private static final Logger log = LoggerFactory.getLogger(RedisTokenStore.class);

  /** The key prefix used unless the builder is given another. */
  public static final String DEFAULT_PREFIX = "wechat:";

  static final String LOCK_SUFFIX = ":lock";

  /** The suffix of the key that holds a shared hold-off after failed refreshes. */
  static final String HOLD_OFF_SUFFIX = ":holdoff";

  /** How long a hold-off outlives its end, so that the next failure counts on from it. */
  static final long HOLD_OFF_KEEP_MILLIS = 10 * 60_000;

  private static final String SET_PX_SCRIPT =
      "return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])";
  static final String SAVED_MESSAGE = "saved";
  static final String DELETED_MESSAGE = "deleted";

  // KEYS[1] token key; ARGV[1] stored string; ARGV[2] TTL in ms, 0 for a token already expired;
  // ARGV[3] message.
  private static final String SAVE_SCRIPT =
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
  private static final String FENCED_SAVE_SCRIPT =
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

  // KEYS[1] token key; ARGV[1] the token value expected after the first ':'; ARGV[2] message.
  private static final String DELETE_IF_VALUE_SCRIPT =
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

  // KEYS[1] lock key; ARGV[1] owner id.
  // SET NX PX inside a script rather than through SetParams: SetParams.px changed its binary
  // signature between Jedis 5 and 6 (NoSuchMethodError under Spring Boot 3.5's Jedis 6.0.0), while
  // eval(String, List, List) is the same in every supported Jedis.
  private static final String LOCK_SCRIPT =
      String.join(
          "\n",
          "if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then",
          "  return 1",
          "end",
          "return 0");

  private static final String RELEASE_SCRIPT =
      String.join(
          "\n",
          "if redis.call('GET', KEYS[1]) == ARGV[1] then",
          "  return redis.call('DEL', KEYS[1])",
          "end",
          "return 0");

  private final UnifiedJedis jedis;
  private final String prefix;
  private final Clock clock;
  private final long firstPollMillis;
  private final long maxPollMillis;
  private final ChangeNotifier notifier;

  /** The corrupt entry last warned about, so that one is logged once rather than on every read. */
  private volatile String lastCorruptWarning;

  /**
   * Creates a store over {@code jedis} with the default prefix {@value #DEFAULT_PREFIX}, the system
   * clock and the default lock polling. Does no I/O.
   *
   * @param jedis the client: {@code JedisPooled}, {@code JedisSentineled} or {@code JedisCluster}
   * @throws NullPointerException if {@code jedis} is null
   */
  public RedisTokenStore(UnifiedJedis jedis) {
    this(builder(jedis));
  }

  private RedisTokenStore(Builder b) {
    this.jedis = b.jedis;
    this.prefix = b.keyPrefix;
    this.clock = b.clock;
    this.firstPollMillis = b.firstPoll.toMillis();
    this.maxPollMillis = b.maxPoll.toMillis();
    this.notifier = new ChangeNotifier(jedis, prefix, b.subscriptionCheck);
  }

  /**
   * Returns a builder of a store over {@code jedis}. The store never closes the client.
   *
   * @param jedis the client: {@code JedisPooled}, {@code JedisSentineled} or {@code JedisCluster}
   * @return a new builder
   * @throws NullPointerException if {@code jedis} is null
   */
  public static Builder builder(UnifiedJedis jedis) {
    return new Builder(Objects.requireNonNull(jedis, "jedis"));
  }

  /** Returns the Redis key that holds the token of {@code key}, for operations and tests. */
  String tokenKey(TokenKey key) {
    return prefix + '{' + key.appId() + "}:" + key.kind();
  }

  /** Returns the Redis key of the refresh lock of {@code key}. */
  String lockKey(TokenKey key) {
    return tokenKey(key) + LOCK_SUFFIX;
  }

  /**
   * {@inheritDoc}
   *
   * <p>One {@code GET}. An entry that does not parse reads as empty.
   *
   * @throws NullPointerException if {@code key} is null
   * @throws TokenStoreException if Redis cannot be reached or fails
   */
  @Override
  public Optional<AccessToken> load(TokenKey key) {
    String redisKey = tokenKey(Objects.requireNonNull(key, "key"));
    String stored;
    try {
      stored = jedis.get(redisKey);
    } catch (JedisDataException e) {
      if (String.valueOf(e.getMessage()).startsWith("WRONGTYPE")) {
        // Something else's value under our key: corrupt data, which the next save replaces.
        warnOnce(
            redisKey, "WRONGTYPE", "Ignoring the Redis entry {}: it is not a string", redisKey);
        return Optional.empty();
      }
      throw failure("read", redisKey, e, null);
    } catch (JedisException e) {
      throw failure("read", redisKey, e, null);
    }
    return stored == null ? Optional.empty() : Optional.ofNullable(decode(redisKey, stored));
  }

  /**
   * {@inheritDoc}
   *
   * <p>One Lua script that sets the entry with a TTL of the time left until {@link
   * AccessToken#expiresAt()} (an already expired token deletes the entry) and publishes a change
   * message.
   *
   * @throws NullPointerException if an argument is null
   * @throws TokenStoreException if Redis cannot be reached or fails; whether the entry changed is
   *     then unknown only if the connection broke after the script was sent
   */
  @Override
  public void save(TokenKey key, AccessToken token) {
    String redisKey = tokenKey(Objects.requireNonNull(key, "key"));
    Objects.requireNonNull(token, "token");
    long expiresAt = token.expiresAt().toEpochMilli();
    long ttl = expiresAt - clock.millis();
    List<String> args =
        ttl > 0
            ? List.of(
                expiresAt
                    + token.issuedAt().map(i -> "," + i.toEpochMilli()).orElse("")
                    + ":"
                    + token.value(),
                Long.toString(ttl),
                SAVED_MESSAGE)
            : List.of("", "0", DELETED_MESSAGE);
    try {
      jedis.eval(SAVE_SCRIPT, List.of(redisKey), args);
    } catch (JedisException e) {
      throw failure("save the token to", redisKey, e, token.value());
    }
    log.debug("Saved {} to Redis key {} with a TTL of {} ms", token, redisKey, Math.max(0, ttl));
  }

  /**
   * {@inheritDoc}
   *
   * <p>One Lua script that checks that the lock key still holds this lock's owner id (Redis counts
   * the lease: a lapsed lock's key is gone or another's) and only then saves as {@link #save} does;
   * the key and the lock share the app's hash slot.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code lock} was not taken on {@code key} by this store
   * @throws TokenStoreException if Redis cannot be reached or fails
   */
  @Override
  public boolean saveFenced(TokenKey key, AccessToken token, RefreshLock lock) {
    String redisKey = tokenKey(Objects.requireNonNull(key, "key"));
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(lock, "lock");
    if (!(lock instanceof Lock) || !((Lock) lock).lockKey.equals(lockKey(key))) {
      throw new IllegalArgumentException("the lock was not taken on " + key + " by this store");
    }
    long expiresAt = token.expiresAt().toEpochMilli();
    long ttl = expiresAt - clock.millis();
    String stored =
        expiresAt
            + token.issuedAt().map(i -> "," + i.toEpochMilli()).orElse("")
            + ":"
            + token.value();
    List<String> args =
        ttl > 0
            ? List.of(stored, Long.toString(ttl), SAVED_MESSAGE, ((Lock) lock).owner)
            : List.of("", "0", DELETED_MESSAGE, ((Lock) lock).owner);
    Object saved;
    try {
      saved = jedis.eval(FENCED_SAVE_SCRIPT, List.of(redisKey, lockKey(key)), args);
    } catch (JedisException e) {
      throw failure("save the token to", redisKey, e, token.value());
    }
    return Long.valueOf(1).equals(saved);
  }

  /**
   * {@inheritDoc}
   *
   * <p>One Lua script that deletes the entry, and publishes a change message, only if the stored
   * token's value is {@code expectedValue}.
   *
   * @throws NullPointerException if an argument is null
   * @throws TokenStoreException if Redis cannot be reached or fails
   */
  @Override
  public boolean deleteIfValue(TokenKey key, String expectedValue) {
    String redisKey = tokenKey(Objects.requireNonNull(key, "key"));
    Objects.requireNonNull(expectedValue, "expectedValue");
    Object deleted;
    try {
      deleted =
          jedis.eval(
              DELETE_IF_VALUE_SCRIPT, List.of(redisKey), List.of(expectedValue, DELETED_MESSAGE));
    } catch (JedisException e) {
      throw failure("compare-and-delete", redisKey, e, expectedValue);
    }
    return Long.valueOf(1).equals(deleted);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Polls {@code SET lock owner NX PX lease} with a jittered backoff (see {@link
   * Builder#lockPolling}) until the lock is had or {@code maxWait} has passed; the last attempt is
   * made at the deadline. Returns only then: a token saved meanwhile by the holder is found by the
   * caller's next {@link #load}. The lease is counted by Redis, so clocks of the hosts need not
   * agree.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code lease} is not positive or {@code maxWait} is
   *     negative
   * @throws InterruptedException if the thread is interrupted while waiting
   * @throws TokenStoreException if Redis cannot be reached or fails
   */
  @Override
  public Optional<RefreshLock> tryLock(TokenKey key, Duration lease, Duration maxWait)
      throws InterruptedException {
    TokenStore.checkLockArguments(key, lease, maxWait);
    String lockKey = lockKey(key);
    long leaseMillis = Math.max(1, saturatedMillis(lease));
    String owner = UUID.randomUUID().toString();
    List<String> lockArgs = List.of(owner, Long.toString(leaseMillis));
    long deadline = System.nanoTime() + saturatedNanos(maxWait);
    long pause = firstPollMillis;
    while (true) {
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted while waiting for the Redis lock " + lockKey);
      }
      Object taken;
      try {
        taken = jedis.eval(LOCK_SCRIPT, List.of(lockKey), lockArgs);
      } catch (JedisException e) {
        throw failure("take the refresh lock", lockKey, e, null);
      }
      if (Long.valueOf(1).equals(taken)) {
        log.debug("Took the Redis lock {} for {} ms", lockKey, leaseMillis);
        return Optional.of(new Lock(lockKey, owner));
      }
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        log.debug("Gave up waiting for the Redis lock {} after {} ms", lockKey, maxWait.toMillis());
        return Optional.empty();
      }
      long jittered = pause / 2 + ThreadLocalRandom.current().nextLong(pause / 2 + 1);
      TimeUnit.NANOSECONDS.sleep(
          Math.min(TimeUnit.MILLISECONDS.toNanos(Math.max(1, jittered)), remaining));
      pause = Math.min(maxPollMillis, pause * 2);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Never blocks and never does I/O on the caller's thread: the store's notification thread (see
   * the class description) subscribes in the background and retries until Redis answers, so this
   * never throws {@link TokenStoreException}. {@code onChange} runs on that thread.
   *
   * @throws NullPointerException if an argument is null
   */
  @Override
  public Subscription subscribe(TokenKey key, Runnable onChange) {
    Objects.requireNonNull(onChange, "onChange");
    return watch(key, onChange::run);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Never blocks and never does I/O on the caller's thread, like {@link #subscribe(TokenKey,
   * Runnable)}. {@link ChangeListener#onResubscribed()} is called, on the store's notification
   * thread, each time the subscription is confirmed again after it was lost or replaced (see the
   * class description), so a provider re-reads its key after every reconnect.
   *
   * @throws NullPointerException if an argument is null
   */
  @Override
  public Subscription watch(TokenKey key, ChangeListener listener) {
    String channel = tokenKey(Objects.requireNonNull(key, "key"));
    return notifier.add(channel, Objects.requireNonNull(listener, "listener"));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Reads the key {@code P{A}:K:holdoff}, {@code
   * <failures>:<notBeforeMillis>:<errcode>:<errmsg>}; a value that does not parse reads as none.
   *
   * @throws NullPointerException if {@code key} is null
   * @throws TokenStoreException if Redis cannot be reached or fails
   */
  @Override
  public Optional<SharedHoldOff> loadHoldOff(TokenKey key) {
    String redisKey = tokenKey(Objects.requireNonNull(key, "key")) + HOLD_OFF_SUFFIX;
    String stored;
    try {
      stored = jedis.get(redisKey);
    } catch (JedisException e) {
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
   * <p>Sets {@code P{A}:K:holdoff} in one Lua {@code SET ... PX}, kept 10 minutes past the
   * hold-off's end so that the next failure counts on from it.
   *
   * @throws NullPointerException if an argument is null
   * @throws TokenStoreException if Redis cannot be reached or fails
   */
  @Override
  public void saveHoldOff(TokenKey key, SharedHoldOff holdOff) {
    String redisKey = tokenKey(Objects.requireNonNull(key, "key")) + HOLD_OFF_SUFFIX;
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
      jedis.eval(SET_PX_SCRIPT, List.of(redisKey), List.of(value, Long.toString(ttl)));
    } catch (JedisException e) {
      throw failure("save the hold-off to", redisKey, e, null);
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws NullPointerException if {@code key} is null
   * @throws TokenStoreException if Redis cannot be reached or fails
   */
  @Override
  public void clearHoldOff(TokenKey key) {
    String redisKey = tokenKey(Objects.requireNonNull(key, "key")) + HOLD_OFF_SUFFIX;
    try {
      jedis.del(redisKey);
    } catch (JedisException e) {
      throw failure("clear the hold-off in", redisKey, e, null);
    }
  }

  /** Whether change notifications are being received right now; for tests. */
  boolean isListening() {
    return notifier.isListening();
  }

  /** Returns a description with the key prefix. */
  @Override
  public String toString() {
    return "RedisTokenStore{keyPrefix=" + prefix + '}';
  }

  private AccessToken decode(String redisKey, String stored) {
    int colon = stored.indexOf(':');
    if (colon > 0) {
      try {
        String times = stored.substring(0, colon);
        int comma = times.indexOf(',');
        long expiresAt = Long.parseLong(comma < 0 ? times : times.substring(0, comma));
        AccessToken token =
            AccessToken.of(stored.substring(colon + 1), Instant.ofEpochMilli(expiresAt));
        return comma < 0
            ? token
            : token.withIssuedAt(Instant.ofEpochMilli(Long.parseLong(times.substring(comma + 1))));
      } catch (RuntimeException e) {
        // falls through: corrupt
      }
    }
    warnOnce(
        redisKey,
        stored,
        "Ignoring the Redis entry {}: it is not of the form <expiresAtMillis>[,<issuedAtMillis>]:<token> ({} chars)",
        redisKey,
        stored.length());
    return null;
  }

  /** Warns about a corrupt entry once, not on every read of it. */
  private void warnOnce(String redisKey, String corruptValue, String format, Object... args) {
    String fingerprint = redisKey + '#' + corruptValue.hashCode();
    if (!fingerprint.equals(lastCorruptWarning)) {
      lastCorruptWarning = fingerprint;
      log.warn(format, args);
    }
  }

  private static TokenStoreException failure(
      String what, String redisKey, JedisException e, String secret) {
    StringBuilder m =
        new StringBuilder("Redis: could not ")
            .append(what)
            .append(' ')
            .append(redisKey)
            .append(": ")
            .append(e.getMessage());
    Throwable cause = e.getCause();
    if (cause != null && cause.getMessage() != null && !cause.getMessage().equals(e.getMessage())) {
      m.append(" (").append(cause.getMessage()).append(')');
    }
    String message = m.toString();
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
      return Long.MAX_VALUE
          / 4; // far enough in the future, and no overflow when added to nanoTime()
    }
  }

  /** A held refresh lock; released by compare-and-delete of its owner id. */
  private final class Lock implements RefreshLock {
    private final String lockKey;
    private final String owner;
    private final AtomicBoolean closed = new AtomicBoolean();

    Lock(String lockKey, String owner) {
      this.lockKey = lockKey;
      this.owner = owner;
    }

    @Override
    public void close() {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      try {
        Object released = jedis.eval(RELEASE_SCRIPT, List.of(lockKey), List.of(owner));
        if (Long.valueOf(1).equals(released)) {
          log.debug("Released the Redis lock {}", lockKey);
        } else {
          log.warn(
              "The Redis lock {} had lapsed before its release (its lease was too short); left it alone",
              lockKey);
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

  /**
   * Configures a {@link RedisTokenStore}. Not thread-safe; {@link #build()} may be called more than
   * once, each time making an independent store over the same client.
   */
  public static final class Builder {
    private final UnifiedJedis jedis;
    private String keyPrefix = DEFAULT_PREFIX;
    private Clock clock = Clock.systemUTC();
    private Duration firstPoll = Duration.ofMillis(20);
    private Duration maxPoll = Duration.ofMillis(200);
    private Duration subscriptionCheck = ChangeNotifier.DEFAULT_CHECK_INTERVAL;

    private Builder(UnifiedJedis jedis) {
      this.jedis = jedis;
    }

    /**
     * The prefix of every key and channel this store uses. Default {@value #DEFAULT_PREFIX}. Give
     * applications that share a Redis but must not share tokens distinct prefixes.
     *
     * @param keyPrefix the prefix, possibly empty
     * @return this builder
     * @throws NullPointerException if {@code keyPrefix} is null
     * @throws IllegalArgumentException if it is longer than 200 characters, or holds a brace (which
     *     would break the per-app hash tag) or a control character
     */
    public Builder keyPrefix(String keyPrefix) {
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
      this.keyPrefix = keyPrefix;
      return this;
    }

    /**
     * The clock by which a saved token's TTL (the time left until its expiry) is computed. Default
     * {@link Clock#systemUTC()}; give the providers' clock if they have another.
     *
     * @param clock the clock
     * @return this builder
     * @throws NullPointerException if {@code clock} is null
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How often {@link RedisTokenStore#tryLock} retries while another node holds the lock: after
     * {@code first}, doubling up to {@code max}, each pause jittered to between half and all of it.
     * Default 20 ms and 200 ms.
     *
     * @param first the first pause
     * @param max the longest pause
     * @return this builder
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException unless {@code 1 ms <= first <= max <= 5 s}
     */
    public Builder lockPolling(Duration first, Duration max) {
      Objects.requireNonNull(first, "first");
      Objects.requireNonNull(max, "max");
      if (first.toMillis() < 1
          || first.compareTo(max) > 0
          || max.compareTo(Duration.ofSeconds(5)) > 0) {
        throw new IllegalArgumentException(
            "lock polling needs 1 ms <= first <= max <= 5 s, got first="
                + first.toMillis()
                + " ms, max="
                + max.toMillis()
                + " ms");
      }
      this.firstPoll = first;
      this.maxPoll = max;
      return this;
    }

    /**
     * How often the change subscription is checked with a {@code PING} on its own connection.
     * Default 5 s. A subscription whose {@code PING} goes unanswered for two intervals is abandoned
     * and made again on a new connection, and every provider then re-reads its key, so a connection
     * that died silently delays invalidations by at most about three intervals.
     *
     * @param interval the interval between checks
     * @return this builder
     * @throws NullPointerException if {@code interval} is null
     * @throws IllegalArgumentException unless {@code 10 ms <= interval <= 10 min}
     */
    public Builder subscriptionCheckInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.toMillis() < 10 || interval.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException(
            "subscriptionCheckInterval needs 10 ms <= interval <= 10 min, got "
                + interval.toMillis()
                + " ms");
      }
      this.subscriptionCheck = interval;
      return this;
    }

    /**
     * Makes the store. Does no I/O and never throws.
     *
     * @return a new store
     */
    public RedisTokenStore build() {
      return new RedisTokenStore(this);
    }
  }
}

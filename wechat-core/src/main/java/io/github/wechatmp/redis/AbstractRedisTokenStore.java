package io.github.wechatmp.redis;

import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import io.github.wechatmp.token.TokenStoreException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link TokenStore} in {@link RedisLayout}'s keys, values and scripts, over any client adapted
 * by a {@link RedisAccess}: everything but change notifications, which depend on the client's
 * pub/sub and which a subclass adds by implementing {@link #subscribe} and {@link #watch}. {@code
 * RedisTokenStore} (Jedis) and {@code SpringDataRedisTokenStore} (Spring Data Redis) are its
 * subclasses, which is what makes them one store to a mixed fleet.
 *
 * <h2>Refresh lock</h2>
 *
 * {@link #tryLock} takes the lock with {@code SET lock owner NX PX lease}. While another node holds
 * it, it polls with a jittered backoff (by default 20 ms doubling to 200 ms) until it gets the lock
 * or {@code maxWait} has passed; it returns only the held lock or empty, never early. Since the
 * holder saves its token before releasing, a waiter gets the lock at most one poll interval after
 * the release and then finds the new token in the store. Releasing, {@link #saveFenced} and {@link
 * #deleteIfValue} compare first, in one script: a node never releases a lock another node holds
 * after its own lease lapsed, nor overwrites or deletes a token another node wrote. The lease is
 * counted by Redis, so the hosts' clocks need not agree. A lock key with no TTL, which no lease
 * would ever end (a foreign client's {@code SET} without {@code PX}, or a bug), is taken over at
 * once and logged as a WARN, rather than reported as held by another instance forever.
 *
 * <h2>Failures</h2>
 *
 * Every method that cannot reach Redis throws {@link TokenStoreException} whose message names
 * Redis, the key and the client's description of the failure; token values never appear in logs or
 * exception messages. Logs go to the subclass's logger. Thread-safe.
 */
public abstract class AbstractRedisTokenStore implements TokenStore {
  private final Logger log = LoggerFactory.getLogger(getClass());
  private final RedisAccess redis;
  private final RedisLayout layout;
  private final Clock clock;
  private final long firstPollMillis;
  private final long maxPollMillis;

  /** The corrupt entry last warned about, so that one is logged once rather than on every read. */
  private volatile String lastCorruptWarning;

  /**
   * Creates a store. Does no I/O.
   *
   * @param redis the client's commands
   * @param layout the layout, which holds the key prefix
   * @param clock the clock by which a saved token's TTL (the time left until its expiry) and a
   *     hold-off's TTL are computed
   * @param firstPoll the first pause of {@link #tryLock} while another node holds the lock
   * @param maxPoll the longest such pause; each is jittered to between half and all of it
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException unless {@code 1 ms <= firstPoll <= maxPoll <= 5 s}
   */
  protected AbstractRedisTokenStore(
      RedisAccess redis, RedisLayout layout, Clock clock, Duration firstPoll, Duration maxPoll) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.layout = Objects.requireNonNull(layout, "layout");
    this.clock = Objects.requireNonNull(clock, "clock");
    checkLockPolling(firstPoll, maxPoll);
    this.firstPollMillis = firstPoll.toMillis();
    this.maxPollMillis = maxPoll.toMillis();
  }

  /**
   * Checks lock polling pauses as the constructor does, for a builder that takes them.
   *
   * @param first the first pause
   * @param max the longest pause
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException unless {@code 1 ms <= first <= max <= 5 s}
   */
  protected static void checkLockPolling(Duration first, Duration max) {
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
  }

  /**
   * Returns this store's layout: its key prefix and the keys of a token.
   *
   * @return the layout
   */
  public final RedisLayout layout() {
    return layout;
  }

  /**
   * {@inheritDoc}
   *
   * <p>One {@code GET}. An entry that does not parse, or is not a string, reads as empty and is
   * logged once as a WARN (its length, never its content).
   *
   * @throws NullPointerException if {@code key} is null
   * @throws TokenStoreException if Redis cannot be reached or fails
   */
  @Override
  public final Optional<AccessToken> load(TokenKey key) {
    String redisKey = layout.tokenKey(key);
    String stored = read(redisKey, "Ignoring the Redis entry {}: it is not a string");
    if (stored == null) {
      return Optional.empty();
    }
    Optional<AccessToken> token = RedisLayout.decodeToken(stored);
    if (token.isEmpty()) {
      warnOnce(
          redisKey + '#' + stored.hashCode(),
          "Ignoring the Redis entry {}: it is not of the form"
              + " <expiresAtMillis>[,<issuedAtMillis>]:<token> ({} chars)",
          redisKey,
          stored.length());
    }
    return token;
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
  public final void save(TokenKey key, AccessToken token) {
    String redisKey = layout.tokenKey(key);
    long ttl = ttl(Objects.requireNonNull(token, "token"));
    eval(
        "save the token to",
        RedisLayout.SAVE_SCRIPT,
        List.of(redisKey),
        saveArgs(token, ttl),
        token.value());
    log.debug("Saved {} to Redis key {} with a TTL of {} ms", token, redisKey, Math.max(0, ttl));
  }

  /**
   * {@inheritDoc}
   *
   * <p>One Lua script that checks that the lock key still holds this lock's owner id (Redis counts
   * the lease: a lapsed lock's key is gone or another node's) and only then saves as {@link #save}
   * does; the token and lock keys share the app's hash slot. A lock taken by a node of another
   * client since this one's lapsed refuses the save just as one taken by a node of this class does.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code lock} was not taken on {@code key} by a store of
   *     this class
   * @throws TokenStoreException if Redis cannot be reached or fails
   */
  @Override
  public final boolean saveFenced(TokenKey key, AccessToken token, RefreshLock lock) {
    String redisKey = layout.tokenKey(key);
    long ttl = ttl(Objects.requireNonNull(token, "token"));
    Objects.requireNonNull(lock, "lock");
    if (!(lock instanceof Lock held)
        || held.store().getClass() != getClass()
        || !held.lockKey.equals(layout.lockKey(key))) {
      throw new IllegalArgumentException("the lock was not taken on " + key + " by this store");
    }
    List<String> args = new ArrayList<>(saveArgs(token, ttl));
    args.add(held.owner);
    boolean done =
        eval(
                "save the token to",
                RedisLayout.FENCED_SAVE_SCRIPT,
                List.of(redisKey, held.lockKey),
                args,
                token.value())
            == 1;
    if (done) {
      log.debug("Saved {} to Redis key {} under the lock {}", token, redisKey, lock);
    } else {
      log.debug(
          "Refused to save {} to Redis key {}: the lock {} had lapsed", token, redisKey, lock);
    }
    return done;
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
  public final boolean deleteIfValue(TokenKey key, String expectedValue) {
    String redisKey = layout.tokenKey(key);
    Objects.requireNonNull(expectedValue, "expectedValue");
    return eval(
            "compare-and-delete",
            RedisLayout.DELETE_IF_VALUE_SCRIPT,
            List.of(redisKey),
            List.of(expectedValue, RedisLayout.DELETED_MESSAGE),
            expectedValue)
        == 1;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Polls {@code SET lock owner NX PX lease} with a jittered backoff until the lock is had or
   * {@code maxWait} has passed; the last attempt is made at the deadline. Returns only then: a
   * token saved meanwhile by the holder is found by the caller's next {@link #load}. A lock key
   * with no TTL is taken over at once, with a WARN (see the class description).
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code lease} is not positive or {@code maxWait} is
   *     negative
   * @throws InterruptedException if the thread is interrupted while waiting
   * @throws TokenStoreException if Redis cannot be reached or fails
   */
  @Override
  public final Optional<RefreshLock> tryLock(TokenKey key, Duration lease, Duration maxWait)
      throws InterruptedException {
    TokenStore.checkLockArguments(key, lease, maxWait);
    String lockKey = layout.lockKey(key);
    long leaseMillis = Math.max(1, saturatedMillis(lease));
    String owner = UUID.randomUUID().toString();
    List<String> lockArgs = List.of(owner, Long.toString(leaseMillis));
    long deadline = System.nanoTime() + saturatedNanos(maxWait);
    long pause = firstPollMillis;
    while (true) {
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted while waiting for the Redis lock " + lockKey);
      }
      long taken =
          eval("take the refresh lock", RedisLayout.LOCK_SCRIPT, List.of(lockKey), lockArgs, null);
      if (taken == RedisLayout.LOCK_TAKEN_OVER) {
        log.warn(
            "The Redis lock {} had no expiry, so it would never have ended (a client other than"
                + " wechat-mp, or a bug, set it without PX): took it over for {} ms",
            lockKey,
            leaseMillis);
      }
      if (taken != 0) {
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
   * <p>Reads {@code P{A}:K:holdoff}; a value that does not parse, or is not a string, reads as
   * none.
   *
   * @throws NullPointerException if {@code key} is null
   * @throws TokenStoreException if Redis cannot be reached or fails
   */
  @Override
  public final Optional<SharedHoldOff> loadHoldOff(TokenKey key) {
    String stored = read(layout.holdOffKey(key), null);
    return stored == null ? Optional.empty() : RedisLayout.decodeHoldOff(stored);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Sets {@code P{A}:K:holdoff} in one Lua {@code SET ... PX}, kept 10 minutes past the
   * hold-off's end (by this store's clock) so that the next failure counts on from it.
   *
   * @throws NullPointerException if an argument is null
   * @throws TokenStoreException if Redis cannot be reached or fails
   */
  @Override
  public final void saveHoldOff(TokenKey key, SharedHoldOff holdOff) {
    String redisKey = layout.holdOffKey(key);
    Objects.requireNonNull(holdOff, "holdOff");
    long ttl =
        Math.max(1, holdOff.notBefore().toEpochMilli() - clock.millis())
            + RedisLayout.HOLD_OFF_KEEP_MILLIS;
    eval(
        "save the hold-off to",
        RedisLayout.SET_PX_SCRIPT,
        List.of(redisKey),
        List.of(RedisLayout.encodeHoldOff(holdOff), Long.toString(ttl)),
        null);
  }

  /**
   * {@inheritDoc}
   *
   * <p>One {@code DEL} of {@code P{A}:K:holdoff}.
   *
   * @throws NullPointerException if {@code key} is null
   * @throws TokenStoreException if Redis cannot be reached or fails
   */
  @Override
  public final void clearHoldOff(TokenKey key) {
    String redisKey = layout.holdOffKey(key);
    try {
      redis.del(redisKey);
    } catch (RedisAccess.Failure e) {
      throw failure("clear the hold-off in", redisKey, e, null);
    }
  }

  /** The time left until {@code token}'s expiry by this store's clock, in ms; 0 or less if none. */
  private long ttl(AccessToken token) {
    return token.expiresAt().toEpochMilli() - clock.millis();
  }

  /** {@link RedisLayout#SAVE_SCRIPT}'s arguments: a set with the TTL, or a delete. */
  private static List<String> saveArgs(AccessToken token, long ttl) {
    return ttl > 0
        ? List.of(RedisLayout.encodeToken(token), Long.toString(ttl), RedisLayout.SAVED_MESSAGE)
        : List.of("", "0", RedisLayout.DELETED_MESSAGE);
  }

  /**
   * {@code GET}s {@code redisKey}; a key that holds no string reads as absent, logged once with
   * {@code wrongTypeWarning} if that is given.
   */
  private String read(String redisKey, String wrongTypeWarning) {
    try {
      return redis.get(redisKey);
    } catch (RedisAccess.Failure e) {
      if (!e.wrongType()) {
        throw failure("read", redisKey, e, null);
      }
      // Something else's value under our key: corrupt data, which the next save replaces.
      if (wrongTypeWarning != null) {
        warnOnce(redisKey + "#WRONGTYPE", wrongTypeWarning, redisKey);
      }
      return null;
    }
  }

  private long eval(
      String what, String script, List<String> keys, List<String> args, String secret) {
    try {
      return redis.evalInteger(script, keys, args);
    } catch (RedisAccess.Failure e) {
      throw failure(what, keys.get(0), e, secret);
    }
  }

  /** Warns about a corrupt entry once, not on every read of it. */
  private void warnOnce(String fingerprint, String format, Object... args) {
    if (!fingerprint.equals(lastCorruptWarning)) {
      lastCorruptWarning = fingerprint;
      log.warn(format, args);
    }
  }

  private static TokenStoreException failure(
      String what, String redisKey, RedisAccess.Failure e, String secret) {
    String message = "Redis: could not " + what + ' ' + redisKey + ": " + e.getMessage();
    if (secret != null && !secret.isEmpty()) {
      message = message.replace(secret, "***");
    }
    return new TokenStoreException(message, e.getCause() != null ? e.getCause() : e);
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

  /** A held refresh lock; released by compare-and-delete of its owner id. */
  private final class Lock implements RefreshLock {
    private final String lockKey;
    private final String owner;
    private final AtomicBoolean closed = new AtomicBoolean();

    Lock(String lockKey, String owner) {
      this.lockKey = lockKey;
      this.owner = owner;
    }

    AbstractRedisTokenStore store() {
      return AbstractRedisTokenStore.this;
    }

    @Override
    public void close() {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      try {
        long released =
            redis.evalInteger(RedisLayout.RELEASE_SCRIPT, List.of(lockKey), List.of(owner));
        if (released == 1) {
          log.debug("Released the Redis lock {}", lockKey);
        } else {
          log.warn(
              "The Redis lock {} had lapsed before its release (its lease was too short); left it"
                  + " alone",
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
}

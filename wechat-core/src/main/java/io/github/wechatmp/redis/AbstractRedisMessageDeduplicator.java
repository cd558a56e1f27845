package io.github.wechatmp.redis;

import io.github.wechatmp.callback.MessageDeduplicator;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A {@link MessageDeduplicator} in {@link RedisLayout}'s deduplication entries, over any client
 * adapted by a {@link RedisAccess}, so that WeChat's retries of a push run the handler once across
 * every node, whichever client each node runs. {@code RedisMessageDeduplicator} (Jedis) and {@code
 * SpringDataRedisMessageDeduplicator} (Spring Data Redis) are its subclasses.
 *
 * <p>Claiming, completing and releasing are Lua scripts, each atomic; {@link #await} polls the
 * entry ({@code GET}), from 5 ms doubling to 50 ms. The cached reply is the plain reply XML: it
 * holds what the account answered the user, so protect the Redis as the messages themselves. A
 * claim held by a node that died blocks retries of that push until its TTL passes.
 *
 * <p>Every method that cannot reach Redis throws an {@link IllegalStateException} naming Redis, the
 * entry's key and the client's description of the failure, never message content; {@code
 * WeChatCallback} then handles the push without deduplication. Thread-safe.
 */
public abstract class AbstractRedisMessageDeduplicator implements MessageDeduplicator {
  private final RedisAccess redis;
  private final String prefix;
  private final String lifetimeMillis;

  /**
   * Creates a deduplicator. Does no I/O.
   *
   * @param redis the client's commands
   * @param prefix the prefix of every entry's key, possibly empty (such as {@value
   *     RedisLayout#DEFAULT_DEDUP_PREFIX})
   * @param lifetime how long an entry lives from its claim; at least 30 s (WeChat's three tries 5 s
   *     apart, plus slack)
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code lifetime} is shorter than 30 s
   */
  protected AbstractRedisMessageDeduplicator(RedisAccess redis, String prefix, Duration lifetime) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.prefix = Objects.requireNonNull(prefix, "prefix");
    this.lifetimeMillis = Long.toString(checkLifetime(lifetime).toMillis());
  }

  /**
   * Checks an entry's lifetime as the constructor does, for a builder that takes one.
   *
   * @param lifetime the lifetime
   * @return {@code lifetime}
   * @throws NullPointerException if it is null
   * @throws IllegalArgumentException if it is shorter than 30 s
   */
  protected static Duration checkLifetime(Duration lifetime) {
    if (Objects.requireNonNull(lifetime, "lifetime").compareTo(Duration.ofSeconds(30)) < 0) {
      throw new IllegalArgumentException("lifetime must be at least 30 s");
    }
    return lifetime;
  }

  /**
   * Returns the Redis key of the entry of a push's key: the prefix followed by {@code key}.
   *
   * @param key the push's key, as {@code WeChatCallback} builds it
   * @return the Redis key
   * @throws NullPointerException if {@code key} is null
   */
  public final String entryKey(String key) {
    return prefix + Objects.requireNonNull(key, "key");
  }

  @Override
  public final Claim claim(String key) {
    String owner = UUID.randomUUID().toString();
    String found = evalString("claim", key, RedisLayout.CLAIM_SCRIPT, owner, lifetimeMillis);
    return found == null ? Claim.claimed(key, owner) : decode(key, found);
  }

  @Override
  public final void complete(Claim claim, String reply) {
    Objects.requireNonNull(reply, "reply");
    evalInteger("complete", claim.key(), RedisLayout.COMPLETE_SCRIPT, claim.owner(), reply);
  }

  @Override
  public final void release(Claim claim) {
    evalInteger("release", claim.key(), RedisLayout.RELEASE_CLAIM_SCRIPT, claim.owner());
  }

  @Override
  public final Claim await(String key, Duration maxWait) throws InterruptedException {
    String redisKey = entryKey(key);
    long deadline = System.nanoTime() + Math.max(0, maxWait.toNanos());
    long pause = 5;
    while (true) {
      String v;
      try {
        v = redis.get(redisKey);
      } catch (RedisAccess.Failure e) {
        throw failure("read", redisKey, e);
      }
      if (v == null) {
        return Claim.absent(key);
      }
      Claim c = decode(key, v);
      if (c.state() == Claim.State.DONE) {
        return c;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return c;
      }
      TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(pause)));
      pause = Math.min(50, pause * 2);
    }
  }

  private String evalString(String what, String key, String script, String... args) {
    String redisKey = entryKey(key);
    try {
      return redis.evalString(script, List.of(redisKey), List.of(args));
    } catch (RedisAccess.Failure e) {
      throw failure(what, redisKey, e);
    }
  }

  private void evalInteger(String what, String key, String script, String... args) {
    String redisKey = entryKey(key);
    try {
      redis.evalInteger(script, List.of(redisKey), List.of(args));
    } catch (RedisAccess.Failure e) {
      throw failure(what, redisKey, e);
    }
  }

  private static Claim decode(String key, String value) {
    // Claimed by another delivery, or a value this did not write: treated as held.
    return value.startsWith(RedisLayout.DONE)
        ? Claim.done(key, value.substring(RedisLayout.DONE.length()))
        : Claim.running(key);
  }

  private static IllegalStateException failure(
      String what, String redisKey, RedisAccess.Failure e) {
    return new IllegalStateException(
        "Redis could not " + what + " the message key " + redisKey + ": " + e.getMessage(),
        e.getCause() != null ? e.getCause() : e);
  }

  /**
   * Returns the lifetime of an entry, from its claim.
   *
   * @return the lifetime
   */
  @Override
  public final Optional<Duration> lifetime() {
    return Optional.of(Duration.ofMillis(Long.parseLong(lifetimeMillis)));
  }

  /**
   * Returns a description with the prefix and lifetime.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return getClass().getSimpleName()
        + "{prefix="
        + prefix
        + ", lifetime="
        + lifetimeMillis
        + " ms}";
  }
}

package io.github.wechatmp.store.redis;

import io.github.wechatmp.callback.MessageDeduplicator;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A {@link MessageDeduplicator} in Redis, shared by every instance of an application, so that
 * WeChat's retries of a push run the handler once across the cluster. Built from the same Jedis
 * {@link UnifiedJedis} as {@link RedisTokenStore} ({@code JedisPooled}, {@code JedisSentineled} or
 * {@code JedisCluster}); one deduplicator may serve every account and every {@code WeChatCallback}
 * of a process.
 *
 * <pre>{@code
 * MessageDeduplicator dedup = RedisMessageDeduplicator.builder(jedis).build();
 * WeChatCallback callback = WeChatCallback.builder()
 *     .token(token).handler(router).deduplicator(dedup).build();
 * }</pre>
 *
 * <h2>Keys and values</h2>
 *
 * A push's key {@code K} is stored at {@code P + K} ({@code P} the prefix, default {@value
 * #DEFAULT_PREFIX}) as {@code C:<owner>} while claimed and {@code D:<reply XML>} once done, with a
 * TTL of the lifetime (default {@link #DEFAULT_LIFETIME}, at least 30 s) from the claim. The cached
 * reply is the plain reply XML: it holds what the account answered the user, so protect the Redis
 * as the messages themselves. Claiming, completing and releasing are Lua scripts ({@code EVAL}),
 * each atomic: a claim is {@code GET} and, if absent, {@code SET ... PX}; completion and release
 * compare the owner first, so an instance whose claim lapsed never overwrites or deletes another
 * instance's. {@link #await} polls the key ({@code GET}), from 5 ms doubling to 50 ms.
 *
 * <h2>Failures</h2>
 *
 * Every method that cannot reach Redis throws an {@link IllegalStateException} naming Redis, the
 * key and Jedis's description of the failure, never message content; {@code WeChatCallback} then
 * handles the push without deduplication. The client's timeouts bound how long that takes (see
 * {@link RedisTokenStore} for recommended settings). A claim held by an instance that died blocks
 * retries of that push until its TTL passes.
 *
 * <p>Uses {@code GET}, {@code EVAL} (scripts calling {@code GET}, {@code SET}, {@code PTTL} and
 * {@code DEL}). Thread-safe; neither closes nor configures its client.
 */
public final class RedisMessageDeduplicator implements MessageDeduplicator {
  /** The key prefix used unless the builder is given another. */
  public static final String DEFAULT_PREFIX = "wechat:dedup:";

  /** How long a key lives from its claim unless the builder is given another: one minute. */
  public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(1);

  static final String CLAIMED = "C:";
  static final String DONE = "D:";

  // KEYS[1] the key; ARGV[1] the owner; ARGV[2] the lifetime in ms. Returns the value found, or
  // nil after claiming.
  private static final String CLAIM_SCRIPT =
      String.join(
          "\n",
          "local v = redis.call('GET', KEYS[1])",
          "if v then return v end",
          "redis.call('SET', KEYS[1], 'C:' .. ARGV[1], 'PX', ARGV[2])",
          "return false");

  // KEYS[1] the key; ARGV[1] the owner; ARGV[2] the reply. Keeps the TTL of the claim.
  private static final String COMPLETE_SCRIPT =
      String.join(
          "\n",
          "if redis.call('GET', KEYS[1]) ~= 'C:' .. ARGV[1] then return 0 end",
          "local ttl = redis.call('PTTL', KEYS[1])",
          "if ttl <= 0 then return 0 end",
          "redis.call('SET', KEYS[1], 'D:' .. ARGV[2], 'PX', ttl)",
          "return 1");

  // KEYS[1] the key; ARGV[1] the owner.
  private static final String RELEASE_SCRIPT =
      String.join(
          "\n",
          "if redis.call('GET', KEYS[1]) == 'C:' .. ARGV[1] then",
          "  return redis.call('DEL', KEYS[1])",
          "end",
          "return 0");

  private final UnifiedJedis jedis;
  private final String prefix;
  private final long lifetimeMillis;

  private RedisMessageDeduplicator(Builder b) {
    this.jedis = b.jedis;
    this.prefix = b.prefix;
    this.lifetimeMillis = b.lifetime.toMillis();
  }

  /**
   * A deduplicator with the default prefix and lifetime.
   *
   * @param jedis the client, shared with the application
   * @throws NullPointerException if {@code jedis} is null
   */
  public RedisMessageDeduplicator(UnifiedJedis jedis) {
    this(builder(jedis));
  }

  /**
   * Returns a builder for a deduplicator over {@code jedis}.
   *
   * @param jedis the client, shared with the application
   * @return a new builder
   * @throws NullPointerException if {@code jedis} is null
   */
  public static Builder builder(UnifiedJedis jedis) {
    return new Builder(jedis);
  }

  @Override
  public Claim claim(String key) {
    String redisKey = prefix + Objects.requireNonNull(key, "key");
    String owner = UUID.randomUUID().toString();
    Object found;
    try {
      found =
          jedis.eval(
              CLAIM_SCRIPT, List.of(redisKey), List.of(owner, Long.toString(lifetimeMillis)));
    } catch (JedisException e) {
      throw failure("claim", redisKey, e);
    }
    if (found == null) {
      return Claim.claimed(key, owner);
    }
    return decode(key, found);
  }

  @Override
  public void complete(Claim claim, String reply) {
    Objects.requireNonNull(reply, "reply");
    String redisKey = prefix + claim.key();
    try {
      jedis.eval(COMPLETE_SCRIPT, List.of(redisKey), List.of(claim.owner(), reply));
    } catch (JedisException e) {
      throw failure("complete", redisKey, e);
    }
  }

  @Override
  public void release(Claim claim) {
    String redisKey = prefix + claim.key();
    try {
      jedis.eval(RELEASE_SCRIPT, List.of(redisKey), List.of(claim.owner()));
    } catch (JedisException e) {
      throw failure("release", redisKey, e);
    }
  }

  @Override
  public Claim await(String key, Duration maxWait) throws InterruptedException {
    String redisKey = prefix + Objects.requireNonNull(key, "key");
    long deadline = System.nanoTime() + Math.max(0, maxWait.toNanos());
    long pause = 5;
    while (true) {
      String v;
      try {
        v = jedis.get(redisKey);
      } catch (JedisException e) {
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

  private static Claim decode(String key, Object value) {
    String v =
        value instanceof byte[] b
            ? new String(b, java.nio.charset.StandardCharsets.UTF_8)
            : String.valueOf(value);
    if (v.startsWith(DONE)) {
      return Claim.done(key, v.substring(DONE.length()));
    }
    // claimed by another delivery (or a value this deduplicator did not write: treated as held)
    return Claim.running(key);
  }

  private static IllegalStateException failure(String what, String redisKey, JedisException e) {
    return new IllegalStateException(
        "Redis could not " + what + " the message key " + redisKey + ": " + e.getMessage(), e);
  }

  /**
   * Returns the lifetime of a key, from its claim.
   *
   * @return the lifetime
   */
  @Override
  public Optional<Duration> lifetime() {
    return Optional.of(Duration.ofMillis(lifetimeMillis));
  }

  @Override
  public String toString() {
    return "RedisMessageDeduplicator{prefix=" + prefix + ", lifetime=" + lifetimeMillis + " ms}";
  }

  /** Options of a {@link RedisMessageDeduplicator}. Not thread-safe. */
  public static final class Builder {
    private final UnifiedJedis jedis;
    private String prefix = DEFAULT_PREFIX;
    private Duration lifetime = DEFAULT_LIFETIME;

    private Builder(UnifiedJedis jedis) {
      this.jedis = Objects.requireNonNull(jedis, "jedis");
    }

    /**
     * The prefix of every key. Default {@value RedisMessageDeduplicator#DEFAULT_PREFIX}.
     *
     * @param prefix the prefix, not null (may be empty)
     * @return this builder
     * @throws NullPointerException if it is null
     */
    public Builder keyPrefix(String prefix) {
      this.prefix = Objects.requireNonNull(prefix, "prefix");
      return this;
    }

    /**
     * How long a key lives from its claim. Default one minute.
     *
     * @param lifetime at least 30 s (WeChat's three tries 5 s apart, plus slack)
     * @return this builder
     * @throws IllegalArgumentException if it is shorter
     * @throws NullPointerException if it is null
     */
    public Builder lifetime(Duration lifetime) {
      if (Objects.requireNonNull(lifetime, "lifetime").compareTo(Duration.ofSeconds(30)) < 0) {
        throw new IllegalArgumentException("lifetime must be at least 30 s");
      }
      this.lifetime = lifetime;
      return this;
    }

    /**
     * Makes the deduplicator.
     *
     * @return a new deduplicator
     */
    public RedisMessageDeduplicator build() {
      return new RedisMessageDeduplicator(this);
    }
  }
}

package io.github.wechatmp.spring.boot;

import io.github.wechatmp.callback.MessageDeduplicator;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * A {@link MessageDeduplicator} in Redis over Spring Data Redis, on the application's own {@link
 * RedisConnectionFactory}, so that WeChat's retries of a push are answered once across every node.
 * It uses exactly the keys, values and Lua scripts of {@code RedisMessageDeduplicator} (module
 * {@code wechat-token-store-redis}), so nodes on either share their deduplication.
 *
 * <h2>Keys and values</h2>
 *
 * A push's key {@code K} (built by {@code WeChatCallback}) is stored at {@code P + K}, where {@code
 * P} is the token store's key prefix followed by {@code dedup:} ({@code wechat:dedup:} by default,
 * {@code RedisMessageDeduplicator}'s default), as {@code C:<owner>} while a delivery runs the
 * handler and {@code D:<reply XML>} once it answered, with a TTL of one minute from the claim.
 * Claim, complete and release are Lua scripts; completion and release compare the owner first, so a
 * node whose claim lapsed never overwrites or deletes another's. {@link #await} polls, 5 ms
 * doubling to 50 ms.
 *
 * <p>Thread-safe. A failure to reach Redis throws an {@link IllegalStateException} naming Redis and
 * the key (never message content); the callback then handles the message without deduplication.
 */
public final class SpringDataRedisMessageDeduplicator implements MessageDeduplicator {
  /** How long an entry lives from its claim. */
  public static final Duration LIFETIME = Duration.ofMinutes(1);

  // RedisMessageDeduplicator's scripts, character for character (a test compares them).
  static final String CLAIM_SCRIPT =
      String.join(
          "\n",
          "local v = redis.call('GET', KEYS[1])",
          "if v then return v end",
          "redis.call('SET', KEYS[1], 'C:' .. ARGV[1], 'PX', ARGV[2])",
          "return false");

  static final String COMPLETE_SCRIPT =
      String.join(
          "\n",
          "if redis.call('GET', KEYS[1]) ~= 'C:' .. ARGV[1] then return 0 end",
          "local ttl = redis.call('PTTL', KEYS[1])",
          "if ttl <= 0 then return 0 end",
          "redis.call('SET', KEYS[1], 'D:' .. ARGV[2], 'PX', ttl)",
          "return 1");

  static final String RELEASE_SCRIPT =
      String.join(
          "\n",
          "if redis.call('GET', KEYS[1]) == 'C:' .. ARGV[1] then",
          "  return redis.call('DEL', KEYS[1])",
          "end",
          "return 0");

  private static final RedisScript<String> CLAIM = RedisScript.of(CLAIM_SCRIPT, String.class);
  private static final RedisScript<Long> COMPLETE = RedisScript.of(COMPLETE_SCRIPT, Long.class);
  private static final RedisScript<Long> RELEASE = RedisScript.of(RELEASE_SCRIPT, Long.class);
  private static final String LIFETIME_MILLIS = Long.toString(LIFETIME.toMillis());

  private final StringRedisTemplate redis;
  private final String prefix;

  /**
   * Creates a deduplicator over the application's connections. Does no I/O.
   *
   * @param connections the connection factory; not closed by this
   * @param keyPrefix the token store's key prefix, such as {@code wechat:}; entries go under it
   *     followed by {@code dedup:}
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the prefix is longer than 200 characters or holds a brace
   *     or a control character
   */
  public SpringDataRedisMessageDeduplicator(RedisConnectionFactory connections, String keyPrefix) {
    this.redis = new StringRedisTemplate(Objects.requireNonNull(connections, "connections"));
    this.prefix = SpringDataRedisTokenStore.checkPrefix(keyPrefix) + "dedup:";
  }

  String entry(String key) {
    return prefix + Objects.requireNonNull(key, "key");
  }

  @Override
  public Claim claim(String key) {
    String owner = UUID.randomUUID().toString();
    String found =
        run("claim", key, () -> redis.execute(CLAIM, List.of(entry(key)), owner, LIFETIME_MILLIS));
    return found == null ? Claim.claimed(key, owner) : decode(key, found);
  }

  @Override
  public void complete(Claim claim, String reply) {
    Objects.requireNonNull(reply, "reply");
    run(
        "complete",
        claim.key(),
        () -> redis.execute(COMPLETE, List.of(entry(claim.key())), claim.owner(), reply));
  }

  @Override
  public void release(Claim claim) {
    run(
        "release",
        claim.key(),
        () -> redis.execute(RELEASE, List.of(entry(claim.key())), claim.owner()));
  }

  @Override
  public Claim await(String key, Duration maxWait) throws InterruptedException {
    long deadline = System.nanoTime() + Math.max(0, maxWait.toNanos());
    long pause = 5;
    while (true) {
      String v = run("read", key, () -> redis.opsForValue().get(entry(key)));
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

  private static Claim decode(String key, String value) {
    // Claimed by another delivery, or a value this did not write: treated as held.
    return value.startsWith("D:") ? Claim.done(key, value.substring(2)) : Claim.running(key);
  }

  private <T> T run(String what, String key, Supplier<T> call) {
    try {
      return call.get();
    } catch (DataAccessException e) {
      throw new IllegalStateException(
          "Redis could not "
              + what
              + " the message key "
              + entry(key)
              + ": "
              + SpringDataRedisTokenStore.deepMessage(e).strip(),
          e);
    }
  }

  /** Returns a description with the key prefix. */
  /**
   * Returns {@link #LIFETIME}.
   *
   * @return the lifetime of a key
   */
  @Override
  public Optional<Duration> lifetime() {
    return Optional.of(LIFETIME);
  }

  @Override
  public String toString() {
    return "SpringDataRedisMessageDeduplicator{prefix=" + prefix + '}';
  }
}

package io.github.wechatmp.spring.boot;

import io.github.wechatmp.callback.MessageDeduplicator;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * A {@link MessageDeduplicator} in Redis over Spring Data Redis, on the application's own {@link
 * RedisConnectionFactory}, so that WeChat's retries of a push are answered once across every node.
 *
 * <h2>Keys and values</h2>
 *
 * For the prefix {@code P} and a push's key {@code K} (built by {@code WeChatCallback}), the entry
 * {@code Pdedup:K} holds {@code c:<owner>} while a delivery runs the handler and {@code d:<reply
 * XML>} once it answered; each lives {@value #TTL_SECONDS} s from its last change (WeChat's three
 * tries span about 15 s). Claim, complete and release are Lua scripts: a node completes or releases
 * only its own claim.
 *
 * <p>Thread-safe. A failure to reach Redis throws the Spring {@link DataAccessException} wrapped in
 * an {@link IllegalStateException} naming Redis and the key (never message content); the callback
 * then handles the message without deduplication.
 */
public final class SpringDataRedisMessageDeduplicator implements MessageDeduplicator {
  /** How long an entry lives after its last change, in seconds. */
  public static final int TTL_SECONDS = 60;

  // KEYS[1] entry; ARGV[1] 'c:'..owner; ARGV[2] TTL ms. Returns the previous value, or false after
  // claiming.
  static final String CLAIM_SCRIPT =
      String.join(
          "\n",
          "local v = redis.call('GET', KEYS[1])",
          "if v then return v end",
          "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])",
          "return false");

  // KEYS[1] entry; ARGV[1] 'c:'..owner; ARGV[2] the new value, or '' to delete; ARGV[3] TTL ms.
  static final String SETTLE_SCRIPT =
      String.join(
          "\n",
          "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end",
          "if ARGV[2] == '' then",
          "  redis.call('DEL', KEYS[1])",
          "else",
          "  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])",
          "end",
          "return 1");

  private static final RedisScript<String> CLAIM = RedisScript.of(CLAIM_SCRIPT, String.class);
  private static final RedisScript<Long> SETTLE = RedisScript.of(SETTLE_SCRIPT, Long.class);
  private static final String TTL_MILLIS = Long.toString(TimeUnit.SECONDS.toMillis(TTL_SECONDS));

  private final StringRedisTemplate redis;
  private final String prefix;

  /**
   * Creates a deduplicator over the application's connections. Does no I/O.
   *
   * @param connections the connection factory; not closed by this
   * @param keyPrefix the prefix of every key, as the token store's
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the prefix is longer than 200 characters or holds a brace
   *     or a control character
   */
  public SpringDataRedisMessageDeduplicator(RedisConnectionFactory connections, String keyPrefix) {
    this.redis = new StringRedisTemplate(Objects.requireNonNull(connections, "connections"));
    this.prefix = SpringDataRedisTokenStore.checkPrefix(keyPrefix);
  }

  String entry(String key) {
    return prefix + "dedup:" + key;
  }

  @Override
  public Claim claim(String key) {
    String owner = UUID.randomUUID().toString();
    String previous =
        run(() -> redis.execute(CLAIM, List.of(entry(key)), "c:" + owner, TTL_MILLIS), key);
    return previous == null ? Claim.claimed(key, owner) : parse(key, previous);
  }

  @Override
  public void complete(Claim claim, String reply) {
    Objects.requireNonNull(reply, "reply");
    run(
        () ->
            redis.execute(
                SETTLE,
                List.of(entry(claim.key())),
                "c:" + claim.owner(),
                "d:" + reply,
                TTL_MILLIS),
        claim.key());
  }

  @Override
  public void release(Claim claim) {
    run(
        () ->
            redis.execute(
                SETTLE, List.of(entry(claim.key())), "c:" + claim.owner(), "", TTL_MILLIS),
        claim.key());
  }

  /** Polls the entry every 50 ms until it is done or gone, or {@code maxWait} passed. */
  @Override
  public Claim await(String key, Duration maxWait) throws InterruptedException {
    long deadline = System.nanoTime() + Math.min(maxWait.toNanos(), TimeUnit.SECONDS.toNanos(30));
    while (true) {
      String v = run(() -> redis.opsForValue().get(entry(key)), key);
      Claim c = v == null ? Claim.absent(key) : parse(key, v);
      if (c.state() != Claim.State.RUNNING) {
        return c;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return c;
      }
      TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
    }
  }

  private static Claim parse(String key, String value) {
    return value.startsWith("d:") ? Claim.done(key, value.substring(2)) : Claim.running(key);
  }

  private <T> T run(java.util.function.Supplier<T> call, String key) {
    try {
      return call.get();
    } catch (DataAccessException e) {
      throw new IllegalStateException(
          "Redis: could not use the deduplication entry "
              + entry(key)
              + ": "
              + SpringDataRedisTokenStore.deepMessage(e).strip(),
          e);
    }
  }

  /** Returns a description with the key prefix. */
  @Override
  public String toString() {
    return "SpringDataRedisMessageDeduplicator{keyPrefix=" + prefix + '}';
  }
}

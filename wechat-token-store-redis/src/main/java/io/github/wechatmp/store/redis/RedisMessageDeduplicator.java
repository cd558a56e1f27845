package io.github.wechatmp.store.redis;

import io.github.wechatmp.callback.MessageDeduplicator;
import io.github.wechatmp.redis.AbstractRedisMessageDeduplicator;
import io.github.wechatmp.redis.RedisLayout;
import java.time.Duration;
import java.util.Objects;
import redis.clients.jedis.UnifiedJedis;

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
 * #DEFAULT_PREFIX}) with a TTL of the lifetime (default {@link #DEFAULT_LIFETIME}, at least 30 s)
 * from the claim, in {@link RedisLayout}'s format, which the Spring Boot starter's deduplicator
 * shares; {@link AbstractRedisMessageDeduplicator} describes the claims, the cached reply and the
 * failures. The client's timeouts bound how long a failure takes (see {@link RedisTokenStore} for
 * recommended settings). Thread-safe; neither closes nor configures its client.
 */
public final class RedisMessageDeduplicator extends AbstractRedisMessageDeduplicator {
  /** The key prefix used unless the builder is given another: {@value}. */
  public static final String DEFAULT_PREFIX = RedisLayout.DEFAULT_DEDUP_PREFIX;

  /** How long a key lives from its claim unless the builder is given another: one minute. */
  public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(1);

  private RedisMessageDeduplicator(Builder b) {
    super(new JedisAccess(b.jedis), b.prefix, b.lifetime);
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
      this.lifetime = checkLifetime(lifetime);
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

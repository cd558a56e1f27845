package io.github.wechatmp.spring.boot;

import io.github.wechatmp.callback.MessageDeduplicator;
import io.github.wechatmp.redis.AbstractRedisMessageDeduplicator;
import io.github.wechatmp.redis.RedisLayout;
import java.time.Duration;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * A {@link MessageDeduplicator} in Redis over Spring Data Redis, on the application's own {@link
 * RedisConnectionFactory}, so that WeChat's retries of a push are answered once across every node.
 * It reads and writes {@link RedisLayout}'s deduplication entries through the same {@link
 * AbstractRedisMessageDeduplicator} as {@code RedisMessageDeduplicator} (module {@code
 * wechat-token-store-redis}), so nodes on either share their deduplication.
 *
 * <p>A push's key {@code K} (built by {@code WeChatCallback}) is stored at {@code P + K}, where
 * {@code P} is the token store's key prefix followed by {@code dedup:} ({@value
 * RedisLayout#DEFAULT_DEDUP_PREFIX} by default, {@code RedisMessageDeduplicator}'s default), with a
 * TTL of one minute from the claim.
 *
 * <p>Thread-safe. A failure to reach Redis throws an {@link IllegalStateException} naming Redis and
 * the key (never message content); the callback then handles the message without deduplication.
 */
public final class SpringDataRedisMessageDeduplicator extends AbstractRedisMessageDeduplicator {
  /** How long an entry lives from its claim. */
  public static final Duration LIFETIME = Duration.ofMinutes(1);

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
    super(
        new SpringDataRedisAccess(connections),
        RedisLayout.checkPrefix(keyPrefix) + "dedup:",
        LIFETIME);
  }
}

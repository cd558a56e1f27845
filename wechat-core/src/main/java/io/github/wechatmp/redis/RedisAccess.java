package io.github.wechatmp.redis;

import java.util.List;

/**
 * The three Redis commands that {@link AbstractRedisTokenStore} and {@link
 * AbstractRedisMessageDeduplicator} need, over whatever client the application has. An
 * implementation adapts one client and translates its failures into {@link Failure}; it adds no
 * retries and no caching of its own.
 */
public interface RedisAccess {
  /**
   * Runs {@code GET key}.
   *
   * @param key the key
   * @return the string value, or null if the key is absent
   * @throws Failure if Redis cannot be reached or refuses the command ({@link Failure#wrongType()}
   *     for a key that holds no string)
   */
  String get(String key);

  /**
   * Runs {@code DEL key}.
   *
   * @param key the key
   * @throws Failure if Redis cannot be reached or refuses the command
   */
  void del(String key);

  /**
   * Runs a Lua script of {@link RedisLayout} that returns an integer ({@code EVAL}, or {@code
   * EVALSHA} with a fallback if the client prefers).
   *
   * @param script the script's text
   * @param keys the script's {@code KEYS}
   * @param args the script's {@code ARGV}
   * @return the script's integer result
   * @throws Failure if Redis cannot be reached or fails the script
   */
  long evalInteger(String script, List<String> keys, List<String> args);

  /**
   * Runs a Lua script of {@link RedisLayout} that returns a string or {@code false} (nil).
   *
   * @param script the script's text
   * @param keys the script's {@code KEYS}
   * @param args the script's {@code ARGV}
   * @return the script's string result, or null for nil
   * @throws Failure if Redis cannot be reached or fails the script
   */
  String evalString(String script, List<String> keys, List<String> args);

  /**
   * A command that failed: Redis was unreachable, timed out or answered with an error. The message
   * is the client's description of the failure (which names {@code host:port} for a refused
   * connection); the cause is the client's own exception. Never holds a value that was sent.
   */
  final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Whether Redis answered {@code WRONGTYPE}: the key holds something other than a string. */
    private final boolean wrongType;

    /**
     * Creates a failure.
     *
     * @param description the client's description of the failure, never a value that was sent
     * @param wrongType whether Redis answered {@code WRONGTYPE}
     * @param cause the client's exception
     */
    public Failure(String description, boolean wrongType, Throwable cause) {
      super(description, cause);
      this.wrongType = wrongType;
    }

    /**
     * Returns whether Redis answered {@code WRONGTYPE}: the key holds a list, a hash or another
     * type that is not a string, which the stores read as a corrupt entry rather than an outage.
     *
     * @return whether the key held something other than a string
     */
    public boolean wrongType() {
      return wrongType;
    }
  }
}

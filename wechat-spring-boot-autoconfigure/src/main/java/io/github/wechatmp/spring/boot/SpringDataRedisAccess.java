package io.github.wechatmp.spring.boot;

import io.github.wechatmp.redis.RedisAccess;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The commands of the shared Redis layout over Spring Data Redis, on the application's own
 * connection factory (Lettuce or Jedis).
 */
final class SpringDataRedisAccess implements RedisAccess {
  private final StringRedisTemplate redis;

  // Spring Data Redis wants a script's result type up front; the layout has a handful of scripts,
  // each made into a RedisScript (which also computes its SHA-1 for EVALSHA) once.
  private final Map<String, RedisScript<Long>> integerScripts = new ConcurrentHashMap<>();
  private final Map<String, RedisScript<String>> stringScripts = new ConcurrentHashMap<>();

  SpringDataRedisAccess(RedisConnectionFactory connections) {
    this.redis = new StringRedisTemplate(Objects.requireNonNull(connections, "connections"));
  }

  @Override
  public String get(String key) {
    return call(() -> redis.opsForValue().get(key));
  }

  @Override
  public void del(String key) {
    call(() -> redis.delete(key));
  }

  @Override
  public long evalInteger(String script, List<String> keys, List<String> args) {
    RedisScript<Long> s =
        integerScripts.computeIfAbsent(script, t -> RedisScript.of(t, Long.class));
    Long result = call(() -> redis.execute(s, keys, args.toArray()));
    return result == null ? 0 : result;
  }

  @Override
  public String evalString(String script, List<String> keys, List<String> args) {
    RedisScript<String> s =
        stringScripts.computeIfAbsent(script, t -> RedisScript.of(t, String.class));
    return call(() -> redis.execute(s, keys, args.toArray()));
  }

  /**
   * Runs a command, translating Spring's exception with every message of its cause chain: the
   * client's own (which names the peer) sits below Spring's.
   */
  private static <T> T call(Supplier<T> command) {
    try {
      return command.get();
    } catch (DataAccessException e) {
      String description = deepMessage(e);
      throw new Failure(description, description.contains("WRONGTYPE"), e);
    }
  }

  private static String deepMessage(Throwable e) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = e; t != null && b.length() < 2000; t = t.getCause()) {
      b.append(t.getMessage()).append(' ');
    }
    return b.toString().strip();
  }

  @Override
  public String toString() {
    return "SpringDataRedisAccess{" + redis.getConnectionFactory() + '}';
  }
}

package io.github.wechatmp.store.redis;

import io.github.wechatmp.redis.RedisAccess;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/** The commands of the shared Redis layout over a Jedis {@link UnifiedJedis}. */
final class JedisAccess implements RedisAccess {
  private final UnifiedJedis jedis;

  JedisAccess(UnifiedJedis jedis) {
    this.jedis = jedis;
  }

  @Override
  public String get(String key) {
    return call(() -> jedis.get(key));
  }

  @Override
  public void del(String key) {
    call(() -> jedis.del(key));
  }

  @Override
  public long evalInteger(String script, List<String> keys, List<String> args) {
    Object result = call(() -> jedis.eval(script, keys, args));
    return result instanceof Long l ? l : 0;
  }

  @Override
  public String evalString(String script, List<String> keys, List<String> args) {
    Object result = call(() -> jedis.eval(script, keys, args));
    // Jedis hands back bulk replies of a script as byte[] or String depending on its version.
    return result instanceof byte[] b
        ? new String(b, StandardCharsets.UTF_8)
        : result == null ? null : result.toString();
  }

  /** Runs a Jedis call, translating its failure with Jedis's description (which names the peer). */
  private static <T> T call(Supplier<T> command) {
    try {
      return command.get();
    } catch (JedisException e) {
      String description = String.valueOf(e.getMessage());
      Throwable cause = e.getCause();
      if (cause != null && cause.getMessage() != null && !cause.getMessage().equals(description)) {
        description += " (" + cause.getMessage() + ')';
      }
      boolean wrongType = e instanceof JedisDataException && description.startsWith("WRONGTYPE");
      throw new Failure(description, wrongType, e);
    }
  }

  @Override
  public String toString() {
    return "JedisAccess{" + jedis + '}';
  }
}

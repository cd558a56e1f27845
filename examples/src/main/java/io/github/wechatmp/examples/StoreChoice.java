package io.github.wechatmp.examples;

import io.github.wechatmp.store.file.FileTokenStore;
import io.github.wechatmp.store.redis.RedisTokenStore;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.TokenStore;
import java.net.URI;
import java.nio.file.Path;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;

/** Makes the {@link TokenStore} that {@code --store} names, and owns what it opened. */
final class StoreChoice implements AutoCloseable {
  final TokenStore store;
  final String description;
  private final AutoCloseable resource;

  private StoreChoice(TokenStore store, String description, AutoCloseable resource) {
    this.store = store;
    this.description = description;
    this.resource = resource;
  }

  /** Checks the form of a {@code --store} value and describes it; opens nothing. */
  static String describe(String spec) {
    if (spec.equals("memory")) {
      return "memory (this process only)";
    }
    if (spec.startsWith("file:") && spec.length() > "file:".length()) {
      return "file " + Path.of(spec.substring("file:".length())).toAbsolutePath();
    }
    if (spec.startsWith("redis://")) {
      HostAndPort hp = redisAddress(spec);
      return "Redis at " + hp;
    }
    throw new IllegalArgumentException(
        "--store must be memory, file:PATH or redis://HOST:PORT, got '" + spec + "'");
  }

  /**
   * Opens the store. A Redis store is pinged first, so an unreachable Redis is reported at start.
   *
   * @throws IllegalArgumentException with a message for the person who started the program
   */
  static StoreChoice open(String spec) {
    String description = describe(spec);
    if (spec.equals("memory")) {
      return new StoreChoice(new InMemoryTokenStore(), description, null);
    }
    if (spec.startsWith("file:")) {
      return new StoreChoice(
          new FileTokenStore(Path.of(spec.substring("file:".length()))), description, null);
    }
    HostAndPort hp = redisAddress(spec);
    JedisPooled jedis =
        new JedisPooled(
            hp,
            DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(2000)
                .socketTimeoutMillis(2000)
                .build());
    try {
      jedis.ping();
    } catch (RuntimeException e) {
      jedis.close();
      throw new IllegalArgumentException(
          "Redis at "
              + hp
              + " is unreachable ("
              + e.getMessage()
              + "); start it, or choose another store with --store");
    }
    return new StoreChoice(new RedisTokenStore(jedis), description, jedis);
  }

  private static HostAndPort redisAddress(String spec) {
    URI uri;
    try {
      uri = URI.create(spec);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--store redis://HOST:PORT is malformed: '" + spec + "'");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException(
          "--store redis://HOST:PORT needs a host, got '" + spec + "'");
    }
    return new HostAndPort(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort());
  }

  @Override
  public void close() {
    if (resource != null) {
      try {
        resource.close();
      } catch (Exception e) {
        // closing a Redis pool on the way out: nothing left to do about it
      }
    }
  }
}

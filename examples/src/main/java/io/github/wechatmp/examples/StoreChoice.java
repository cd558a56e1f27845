package io.github.wechatmp.examples;

import io.github.wechatmp.store.file.FileTokenStore;
import io.github.wechatmp.store.redis.RedisTokenStore;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.TokenStore;
import io.github.wechatmp.token.TokenStoreException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;

/** Makes the {@link TokenStore} that {@code --store} names, and owns what it opened. */
final class StoreChoice implements AutoCloseable {
  final TokenStore store;
  final String description;
  private final AutoCloseable resource;

  /**
   * Where to put the file instead: the home directory belongs to the user and other users cannot
   * write to it, unlike /tmp, which the file store refuses.
   */
  private static final String HINT =
      "; give a file in a directory only you can write to, such as --store"
          + " file:$HOME/wechat-tokens.json";

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
      Path file = Path.of(spec.substring("file:".length())).toAbsolutePath();
      checkWritable(file);
      try {
        return new StoreChoice(new FileTokenStore(file), description, null);
      } catch (TokenStoreException e) {
        // The store refuses a place other users could tamper with; say where to put it instead.
        throw new IllegalArgumentException("--store file:" + file + ": " + e.getMessage() + HINT);
      }
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

  /**
   * Checks at start what the file store needs later: a regular file (or none yet) in a directory
   * where it can create its {@code .tmp} and {@code .lock} files. Otherwise the store would fail on
   * every save, long after the start, and only in the log.
   */
  static void checkWritable(Path file) {
    String hint = HINT;
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException("--store file:" + file + " is a directory" + hint);
    }
    if (Files.exists(file) && (!Files.isRegularFile(file) || !Files.isWritable(file))) {
      throw new IllegalArgumentException(
          "--store file:" + file + " is not a regular file this user can write" + hint);
    }
    Path dir = file.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new IllegalArgumentException(
          "--store file:" + file + ": the directory " + dir + " does not exist" + hint);
    }
    try {
      Files.delete(Files.createTempFile(dir, ".wechat-store-check", ".tmp"));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "--store file:" + file + ": cannot create files in " + dir + " (" + e + ")" + hint);
    }
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

package io.github.wechatmp.spring.boot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import redis.clients.jedis.JedisPooled;
import redis.embedded.RedisServer;

/**
 * A real Redis for the tests, as the Redis store's tests have it: the server of {@code REDIS_URL}
 * when set, else a {@code redis-server} from the embedded-redis jar on a free loopback port, one per
 * test JVM, stopped by a shutdown hook. {@link #flush()} empties it between tests.
 */
final class TestRedis {
  private static TestRedis shared;

  final String host;
  final int port;

  private TestRedis(String host, int port) {
    this.host = host;
    this.port = port;
  }

  static synchronized TestRedis get() {
    if (shared == null) {
      shared = start();
    }
    return shared;
  }

  private static TestRedis start() {
    String url = System.getenv("REDIS_URL");
    if (url != null && !url.isBlank()) {
      URI uri = URI.create(url.strip());
      return new TestRedis(uri.getHost(), uri.getPort());
    }
    try {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      RedisServer server =
          RedisServer.newRedisServer()
              .bind("127.0.0.1")
              .port(port)
              .setting("save \"\"")
              .setting("appendonly no")
              .build();
      server.start();
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      server.stop();
                    } catch (IOException e) {
                      // best effort at exit
                    }
                  }));
      return new TestRedis("127.0.0.1", port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  JedisPooled jedis() {
    return new JedisPooled(host, port);
  }

  void flush() {
    try (JedisPooled j = jedis()) {
      j.flushAll();
    }
  }
}

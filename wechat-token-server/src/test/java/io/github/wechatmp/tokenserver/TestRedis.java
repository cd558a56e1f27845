package io.github.wechatmp.tokenserver;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import redis.embedded.RedisServer;

/**
 * A real Redis for tests, as the Redis store's own tests have it: the server named by {@code
 * REDIS_URL} when set, else a {@code redis-server} from the embedded-redis jar on a free loopback
 * port, stopped by {@link #close()} or, should the run die first, by a shutdown hook.
 */
final class TestRedis implements AutoCloseable {
  private final RedisServer server;
  private final String url;
  private final Thread reaper;

  private TestRedis(RedisServer server, String url) {
    this.server = server;
    this.url = url;
    this.reaper = new Thread(this::stopQuietly, "test-redis-reaper");
    if (server != null) {
      Runtime.getRuntime().addShutdownHook(reaper);
    }
  }

  static TestRedis start() throws IOException {
    String external = System.getenv("REDIS_URL");
    if (external != null && !external.isBlank()) {
      return new TestRedis(null, external.strip());
    }
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
    TestRedis r = new TestRedis(server, "redis://127.0.0.1:" + port);
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      r.close();
      throw e;
    }
    return r;
  }

  /** The URL to configure the token server's store with. */
  String url() {
    return url;
  }

  private void stopQuietly() {
    try {
      if (server != null) {
        server.stop();
      }
    } catch (IOException | RuntimeException e) {
      // being torn down anyway
    }
  }

  @Override
  public void close() {
    stopQuietly();
    if (server != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(reaper);
      } catch (IllegalStateException e) {
        // already shutting down
      }
    }
  }
}

package io.github.wechatmp.open.it;

import io.github.wechatmp.open.OpenPlatform;
import io.github.wechatmp.open.testing.EndpointServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import redis.embedded.RedisServer;

/** What the cluster and crash tests share: an event endpoint server, a real Redis, a probe. */
final class ClusterFixture {
  private ClusterFixture() {}

  /** Serves a platform's authorization-event endpoint at {@code /wechat/events}; returns it. */
  static EndpointServer serve(OpenPlatform platform) throws IOException {
    return EndpointServer.serve("/wechat/events", platform.callback());
  }

  /** A real redis-server (the embedded-redis jar's) on a free loopback port, started. */
  static RedisServer redis(int port) throws IOException {
    RedisServer server =
        RedisServer.newRedisServer()
            .bind("127.0.0.1")
            .port(port)
            .setting("save \"\"")
            .setting("appendonly no")
            .build();
    server.start();
    return server;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}

package io.github.wechatmp.open.it;

import io.github.wechatmp.open.OpenPlatform;
import io.github.wechatmp.open.testing.EndpointServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import redis.embedded.RedisServer;

/** What the cluster and crash tests share: an event endpoint server, a real Redis, a probe. */
final class ClusterFixture {
  static final String COMPONENT_APP_ID = "wxcomponent000001";
  static final String SECRET = "component-secret-0123456789abcdef";
  static final String TOKEN = "platformtoken";
  static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

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

  /** The errcode the stand-in answers an API call with the given token (0: it works). */
  static int apiErrcode(String baseUrl, String accessToken) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            baseUrl + "cgi-bin/get_api_domain_ip?access_token=" + accessToken))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    Matcher m = Pattern.compile("\"errcode\"\\s*:\\s*(-?\\d+)").matcher(r.body());
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }
}

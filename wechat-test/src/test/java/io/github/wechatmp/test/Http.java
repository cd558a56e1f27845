package io.github.wechatmp.test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** The JDK's HttpClient, the only client these tests use (no SDK code here: no Maven cycle). */
final class Http {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private Http() {}

  static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  static HttpResponse<String> post(String url, String body)
      throws IOException, InterruptedException {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  static Map<String, Object> json(HttpResponse<String> r) {
    return Json.parseObject(r.body());
  }

  static String classicToken(WeChatStandIn w, String appId, String secret)
      throws IOException, InterruptedException {
    return (String)
        json(get(
                w.baseUrl()
                    + "cgi-bin/token?grant_type=client_credential&appid="
                    + appId
                    + "&secret="
                    + secret))
            .get("access_token");
  }

  static Map<String, Object> stable(WeChatStandIn w, String appId, String secret, boolean force)
      throws IOException, InterruptedException {
    return json(
        post(
            w.baseUrl() + "cgi-bin/stable_token",
            "{\"grant_type\":\"client_credential\",\"appid\":\""
                + appId
                + "\",\"secret\":\""
                + secret
                + "\",\"force_refresh\":"
                + force
                + "}"));
  }

  static Object errcode(HttpResponse<String> r) {
    return json(r).get("errcode");
  }

  /** test-vectors/name, found by walking up to the repository root and never past it. */
  static Path vector(String name) {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      Path candidate = d.resolve("test-vectors").resolve(name);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
      if (Files.isRegularFile(d.resolve("mvnw"))) {
        break;
      }
    }
    throw new IllegalStateException("test-vectors/" + name + " not found");
  }
}

package io.github.wechatmp.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wechatmp.callback.MessageRouter;
import io.github.wechatmp.test.CallbackClient;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.List;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * What the callback endpoint does on a real server, whichever web stack runs it: the stand-in
 * WeChat, a real Redis through Spring Data Redis (Lettuce), the application's router, Actuator's
 * health and metrics endpoints over HTTP.
 */
abstract class CallbackEndpointContract {
  static final String APP_ID = "wx0123456789abcdef";
  static final String TOKEN = "callbackToken";
  static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  static final String SECRET = "the-app-secret";
  static final WeChatStandIn WECHAT = WeChatStandIn.start();

  @Autowired Environment environment;
  @Autowired AccessTokenProvider tokens;
  @Autowired WeChatAccounts accounts;

  private final HttpClient http = HttpClient.newHttpClient();

  @DynamicPropertySource
  static void settings(DynamicPropertyRegistry registry) {
    TestRedis redis = TestRedis.get();
    registry.add("wechat.mp.app-id", () -> APP_ID);
    registry.add("wechat.mp.app-secret", () -> SECRET);
    registry.add("wechat.mp.token", () -> TOKEN);
    registry.add("wechat.mp.encoding-aes-key", () -> AES_KEY);
    registry.add("wechat.mp.api-base-url", WECHAT::baseUrl);
    registry.add("spring.data.redis.host", () -> redis.host);
    registry.add("spring.data.redis.port", () -> redis.port);
    registry.add("management.endpoints.web.exposure.include", () -> "health,metrics");
    registry.add("management.endpoint.health.show-details", () -> "always");
  }

  String url(String path) {
    return "http://127.0.0.1:" + environment.getProperty("local.server.port") + path;
  }

  CallbackClient client() {
    return CallbackClient.builder()
        .url(url("/wechat"))
        .token(TOKEN)
        .encodingAesKey(AES_KEY)
        .appId(APP_ID)
        .build();
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url(path))).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static long msgId() {
    return ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
  }

  @Test
  void theServerUrlCheckAnswersTheEchostr() {
    CallbackClient client = client();
    assertThat(client.verify()).isEqualTo(client.lastEchostr());
  }

  @Test
  void aBadSignatureIsRefused() throws Exception {
    HttpResponse<String> r =
        get("/wechat?signature=0000&timestamp=1700000000&nonce=n&echostr=e");
    assertThat(r.statusCode()).isEqualTo(403);
  }

  @Test
  void anEncryptedTextIsAnsweredByTheApplicationsRouter() {
    String reply = client().send(Router.text("gh_account", "hello", msgId()));
    assertThat(reply).contains("echo: hello");
  }

  @Test
  void aBodyOverTheLimitIsRefusedWithoutAContentLength() throws Exception {
    byte[] big = new byte[io.github.wechatmp.callback.WeChatCallback.DEFAULT_MAX_BODY_SIZE + 10];
    java.util.Arrays.fill(big, (byte) 'x');
    // Signed: an unsigned request is refused (403) before its body is read.
    String signature = io.github.wechatmp.signature.SignatureVerifier.of(TOKEN).sign("1", "n");
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        url(
                            "/wechat?signature="
                                + signature
                                + "&timestamp=1&nonce=n&encrypt_type=aes")))
                .POST(
                    HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofByteArray(big))) // no length: chunked
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
  }

  @Test
  void everyAnswerForbidsContentSniffing() throws Exception {
    String timestamp = Long.toString(System.currentTimeMillis() / 1000);
    String signature = io.github.wechatmp.signature.SignatureVerifier.of(TOKEN).sign(timestamp, "n");
    for (String path :
        List.of(
            "/wechat?signature=" + signature + "&timestamp=" + timestamp + "&nonce=n&echostr=e",
            "/wechat?signature=0000&timestamp=1700000000&nonce=n&echostr=e",
            "/wechat/nobody?signature=a&timestamp=1&nonce=n&echostr=e")) {
      assertThat(get(path).headers().firstValue("X-Content-Type-Options"))
          .as(path)
          .hasValue("nosniff");
    }
  }

  @Test
  void anUnknownAccountPathIsNotFound() throws Exception {
    assertThat(get("/wechat/nobody?signature=a&timestamp=1&nonce=n&echostr=e").statusCode())
        .isEqualTo(404);
  }

  @Test
  void theHealthEndpointShowsTheTokenStateAndNeverTheToken() throws Exception {
    AccessToken token = tokens.get();
    HttpResponse<String> r = get("/actuator/health/wechat");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("\"status\":\"UP\"")
        .contains("\"default\"")
        .contains("\"state\":\"FRESH\"")
        .contains("\"appId\":\"" + APP_ID + "\"")
        .contains("\"expiresAt\":\"" + token.expiresAt() + "\"")
        .doesNotContain(token.value())
        .doesNotContain(SECRET);
    HttpResponse<String> one = get("/actuator/health/wechat/default");
    assertThat(one.statusCode()).isEqualTo(200);
    assertThat(one.body()).startsWith("{").contains("\"state\":\"FRESH\"");
  }

  @Test
  void theMetricsEndpointCountsMessagesAndFetches() throws Exception {
    tokens.get();
    client().send(Router.text("gh_account", "count me", msgId()));
    HttpResponse<String> messages =
        get("/actuator/metrics/wechat.callback.messages?tag=account:default&tag=type:text");
    assertThat(messages.statusCode()).isEqualTo(200);
    assertThat(messages.body()).contains("\"COUNT\"").contains("replied");
    HttpResponse<String> expires = get("/actuator/metrics/wechat.token.expires.in");
    assertThat(expires.statusCode()).isEqualTo(200);
    assertThat(expires.body()).contains("access_token").contains("jsapi_ticket");
    assertThat(get("/actuator/metrics/wechat.callback.duplicates").statusCode()).isEqualTo(200);
  }

  @Test
  void aRetryOfAnAnsweredMessageGetsTheSameReplyAndCountsAsADuplicate() throws Exception {
    String message = Router.text("gh_account", "once", msgId());
    CallbackClient client = client();
    assertThat(client.send(message)).contains("echo: once");
    assertThat(client.send(message)).contains("echo: once");
    HttpResponse<String> duplicates =
        get("/actuator/metrics/wechat.callback.duplicates?tag=account:default");
    assertThat(duplicates.statusCode()).isEqualTo(200);
    assertThat(duplicates.body()).containsPattern("\\{\"statistic\":\"COUNT\",\"value\":[1-9]");
  }

  @Test
  void anAccountAddedAtRunTimeIsServedAtItsOwnPath() throws Exception {
    String name = "added" + Math.abs(msgId() % 100000);
    AccountProperties p = new AccountProperties();
    p.setAppId("wx" + name);
    p.setAppSecret("s");
    p.setToken("addedToken");
    p.setApiBaseUrl(WECHAT.baseUrl());
    accounts.add(name, p);
    try {
      CallbackClient client =
          CallbackClient.builder().url(url("/wechat/" + name)).token("addedToken").build();
      assertThat(client.verify()).isEqualTo(client.lastEchostr());
      // Plaintext mode: the body's bytes are read as UTF-8 whatever the Content-Type says.
      assertThat(client.send(Router.text("gh_added", "你好, plain", msgId())))
          .contains("echo: 你好, plain");
      // As WeChat sends it: text/xml with no charset; the body is UTF-8 all the same.
      String timestamp = Long.toString(System.currentTimeMillis() / 1000);
      String signature =
          io.github.wechatmp.signature.SignatureVerifier.of("addedToken").sign(timestamp, "n2");
      HttpResponse<String> raw =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(
                          url("/wechat/" + name)
                              + "?signature="
                              + signature
                              + "&timestamp="
                              + timestamp
                              + "&nonce=n2"))
                  .header("Content-Type", "text/xml")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          Router.text("gh_added", "中文", msgId()),
                          java.nio.charset.StandardCharsets.UTF_8))
                  .build(),
              HttpResponse.BodyHandlers.ofString(java.nio.charset.StandardCharsets.UTF_8));
      assertThat(raw.statusCode()).isEqualTo(200);
      assertThat(raw.body()).contains("echo: 中文");
    } finally {
      accounts.remove(name);
    }
  }

  /** The application: nothing but the router. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    MessageRouter router() {
      return Router.router();
    }
  }
}

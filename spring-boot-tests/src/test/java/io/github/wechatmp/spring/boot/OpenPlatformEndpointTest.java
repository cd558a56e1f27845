package io.github.wechatmp.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wechatmp.open.Authorization;
import io.github.wechatmp.open.AuthorizationStore;
import io.github.wechatmp.open.OpenPlatform;
import io.github.wechatmp.test.StandInPlatform;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The platform in a real Spring MVC server: the stand-in WeChat pushes the ticket and a merchant's
 * authorization to the auto-configured authorization-event endpoint, and the merchant's token from
 * the {@link OpenPlatform} bean works on WeChat's API.
 */
class OpenPlatformEndpointTest {
  static final String COMPONENT_APP_ID = "wxcomponent000001";
  static final String SECRET = "component-secret-0123456789abcdef";
  static final String TOKEN = "platformtoken";
  static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  static final String MERCHANT = "wxmerchant0000001";

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private WeChatStandIn standIn;
  private ConfigurableApplicationContext context;
  private StandInPlatform wechat;

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}

  @BeforeEach
  void start() {
    standIn = WeChatStandIn.start();
    context =
        new SpringApplicationBuilder(App.class)
            .web(WebApplicationType.SERVLET)
            .properties(
                "server.port=0",
                "server.address=127.0.0.1",
                "wechat.mp.store.type=memory",
                "wechat.open.component-app-id=" + COMPONENT_APP_ID,
                "wechat.open.component-app-secret=" + SECRET,
                "wechat.open.token=" + TOKEN,
                "wechat.open.encoding-aes-key=" + AES_KEY,
                "wechat.open.api-base-url=" + standIn.baseUrl(),
                "wechat.open.callback.path=/platform/events",
                "wechat.open.store.type=file",
                "wechat.open.store.file.path=" + dir.resolve("authorizations"),
                "management.endpoints.web.exposure.include=health",
                "management.endpoint.health.show-details=always")
            .run();
    wechat =
        standIn
            .openPlatform()
            .credentials(COMPONENT_APP_ID, SECRET)
            .pushTo(url("/platform/events"), TOKEN, AES_KEY);
  }

  @AfterEach
  void stop() {
    if (context != null) {
      context.close();
    }
    standIn.close();
  }

  private String url(String path) {
    return "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port") + path;
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aPushedTicketAndAuthorizationGiveTheMerchantsTokenThroughTheOpenPlatformBean()
      throws Exception {
    String ticket = wechat.pushTicket(); // throws unless the endpoint answered success
    assertThat(
            context
                .getBean(TokenStore.class)
                .load(TokenKey.of(COMPONENT_APP_ID, OpenPlatform.COMPONENT_VERIFY_TICKET)))
        .as("the ticket is kept in the starter's TokenStore")
        .hasValueSatisfying(t -> assertThat(t.value()).isEqualTo(ticket));

    wechat.authorize(MERCHANT, List.of(1, 15));
    Authorization saved =
        context.getBean(AuthorizationStore.class).find(MERCHANT).orElseThrow();
    assertThat(saved.state()).isEqualTo(Authorization.State.AUTHORIZED);
    assertThat(saved.refreshToken()).isEqualTo(wechat.refreshTokenOf(MERCHANT));

    AccessToken token = context.getBean(OpenPlatform.class).authorizer(MERCHANT).get();
    String answer =
        send(
                HttpRequest.newBuilder(
                    URI.create(
                        standIn.baseUrl()
                            + "cgi-bin/get_api_domain_ip?access_token="
                            + token.value())))
            .body();
    assertThat(answer).contains("ip_list").doesNotContain("\"errcode\":4");
    assertThat(standIn.requests("cgi-bin/component/api_component_token")).isEqualTo(1);

    HttpResponse<String> health = send(HttpRequest.newBuilder(URI.create(url("/actuator/health/wechatOpen"))));
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body())
        .contains("\"status\":\"UP\"")
        .contains("\"AUTHORIZED\":1")
        .contains("\"REVOKED\":0")
        .doesNotContain(saved.refreshToken());
  }

  @Test
  void theEndpointRefusesAnUnsignedPushAndAnyMethodButPost() throws Exception {
    HttpResponse<String> unsigned =
        send(
            HttpRequest.newBuilder(
                    URI.create(
                        url("/platform/events?timestamp=1700000000&nonce=n&msg_signature=00")))
                .POST(HttpRequest.BodyPublishers.ofString("<xml><Encrypt>x</Encrypt></xml>")));
    assertThat(unsigned.statusCode()).isIn(400, 403);
    assertThat(unsigned.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");

    assertThat(send(HttpRequest.newBuilder(URI.create(url("/platform/events")))).statusCode())
        .isEqualTo(405);

    HttpResponse<String> tooLarge =
        send(
            HttpRequest.newBuilder(
                    URI.create(url("/platform/events?timestamp=1&nonce=n&msg_signature=00")))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(300 * 1024))));
    assertThat(tooLarge.statusCode()).isEqualTo(413);
  }
}

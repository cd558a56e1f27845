package io.github.wechatmp.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wechatmp.callback.MessageRouter;
import io.github.wechatmp.callback.Reply;
import io.github.wechatmp.callback.inbound.TextMessage;
import io.github.wechatmp.open.Authorization;
import io.github.wechatmp.open.AuthorizationStore;
import io.github.wechatmp.open.AuthorizerMessageHandler;
import io.github.wechatmp.open.AuthorizerMessages;
import io.github.wechatmp.test.CallbackClient;
import io.github.wechatmp.test.CallbackException;
import io.github.wechatmp.test.StandInPlatform;
import io.github.wechatmp.test.WeChatStandIn;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The platform's two endpoints on a real server, whichever web stack runs it: the stand-in WeChat
 * pushes the ticket and merchants' authorizations to the auto-configured authorization-event
 * endpoint, then a {@link CallbackClient} plays WeChat delivering a merchant's messages, signed
 * with and encrypted for the platform, to {@code wechat.open.messages.path}/{AppID}, answered by
 * the application's {@link AuthorizerMessageHandler} bean.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class OpenMessagesEndpointContract {
  static final String COMPONENT_APP_ID = "wxcomponent000001";
  static final String SECRET = "component-secret-0123456789abcdef";
  static final String TOKEN = "platformtoken";
  static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

  private WeChatStandIn standIn;
  ConfigurableApplicationContext context;
  StandInPlatform wechat;

  /** The web stack the application runs on. */
  abstract WebApplicationType stack();

  @BeforeAll
  void start() {
    standIn = WeChatStandIn.start();
    context = application(standIn);
    wechat = platformFor(standIn, context);
    wechat.pushTicket();
  }

  @AfterAll
  void stop() {
    if (context != null) {
      context.close();
    }
    standIn.close();
  }

  private ConfigurableApplicationContext application(WeChatStandIn wechatApi) {
    return application(App.class, wechatApi);
  }

  ConfigurableApplicationContext application(
      Class<?> app, WeChatStandIn wechatApi, String... more) {
    return new SpringApplicationBuilder(app)
        .web(stack())
        .properties(
            "server.port=0",
            "server.address=127.0.0.1",
            "wechat.mp.store.type=memory",
            "wechat.open.component-app-id=" + COMPONENT_APP_ID,
            "wechat.open.component-app-secret=" + SECRET,
            "wechat.open.token=" + TOKEN,
            "wechat.open.encoding-aes-key=" + AES_KEY,
            "wechat.open.api-base-url=" + wechatApi.baseUrl(),
            "wechat.open.store.type=memory",
            "wechat.open.callback.path=/platform/events",
            "wechat.open.messages.path=/platform/messages/")
        .properties(more)
        .run();
  }

  static StandInPlatform platformFor(
      WeChatStandIn wechatApi, ConfigurableApplicationContext app) {
    return wechatApi
        .openPlatform()
        .credentials(COMPONENT_APP_ID, SECRET)
        .pushTo(url(app, "/platform/events"), TOKEN, AES_KEY);
  }

  static String url(ConfigurableApplicationContext app, String path) {
    return "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port") + path;
  }

  private String url(String path) {
    return url(context, path);
  }

  /** WeChat delivering a merchant's messages: signed with, and encrypted for, the platform. */
  static CallbackClient wechatFor(ConfigurableApplicationContext app, String appId) {
    return CallbackClient.builder()
        .url(url(app, "/platform/messages/" + appId))
        .token(TOKEN)
        .encodingAesKey(AES_KEY)
        .appId(COMPONENT_APP_ID)
        .wechatRetries(false)
        .build();
  }

  private CallbackClient wechatFor(String appId) {
    return wechatFor(context, appId);
  }

  static String text(String content, long msgId) {
    return "<xml><ToUserName><![CDATA[gh_merchant0001]]></ToUserName>"
        + "<FromUserName><![CDATA[openid-of-a-customer]]></FromUserName>"
        + "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        + "<Content><![CDATA["
        + content
        + "]]></Content><MsgId>"
        + msgId
        + "</MsgId></xml>";
  }

  /** A query signed with the platform's token as WeChat signs it: it passes the screening. */
  private static String signedQuery() throws Exception {
    String timestamp = Long.toString(Instant.now().getEpochSecond());
    String nonce = "120934";
    String[] parts = {TOKEN, timestamp, nonce};
    Arrays.sort(parts);
    byte[] sha1 =
        MessageDigest.getInstance("SHA-1")
            .digest(String.join("", parts).getBytes(StandardCharsets.UTF_8));
    return "signature="
        + HexFormat.of().formatHex(sha1)
        + "&timestamp="
        + timestamp
        + "&nonce="
        + nonce;
  }

  /**
   * Sends on a connection of its own: after a refusal answered before the body was read, the
   * server may drop a connection that a shared client would pool and use again.
   */
  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  List<String> heard() {
    return context.getBean(Heard.class).appIds;
  }

  @Test
  void aMerchantsEncryptedMessageIsAnsweredByTheApplicationsHandler() {
    String merchant = "wxmerchant0000001";
    wechat.authorize(merchant, List.of(1)); // through the authorization-event endpoint
    assertThat(context.getBean(AuthorizationStore.class).find(merchant))
        .hasValueSatisfying(a -> assertThat(a.state()).isEqualTo(Authorization.State.AUTHORIZED));

    String reply = wechatFor(merchant).send(text("hello", 1001));

    assertThat(reply)
        .contains("<![CDATA[" + merchant + " heard: hello]]>")
        .contains("<ToUserName><![CDATA[openid-of-a-customer]]></ToUserName>");
    assertThat(heard()).containsOnlyOnce(merchant);
  }

  @Test
  void wechatsRetryIsAnsweredTheSameReplyWithoutRunningTheHandlerAgain() {
    String merchant = "wxmerchant0000002";
    wechat.authorize(merchant, List.of(1));
    CallbackClient client = wechatFor(merchant);

    String first = client.send(text("once", 1002));
    String retry = client.send(text("once", 1002));

    assertThat(retry).isEqualTo(first);
    assertThat(heard()).containsOnlyOnce(merchant);
  }

  @Test
  void aCancelledMerchantIsRefusedAndOneThatNeverAuthorizedIsNotFound() {
    String merchant = "wxmerchant0000003";
    wechat.authorize(merchant, List.of(1));
    wechatFor(merchant).send(text("before", 1));
    wechat.unauthorize(merchant);

    assertThatThrownBy(() -> wechatFor(merchant).send(text("after", 2)))
        .isInstanceOfSatisfying(
            CallbackException.class, e -> assertThat(e.status()).isEqualTo(403));
    assertThatThrownBy(() -> wechatFor("wxstranger0000001").send(text("hi", 3)))
        .isInstanceOfSatisfying(
            CallbackException.class, e -> assertThat(e.status()).isEqualTo(404));
    assertThatThrownBy(() -> wechatFor("wx-not!valid").send(text("hi", 4)))
        .isInstanceOfSatisfying(
            CallbackException.class, e -> assertThat(e.status()).isEqualTo(400));
    assertThat(heard()).containsOnlyOnce(merchant).doesNotContain("wxstranger0000001");
  }

  @Test
  void anUnsignedMessageAndASignedOversizedOneAreRefusedBeforeTheHandler() throws Exception {
    String merchant = "wxmerchant0000004";
    wechat.authorize(merchant, List.of(1));

    HttpResponse<String> unsigned =
        send(
            HttpRequest.newBuilder(
                    URI.create(
                        url(
                            "/platform/messages/"
                                + merchant
                                + "?signature=forged&timestamp=1700000000&nonce=n")))
                .POST(HttpRequest.BodyPublishers.ofString(text("forged", 5))));
    assertThat(unsigned.statusCode()).isEqualTo(403);
    assertThat(unsigned.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");

    int limit = context.getBean(AuthorizerMessages.class).maxBodySize();
    HttpResponse<String> tooLarge =
        send(
            HttpRequest.newBuilder(
                    URI.create(
                        url("/platform/messages/" + merchant + "?" + signedQuery())))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(limit + 1))));
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(heard()).doesNotContain(merchant);
  }

  @Test
  void theAuthorizationEventEndpointRefusesAnUnsignedPushAnOversizedOneAndAGet()
      throws Exception {
    HttpResponse<String> unsigned =
        send(
            HttpRequest.newBuilder(
                    URI.create(
                        url("/platform/events?timestamp=1700000000&nonce=n&msg_signature=00")))
                .POST(HttpRequest.BodyPublishers.ofString("<xml><Encrypt>x</Encrypt></xml>")));
    assertThat(unsigned.statusCode()).isIn(400, 403);
    assertThat(send(HttpRequest.newBuilder(URI.create(url("/platform/events")))).statusCode())
        .isEqualTo(405);
    HttpResponse<String> tooLarge =
        send(
            HttpRequest.newBuilder(
                    URI.create(url("/platform/events?timestamp=1&nonce=n&msg_signature=00")))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(300 * 1024))));
    assertThat(tooLarge.statusCode()).isEqualTo(413);
  }

  /**
   * Last, as it closes the class's application: on WebFlux, a second application closed while this
   * one runs would take Reactor Netty's shared event loops with it.
   */
  @Test
  @Order(Integer.MAX_VALUE)
  void afterServingAMerchantTheApplicationClosesWithoutAWarning() {
    String merchant = "wxmerchant0000005";
    wechat.authorize(merchant, List.of(1));
    assertThat(wechatFor(merchant).send(text("bye", 6))).contains(merchant + " heard: bye");
    ConfigurableApplicationContext app = context;
    context = null;
    try (CapturedLog log = CapturedLog.start()) {
      org.slf4j.LoggerFactory.getLogger(OpenMessagesEndpointContract.class)
          .warn("probe: the capture works");
      app.close();
      assertThat(log.warnings())
          .as("WARN or ERROR logged while closing")
          .isEqualTo(
              "WARN " + OpenMessagesEndpointContract.class.getName() + ": probe: the capture works");
    }
  }

  /** An application with nothing but a MessageRouter, as for an official account of its own. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class RouterApp {
    @Bean
    MessageRouter router() {
      return Router.router();
    }
  }

  /** Who the handler answered, in order. */
  static final class Heard {
    final List<String> appIds = new CopyOnWriteArrayList<>();
  }

  /** An application whose one handler answers every merchant's texts. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    Heard heard() {
      return new Heard();
    }

    @Bean
    AuthorizerMessageHandler merchantMessages(Heard heard) {
      return (appId, message) -> {
        heard.appIds.add(appId);
        return message instanceof TextMessage t
            ? Reply.text(appId + " heard: " + t.content())
            : Reply.none();
      };
    }
  }
}

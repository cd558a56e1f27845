package io.github.wechatmp.test.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.github.wechatmp.message.MessageCrypto;
import io.github.wechatmp.test.ManualClock;
import io.github.wechatmp.test.StandInPlatform;
import io.github.wechatmp.test.WeChatStandIn;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stand-in's third-party platform over real HTTP: its pushes decrypt with the SDK's {@link
 * MessageCrypto}, and its endpoints keep WeChat's rules for tickets, codes and refresh tokens.
 */
class StandInPlatformTest {
  private static final String COMPONENT_APP_ID = "wxcomponent000001";
  private static final String COMPONENT_SECRET = "component-secret-0123456789abcdef";
  private static final String TOKEN = "platformtoken";
  private static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-01T08:00:00Z"));
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private WeChatStandIn standIn;
  private StandInPlatform platform;
  private HttpServer receiver;

  @BeforeEach
  void start() throws IOException {
    standIn = WeChatStandIn.builder().clock(clock).start();
    MessageCrypto crypto = new MessageCrypto(TOKEN, AES_KEY, COMPONENT_APP_ID);
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext(
        "/events",
        exchange -> {
          try (exchange;
              InputStream in = exchange.getRequestBody()) {
            Map<String, String> q = query(exchange.getRequestURI().getRawQuery());
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            events.add(
                crypto.decrypt(q.get("msg_signature"), q.get("timestamp"), q.get("nonce"), body));
            byte[] ok = "success".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, ok.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(ok);
            }
          }
        });
    receiver.start();
    platform =
        standIn
            .openPlatform()
            .credentials(COMPONENT_APP_ID, COMPONENT_SECRET)
            .pushTo(
                "http://127.0.0.1:" + receiver.getAddress().getPort() + "/events", TOKEN, AES_KEY);
  }

  @AfterEach
  void stop() {
    receiver.stop(0);
    standIn.close();
  }

  @Test
  void aMerchantAuthorizesAndItsTokensWorkOnApiCallsUntilItCancels() throws Exception {
    String ticket = platform.pushTicket();
    assertTrue(events.get(0).contains("<InfoType><![CDATA[component_verify_ticket]]></InfoType>"));
    assertTrue(events.get(0).contains(ticket));

    String componentToken = componentToken(ticket);
    String preAuth =
        field(post("api_create_preauthcode", componentToken, appIdBody()), "pre_auth_code");
    assertTrue(preAuth.startsWith("preauthcode@@@"), preAuth);

    String code = platform.authorize("wxmerchant0000001", List.of(1, 15));
    assertTrue(events.get(1).contains("<InfoType><![CDATA[authorized]]></InfoType>"));
    assertTrue(events.get(1).contains(code));
    String auth = queryAuth(code, componentToken);
    String refreshToken = field(auth, "authorizer_refresh_token");
    assertEquals(platform.refreshTokenOf("wxmerchant0000001"), refreshToken);
    assertTrue(auth.contains("{\"funcscope_category\":{\"id\":15}}"), auth);
    assertEquals(61009, errcode(queryAuth(code, componentToken)), "a code is single-use");

    String authorizerToken =
        field(
            authorizerToken("wxmerchant0000001", refreshToken, componentToken),
            "authorizer_access_token");
    assertEquals(0, errcode(get("cgi-bin/get_api_domain_ip?access_token=" + authorizerToken)));

    String list = authorizerList(componentToken, 0, 500);
    assertTrue(list.contains("\"total_count\":1"), list);
    assertTrue(list.contains(refreshToken), list);

    platform.unauthorize("wxmerchant0000001");
    assertTrue(events.get(2).contains("<InfoType><![CDATA[unauthorized]]></InfoType>"));
    assertEquals(40001, errcode(get("cgi-bin/get_api_domain_ip?access_token=" + authorizerToken)));
    assertEquals(
        61023,
        errcode(authorizerToken("wxmerchant0000001", refreshToken, componentToken)),
        "a cancelled authorization's refresh token no longer works");
  }

  @Test
  void reauthorizationRotatesTheRefreshToken() throws Exception {
    String componentToken = componentToken(platform.pushTicket());
    String first = exchange(platform.authorize("wxmerchant0000002", List.of(1)), componentToken);
    String second =
        exchange(platform.reauthorize("wxmerchant0000002", List.of(1, 2)), componentToken);
    assertNotEquals(first, second);
    assertTrue(events.get(events.size() - 1).contains("updateauthorized"));
    assertEquals(61023, errcode(authorizerToken("wxmerchant0000002", first, componentToken)));
    assertEquals(0, errcode(authorizerToken("wxmerchant0000002", second, componentToken)));
  }

  @Test
  void aTicketNeverPushedOrTwelveHoursOldIsRefused() throws Exception {
    assertEquals(61006, errcode(componentTokenAnswer("ticket@@@forged")));
    String ticket = platform.pushTicket();
    clock.advance(Duration.ofHours(12));
    assertEquals(61005, errcode(componentTokenAnswer(ticket)));
    assertEquals(0, errcode(componentTokenAnswer(platform.pushTicket())));
  }

  @Test
  void aWrongSecretIsRefusedAndNeverLogged() throws Exception {
    String ticket = platform.pushTicket();
    String answer = componentTokenAnswer(ticket, "wrong-secret-value");
    assertEquals(40125, errcode(answer));
    componentToken(ticket);
    assertFalse(standIn.received().toString().contains(COMPONENT_SECRET));
    assertFalse(standIn.received().toString().contains("wrong-secret-value"));
  }

  @Test
  void platformCallsNeedAValidComponentToken() throws Exception {
    assertEquals(41001, errcode(post("api_create_preauthcode", null, appIdBody())));
    assertEquals(40001, errcode(post("api_create_preauthcode", "not-a-token", appIdBody())));
    String componentToken = componentToken(platform.pushTicket());
    clock.advance(Duration.ofHours(2));
    assertEquals(42001, errcode(post("api_create_preauthcode", componentToken, appIdBody())));
  }

  @Test
  void theAuthorizerListPagesAtMost500() throws Exception {
    String componentToken = componentToken(platform.pushTicket());
    for (int i = 0; i < 3; i++) {
      exchange(platform.authorize("wxmerchant00000" + (10 + i), List.of(1)), componentToken);
    }
    String page = authorizerList(componentToken, 1, 1);
    assertTrue(page.contains("\"total_count\":3"), page);
    assertTrue(page.contains("wxmerchant0000011") && !page.contains("wxmerchant0000010"), page);
    assertEquals(40097, errcode(authorizerList(componentToken, 0, 501)));
    platform.pushTicket();
    assertEquals(0, platform.startPushTicketRequests());
    post(
        "api_start_push_ticket",
        null,
        json("component_appid", COMPONENT_APP_ID, "component_secret", COMPONENT_SECRET));
    assertEquals(1, platform.startPushTicketRequests());
  }

  private String appIdBody() {
    return json("component_appid", COMPONENT_APP_ID);
  }

  private String componentTokenAnswer(String ticket) throws Exception {
    return componentTokenAnswer(ticket, COMPONENT_SECRET);
  }

  private String componentTokenAnswer(String ticket, String secret) throws Exception {
    return post(
        "api_component_token",
        null,
        json(
            "component_appid",
            COMPONENT_APP_ID,
            "component_appsecret",
            secret,
            "component_verify_ticket",
            ticket));
  }

  private String queryAuth(String code, String componentToken) throws Exception {
    return post(
        "api_query_auth",
        componentToken,
        json("component_appid", COMPONENT_APP_ID, "authorization_code", code));
  }

  private String authorizerList(String componentToken, int offset, int count) throws Exception {
    return post(
        "api_get_authorizer_list",
        componentToken,
        json("component_appid", COMPONENT_APP_ID, "offset", offset, "count", count));
  }

  private String componentToken(String ticket) throws Exception {
    return field(componentTokenAnswer(ticket), "component_access_token");
  }

  private String exchange(String code, String componentToken) throws Exception {
    return field(queryAuth(code, componentToken), "authorizer_refresh_token");
  }

  private String authorizerToken(String appId, String refreshToken, String componentToken)
      throws Exception {
    return post(
        "api_authorizer_token",
        componentToken,
        json(
            "component_appid",
            COMPONENT_APP_ID,
            "authorizer_appid",
            appId,
            "authorizer_refresh_token",
            refreshToken));
  }

  private String post(String endpoint, String componentToken, String json) throws Exception {
    String url =
        standIn.baseUrl()
            + "cgi-bin/component/"
            + endpoint
            + (componentToken == null ? "" : "?component_access_token=" + componentToken);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .header("Content-Type", "application/json")
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
  }

  private String get(String pathAndQuery) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(standIn.baseUrl() + pathAndQuery)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /**
   * A flat JSON object of names and values, in order: strings quoted (the test's values need no
   * escaping), numbers as they are.
   */
  private static String json(Object... namesAndValues) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < namesAndValues.length; i += 2) {
      Object value = namesAndValues[i + 1];
      sb.append(i == 0 ? "" : ",").append('"').append(namesAndValues[i]).append("\":");
      sb.append(value instanceof Number ? value : "\"" + value + "\"");
    }
    return sb.append('}').toString();
  }

  private static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
    assertTrue(m.find(), name + " in " + json);
    return m.group(1);
  }

  private static int errcode(String json) {
    Matcher m = Pattern.compile("\"errcode\":(-?\\d+)").matcher(json);
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  private static Map<String, String> query(String raw) {
    java.util.Map<String, String> out = new java.util.HashMap<>();
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      out.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return out;
  }
}

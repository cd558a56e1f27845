package io.github.wechatmp.tokenserver;

import static io.github.wechatmp.tokenserver.Fixture.APP_A;
import static io.github.wechatmp.tokenserver.Fixture.APP_B;
import static io.github.wechatmp.tokenserver.Fixture.KEY_ALL;
import static io.github.wechatmp.tokenserver.Fixture.KEY_B;
import static io.github.wechatmp.tokenserver.Fixture.field;
import static io.github.wechatmp.tokenserver.Fixture.get;
import static io.github.wechatmp.tokenserver.Fixture.post;
import static io.github.wechatmp.tokenserver.Fixture.tokenPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.LogCapture;
import io.github.wechatmp.testing.MutableClock;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ApiTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T08:00:00Z"));
  private WeChatStandIn wechat;
  private TokenServer server;
  private LogCapture logs;
  private final List<String> bodies = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    logs = new LogCapture();
    wechat = Fixture.wechat();
    server = Fixture.start(Fixture.yaml(wechat, "{type: memory}"), clock);
  }

  @AfterEach
  void stop() {
    try {
      server.close();
      wechat.close();
      String text = logs.text();
      // Nothing secret in any log line or any answer but the tokens' own.
      for (String secret : List.of(Fixture.SECRET, KEY_ALL, KEY_B)) {
        assertFalse(text.contains(secret), "a secret or key was logged");
        for (String b : bodies) {
          assertFalse(b.contains(secret), "a secret or key in an answer: " + b);
        }
      }
      for (String token : wechat.issuedTokens()) {
        assertFalse(text.contains(token), "a token was logged");
      }
    } finally {
      logs.close();
    }
  }

  private HttpResponse<String> keep(HttpResponse<String> r) {
    bodies.add(r.body());
    return r;
  }

  private void assertError(HttpResponse<String> r, int status, String error) {
    keep(r);
    assertEquals(status, r.statusCode(), r.body());
    assertTrue(
        r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
        "JSON error body");
    assertEquals(error, field(r.body(), "error"), r.body());
    assertNotNull(field(r.body(), "message"));
  }

  @Test
  void aTokenReadGivesTheFieldsAWeChatClientUnderstands() {
    HttpResponse<String> r = keep(get(server, tokenPath(APP_A), KEY_ALL));
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(Fixture.currentToken(wechat), field(r.body(), "access_token"));
    assertEquals("7200", field(r.body(), "expires_in"));
    assertEquals(
        Long.toString(clock.instant().getEpochSecond() + 7200), field(r.body(), "expires_at"));
    assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));

    clock.advance(java.time.Duration.ofSeconds(100));
    HttpResponse<String> later = keep(get(server, tokenPath(APP_A), KEY_ALL));
    assertEquals("7100", field(later.body(), "expires_in"));
    assertEquals(1, Fixture.tokenFetches(wechat));
  }

  @Test
  void aJsapiTicketReadAnswersWithTheTicketField() {
    HttpResponse<String> r = keep(get(server, "/v1/accounts/" + APP_A + "/jsapi_ticket", KEY_ALL));
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(wechat.issuedTickets().get(0), field(r.body(), "ticket"), r.body());
    assertEquals("7200", field(r.body(), "expires_in"));
    assertEquals(1, Fixture.ticketFetches(wechat));
  }

  @Test
  void aMissingOrWrongKeyGets401WithTheSameAnswerForKnownAndUnknownAccounts() {
    List<HttpResponse<String>> answers = new ArrayList<>();
    for (String path : List.of(tokenPath(APP_A), tokenPath("wxnosuchaccount000"))) {
      answers.add(get(server, path, null));
      answers.add(get(server, path, "not-a-key-of-anyone-at-all"));
      answers.add(get(server, path, KEY_ALL + "x"));
      answers.add(
          Fixture.send(
              HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                  .header("Authorization", "Basic " + KEY_ALL)
                  .build()));
    }
    answers.add(get(server, "/v1/metrics", null));
    answers.add(post(server, tokenPath(APP_A) + "/rejected", null, "{\"access_token\":\"x\"}"));
    for (HttpResponse<String> r : answers) {
      assertError(r, 401, "unauthorized");
      assertEquals(answers.get(0).body(), r.body());
      assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
      assertFalse(r.body().contains(APP_A));
    }
    assertEquals(0, Fixture.tokenFetches(wechat));
  }

  @Test
  void aKeyGets403ForAnAccountItMayNotReadAnd404ForOneTheServerDoesNotHold() {
    assertError(get(server, tokenPath(APP_A), KEY_B), 403, "forbidden");
    assertError(get(server, tokenPath("wxnosuchaccount000"), KEY_B), 404, "unknown_account");
    assertError(get(server, tokenPath("bad%2Fid"), KEY_ALL), 404, "unknown_account");
    HttpResponse<String> ok = keep(get(server, tokenPath(APP_B), KEY_B));
    assertEquals(200, ok.statusCode(), ok.body());
    assertError(get(server, "/v1/accounts/" + APP_B + "/jsapi_ticket", KEY_B), 404, "not_enabled");
  }

  @Test
  void unknownPathsGet404AndWrongMethods405() {
    assertError(get(server, "/v2/anything", KEY_ALL), 404, "not_found");
    assertError(get(server, "/", null), 404, "not_found");
    HttpResponse<String> r = post(server, tokenPath(APP_A), KEY_ALL, "{}");
    assertError(r, 405, "method_not_allowed");
    assertEquals("GET", r.headers().firstValue("Allow").orElse(""));
    assertError(get(server, tokenPath(APP_A) + "/rejected", KEY_ALL), 405, "method_not_allowed");
    assertError(
        Fixture.send(
            HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/health")).DELETE().build()),
        405,
        "method_not_allowed");
  }

  @Test
  void aBodyOverTheLimitGets413() throws IOException {
    String big = "{\"access_token\":\"" + "a".repeat(5000) + "\"}";
    assertError(post(server, tokenPath(APP_A) + "/rejected", KEY_ALL, big), 413, "body_too_large");

    // Chunked, with no Content-Length to refuse it by.
    HttpURLConnection c =
        (HttpURLConnection)
            URI.create(server.baseUrl() + tokenPath(APP_A) + "/rejected").toURL().openConnection();
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    c.setChunkedStreamingMode(512);
    c.setRequestProperty("Authorization", "Bearer " + KEY_ALL);
    try (OutputStream out = c.getOutputStream()) {
      out.write(big.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // the server may close the connection before the whole body is sent
    }
    assertEquals(413, c.getResponseCode());
    c.disconnect();
    assertEquals(0, Fixture.tokenFetches(wechat));
  }

  @Test
  void aRejectionWithoutTheTokenFieldGets400() {
    for (String body :
        List.of("", "[]", "{}", "{\"access_token\":5}", "{\"access_token\":\"\"}", "not json")) {
      assertError(post(server, tokenPath(APP_A) + "/rejected", KEY_ALL, body), 400, "bad_request");
    }
    assertEquals(0, Fixture.tokenFetches(wechat));
  }

  @Test
  void aWrongAppSecretIsAJsonErrorNamingWeChatsCodeButNotTheSecret() throws IOException {
    server.close();
    String yaml = Fixture.yaml(wechat, "{type: memory}").replace("${WX_SECRET}", "${WRONG_SECRET}");
    java.util.Map<String, String> env = new java.util.HashMap<>(Fixture.ENV);
    env.put("WRONG_SECRET", "wrong-secret-0123456789abcdef");
    server = TokenServer.start(new ConfigLoader(env::get).parse(yaml, "test"), clock, 0);
    HttpResponse<String> r = get(server, tokenPath(APP_A), KEY_ALL);
    assertError(r, 502, "wechat_error");
    assertEquals("40001", field(r.body(), "errcode"));
    assertFalse(r.body().contains("wrong-secret"));
    assertFalse(logs.text().contains("wrong-secret-0123456789abcdef"));
  }

  @Test
  void aWeChatThatCannotBeReachedIsA502SayingWeChatWithoutItsAddressOrPort() throws IOException {
    server.close();
    int closedPort;
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    String base = "http://127.0.0.1:" + closedPort + "/";
    server =
        Fixture.start(
            Fixture.yaml(wechat, "{type: memory}").replace(wechat.baseUrl(), base), clock);
    HttpResponse<String> r = get(server, tokenPath(APP_A), KEY_ALL);
    assertError(r, 502, "wechat_unreachable");
    String message = field(r.body(), "message");
    assertTrue(message.contains("WeChat"), message);
    assertFalse(r.body().contains("127.0.0.1"), r.body());
    assertFalse(r.body().contains(Integer.toString(closedPort)), r.body());
  }

  @Test
  void healthSaysOnlyOkOrDegradedWithoutAKeyAndEachAccountsStateWithOne() {
    HttpResponse<String> before = keep(get(server, "/v1/health", null));
    assertEquals(503, before.statusCode(), "no token fetched yet: " + before.body());
    assertEquals("degraded", field(before.body(), "status"));
    assertFalse(before.body().contains(APP_A));

    get(server, tokenPath(APP_A), KEY_ALL);
    get(server, "/v1/accounts/" + APP_A + "/jsapi_ticket", KEY_ALL);
    get(server, tokenPath(APP_B), KEY_ALL);
    HttpResponse<String> anonymous = keep(get(server, "/v1/health", null));
    assertEquals(200, anonymous.statusCode(), anonymous.body());
    assertEquals("{\"status\":\"ok\"}", anonymous.body());

    HttpResponse<String> all = keep(get(server, "/v1/health", KEY_ALL));
    assertTrue(all.body().contains("\"appId\":\"" + APP_A + "\""), all.body());
    assertTrue(all.body().contains("\"state\":\"FRESH\""), all.body());
    HttpResponse<String> onlyB = keep(get(server, "/v1/health", KEY_B));
    assertTrue(onlyB.body().contains(APP_B), onlyB.body());
    assertFalse(onlyB.body().contains(APP_A), "a key sees only its own accounts");
  }

  @Test
  void metricsArePrometheusTextOfTheAccountsTheKeyMayRead() {
    get(server, tokenPath(APP_A), KEY_ALL);
    get(server, tokenPath(APP_B), KEY_ALL);
    HttpResponse<String> r = keep(get(server, "/v1/metrics", KEY_ALL));
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    assertTrue(
        r.body()
            .contains(
                "wechat_token_fetches_total{app_id=\"" + APP_A + "\",kind=\"access_token\"} 1"),
        r.body());
    assertTrue(
        r.body()
            .contains(
                "wechat_token_server_requests_total{route=\"access_token\",status=\"200\"} 2"),
        r.body());
    assertTrue(
        r.body()
            .contains(
                "wechat_token_state{app_id=\""
                    + APP_A
                    + "\",kind=\"access_token\",state=\"FRESH\"} 1"),
        r.body());
    for (String line : r.body().split("\n")) {
      assertTrue(
          line.startsWith("#") || line.matches("[a-z_]+(\\{[^}]*\\})? \\d+"), "bad line: " + line);
    }
    HttpResponse<String> b = keep(get(server, "/v1/metrics", KEY_B));
    assertFalse(b.body().contains(APP_A), b.body());
  }

  @Test
  void anAddressOutsideTheAllowListGets403BeforeAnythingElse() throws IOException {
    server.close();
    server =
        Fixture.start(
            "allow: [10.0.0.0/8, 'fd00::/8']\n" + Fixture.yaml(wechat, "{type: memory}"), clock);
    assertError(get(server, tokenPath(APP_A), KEY_ALL), 403, "forbidden");
    assertError(get(server, "/nothing", null), 403, "forbidden");
    server.close();
    server = Fixture.start("allow: loopback\n" + Fixture.yaml(wechat, "{type: memory}"), clock);
    assertEquals(200, get(server, tokenPath(APP_A), KEY_ALL).statusCode());
  }

  @Test
  void aMalformedRequestLineDoesNotTakeTheServerDown() throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.address().getPort())) {
      s.getOutputStream()
          .write("\u0001\u0002garbage\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      s.getInputStream().read(new byte[256]);
    } catch (IOException e) {
      // the server closing the connection is fine
    }
    assertEquals(200, get(server, tokenPath(APP_A), KEY_ALL).statusCode());
  }
}

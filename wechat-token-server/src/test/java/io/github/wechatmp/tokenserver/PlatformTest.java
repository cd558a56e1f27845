package io.github.wechatmp.tokenserver;

import static io.github.wechatmp.tokenserver.Fixture.field;
import static io.github.wechatmp.tokenserver.Fixture.get;
import static io.github.wechatmp.tokenserver.Fixture.post;
import static io.github.wechatmp.tokenserver.Fixture.tokenPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.open.Authorization;
import io.github.wechatmp.open.FileAuthorizationStore;
import io.github.wechatmp.open.OpenPlatform;
import io.github.wechatmp.store.file.FileTokenStore;
import io.github.wechatmp.test.CallbackException;
import io.github.wechatmp.test.StandInPlatform;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.LogCapture;
import io.github.wechatmp.testing.MutableClock;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenServiceProvider;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The platform section end to end over real HTTP: the stand-in plays WeChat and pushes the ticket
 * and the authorization events to the server's own event URL, and clients read the authorizers'
 * tokens from the server as they read an account's.
 */
class PlatformTest {
  static final String COMPONENT = "wxcomponent000001";
  static final String COMPONENT_SECRET = "component-secret-0123456789abcdef";
  static final String MESSAGE_TOKEN = "platformtoken";
  static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  static final String MERCHANT = "wxmerchant0000001";
  static final String OTHER = "wxmerchant0000002";
  static final String STRANGER = "wxstranger0000001";
  static final String KEY_ALL = "key-all-7f3a9c2e5b1d4f60";
  static final String KEY_MERCHANT = "key-merchant-only-2b9d4e7a1c";

  static final Map<String, String> ENV =
      Map.of(
          "COMPONENT_SECRET", COMPONENT_SECRET,
          "COMPONENT_TOKEN", MESSAGE_TOKEN,
          "COMPONENT_AES_KEY", AES_KEY,
          "KEY_ALL", KEY_ALL,
          "KEY_MERCHANT", KEY_MERCHANT);

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.now());
  private final List<TokenServer> servers = new ArrayList<>();
  private final List<String> bodies = new ArrayList<>();
  private LogCapture logs;
  private WeChatStandIn standIn;
  private StandInPlatform wechat;
  private TokenServer server;

  /** A configuration of the platform alone, its authorizations in {@code authorizations}. */
  static String yaml(
      WeChatStandIn standIn, String store, String authorizations, String extraPlatformLines) {
    return "listen: {address: 127.0.0.1, port: 0}\n"
        + "store: "
        + store
        + "\n"
        + "platform:\n"
        + "  componentAppId: "
        + COMPONENT
        + "\n"
        + "  componentAppSecret: ${COMPONENT_SECRET}\n"
        + "  token: ${COMPONENT_TOKEN}\n"
        + "  encodingAesKey: ${COMPONENT_AES_KEY}\n"
        + "  apiBaseUrl: "
        + standIn.baseUrl()
        + "\n"
        + "  authorizations: "
        + authorizations
        + "\n"
        + extraPlatformLines
        + "clients:\n"
        + "  - name: everything\n"
        + "    key: ${KEY_ALL}\n"
        + "    accounts: '*'\n"
        + "  - name: merchant-only\n"
        + "    key: ${KEY_MERCHANT}\n"
        + "    accounts: ["
        + MERCHANT
        + "]\n";
  }

  private TokenServer start(String yaml) throws IOException {
    TokenServer s = TokenServer.start(new ConfigLoader(ENV::get).parse(yaml, "test"), clock, 0);
    servers.add(s);
    return s;
  }

  private String fileStore(String name) {
    return "{type: file, path: '" + dir.resolve(name) + "'}";
  }

  @BeforeEach
  void start() throws IOException {
    logs = new LogCapture();
    standIn = WeChatStandIn.start();
    server =
        start(
            yaml(
                standIn, "{type: memory}", fileStore("authorizations"), "  receiveEvents: true\n"));
    wechat =
        standIn
            .openPlatform()
            .credentials(COMPONENT, COMPONENT_SECRET)
            .pushTo(server.baseUrl() + "/v1/platform/events", MESSAGE_TOKEN, AES_KEY);
    wechat.pushTicket();
  }

  @AfterEach
  void stop() {
    try {
      servers.forEach(TokenServer::close);
      standIn.close();
      String text = logs.text();
      List<String> secrets =
          new ArrayList<>(List.of(COMPONENT_SECRET, AES_KEY, KEY_ALL, KEY_MERCHANT));
      for (String m : List.of(MERCHANT, OTHER)) {
        if (wechat.refreshTokenOf(m) != null) {
          secrets.add(wechat.refreshTokenOf(m));
        }
      }
      secrets.addAll(wechat.ticketsPushed());
      for (String secret : secrets) {
        assertFalse(text.contains(secret), "a secret, key, ticket or refresh token was logged");
        for (String b : bodies) {
          assertFalse(b.contains(secret), "a secret in an answer: " + b);
        }
      }
      for (String token : standIn.issuedTokens()) {
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

  private String tokenOf(String appId) {
    HttpResponse<String> r = keep(get(server, tokenPath(appId), KEY_ALL));
    assertEquals(200, r.statusCode(), r.body());
    return field(r.body(), "access_token");
  }

  private HttpResponse<String> report(TokenServer s, String appId, String token) {
    return keep(
        post(s, tokenPath(appId) + "/rejected", KEY_ALL, "{\"access_token\":\"" + token + "\"}"));
  }

  private void assertRefused(HttpResponse<String> r, int status, String error) {
    keep(r);
    assertEquals(status, r.statusCode(), r.body());
    assertEquals(error, field(r.body(), "error"), r.body());
    assertNotNull(field(r.body(), "message"), r.body());
  }

  /** WeChat's errcode for an API call made with {@code token}; 0 when it was accepted. */
  private int errcodeWith(String token) {
    String body =
        Fixture.send(
                HttpRequest.newBuilder(
                        URI.create(
                            standIn.baseUrl() + "cgi-bin/get_api_domain_ip?access_token=" + token))
                    .build())
            .body();
    String code = field(body, "errcode");
    return code == null ? 0 : Integer.parseInt(code);
  }

  private int authorizerTokenFetches() {
    return standIn.requests("cgi-bin/component/api_authorizer_token");
  }

  @Test
  void anAuthorizedMerchantsTokenIsServedAndWorksOnWeChat() {
    wechat.authorize(MERCHANT, List.of(1, 15));

    HttpResponse<String> r = keep(get(server, tokenPath(MERCHANT), KEY_ALL));

    assertEquals(200, r.statusCode(), r.body());
    assertEquals(0, errcodeWith(field(r.body(), "access_token")));
    assertEquals("7200", field(r.body(), "expires_in"));
    assertEquals(
        0, authorizerTokenFetches(), "the token api_query_auth answered with is served as is");
    assertEquals(1, standIn.requests("cgi-bin/component/api_component_token"));
  }

  @Test
  void aJavaClientReadsAnAuthorizersTokenAsItReadsAnAccounts() {
    wechat.authorize(MERCHANT, List.of(1));
    AccessTokenProvider tokens =
        TokenServiceProvider.builder(server.baseUrl(), KEY_MERCHANT).appId(MERCHANT).build();
    try {
      assertEquals(tokenOf(MERCHANT), tokens.get().value());
    } finally {
      tokens.close();
    }
  }

  @Test
  void aTokenThatCameDueIsRefreshedWithTheStoredRefreshToken() {
    wechat.authorize(MERCHANT, List.of(1));
    String first = tokenOf(MERCHANT);

    clock.advance(Duration.ofSeconds(7300));
    String second = tokenOf(MERCHANT);

    assertNotEquals(first, second);
    assertEquals(0, errcodeWith(second));
    assertEquals(1, authorizerTokenFetches());
    assertEquals(second, tokenOf(MERCHANT), "served again without another fetch");
    assertEquals(1, authorizerTokenFetches());
  }

  @Test
  void aReportedRejectedTokenIsReplacedOnceAndTooSoonAgainGets429() {
    wechat.authorize(MERCHANT, List.of(1));
    String first = tokenOf(MERCHANT);

    HttpResponse<String> replaced = report(server, MERCHANT, first);
    assertEquals(200, replaced.statusCode(), replaced.body());
    String second = field(replaced.body(), "access_token");
    assertNotEquals(first, second);
    assertEquals(0, errcodeWith(second));
    assertEquals(1, authorizerTokenFetches());

    HttpResponse<String> stale = report(server, MERCHANT, first);
    assertEquals(200, stale.statusCode(), "an old token's report is answered with the current");
    assertEquals(second, field(stale.body(), "access_token"));

    HttpResponse<String> tooSoon = report(server, MERCHANT, second);
    assertRefused(tooSoon, 429, "too_many_rejections");
    assertEquals("60", tooSoon.headers().firstValue("Retry-After").orElse(""));
    assertEquals(1, authorizerTokenFetches());

    clock.advance(Duration.ofSeconds(61));
    HttpResponse<String> later = report(server, MERCHANT, second);
    assertEquals(200, later.statusCode(), later.body());
    assertNotEquals(second, field(later.body(), "access_token"));
    assertEquals(2, authorizerTokenFetches());
  }

  @Test
  void aMerchantThatCancelledIsRefusedWithoutAskingWeChat() {
    wechat.authorize(MERCHANT, List.of(1));
    String token = tokenOf(MERCHANT);
    wechat.unauthorize(MERCHANT); // pushed to the server, which records it

    HttpResponse<String> r = get(server, tokenPath(MERCHANT), KEY_ALL);
    assertRefused(r, 404, "authorization_revoked");
    assertEquals("REVOKED", field(r.body(), "state"));
    assertRefused(report(server, MERCHANT, token), 404, "authorization_revoked");
    assertEquals(0, authorizerTokenFetches());
  }

  @Test
  void aCancellationAnotherInstanceRecordedIsSeenWithinTheCheckInterval() {
    wechat.authorize(MERCHANT, List.of(1));
    tokenOf(MERCHANT);
    // Another instance handled the push: the record changed, this server heard nothing.
    FileAuthorizationStore shared = new FileAuthorizationStore(dir.resolve("authorizations"));
    Authorization a = shared.find(MERCHANT).orElseThrow();
    assertTrue(shared.save(a.withState(Authorization.State.REVOKED, a.updatedAt().plusSeconds(1))));

    assertEquals(200, get(server, tokenPath(MERCHANT), KEY_ALL).statusCode(), "read 0 s ago");
    clock.advance(Duration.ofSeconds(5));
    assertRefused(get(server, tokenPath(MERCHANT), KEY_ALL), 404, "authorization_revoked");
  }

  @Test
  void aRefreshTokenWeChatRefusesAndTheListLacksLeavesTheAccountNeedingReauthorization() {
    wechat.authorize(MERCHANT, List.of(1));
    String token = tokenOf(MERCHANT);
    // The merchant cancels, but the push never arrives: WeChat voided the tokens, the store
    // still says authorized.
    wechat.pushTo("http://127.0.0.1:9/nowhere", MESSAGE_TOKEN, AES_KEY);
    assertThrows(CallbackException.class, () -> wechat.unauthorize(MERCHANT));
    assertTrue(errcodeWith(token) != 0);

    HttpResponse<String> r = report(server, MERCHANT, token);

    assertRefused(r, 404, "needs_reauthorization");
    assertEquals("NEEDS_REAUTHORIZATION", field(r.body(), "state"));
    assertRefused(get(server, tokenPath(MERCHANT), KEY_ALL), 404, "needs_reauthorization");
    assertEquals(1, authorizerTokenFetches(), "one 61023, then nothing more asked of WeChat");
  }

  @Test
  void anUnknownAccountIsRefusedAndLookedForInTheAuthorizerListAtMostOnceEveryTenMinutes() {
    assertRefused(get(server, tokenPath(STRANGER), KEY_ALL), 404, "unknown_account");
    assertRefused(get(server, tokenPath("wxstranger0000002"), KEY_ALL), 404, "unknown_account");
    assertRefused(report(server, STRANGER, "sometoken"), 404, "unknown_account");
    assertEquals(1, standIn.requests("cgi-bin/component/api_get_authorizer_list"));

    clock.advance(Duration.ofMinutes(9));
    assertRefused(get(server, tokenPath(STRANGER), KEY_ALL), 404, "unknown_account");
    assertEquals(1, standIn.requests("cgi-bin/component/api_get_authorizer_list"));
    clock.advance(Duration.ofMinutes(1));
    assertRefused(get(server, tokenPath(STRANGER), KEY_ALL), 404, "unknown_account");
    assertEquals(2, standIn.requests("cgi-bin/component/api_get_authorizer_list"));
    assertEquals(0, authorizerTokenFetches());
  }

  @Test
  void anAuthorizationWhoseSaveWasLostIsRecoveredFromTheAuthorizerListOnFirstRequest()
      throws IOException {
    // Two instances over one token file; the second's authorization store lost the record (as
    // when the instance handling the push died inside the save).
    servers.forEach(TokenServer::close);
    servers.clear();
    String tokens = "{type: file, path: '" + dir.resolve("tokens.json") + "'}";
    server = start(yaml(standIn, tokens, fileStore("authorizations"), "  receiveEvents: true\n"));
    TokenServer lost = start(yaml(standIn, tokens, fileStore("lost"), ""));
    wechat.pushTo(server.baseUrl() + "/v1/platform/events", MESSAGE_TOKEN, AES_KEY);
    wechat.pushTicket();
    wechat.authorize(MERCHANT, List.of(1));
    // Nor did the access token, saved after the authorization, reach the shared store.
    FileTokenStore shared = new FileTokenStore(dir.resolve("tokens.json"));
    TokenKey key = TokenKey.of(MERCHANT, OpenPlatform.AUTHORIZER_ACCESS_TOKEN);
    shared.deleteIfValue(key, shared.load(key).orElseThrow().value());

    HttpResponse<String> r = keep(get(lost, tokenPath(MERCHANT), KEY_ALL));

    assertEquals(200, r.statusCode(), r.body());
    assertEquals(0, errcodeWith(field(r.body(), "access_token")));
    Authorization recovered =
        new FileAuthorizationStore(dir.resolve("lost")).find(MERCHANT).orElseThrow();
    assertEquals(Authorization.State.AUTHORIZED, recovered.state());
    assertEquals(wechat.refreshTokenOf(MERCHANT), recovered.refreshToken());
  }

  @Test
  void clientAllowListsApplyToAuthorizersAsToAccounts() {
    wechat.authorize(MERCHANT, List.of(1));
    wechat.authorize(OTHER, List.of(1));

    HttpResponse<String> mine = keep(get(server, tokenPath(MERCHANT), KEY_MERCHANT));
    assertEquals(200, mine.statusCode(), mine.body());
    assertRefused(get(server, tokenPath(OTHER), KEY_MERCHANT), 403, "forbidden");
    assertRefused(
        post(server, tokenPath(OTHER) + "/rejected", KEY_MERCHANT, "{\"access_token\":\"x\"}"),
        403,
        "forbidden");
    // An account the key may not read is refused alike whether or not it authorized.
    assertRefused(get(server, tokenPath(STRANGER), KEY_MERCHANT), 403, "forbidden");
    assertRefused(
        get(server, "/v1/accounts/" + COMPONENT + "/component_access_token", KEY_MERCHANT),
        403,
        "forbidden");
    assertEquals(200, get(server, tokenPath(OTHER), KEY_ALL).statusCode());
    assertRefused(
        get(server, tokenPath(MERCHANT), "not-a-key-of-anyone-at-all"), 401, "unauthorized");
  }

  @Test
  void thePlatformsOwnTokenIsServedAtItsOwnPathWithThePassiveRefresh() {
    String path = "/v1/accounts/" + COMPONENT + "/component_access_token";
    HttpResponse<String> r = keep(get(server, path, KEY_ALL));
    assertEquals(200, r.statusCode(), r.body());
    String first = field(r.body(), "component_access_token");
    assertNotNull(first);
    assertEquals(1, standIn.requests("cgi-bin/component/api_component_token"));

    HttpResponse<String> replaced =
        keep(
            post(
                server,
                path + "/rejected",
                KEY_ALL,
                "{\"component_access_token\":\"" + first + "\"}"));
    assertEquals(200, replaced.statusCode(), replaced.body());
    assertNotEquals(first, field(replaced.body(), "component_access_token"));
    assertEquals(2, standIn.requests("cgi-bin/component/api_component_token"));

    assertRefused(
        get(server, tokenPath(COMPONENT), KEY_ALL), 404, "not_enabled"); // says where it is
    assertRefused(
        get(server, "/v1/accounts/" + MERCHANT + "/jsapi_ticket", KEY_ALL), 404, "not_enabled");
  }

  @Test
  void theEventUrlRefusesPushesWithoutAValidSignatureAndIsServedOnlyWhenConfigured()
      throws IOException {
    String events = "/v1/platform/events?timestamp=1&nonce=2&msg_signature=00ff";
    HttpResponse<String> forged =
        post(server, events, null, "<xml><Encrypt><![CDATA[AAAA]]></Encrypt></xml>");
    assertEquals(403, forged.statusCode(), forged.body());

    TokenServer quiet = start(yaml(standIn, "{type: memory}", fileStore("quiet"), ""));
    assertRefused(
        post(quiet, events, null, "<xml><Encrypt><![CDATA[AAAA]]></Encrypt></xml>"),
        404,
        "not_found");
  }

  @Test
  void aRunningServerFetchesTheComponentTokenAndAuthorizersTokensWithoutWaitingForAReader()
      throws Exception {
    servers.forEach(TokenServer::close);
    servers.clear();
    // The ticket WeChat pushed is in the store before the server starts, as in a cluster whose
    // other instances received it.
    Path tokens = dir.resolve("kept-tokens.json");
    Instant pushed = clock.instant();
    new FileTokenStore(tokens)
        .save(
            TokenKey.of(COMPONENT, OpenPlatform.COMPONENT_VERIFY_TICKET),
            AccessToken.of(
                wechat.ticketsPushed().get(wechat.ticketsPushed().size() - 1),
                pushed,
                pushed.plus(Duration.ofHours(12))));
    int componentFetches = standIn.requests("cgi-bin/component/api_component_token");
    server =
        TokenServer.start(
            new ConfigLoader(ENV::get)
                .parse(
                    yaml(
                        standIn,
                        "{type: file, path: '" + tokens + "'}",
                        fileStore("kept"),
                        "  receiveEvents: true\n"),
                    "test"),
            clock,
            50);
    servers.add(server);
    // No reader asked: the running server fetches the component token.
    awaitAtLeast(
        () -> standIn.requests("cgi-bin/component/api_component_token"), componentFetches + 1);

    wechat.pushTo(server.baseUrl() + "/v1/platform/events", MESSAGE_TOKEN, AES_KEY);
    wechat.authorize(MERCHANT, List.of(1)); // heard by the server: its token is now kept fresh
    assertEquals(0, authorizerTokenFetches());
    clock.advance(Duration.ofSeconds(7300));
    awaitAtLeast(this::authorizerTokenFetches, 1);
    HttpResponse<String> r = keep(get(server, tokenPath(MERCHANT), KEY_ALL));
    assertEquals(0, errcodeWith(field(r.body(), "access_token")));
    assertEquals(1, authorizerTokenFetches(), "the reader got the token fetched before it asked");
  }

  private static void awaitAtLeast(java.util.function.IntSupplier count, int expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (count.getAsInt() < expected) {
      assertTrue(System.nanoTime() < deadline, "still " + count.getAsInt() + " after 20 s");
      Thread.sleep(20);
    }
  }

  @Test
  void healthCountsTheAuthorizationsByStateForAKeyThatMayReadThePlatform() {
    wechat.authorize(MERCHANT, List.of(1));
    wechat.authorize(OTHER, List.of(1));
    wechat.unauthorize(OTHER);
    tokenOf(MERCHANT);

    HttpResponse<String> r = keep(get(server, "/v1/health", KEY_ALL));
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(
        r.body()
            .contains(
                "\"authorizations\":{\"AUTHORIZED\":1,\"NEEDS_REAUTHORIZATION\":0,\"REVOKED\":1}"),
        r.body());
    assertTrue(r.body().contains("\"componentAppId\":\"" + COMPONENT + "\""), r.body());

    HttpResponse<String> anonymous = keep(get(server, "/v1/health", null));
    assertFalse(anonymous.body().contains(COMPONENT), anonymous.body());
    HttpResponse<String> merchantOnly = keep(get(server, "/v1/health", KEY_MERCHANT));
    assertFalse(merchantOnly.body().contains("authorizations"), merchantOnly.body());
  }
}

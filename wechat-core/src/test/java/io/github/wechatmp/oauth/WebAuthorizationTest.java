package io.github.wechatmp.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.WeChatTransportException;
import io.github.wechatmp.test.Fault;
import io.github.wechatmp.test.ManualClock;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.LogCapture;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.TokenKey;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebAuthorizationTest {
  static final String APP_ID = "wx0123456789abcdef";
  static final String SECRET = "s3cr3t-0123456789abcdef0123456789";
  static final String CALLBACK = "https://example.com/wechat/callback?from=menu";

  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-06T02:00:00Z"));
  private WeChatStandIn wechat;
  private WebAuthorization auth;

  @BeforeEach
  void start() {
    wechat = WeChatStandIn.builder().appId(APP_ID).appSecret(SECRET).clock(clock).start();
    auth = client().build();
  }

  @AfterEach
  void stop() {
    wechat.close();
  }

  private WebAuthorization.Builder client() {
    return WebAuthorization.builder()
        .appId(APP_ID)
        .appSecret(SECRET)
        .apiBaseUrl(wechat.baseUrl())
        .authorizeBaseUrl(wechat.baseUrl())
        .clock(clock);
  }

  /** Opens the authorize page as the user would and returns the code WeChat's redirect carries. */
  static String codeFor(WebAuthorization auth, Scope scope) throws Exception {
    String url = auth.authorizeUrl(CALLBACK, scope, "abc123");
    HttpResponse<Void> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url.substring(0, url.indexOf('#')))).build(),
                HttpResponse.BodyHandlers.discarding());
    assertEquals(302, r.statusCode());
    String location = r.headers().firstValue("Location").orElseThrow();
    assertTrue(location.startsWith(CALLBACK + "&code="), location);
    assertTrue(location.endsWith("&state=abc123"), location);
    return location.substring(location.indexOf("&code=") + 6, location.indexOf("&state="));
  }

  @Test
  void theAuthorizeUrlHasWeChatsParametersInWeChatsOrderAndWechatRedirectLast() {
    WebAuthorization real = WebAuthorization.builder().appId(APP_ID).appSecret(SECRET).build();
    assertEquals(
        "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx0123456789abcdef"
            + "&redirect_uri=https%3A%2F%2Fexample.com%2Fwechat%2Fcallback%3Ffrom%3Dmenu"
            + "&response_type=code&scope=snsapi_userinfo&state=abc123#wechat_redirect",
        real.authorizeUrl(CALLBACK, Scope.USERINFO, "abc123"));
    assertTrue(real.authorizeUrl(CALLBACK, Scope.BASE, "").contains("&scope=snsapi_base&state=#"));
  }

  @Test
  void aStateLongerThan128CharactersOrOutsideLettersAndDigitsIsRefusedClearly() {
    assertEquals(
        128,
        auth.authorizeUrl(CALLBACK, Scope.BASE, "a".repeat(128)).split("state=")[1].indexOf('#'));
    IllegalArgumentException tooLong =
        assertThrows(
            IllegalArgumentException.class,
            () -> auth.authorizeUrl(CALLBACK, Scope.BASE, "a".repeat(129)));
    assertTrue(tooLong.getMessage().contains("128"), tooLong.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> auth.authorizeUrl(CALLBACK, Scope.BASE, "a&scope=snsapi_userinfo"));
    assertThrows(
        IllegalArgumentException.class,
        () -> auth.authorizeUrl("https://example.com/#frag", Scope.BASE, "s"));
    assertThrows(
        IllegalArgumentException.class, () -> auth.authorizeUrl("/relative", Scope.BASE, "s"));
    assertThrows(NullPointerException.class, () -> auth.authorizeUrl(CALLBACK, null, "s"));
  }

  @Test
  void anExchangeReadsTheOpenIdTheScopeAndTheUnionIdOfAUserinfoToken() throws Exception {
    wechat.webUser("oUser1", "小明", "uUnion1");
    WebAccessToken token = auth.exchange(codeFor(auth, Scope.USERINFO));
    assertEquals("oUser1", token.openId());
    assertEquals("uUnion1", token.unionId());
    assertEquals(Scope.USERINFO, token.scope());
    assertFalse(token.snapshotUser());
    assertEquals(clock.instant().plusSeconds(7200), token.expiresAt());
  }

  @Test
  void aBaseTokenCarriesNoUnionId() throws Exception {
    wechat.webUser("oUser1", "小明", "uUnion1");
    WebAccessToken token = auth.exchange(codeFor(auth, Scope.BASE));
    assertEquals(Scope.BASE, token.scope());
    assertNull(token.unionId());
  }

  @Test
  void aSecondExchangeOfACodeReturnsTheFirstResultWithoutAskingWeChatAgain() throws Exception {
    String code = codeFor(auth, Scope.USERINFO);
    WebAccessToken first = auth.exchange(code);
    WebAccessToken second = auth.exchange(code);
    assertSame(first, second);
    assertEquals(1, wechat.requests("sns/oauth2/access_token"));
  }

  @Test
  void concurrentExchangesOfACodeAskWeChatOnceAndAllGetItsAnswer() throws Exception {
    wechat.failNext(1, Fault.slow(Duration.ofMillis(300)).at("sns/oauth2/access_token"));
    String code = codeFor(auth, Scope.BASE);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<WebAccessToken>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        Callable<WebAccessToken> c =
            () -> {
              go.await();
              return auth.exchange(code);
            };
        results.add(pool.submit(c));
      }
      go.countDown();
      WebAccessToken first = results.get(0).get();
      for (Future<WebAccessToken> f : results) {
        assertEquals(first, f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, wechat.requests("sns/oauth2/access_token"));
  }

  @Test
  void afterTheCodesFiveMinutesTheResultIsForgottenAndWeChatsAnswerComesThrough() throws Exception {
    String code = codeFor(auth, Scope.BASE);
    auth.exchange(code);
    clock.advance(Duration.ofMinutes(5));
    WeChatApiException e = assertThrows(WeChatApiException.class, () -> auth.exchange(code));
    assertEquals(WebAuthorization.INVALID_CODE, e.errorCode());
    assertEquals(2, wechat.requests("sns/oauth2/access_token"));
  }

  @Test
  void anUnknownCodeFailsWith40029AndTheMessageDoesNotHoldTheCode() {
    String code = "0a1b2c3d4e5f0a1b2c3d4e5f0a1b2c3d";
    WeChatApiException e = assertThrows(WeChatApiException.class, () -> auth.exchange(code));
    assertEquals(WebAuthorization.INVALID_CODE, e.errorCode());
    assertFalse(e.getMessage().contains(code));
    assertFalse(e.getMessage().contains(SECRET));
  }

  @Test
  void aCodeUsedByAnotherAppInstanceWithoutAStoreMeetsWeChats40163() throws Exception {
    String code = codeFor(auth, Scope.BASE);
    auth.exchange(code);
    WebAuthorization other = client().build();
    WeChatApiException e = assertThrows(WeChatApiException.class, () -> other.exchange(code));
    assertEquals(WebAuthorization.CODE_BEEN_USED, e.errorCode());
  }

  @Test
  void instancesSharingAStoreExchangeACodeOnceAndKeepTheResultOnlyForTheCodesLife()
      throws Exception {
    InMemoryTokenStore store = new InMemoryTokenStore();
    WebAuthorization a = client().store(store).build();
    WebAuthorization b = client().store(store).build();
    String code = codeFor(a, Scope.USERINFO);
    WebAccessToken first = a.exchange(code);
    assertEquals(first, b.exchange(code));
    assertEquals(1, wechat.requests("sns/oauth2/access_token"));
    AccessToken entry =
        store.load(TokenKey.of(APP_ID, "oauth_code_" + Codes.hash(code))).orElseThrow();
    assertEquals(clock.instant().plus(WebAuthorization.CODE_LIFETIME), entry.expiresAt());
    assertFalse(entry.value().contains(code));
    assertFalse(entry.toString().contains(first.accessToken()));
  }

  @Test
  void aFailedExchangeIsNotRememberedSoTheUsersRetryWorks() throws Exception {
    wechat.failNext(1, Fault.httpStatus(502).at("sns/oauth2/access_token"));
    String code = codeFor(auth, Scope.BASE);
    WeChatTransportException e =
        assertThrows(WeChatTransportException.class, () -> auth.exchange(code));
    assertEquals(502, e.httpStatus());
    assertEquals(WebAuthorizationEndpointsOpenId.DEFAULT, auth.exchange(code).openId());
  }

  @Test
  void anEmptyOrOversizedAnswerIsAClearTransportErrorAndHoldsNoSecretOrCode() throws Exception {
    String code = codeFor(auth, Scope.BASE);
    wechat.failNext(1, Fault.body(200, "application/json", "").at("sns/oauth2/access_token"));
    WeChatTransportException empty =
        assertThrows(WeChatTransportException.class, () -> auth.exchange(code));
    assertEquals(
        "WeChat's answer for the web access token of " + APP_ID + " is empty", empty.getMessage());
    wechat.failNext(
        1,
        Fault.body(200, "application/json", "{\"x\":\"" + "a".repeat(70_000) + "\"}")
            .at("sns/oauth2/access_token"));
    WeChatTransportException large =
        assertThrows(WeChatTransportException.class, () -> auth.exchange(code));
    assertTrue(large.getMessage().endsWith("is larger than 65536 bytes"), large.getMessage());
    for (WeChatTransportException e : List.of(empty, large)) {
      assertFalse(e.getMessage().contains(SECRET));
      assertFalse(e.getMessage().contains(code));
    }
    assertEquals(WebAuthorizationEndpointsOpenId.DEFAULT, auth.exchange(code).openId());
  }

  @Test
  void aCodeThatCannotBeWeChatsIsRefusedWithoutARequestOrTheCodeInTheMessage() {
    assertThrows(IllegalArgumentException.class, () -> auth.exchange(null));
    assertThrows(IllegalArgumentException.class, () -> auth.exchange(""));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> auth.exchange("abc&secret=x"));
    assertFalse(e.getMessage().contains("abc"));
    assertThrows(IllegalArgumentException.class, () -> auth.exchange("x".repeat(300)));
    assertEquals(0, wechat.requests("sns/oauth2/access_token"));
  }

  @Test
  void userInfoReturnsTheNicknameTheAvatarAndTheUnionId() throws Exception {
    wechat.webUser("oUser2", "小红", "uUnion2");
    WeChatUser user = auth.userInfo(auth.exchange(codeFor(auth, Scope.USERINFO)));
    assertEquals("oUser2", user.openId());
    assertEquals("小红", user.nickname());
    assertTrue(user.avatarUrl().startsWith("https://"), user.avatarUrl());
    assertEquals("uUnion2", user.unionId());
  }

  @Test
  void userInfoWithABaseTokenFailsAtOnceWithoutA48001RoundTrip() throws Exception {
    WebAccessToken base = auth.exchange(codeFor(auth, Scope.BASE));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> auth.userInfo(base));
    assertTrue(e.getMessage().contains("snsapi_userinfo"), e.getMessage());
    assertEquals(0, wechat.requests("sns/userinfo"));
  }

  @Test
  void aRefreshRenewsTheAccessTokenForTheSameUserAndScope() throws Exception {
    wechat.webUser("oUser3", "阿强", "uUnion3");
    WebAccessToken token = auth.exchange(codeFor(auth, Scope.USERINFO));
    clock.advance(Duration.ofSeconds(7200));
    WeChatApiException expired = assertThrows(WeChatApiException.class, () -> auth.userInfo(token));
    assertEquals(42001, expired.errorCode());
    WebAccessToken renewed = auth.refresh(token);
    assertNotEquals(token.accessToken(), renewed.accessToken());
    assertEquals("oUser3", renewed.openId());
    assertEquals("uUnion3", renewed.unionId());
    assertEquals(Scope.USERINFO, renewed.scope());
    assertEquals("阿强", auth.userInfo(renewed).nickname());
  }

  @Test
  void aRefreshTokenPastItsThirtyDaysFailsWith42002() throws Exception {
    WebAccessToken token = auth.exchange(codeFor(auth, Scope.BASE));
    clock.advance(Duration.ofDays(30));
    WeChatApiException e = assertThrows(WeChatApiException.class, () -> auth.refresh(token));
    assertEquals(WebAuthorization.REFRESH_TOKEN_EXPIRED, e.errorCode());
  }

  @Test
  void aSnapshotPageUserIsMarkedAndGetsABaseTokenWhateverThePageAskedFor() throws Exception {
    wechat.webSnapshotUser("oVirtual1");
    WebAccessToken token = auth.exchange(codeFor(auth, Scope.USERINFO));
    assertTrue(token.snapshotUser());
    assertEquals(Scope.BASE, token.scope());
    assertThrows(IllegalStateException.class, () -> auth.userInfo(token));
  }

  @Test
  void noSecretCodeOrTokenAppearsWholeInToStringsMessagesOrLogs() throws Exception {
    try (LogCapture log = new LogCapture()) {
      String code = codeFor(auth, Scope.USERINFO);
      WebAccessToken token = auth.exchange(code);
      auth.exchange(code);
      auth.userInfo(auth.refresh(token));
      wechat.failNext(
          1, Fault.json("{\"errcode\":40029,\"errmsg\":\"invalid code " + code + "\"}"));
      WeChatApiException e =
          assertThrows(WeChatApiException.class, () -> client().build().exchange(code));
      String[] secrets = {SECRET, code, token.accessToken(), token.refreshToken()};
      for (String s : secrets) {
        assertFalse(token.toString().contains(s));
        assertFalse(auth.toString().contains(s));
        assertFalse(e.getMessage().contains(s), e.getMessage());
        assertFalse(log.text().contains(s));
      }
    }
  }

  /** The stand-in's user before a test chooses one. */
  static final class WebAuthorizationEndpointsOpenId {
    static final String DEFAULT = "oStandInUser0000000000000000";
  }
}

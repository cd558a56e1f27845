package io.github.wechatmp.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WeChatStandInTest {
  static final String APP_ID = "wx0123456789abcdef";
  static final String SECRET = "s3cr3t-0123456789abcdef0123456789";

  final ManualClock clock = new ManualClock(Instant.parse("2026-12-01T02:00:00Z"));
  WeChatStandIn wechat =
      WeChatStandIn.builder().appId(APP_ID).appSecret(SECRET).clock(clock).start();

  @AfterEach
  void close() {
    wechat.close();
  }

  String token() throws Exception {
    return Http.classicToken(wechat, APP_ID, SECRET);
  }

  Object api(String token) throws Exception {
    return Http.errcode(
        Http.get(wechat.baseUrl() + "cgi-bin/get_api_domain_ip?access_token=" + token));
  }

  HttpResponse<String> ip(String token) throws Exception {
    return Http.get(wechat.baseUrl() + "cgi-bin/get_api_domain_ip?access_token=" + token);
  }

  @Test
  void everyClassicCallIssuesANewTokenWithTheConfiguredLifetime() throws Exception {
    wechat.close();
    wechat = WeChatStandIn.builder().expiresIn(Duration.ofSeconds(600)).clock(clock).start();
    Map<String, Object> first =
        Http.json(
            Http.get(
                wechat.baseUrl()
                    + "cgi-bin/token?grant_type=client_credential&appid=wxany&secret=any"));
    String second = Http.classicToken(wechat, "wxany", "any");
    assertEquals("600", first.get("expires_in"));
    assertNotEquals(first.get("access_token"), second);
    assertEquals(2, wechat.tokenRequests());
    assertEquals(second, wechat.currentToken());
  }

  @Test
  void aNewClassicTokenVoidsThePreviousOneAfterTheOverlap() throws Exception {
    String old = token();
    String fresh = token();
    assertNull(Http.errcode(ip(old)), "still valid during the overlap");
    clock.advance(Duration.ofMinutes(5));
    assertEquals("40001", api(old));
    assertNull(Http.errcode(ip(fresh)));
  }

  @Test
  void withNoOverlapTheOldTokenIsVoidAtOnce() throws Exception {
    wechat.close();
    wechat = WeChatStandIn.builder().overlap(Duration.ZERO).clock(clock).start();
    String old = token();
    token();
    assertEquals("40001", api(old));
  }

  @Test
  void anExpiredTokenGets42001AndAnUnknownOne40001AndAMissingOne41001() throws Exception {
    String t = token();
    clock.advance(Duration.ofSeconds(7200));
    assertEquals("42001", api(t));
    assertEquals("40001", api("not-a-token"));
    assertEquals("41001", Http.errcode(Http.get(wechat.baseUrl() + "cgi-bin/get_api_domain_ip")));
  }

  @Test
  void aTokenVoidedWithinItsOverlapButPastExpiryReadsAsExpired() throws Exception {
    String old = token();
    clock.advance(Duration.ofSeconds(7100));
    token(); // would void at +5 min, after old's own expiry
    clock.advance(Duration.ofSeconds(200));
    assertEquals("42001", api(old));
  }

  @Test
  void aValidTokenGetsTheDnsList() throws Exception {
    HttpResponse<String> r = ip(token());
    assertEquals(200, r.statusCode());
    assertTrue(r.body().contains("\"dns\""));
  }

  @Test
  void wrongCredentialsAreRefusedWithWeChatsCodesAndStillCounted() throws Exception {
    assertEquals(
        "40001",
        Http.errcode(
            Http.get(
                wechat.baseUrl()
                    + "cgi-bin/token?grant_type=client_credential&appid="
                    + APP_ID
                    + "&secret=wrong")));
    assertEquals(
        "40013",
        Http.errcode(
            Http.get(
                wechat.baseUrl()
                    + "cgi-bin/token?grant_type=client_credential&appid=wxother&secret="
                    + SECRET)));
    assertEquals(
        "40002",
        Http.errcode(
            Http.get(
                wechat.baseUrl()
                    + "cgi-bin/token?grant_type=password&appid="
                    + APP_ID
                    + "&secret="
                    + SECRET)));
    assertEquals(
        "41004",
        Http.errcode(
            Http.get(
                wechat.baseUrl() + "cgi-bin/token?grant_type=client_credential&appid=" + APP_ID)));
    assertEquals("40001", Http.stable(wechat, APP_ID, "wrong", false).get("errcode"));
    assertEquals(5, wechat.tokenRequests());
    assertNull(wechat.currentToken());
  }

  @Test
  void aCallerNotOnTheWhitelistGets40164() throws Exception {
    wechat.callerIpWhitelisted(false);
    assertEquals(
        "40164",
        Http.errcode(
            Http.get(
                wechat.baseUrl()
                    + "cgi-bin/token?grant_type=client_credential&appid="
                    + APP_ID
                    + "&secret="
                    + SECRET)));
    assertEquals("40164", Http.stable(wechat, APP_ID, SECRET, false).get("errcode"));
    wechat.callerIpWhitelisted(true);
    assertNotNull(token());
  }

  @Test
  void theDailyQuotaEndsIn45009UntilTheNextBeijingDay() throws Exception {
    wechat.close();
    wechat = WeChatStandIn.builder().dailyQuota(2).clock(clock).start();
    token();
    token();
    assertEquals(
        "45009",
        Http.errcode(
            Http.get(
                wechat.baseUrl()
                    + "cgi-bin/token?grant_type=client_credential&appid=wxa&secret=b")));
    assertThrows(IllegalStateException.class, wechat::fetchTokenElsewhere);
    clock.set(Instant.parse("2026-12-01T16:00:00Z")); // midnight in Beijing
    assertNotNull(token());
  }

  @Test
  void stableTokensAreTheSameWhileValidAndIndependentOfClassicOnes() throws Exception {
    Map<String, Object> a = Http.stable(wechat, APP_ID, SECRET, false);
    clock.advance(Duration.ofSeconds(100));
    String classic = token();
    Map<String, Object> b = Http.stable(wechat, APP_ID, SECRET, false);
    assertEquals(a.get("access_token"), b.get("access_token"));
    assertEquals("7100", b.get("expires_in"));
    assertNull(Http.errcode(ip((String) b.get("access_token"))), "classic fetch does not void it");
    Http.stable(wechat, APP_ID, SECRET, true);
    assertNull(Http.errcode(ip(classic)), "stable refresh does not void the classic token");
    clock.advance(Duration.ofSeconds(7100));
    assertNotEquals(
        b.get("access_token"), Http.stable(wechat, APP_ID, SECRET, false).get("access_token"));
  }

  @Test
  void forceRefreshVoidsTheStableTokenAtOnceAndIsLimitedTo30sApartAnd20ADay() throws Exception {
    String first = (String) Http.stable(wechat, APP_ID, SECRET, false).get("access_token");
    String forced = (String) Http.stable(wechat, APP_ID, SECRET, true).get("access_token");
    assertNotEquals(first, forced);
    assertEquals("40001", api(first));
    clock.advance(Duration.ofSeconds(29));
    assertEquals("45011", Http.stable(wechat, APP_ID, SECRET, true).get("errcode"));
    assertEquals(forced, Http.stable(wechat, APP_ID, SECRET, false).get("access_token"));
    for (int i = 2; i <= 20; i++) {
      clock.advance(Duration.ofSeconds(30));
      assertNotNull(Http.stable(wechat, APP_ID, SECRET, true).get("access_token"), "force #" + i);
    }
    clock.advance(Duration.ofSeconds(30));
    assertEquals("45011", Http.stable(wechat, APP_ID, SECRET, true).get("errcode"), "21st");
  }

  @Test
  void stableTokenWantsPostJson() throws Exception {
    assertEquals("43002", Http.errcode(Http.get(wechat.baseUrl() + "cgi-bin/stable_token")));
    assertEquals(
        "47001", Http.errcode(Http.post(wechat.baseUrl() + "cgi-bin/stable_token", "{not json")));
  }

  @Test
  void getticketIssuesJsapiTicketsToAValidToken() throws Exception {
    String t = token();
    Map<String, Object> ok =
        Http.json(
            Http.get(wechat.baseUrl() + "cgi-bin/ticket/getticket?type=jsapi&access_token=" + t));
    assertEquals("0", ok.get("errcode"));
    assertNotNull(ok.get("ticket"));
    assertEquals("7200", ok.get("expires_in"));
    assertEquals(
        "40097",
        Http.errcode(
            Http.get(wechat.baseUrl() + "cgi-bin/ticket/getticket?type=x&access_token=" + t)));
    assertEquals(
        "40001",
        Http.errcode(
            Http.get(wechat.baseUrl() + "cgi-bin/ticket/getticket?type=jsapi&access_token=bad")));
    assertEquals(3, wechat.requests("cgi-bin/ticket/getticket"));
  }

  @Test
  void customSendRecordsWhatAValidTokenSentAndRefusesTheRest() throws Exception {
    String t = token();
    String msg = "{\"touser\":\"OPENID\",\"msgtype\":\"text\",\"text\":{\"content\":\"hi\"}}";
    assertEquals(
        "0",
        Http.errcode(
            Http.post(wechat.baseUrl() + "cgi-bin/message/custom/send?access_token=" + t, msg)));
    assertEquals(
        "47001",
        Http.errcode(
            Http.post(wechat.baseUrl() + "cgi-bin/message/custom/send?access_token=" + t, "nope")));
    assertEquals(
        "40001",
        Http.errcode(
            Http.post(wechat.baseUrl() + "cgi-bin/message/custom/send?access_token=bad", msg)));
    assertEquals(List.of(msg), wechat.sentMessages());
  }

  @Test
  void anAddedEndpointChecksTheTokenThenGivesItsCannedAnswer() throws Exception {
    wechat.addEndpoint("/cgi-bin/user/info", "{\"subscribe\":1,\"openid\":\"o1\"}");
    String t = token();
    assertEquals(
        "{\"subscribe\":1,\"openid\":\"o1\"}",
        Http.get(wechat.baseUrl() + "cgi-bin/user/info?access_token=" + t).body());
    assertEquals(
        "40001", Http.errcode(Http.get(wechat.baseUrl() + "cgi-bin/user/info?access_token=x")));
    assertEquals(
        404, Http.get(wechat.baseUrl() + "cgi-bin/nowhere?access_token=" + t).statusCode());
    assertThrows(IllegalArgumentException.class, () -> wechat.addEndpoint("cgi-bin/token", "{}"));
    assertThrows(IllegalArgumentException.class, () -> wechat.addEndpoint("cgi-bin/x", "[1]"));
  }

  @Test
  void aTokenVoidedOrFetchedElsewhereIsRefused() throws Exception {
    wechat.close();
    wechat = WeChatStandIn.builder().overlap(Duration.ZERO).clock(clock).start();
    String mine = token();
    String theirs = wechat.fetchTokenElsewhere();
    assertEquals("40001", api(mine));
    assertTrue(wechat.voidToken(theirs));
    assertFalse(wechat.voidToken(theirs));
    assertEquals("40001", api(theirs));
    assertEquals(1, wechat.tokenRequests(), "elsewhere is not counted");
  }

  @Test
  void faultsPlayForTheNextNRequestsInOrderThenNormalAnswersResume() throws Exception {
    wechat.failNext(2, Fault.httpStatus(503)).failNext(1, Fault.systemBusy());
    String url =
        wechat.baseUrl()
            + "cgi-bin/token?grant_type=client_credential&appid="
            + APP_ID
            + "&secret="
            + SECRET;
    assertEquals(503, Http.get(url).statusCode());
    assertEquals(503, Http.get(url).statusCode());
    assertEquals("-1", Http.errcode(Http.get(url)));
    assertNotNull(Http.json(Http.get(url)).get("access_token"));
    assertEquals(4, wechat.tokenRequests());
  }

  @Test
  void aFaultAtOnePathLeavesTheOthersAlone() throws Exception {
    wechat.failNext(1, Fault.errcode(45009, "quota").at("cgi-bin/get_api_domain_ip"));
    String t = token();
    assertEquals("45009", api(t));
    assertNull(Http.errcode(ip(t)));
  }

  @Test
  void aFaultWindowFollowsTheStandInsClock() throws Exception {
    wechat.failFor(Duration.ofSeconds(10), Fault.httpStatus(502).at("cgi-bin/token"));
    String url =
        wechat.baseUrl()
            + "cgi-bin/token?grant_type=client_credential&appid="
            + APP_ID
            + "&secret="
            + SECRET;
    assertEquals(502, Http.get(url).statusCode());
    clock.advance(Duration.ofSeconds(9));
    assertEquals(502, Http.get(url).statusCode());
    clock.advance(Duration.ofSeconds(1));
    assertEquals(200, Http.get(url).statusCode());
    wechat.failFor(Duration.ofSeconds(10), Fault.systemBusy());
    wechat.clearFaults();
    assertEquals(200, Http.get(url).statusCode());
  }

  @Test
  void aClosedConnectionGivesTheClientNoAnswer() throws Exception {
    // A POST: the JDK's client silently retries a GET whose connection closed.
    wechat.failNext(1, Fault.connectionClosed());
    assertThrows(IOException.class, () -> Http.stable(wechat, APP_ID, SECRET, false));
    assertNotNull(token());
    assertEquals(0, wechat.received().get(0).status());
  }

  @Test
  void aSlowAnswerArrivesLateButWhole() throws Exception {
    wechat.failNext(1, Fault.slow(Duration.ofMillis(300)));
    long start = System.nanoTime();
    assertNotNull(token());
    assertTrue(System.nanoTime() - start >= 250_000_000L, "answered no sooner than the delay");
  }

  @Test
  void theLogKeepsEveryRequestPerEndpointButNeverTheSecret() throws Exception {
    token();
    Http.stable(wechat, APP_ID, SECRET, false);
    Http.stable(wechat, APP_ID, "other-secret", false);
    Http.get(
        wechat.baseUrl()
            + "cgi-bin/token?grant_type=client_credential&appid="
            + APP_ID
            + "&secret=mine");
    List<ReceivedRequest> log = wechat.received();
    assertEquals(4, log.size());
    for (ReceivedRequest r : log) {
      assertFalse(r.query().contains(SECRET) || r.body().contains(SECRET), r.toString());
      assertFalse(r.query().contains("mine") || r.body().contains("other-secret"), r.toString());
    }
    assertEquals("***", wechat.received("cgi-bin/token").get(0).queryParameter("secret"));
    assertEquals(APP_ID, wechat.received("cgi-bin/token").get(0).queryParameter("appid"));
    assertTrue(log.get(1).body().contains("\"force_refresh\":false"));
    assertEquals(0, log.get(0).errcode());
    assertEquals(40001, log.get(2).errcode());
    assertEquals(2, wechat.requests("/cgi-bin/stable_token"));
    assertFalse(wechat.toString().contains(SECRET));
  }

  @Test
  void badConfigurationIsRefusedClearly() {
    assertThrows(
        IllegalArgumentException.class, () -> WeChatStandIn.builder().expiresIn(Duration.ZERO));
    assertThrows(
        IllegalArgumentException.class,
        () -> WeChatStandIn.builder().expiresIn(Duration.ofMillis(1500)));
    assertThrows(
        IllegalArgumentException.class,
        () -> WeChatStandIn.builder().overlap(Duration.ofSeconds(-1)));
    assertThrows(IllegalArgumentException.class, () -> WeChatStandIn.builder().dailyQuota(-1));
    assertThrows(IllegalArgumentException.class, () -> WeChatStandIn.builder().appId(" "));
    assertThrows(NullPointerException.class, () -> WeChatStandIn.builder().clock(null));
    assertThrows(IllegalArgumentException.class, () -> wechat.failNext(0, Fault.systemBusy()));
    assertThrows(IllegalArgumentException.class, () -> Fault.httpStatus(200));
    assertThrows(IllegalArgumentException.class, () -> Fault.errcode(0, "ok"));
    assertThrows(IllegalArgumentException.class, () -> Fault.slow(Duration.ZERO));
  }
}

package io.github.wechatmp.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.WeChatException;
import io.github.wechatmp.WeChatTransportException;
import io.github.wechatmp.test.Fault;
import io.github.wechatmp.testing.Await;
import io.github.wechatmp.testing.LogCapture;
import io.github.wechatmp.testing.ProviderFixture;
import io.github.wechatmp.testing.StandIns;
import io.github.wechatmp.testing.SwitchableStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What callers see when WeChat, the network or the store fails, and how many requests it costs. */
class ProviderFailureTest extends ProviderFixture {
  private final List<Throwable> thrown = new ArrayList<>();

  @AfterEach
  void noSecretInAnyError() {
    for (Throwable t : thrown) {
      for (Throwable c = t; c != null; c = c.getCause()) {
        assertFalse(String.valueOf(c.getMessage()).contains(StandIns.SECRET), "secret in: " + c);
      }
    }
  }

  @Override
  protected AccessTokenProvider.Builder builder() {
    return super.builder().refreshPolicy(fastRetries().build());
  }

  /** Retries 10 ms apart, so that the tests of retries take no time. */
  private static RefreshPolicy.Builder fastRetries() {
    return RefreshPolicy.builder().retryBackoff(Duration.ofMillis(10));
  }

  private <T extends Throwable> T expect(Class<T> type, AccessTokenProvider p) {
    T e = assertThrows(type, p::get);
    thrown.add(e);
    return e;
  }

  @Test
  void systemBusyIsRetriedThenSucceeds() {
    answerNext(Fault.errcode(-1, "system error"));
    AccessToken t = build(builder()).get();
    assertIssued(1, t.value());
    assertEquals(2, wechat.tokenRequests());
  }

  @Test
  void systemBusyEveryTimeGivesUpAfterTheRetries() {
    for (int i = 0; i < 3; i++) {
      answerNext(Fault.errcode(-1, "system error"));
    }
    WeChatApiException e =
        expect(
            WeChatApiException.class,
            build(builder().refreshPolicy(fastRetries().maxRetries(2).build())));
    assertEquals(-1, e.errorCode());
    assertEquals(3, wechat.tokenRequests());
  }

  @Test
  void configurationErrorIsNotRetriedAndIsTyped() {
    answerNext(Fault.errcode(40013, "invalid appid rid: 1234"));
    WeChatApiException e = expect(WeChatApiException.class, build(builder()));
    assertEquals(40013, e.errorCode());
    assertEquals("invalid appid rid: 1234", e.errorMessage());
    assertTrue(e.getMessage().contains("40013"), e.getMessage());
    assertFalse(e.isRetryable());
    assertEquals(1, wechat.tokenRequests());
  }

  @Test
  void wrongSecretOnTheTokenEndpointIsNotRetried() {
    answerNext(Fault.errcode(40001, "invalid credential, access_token is invalid or not latest"));
    WeChatApiException e = expect(WeChatApiException.class, build(builder()));
    assertEquals(40001, e.errorCode());
    assertTrue(e.getMessage().contains("AppSecret"), e.getMessage());
    assertEquals(1, wechat.tokenRequests());
  }

  @Test
  void aWrongSecretIsNamedAsTheOneCauseOf40001OnTheTokenEndpoint() {
    answerNext(Fault.errcode(40001, "invalid credential"));
    WeChatApiException e = expect(WeChatApiException.class, build(builder()));
    assertTrue(e.getMessage().endsWith("(the AppSecret is wrong)"), e.getMessage());
    assertFalse(e.getMessage().contains("access token"), e.getMessage());
    assertTrue(
        new WeChatApiException(40001, "invalid credential")
            .getMessage()
            .endsWith("(the access token was rejected)"));
  }

  @Test
  void aFailedRefreshThrowsOnTheCallersOwnStackCausedByTheRefreshsFailure() {
    answerNext(Fault.errcode(40013, "invalid appid"));
    AccessTokenProvider p = build(builder());
    WeChatApiException e = expect(WeChatApiException.class, p);
    assertTrue(
        Arrays.stream(e.getStackTrace())
            .anyMatch(f -> f.getClassName().startsWith(ProviderFailureTest.class.getName())),
        "the caller's own call is on the stack");
    WeChatApiException cause = assertInstanceOf(WeChatApiException.class, e.getCause());
    assertEquals(40013, cause.errorCode());
    assertEquals(e.getMessage(), cause.getMessage());
    // The refresh ran on this caller's thread (none of the provider's work was running, and the
    // caller would only have waited), so the cause's stack is not told apart by its thread; it is
    // the refresh's own failure all the same, thrown where the fetch failed.
    assertNotSame(e, cause);
    assertTrue(
        Arrays.stream(cause.getStackTrace())
            .anyMatch(f -> f.getClassName().startsWith("io.github.wechatmp.internal.refresh.")),
        "the cause is the refresh's own failure, thrown in the engine");
    // Within the hold-off the same failure is thrown again, again on this caller's stack.
    WeChatApiException again = expect(WeChatApiException.class, p);
    assertNotSame(e, again);
    assertSame(cause, again.getCause());
  }

  @Test
  void whitelistAndRiskCodesAreNotRetried() {
    for (int code : new int[] {40125, 40164, 61004, 40243, 89503, 45009}) {
      answerNext(Fault.errcode(code, "refused"));
      clock.advance(Duration.ofHours(1)); // past any hold-off of the previous round
      AccessTokenProvider p = build(builder());
      int before = wechat.tokenRequests();
      assertEquals(code, expect(WeChatApiException.class, p).errorCode());
      assertEquals(before + 1, wechat.tokenRequests(), "code " + code);
    }
  }

  @Test
  void http500IsATransportFailureAndIsRetried() {
    for (int i = 0; i < 3; i++) {
      answerNext(Fault.body(500, "text/plain", "oops"));
    }
    WeChatTransportException e = expect(WeChatTransportException.class, build(builder()));
    assertEquals(500, e.httpStatus());
    assertEquals(3, wechat.tokenRequests());
  }

  @Test
  void http502ThenSuccessRecovers() {
    answerNext(Fault.body(502, "text/plain", ""));
    assertIssued(1, build(builder()).get().value());
    assertEquals(2, wechat.tokenRequests());
  }

  @Test
  void malformedJsonIsATransportFailure() {
    for (String body :
        new String[] {
          "{\"access_token\":",
          "<html>proxy error</html>",
          "[]",
          "{\"access_token\":42,\"expires_in\":7200}",
          "{\"access_token\":\"ok\",\"expires_in\":\"soon\"}",
          "{\"expires_in\":7200}",
          "{\"access_token\":\"abc\"}",
          "{\"access_token\":\"abc\",\"expires_in\":-5}",
          "{\"access_token\":\"has space\",\"expires_in\":7200}",
          "{\"access_token\":\"a\",\"expires_in\":7200} trailing"
        }) {
      clock.advance(Duration.ofHours(1));
      AccessTokenProvider p = build(builder().refreshPolicy(fastRetries().maxRetries(0).build()));
      answerNext(Fault.json(body));
      int before = wechat.tokenRequests();
      WeChatTransportException e = expect(WeChatTransportException.class, p);
      assertEquals(before + 1, wechat.tokenRequests(), body);
      assertTrue(e.getMessage().contains("access_token of " + StandIns.APP_ID), e.getMessage());
    }
  }

  @Test
  void emptyBodyIsATransportFailureAndIsRetried() {
    for (int i = 0; i < 3; i++) {
      answerNext(Fault.json(""));
    }
    WeChatTransportException e = expect(WeChatTransportException.class, build(builder()));
    assertTrue(e.getMessage().contains("empty"), e.getMessage());
    assertEquals(3, wechat.tokenRequests());
  }

  @Test
  void oversizedBodyIsRefused() {
    answerNext(
        Fault.json(
            "{\"access_token\":\"abc\",\"pad\":\""
                + "x".repeat(100_000)
                + "\",\"expires_in\":7200}"));
    WeChatTransportException e =
        expect(
            WeChatTransportException.class,
            build(builder().refreshPolicy(fastRetries().maxRetries(0).build())));
    assertTrue(e.getMessage().contains("larger"), e.getMessage());
  }

  @Test
  void timeoutIsATransportFailureAndIsRetried() {
    OkHttpClient slowClient =
        new OkHttpClient.Builder().readTimeout(200, TimeUnit.MILLISECONDS).build();
    delay(2_000);
    WeChatTransportException e =
        expect(
            WeChatTransportException.class,
            build(
                builder()
                    .httpClient(slowClient)
                    .refreshPolicy(fastRetries().maxRetries(1).build())));
    assertTrue(
        e.getMessage().contains("Timed out") || e.getMessage().contains("timeout"), e.getMessage());
    assertEquals(2, wechat.tokenRequests());
  }

  @Test
  void failuresHoldOffFurtherFetchesForAGrowingInterval() {
    AccessTokenProvider p = build(builder());
    answerNext(Fault.errcode(40164, "invalid ip 1.2.3.4, not in whitelist"));
    WeChatApiException first = expect(WeChatApiException.class, p);
    assertEquals(1, wechat.tokenRequests());

    // Within the hold-off (1 s) callers get the last error at once (on their own stack, caused by
    // it), and WeChat is not asked.
    for (int i = 0; i < 50; i++) {
      assertSame(first.getCause(), assertThrows(WeChatApiException.class, p::get).getCause());
    }
    assertEquals(1, wechat.tokenRequests());

    clock.advance(Duration.ofSeconds(1));
    answerNext(Fault.errcode(40164, "invalid ip 1.2.3.4, not in whitelist"));
    expect(WeChatApiException.class, p);
    assertEquals(2, wechat.tokenRequests());

    clock.advance(Duration.ofMillis(1_999)); // the second hold-off is 2 s
    expect(WeChatApiException.class, p);
    assertEquals(2, wechat.tokenRequests());

    clock.advance(Duration.ofMillis(1));
    assertIssued(1, p.get().value(), "the fixed configuration recovers");
    assertEquals(3, wechat.tokenRequests());
  }

  @Test
  void holdOffIsCappedSoABrokenConfigurationCannotBurnTheDailyQuota() {
    AccessTokenProvider p =
        build(
            builder()
                .refreshPolicy(fastRetries().failureHoldOffMax(Duration.ofMinutes(2)).build()));
    answerAlways(Fault.json("{\"errcode\":40001,\"errmsg\":\"invalid credential\"}"));
    // Six simulated hours of a provider asked every second with a wrong secret.
    int seconds = 6 * 3600;
    for (int second = 0; second < seconds; second += 1) {
      assertThrows(WeChatApiException.class, p::get);
      clock.advance(Duration.ofSeconds(1));
    }
    int fetches = wechat.tokenRequests();
    // Doubling from 1 s reaches the 2 min cap after 8 failures; then one fetch per 2 minutes,
    // 720 a day at most: well within WeChat's daily quota of 2000.
    assertTrue(fetches <= seconds / 120 + 10, "at most one fetch per 2 minutes, got " + fetches);
    assertTrue(fetches >= seconds / 120 - 10, "but it keeps trying, got " + fetches);
  }

  @Test
  void aFailedBackgroundRefreshKeepsServingTheValidToken() {
    java.util.concurrent.atomic.AtomicInteger failures =
        new java.util.concurrent.atomic.AtomicInteger();
    AccessTokenProvider p =
        build(
            builder()
                .eventListener(
                    new TokenEventListener() {
                      @Override
                      public void onRefreshFailed(
                          TokenKey key, RuntimeException error, int consecutiveFailures) {
                        failures.incrementAndGet();
                      }
                    }));
    AccessToken t1 = p.get();
    // The provider refreshes proactively as the clock passes the due time: so each failure is in
    // place before the clock moves.
    answerNext(Fault.errcode(40164, "invalid ip"));
    clock.advance(Duration.ofSeconds(7200 - 200));
    assertSame(t1, p.get());
    Await.until(() -> failures.get() == 1, Duration.ofSeconds(5), "the background refresh fails");
    assertEquals(2, wechat.tokenRequests());
    for (int i = 0; i < 100; i++) {
      assertSame(t1, p.get());
    }
    assertEquals(2, wechat.tokenRequests(), "held off: no new attempt for a second");
    // Even within the expiry margin the still-valid token beats the error of a new attempt.
    answerNext(Fault.errcode(40164, "invalid ip"));
    clock.advance(Duration.ofSeconds(200 - 10));
    assertSame(t1, p.get());
    assertEquals(3, wechat.tokenRequests());
    answerNext(Fault.errcode(40164, "invalid ip"));
    clock.advance(Duration.ofSeconds(10)); // really expired: now the error reaches the caller
    assertThrows(WeChatApiException.class, p::get);
  }

  @Test
  void lockHeldElsewhereWithNoTokenFailsClearlyAfterTheBoundedWait() throws Exception {
    InMemoryTokenStore store = new InMemoryTokenStore();
    TokenKey key = TokenKey.of(StandIns.APP_ID, TokenKey.ACCESS_TOKEN);
    Optional<TokenStore.RefreshLock> other =
        store.tryLock(key, Duration.ofMinutes(5), Duration.ZERO);
    assertTrue(other.isPresent());
    AccessTokenProvider p =
        build(
            builder()
                .store(store)
                .refreshPolicy(fastRetries().lockWait(Duration.ofMillis(300)).build()));
    long t0 = System.nanoTime();
    TokenUnavailableException e = expect(TokenUnavailableException.class, p);
    long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertTrue(waited >= 250 && waited < 5_000, "waited " + waited + " ms");
    assertTrue(e.getMessage().contains("refresh lock"), e.getMessage());
    assertEquals(0, wechat.tokenRequests(), "never fetch without the lock");

    // A lock timeout holds further attempts off briefly, so that callers fail fast meanwhile.
    other.get().close();
    assertThrows(TokenUnavailableException.class, p::get);
    assertEquals(0, wechat.tokenRequests());
    clock.advance(Duration.ofSeconds(1));
    assertIssued(1, p.get().value());
    assertEquals(1, wechat.tokenRequests());
  }

  @Test
  void lockHeldElsewhereServesTheTokenUntilItReallyExpires() throws Exception {
    InMemoryTokenStore store = new InMemoryTokenStore();
    AccessTokenProvider p =
        build(
            builder()
                .store(store)
                .refreshPolicy(fastRetries().lockWait(Duration.ofMillis(200)).build()));
    AccessToken t1 = p.get();
    TokenKey key = TokenKey.of(StandIns.APP_ID, TokenKey.ACCESS_TOKEN);
    TokenStore.RefreshLock other =
        store.tryLock(key, Duration.ofMinutes(5), Duration.ZERO).orElseThrow();
    clock.advance(Duration.ofSeconds(7200 - 10)); // unusable by margin, but not expired
    assertSame(t1, p.get());
    clock.advance(Duration.ofSeconds(10)); // expired now
    expect(TokenUnavailableException.class, p);
    assertEquals(1, wechat.tokenRequests());
    other.close();
  }

  @Test
  void aCrashedLockHolderIsTakenOverAfterTheLease() throws Exception {
    InMemoryTokenStore store = new InMemoryTokenStore();
    TokenKey key = TokenKey.of(StandIns.APP_ID, TokenKey.ACCESS_TOKEN);
    // Another instance took the lock with a short lease and died without releasing it.
    assertTrue(store.tryLock(key, Duration.ofMillis(300), Duration.ZERO).isPresent());
    AccessTokenProvider p =
        build(
            builder()
                .store(store)
                .refreshPolicy(fastRetries().lockWait(Duration.ofSeconds(5)).build()));
    assertIssued(1, p.get().value());
    assertEquals(1, wechat.tokenRequests());
  }

  @Test
  void withFetchingWithoutTheStoreTurnedOffAStoreDownServesTheHeldTokenUntilExpiryThenNamesIt() {
    SwitchableStore store = new SwitchableStore();
    AccessTokenProvider p =
        build(
            builder()
                .store(store)
                .refreshPolicy(fastRetries().storeOutageFetchInterval(Duration.ZERO).build()));
    AccessToken t1 = p.get();
    store.failing(true);
    clock.advance(Duration.ofSeconds(7200 - 200)); // due: the background refresh fails on the store
    assertSame(t1, p.get());
    clock.advance(Duration.ofSeconds(195)); // within the expiry margin, still valid
    assertSame(t1, p.get());
    clock.advance(Duration.ofSeconds(5)); // expired
    TokenUnavailableException e = expect(TokenUnavailableException.class, p);
    assertTrue(e.getMessage().contains(SwitchableStore.FAILURE_MESSAGE), e.getMessage());
    assertTrue(e.getCause().getCause() instanceof TokenStoreException); // the refresh's, then its
    assertEquals(1, wechat.tokenRequests(), "never fetch without the store's lock");

    // Store failures hold further attempts off for at most 5 s, so a down store is not hammered.
    int loads = store.loads.get();
    for (int i = 0; i < 100; i++) {
      assertThrows(TokenUnavailableException.class, p::get);
    }
    assertTrue(
        store.loads.get() - loads <= 1,
        "at most one look at the store per second during the hold-off");

    store.failing(false); // the store is back: recovery needs no restart, only the hold-off
    clock.advance(Duration.ofSeconds(5));
    assertIssued(2, p.get().value());
    assertEquals(2, wechat.tokenRequests());
  }

  @Test
  void theSecretAppearsInNoLogLineAndNoMessage() {
    try (LogCapture log = new LogCapture()) {
      List<WeChatException> errors = new ArrayList<>();
      // errmsg that echoes the secret, a 500, malformed JSON, then success, refresh and invalidate.
      answerNext(Fault.errcode(40125, "invalid appsecret " + StandIns.SECRET));
      AccessTokenProvider p = build(builder());
      errors.add(assertThrows(WeChatApiException.class, p::get));
      clock.advance(Duration.ofSeconds(2));
      answerNext(Fault.body(500, "text/plain", ""));
      answerNext(Fault.json("{\"access_token\":" + StandIns.SECRET));
      answerNext(Fault.json("not json " + StandIns.SECRET));
      errors.add(assertThrows(WeChatTransportException.class, p::get));
      clock.advance(Duration.ofSeconds(4));
      AccessToken t = p.get();
      p.invalidate(t.value());
      AccessToken t2 = p.refresh();
      clock.advance(Duration.ofSeconds(7200 - 200));
      p.get();
      Await.until(
          () -> wechat.tokenRequests() >= 7, Duration.ofSeconds(5), "the background refresh");
      Await.until(
          () -> log.text().contains("Fetched a new token"), Duration.ofSeconds(5), "a log line");

      String text = log.text();
      assertTrue(text.contains("WeChat returned errcode 40125"), "the failure was logged");
      assertFalse(text.contains(StandIns.SECRET), "secret in the log");
      assertFalse(text.contains(t.value()), "a whole token in the log");
      assertFalse(text.contains(t2.value()), "a whole token in the log");
      for (WeChatException e : errors) {
        thrown.add(e);
        assertFalse(e.toString().contains(StandIns.SECRET), e.toString());
      }
      assertTrue(errors.get(0).getMessage().contains("***"), errors.get(0).getMessage());
      assertNotEquals(t.value(), t2.value());
    }
  }
}

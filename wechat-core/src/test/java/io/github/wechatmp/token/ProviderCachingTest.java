package io.github.wechatmp.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.squareup.moshi.JsonReader;
import io.github.wechatmp.test.Fault;
import io.github.wechatmp.test.ReceivedRequest;
import io.github.wechatmp.testing.Await;
import io.github.wechatmp.testing.ProviderFixture;
import io.github.wechatmp.testing.StandIns;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import okio.Buffer;
import org.junit.jupiter.api.Test;

/**
 * Caching, the refresh thresholds, both endpoints, and never waiting while a usable token exists.
 */
class ProviderCachingTest extends ProviderFixture {

  @Test
  void buildDoesNoIoAndThousandGetsMakeOneRequest() {
    AccessTokenProvider provider = build(builder());
    assertEquals(0, wechat.tokenRequests(), "build() must not fetch");
    AccessToken first = provider.get();
    for (int i = 0; i < 1000; i++) {
      assertSame(first, provider.get());
    }
    assertEquals(1, wechat.tokenRequests());
    assertIssued(1, first.value());
    assertEquals(clock.instant().plusSeconds(7200), first.expiresAt());
  }

  @Test
  void classicRequestCarriesTheDocumentedParameters() throws Exception {
    // A strict stand-in: the token is only issued for this AppID and this AppSecret (its log masks
    // the secret, so its acceptance is what shows the right one was sent).
    restartWeChat(b -> b.appId(StandIns.APP_ID).appSecret(StandIns.SECRET));
    build(builder()).get();
    ReceivedRequest r = wechat.received().get(0);
    assertEquals("GET", r.method());
    assertEquals("cgi-bin/token", r.path());
    assertEquals("client_credential", r.queryParameter("grant_type"));
    assertEquals(StandIns.APP_ID, r.queryParameter("appid"));
    assertEquals("***", r.queryParameter("secret"), "the secret travels as the secret parameter");
    assertEquals(Integer.valueOf(0), r.errcode(), "the stand-in accepted the AppID and AppSecret");
    assertEquals(List.of(wechat.currentToken()), wechat.issuedTokens());
  }

  @Test
  void expiresInIsHonoured() {
    restartWeChat(b -> b.expiresIn(Duration.ofSeconds(600)));
    AccessToken t = build(builder()).get();
    assertEquals(clock.instant().plusSeconds(600), t.expiresAt());
  }

  @Test
  void refreshStartsAtExpiryMinus200SecondsNotBefore() throws Exception {
    AccessTokenProvider provider = build(builder());
    AccessToken first = provider.get();
    clock.advance(Duration.ofSeconds(7200 - 200).minusMillis(1));
    for (int i = 0; i < 100; i++) {
      assertSame(first, provider.get());
    }
    assertEquals(1, wechat.tokenRequests(), "nothing before expiry minus 200 s");

    delay(500);
    CompletableFuture<Void> moved = advanceInBackground(Duration.ofMillis(1));
    Await.until(
        () -> wechat.tokenRequests() == 2,
        Duration.ofSeconds(10),
        "the background refresh reaches WeChat");
    assertSame(first, provider.get(), "the due token is still served while the refresh runs");
    moved.get(10, TimeUnit.SECONDS); // the move returns once the refresh it started is done
    assertIssued(2, provider.get().value(), "the new token is installed");
    assertEquals(2, wechat.tokenRequests());
  }

  @Test
  void customRefreshMarginIsHonoured() {
    AccessTokenProvider provider =
        build(
            builder()
                .refreshPolicy(
                    RefreshPolicy.builder().refreshMargin(Duration.ofMinutes(10)).build()));
    AccessToken first = provider.get();
    clock.advance(Duration.ofSeconds(7200 - 600).minusMillis(1));
    assertSame(first, provider.get());
    assertEquals(1, wechat.tokenRequests());
    clock.advance(Duration.ofMillis(1));
    provider.get();
    Await.until(
        () -> wechat.tokenRequests() == 2,
        Duration.ofSeconds(10),
        "the refresh at expiry minus 10 min");
  }

  @Test
  void stableTokenRequestBodyFieldByField() throws Exception {
    restartWeChat(b -> b.appId(StandIns.APP_ID).appSecret(StandIns.SECRET)); // strict, see above
    AccessTokenProvider provider = build(builder().stableToken(true));
    AccessToken first = provider.get();
    AccessToken forced = provider.refresh();
    assertNotEquals(first.value(), forced.value());
    assertEquals(2, wechat.tokenRequests());

    List<ReceivedRequest> requests = wechat.received();
    Map<String, Object> normal = assertStableRequest(requests.get(0));
    assertEquals(false, normal.get("force_refresh"));
    Map<String, Object> force = assertStableRequest(requests.get(1));
    assertEquals(true, force.get("force_refresh"));
  }

  private static Map<String, Object> assertStableRequest(ReceivedRequest r) throws Exception {
    assertEquals("POST", r.method());
    assertEquals("cgi-bin/stable_token", r.path());
    assertEquals("", r.query(), "the secret travels in the body, never the URL");
    assertTrue(r.contentType().startsWith("application/json"), r.contentType());
    assertEquals(Integer.valueOf(0), r.errcode(), "the strict stand-in accepted the credentials");
    Map<String, Object> fields = new HashMap<>();
    try (JsonReader reader = JsonReader.of(new Buffer().writeUtf8(r.body()))) {
      reader.beginObject();
      while (reader.hasNext()) {
        String name = reader.nextName();
        fields.put(
            name,
            reader.peek() == JsonReader.Token.BOOLEAN ? reader.nextBoolean() : reader.nextString());
      }
      reader.endObject();
    }
    assertEquals(4, fields.size(), fields.keySet().toString());
    assertEquals("client_credential", fields.get("grant_type"));
    assertEquals(StandIns.APP_ID, fields.get("appid"));
    assertEquals("***", fields.get("secret"), "masked by the stand-in's log");
    return fields;
  }

  @Test
  void classicAndStableTokensAreDistinctEntriesInOneStore() {
    InMemoryTokenStore store = new InMemoryTokenStore();
    AccessToken classic = build(builder().store(store)).get();
    AccessToken stable = build(builder().store(store).stableToken(true)).get();
    assertNotEquals(classic.value(), stable.value());
    assertEquals(2, wechat.tokenRequests());
    assertEquals(
        classic, store.load(TokenKey.of(StandIns.APP_ID, TokenKey.ACCESS_TOKEN)).orElseThrow());
    assertEquals(
        stable,
        store.load(TokenKey.of(StandIns.APP_ID, TokenKey.STABLE_ACCESS_TOKEN)).orElseThrow());
  }

  @Test
  void stableTokenReturnedUnchangedDoesNotSpin() {
    // In normal mode WeChat may hand back the same stable token with less time left.
    AccessTokenProvider provider = build(builder().stableToken(true));
    AccessToken first = provider.get();
    // Enqueued before the clock moves: the provider refreshes proactively at the due time.
    answerNext(Fault.json(StandIns.tokenJson(first.value(), 200)));
    clock.advance(Duration.ofSeconds(7200 - 200));
    provider.get();
    Await.until(() -> wechat.tokenRequests() == 2, Duration.ofSeconds(10), "the prefetch");
    for (int i = 0; i < 1000; i++) {
      assertEquals(first.value(), provider.get().value());
    }
    assertEquals(
        2, wechat.tokenRequests(), "no new request until the minimum prefetch interval passes");
  }

  @Test
  void noCallerWaitsOnTheNetworkWhileAUsableTokenExists() throws Exception {
    AccessTokenProvider provider = build(builder());
    AccessToken old = provider.get();
    delay(2_000);
    // Due: the refresh starts, and takes 2 s.
    CompletableFuture<Void> moved = advanceInBackground(Duration.ofSeconds(7200 - 200));
    Await.until(() -> wechat.tokenRequests() == 2, Duration.ofSeconds(10), "the refresh began");
    int threads = 16;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<long[]>> results = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  long worstNanos = 0;
                  long oldServed = 0;
                  long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                  while (System.nanoTime() < deadline) {
                    long t0 = System.nanoTime();
                    AccessToken got = provider.get();
                    worstNanos = Math.max(worstNanos, System.nanoTime() - t0);
                    if (got.equals(old)) {
                      oldServed++;
                    } else {
                      return new long[] {worstNanos, oldServed};
                    }
                    Thread.sleep(1);
                  }
                  throw new AssertionError("the new token never arrived");
                }));
      }
      start.countDown();
      for (Future<long[]> f : results) {
        long[] r = f.get(30, TimeUnit.SECONDS);
        assertTrue(r[1] > 0, "the old token was served while the refresh ran");
        // WeChat takes 2 s: a caller that waited on it would show it. Typical calls take
        // microseconds;
        // the bound is generous for a GC pause or a stall on 2 noisy cores.
        assertTrue(
            TimeUnit.NANOSECONDS.toMillis(r[0]) < 1_000,
            "a get() took " + TimeUnit.NANOSECONDS.toMillis(r[0]) + " ms");
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(2, wechat.tokenRequests());
    moved.get(10, TimeUnit.SECONDS);
  }

  @Test
  void callersBlockOnlyWithinTheExpiryMarginAndShareOneFetch() throws Exception {
    AccessTokenProvider provider = build(builder());
    AccessToken old = provider.get();
    clock.advance(Duration.ofSeconds(7200 - 30)); // within the 30 s expiry margin: unusable
    delay(200);
    int threads = 16;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<AccessToken>> results = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return provider.get();
                }));
      }
      start.countDown();
      for (Future<AccessToken> f : results) {
        AccessToken got = f.get(30, TimeUnit.SECONDS);
        assertNotEquals(old, got, "nobody is handed a token about to expire");
        assertIssued(2, got.value());
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(2, wechat.tokenRequests());
  }

  @Test
  void refreshReturnsANewTokenAndConcurrentRefreshesShareOneFetch() throws Exception {
    AccessTokenProvider provider = build(builder());
    AccessToken first = provider.get();
    delay(300);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<AccessToken>> results = new java.util.ArrayList<>();
      for (int t = 0; t < 8; t++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return provider.refresh();
                }));
      }
      start.countDown();
      for (Future<AccessToken> f : results) {
        assertIssued(2, f.get(30, TimeUnit.SECONDS).value());
      }
    } finally {
      pool.shutdownNow();
    }
    assertNotEquals(first, provider.get());
    assertEquals(2, wechat.tokenRequests());
  }

  @Test
  void shortLivedTokensUseProportionalMargins() {
    restartWeChat(
        b ->
            b.expiresIn(
                Duration.ofSeconds(
                    60))); // shorter than the 200 s margin: due at half life, unusable at 3/4
    AccessTokenProvider provider = build(builder());
    AccessToken first = provider.get();
    clock.advance(Duration.ofSeconds(29));
    assertSame(first, provider.get());
    assertEquals(1, wechat.tokenRequests());
    clock.advance(Duration.ofSeconds(1));
    provider.get();
    Await.until(
        () -> wechat.tokenRequests() == 2, Duration.ofSeconds(10), "the refresh at half life");
  }

  @Test
  void eventsAreReported() {
    List<String> events = new CopyOnWriteArrayList<>();
    TokenEventListener listener =
        new TokenEventListener() {
          @Override
          public void onFetched(TokenKey key, AccessToken token, Duration latency) {
            events.add("fetched " + key.kind());
          }

          @Override
          public void onAdopted(TokenKey key, AccessToken token) {
            events.add("adopted " + key.kind());
          }

          @Override
          public void onInvalidated(TokenKey key, boolean wasCurrent) {
            events.add("invalidated " + wasCurrent);
          }

          @Override
          public void onRefreshFailed(
              TokenKey key, RuntimeException error, int consecutiveFailures) {
            events.add("failed " + consecutiveFailures);
          }
        };
    TokenStore store = new InMemoryTokenStore();
    AccessTokenProvider a = build(builder().store(store).eventListener(listener));
    AccessTokenProvider b = build(builder().store(store).eventListener(listener));
    AccessToken t = a.get();
    b.get();
    a.invalidate(t.value());
    answerNext(Fault.errcode(40013, "invalid appid"));
    assertThrows(io.github.wechatmp.WeChatApiException.class, a::get);
    Await.until(() -> events.contains("failed 1"), Duration.ofSeconds(5), "the failure event");
    assertEquals("fetched access_token", events.get(0));
    assertTrue(events.contains("adopted access_token"), events.toString());
    assertTrue(events.contains("invalidated true"), events.toString());
  }

  @Test
  void aThrowingListenerDoesNotBreakTheProvider() {
    AccessTokenProvider provider =
        build(
            builder()
                .eventListener(
                    new TokenEventListener() {
                      @Override
                      public void onFetched(TokenKey key, AccessToken token, Duration latency) {
                        throw new IllegalStateException("listener bug");
                      }
                    }));
    assertIssued(1, provider.get().value());
  }

  @Test
  void closeStopsTheProvider() {
    AccessTokenProvider provider = build(builder());
    provider.get();
    provider.close();
    provider.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, provider::get);
    assertTrue(e.getMessage().contains("closed"));
    assertThrows(IllegalStateException.class, provider::refresh);
  }

  @Test
  void builderRejectsMissingCredentialsClearly() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> AccessTokenProvider.builder().appSecret(StandIns.SECRET).build());
    assertTrue(e.getMessage().contains("appId"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> AccessTokenProvider.builder().appId("  ").appSecret(StandIns.SECRET).build());
    assertTrue(e.getMessage().contains("appId"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> AccessTokenProvider.builder().appId("wx1").build());
    assertTrue(e.getMessage().contains("appSecret"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> AccessTokenProvider.builder().appId("wx1").appSecret(" \t").build());
    assertTrue(e.getMessage().contains("appSecret"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                AccessTokenProvider.builder().appId("wx 1/..").appSecret(StandIns.SECRET).build());
    assertFalse(e.getMessage().contains(StandIns.SECRET));
    assertThrows(
        IllegalArgumentException.class, () -> AccessTokenProvider.builder().apiBaseUrl("ftp://x"));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            AccessTokenProvider.builder()
                .refreshPolicy(
                    RefreshPolicy.builder().refreshMargin(Duration.ofSeconds(-1)).build()));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            AccessTokenProvider.builder()
                .refreshPolicy(RefreshPolicy.builder().lockLease(Duration.ZERO).build()));
    assertThrows(NullPointerException.class, () -> AccessTokenProvider.builder().store(null));
  }

  @Test
  void apiBaseUrlWithoutTrailingSlashWorks() {
    String base = wechat.baseUrl();
    AccessTokenProvider provider =
        build(builder().apiBaseUrl(base.substring(0, base.length() - 1)));
    provider.get();
    assertEquals("cgi-bin/token", wechat.received().get(0).path());
  }

  @Test
  void accessTokenToStringMasksTheValue() {
    AccessToken t = build(builder()).get();
    assertFalse(t.toString().contains(t.value()), t.toString());
    assertTrue(t.toString().contains("expiresAt"));
    assertFalse(build(builder()).toString().contains(StandIns.SECRET));
  }
}

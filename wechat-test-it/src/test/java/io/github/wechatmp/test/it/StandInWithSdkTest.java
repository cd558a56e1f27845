package io.github.wechatmp.test.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.http.AccessTokenInterceptor;
import io.github.wechatmp.test.Fault;
import io.github.wechatmp.test.ManualClock;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.RefreshPolicy;
import io.github.wechatmp.token.TokenStore;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The stand-in's behaviours, proved against the SDK's providers and interceptor. */
class StandInWithSdkTest {
  static final String APP_ID = "wx0123456789abcdef";
  static final String SECRET = "s3cr3t-0123456789abcdef0123456789";

  final ManualClock clock = new ManualClock(Instant.parse("2026-12-01T02:00:00Z"));
  WeChatStandIn wechat;
  AccessTokenProvider provider;

  @AfterEach
  void close() {
    if (provider != null) {
      provider.close();
    }
    if (wechat != null) {
      wechat.close();
    }
  }

  AccessTokenProvider.Builder providerFor(WeChatStandIn w) {
    return AccessTokenProvider.builder()
        .appId(APP_ID)
        .appSecret(SECRET)
        .apiBaseUrl(w.baseUrl())
        .clock(clock)
        .refreshPolicy(RefreshPolicy.builder().retryBackoff(Duration.ofMillis(10)).build());
  }

  OkHttpClient clientFor(AccessTokenProvider p) {
    return new OkHttpClient.Builder()
        .addInterceptor(AccessTokenInterceptor.builder(p).addHost("127.0.0.1").build())
        .build();
  }

  String call(OkHttpClient client, String path) throws IOException {
    try (Response r =
        client.newCall(new Request.Builder().url(wechat.baseUrl() + path).build()).execute()) {
      return r.body().string();
    }
  }

  @Test
  void aTokenVoidedByAnotherFetchMakesTheInterceptorRefetchOnce() throws IOException {
    wechat =
        WeChatStandIn.builder()
            .appId(APP_ID)
            .appSecret(SECRET)
            .overlap(Duration.ZERO)
            .clock(clock)
            .start();
    provider = providerFor(wechat).build();
    OkHttpClient client = clientFor(provider);
    assertTrue(call(client, "cgi-bin/get_api_domain_ip").contains("ip_list"));
    String before = provider.get().value();
    wechat.fetchTokenElsewhere(); // another system refreshed: ours is void at once

    assertTrue(call(client, "cgi-bin/get_api_domain_ip").contains("ip_list"));

    assertEquals(2, wechat.tokenRequests(), "one refetch");
    assertEquals(3, wechat.requests("cgi-bin/get_api_domain_ip"), "one retry");
    assertEquals(40001, wechat.received("cgi-bin/get_api_domain_ip").get(1).errcode());
    assertNotEquals(before, provider.get().value());
  }

  @Test
  void duringTheOverlapTheOldTokenStillWorksAndNothingIsRefetched() throws IOException {
    wechat = WeChatStandIn.builder().appId(APP_ID).appSecret(SECRET).clock(clock).start();
    provider = providerFor(wechat).build();
    OkHttpClient client = clientFor(provider);
    call(client, "cgi-bin/get_api_domain_ip");
    wechat.fetchTokenElsewhere();
    clock.advance(Duration.ofMinutes(4));
    assertTrue(call(client, "cgi-bin/get_api_domain_ip").contains("ip_list"));
    assertEquals(1, wechat.tokenRequests());
    clock.advance(Duration.ofMinutes(1));
    assertTrue(call(client, "cgi-bin/get_api_domain_ip").contains("ip_list"));
    assertEquals(2, wechat.tokenRequests(), "voided after the overlap: refetched once");
  }

  @Test
  void anExpiredTokenIsNeverSentTheProviderFetchesANewOneFirst() throws IOException {
    wechat = WeChatStandIn.builder().clock(clock).start();
    provider = providerFor(wechat).build();
    OkHttpClient client = clientFor(provider);
    call(client, "cgi-bin/get_api_domain_ip");
    clock.advance(Duration.ofSeconds(7200));
    assertTrue(call(client, "cgi-bin/get_api_domain_ip").contains("ip_list"));
    assertEquals(2, wechat.tokenRequests());
    assertTrue(
        wechat.received("cgi-bin/get_api_domain_ip").stream().allMatch(r -> r.errcode() == 0),
        "no 42001 was ever answered");
  }

  @Test
  void quotaExhaustionSurfacesAs45009WithNoRetry() {
    wechat = WeChatStandIn.builder().dailyQuota(1).clock(clock).start();
    wechat.fetchTokenElsewhere(); // the day's one call spent elsewhere
    provider = providerFor(wechat).build();
    WeChatApiException e = assertThrows(WeChatApiException.class, provider::get);
    assertEquals(45009, e.errorCode());
    assertEquals(1, wechat.tokenRequests(), "not retried");
    assertThrows(WeChatApiException.class, provider::get);
    assertEquals(1, wechat.tokenRequests(), "held off, not asked again at once");
  }

  @Test
  void aWrongAppSecretIs40001OnTheTokenEndpointAndNeverRetried() {
    wechat = WeChatStandIn.builder().appId(APP_ID).appSecret("the-real-one").clock(clock).start();
    provider = providerFor(wechat).build();
    WeChatApiException e = assertThrows(WeChatApiException.class, provider::get);
    assertEquals(40001, e.errorCode());
    assertEquals(1, wechat.tokenRequests());
    assertTrue(!e.getMessage().contains(SECRET));
  }

  @Test
  void anIpOffTheWhitelistIs40164() {
    wechat = WeChatStandIn.builder().clock(clock).start().callerIpWhitelisted(false);
    provider = providerFor(wechat).build();
    assertEquals(40164, assertThrows(WeChatApiException.class, provider::get).errorCode());
    assertEquals(1, wechat.tokenRequests());
  }

  @Test
  void systemBusyIsRetriedUntilATokenComes() {
    wechat = WeChatStandIn.builder().clock(clock).start();
    wechat.failNext(2, Fault.systemBusy().at(WeChatStandIn.TOKEN_PATH));
    provider = providerFor(wechat).build();
    provider.get();
    assertEquals(3, wechat.tokenRequests());
  }

  @Test
  void stableTokensAreSharedByWeChatItselfAndForceRefreshIsLimited() throws IOException {
    wechat = WeChatStandIn.builder().appId(APP_ID).appSecret(SECRET).clock(clock).start();
    provider = providerFor(wechat).stableToken(true).build();
    try (AccessTokenProvider other =
        providerFor(wechat).stableToken(true).store(new InMemoryTokenStore()).build()) {
      AccessToken a = provider.get();
      assertEquals(
          a.value(), other.get().value(), "same token while valid, even with no shared store");
      assertEquals(2, wechat.tokenRequests());

      AccessToken forced = provider.refresh();
      assertNotEquals(a.value(), forced.value());
      assertTrue(
          wechat
              .received(WeChatStandIn.STABLE_TOKEN_PATH)
              .get(2)
              .body()
              .contains("\"force_refresh\":true"));
      OkHttpClient viaOther = clientFor(other);
      assertTrue(
          call(viaOther, "cgi-bin/get_api_domain_ip").contains("ip_list"),
          "the voided token is replaced");
      assertEquals(forced.value(), other.get().value(), "the other fetched the same new one");

      clock.advance(Duration.ofSeconds(10));
      WeChatApiException tooSoon = assertThrows(WeChatApiException.class, provider::refresh);
      assertEquals(45011, tooSoon.errorCode());
    }
  }

  @Test
  void customSendThroughTheInterceptorIsRecorded() throws IOException {
    wechat = WeChatStandIn.builder().clock(clock).start();
    provider = providerFor(wechat).build();
    String msg = "{\"touser\":\"o1\",\"msgtype\":\"text\",\"text\":{\"content\":\"hello\"}}";
    try (Response r =
        clientFor(provider)
            .newCall(
                new Request.Builder()
                    .url(wechat.baseUrl() + "cgi-bin/message/custom/send")
                    .post(RequestBody.create(msg, MediaType.get("application/json")))
                    .build())
            .execute()) {
      assertTrue(r.body().string().contains("\"errcode\":0"));
    }
    assertEquals(List.of(msg), wechat.sentMessages());
  }

  @Test
  void aHerdOfProvidersOverOneStoreMakesOneFetch() throws Exception {
    wechat = WeChatStandIn.builder().clock(clock).start();
    TokenStore store = new InMemoryTokenStore();
    List<AccessTokenProvider> herd =
        java.util.stream.IntStream.range(0, 8)
            .mapToObj(i -> providerFor(wechat).store(store).build())
            .toList();
    try {
      List<Thread> threads = herd.stream().map(p -> new Thread(p::get)).toList();
      threads.forEach(Thread::start);
      for (Thread t : threads) {
        t.join();
      }
      assertEquals(1, wechat.tokenRequests());
    } finally {
      herd.forEach(AccessTokenProvider::close);
    }
  }
}

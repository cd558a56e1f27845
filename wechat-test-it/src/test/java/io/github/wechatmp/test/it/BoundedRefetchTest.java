package io.github.wechatmp.test.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.wechatmp.http.AccessTokenInterceptor;
import io.github.wechatmp.http.AccessTokenRejectedException;
import io.github.wechatmp.test.Fault;
import io.github.wechatmp.test.ManualClock;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.RefreshPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Issue 14, item 3: re-fetches caused by rejected tokens are bounded per interval. */
class BoundedRefetchTest {
  static final String APP_ID = "wx0123456789abcdef";
  static final String SECRET = "s3cr3t-0123456789abcdef0123456789";
  static final String API = "cgi-bin/get_api_domain_ip";

  final ManualClock clock = new ManualClock(Instant.parse("2026-12-01T02:00:00Z"));
  final WeChatStandIn wechat =
      WeChatStandIn.builder().appId(APP_ID).appSecret(SECRET).clock(clock).start();
  AccessTokenProvider provider;
  final List<AccessTokenProvider> others = new ArrayList<>();

  AccessTokenProvider provider(RefreshPolicy policy) {
    return builder(policy).build();
  }

  AccessTokenProvider.Builder builder(RefreshPolicy policy) {
    return AccessTokenProvider.builder()
        .appId(APP_ID)
        .appSecret(SECRET)
        .apiBaseUrl(wechat.baseUrl())
        .clock(clock)
        .refreshPolicy(policy);
  }

  @AfterEach
  void close() {
    if (provider != null) {
      provider.close();
    }
    others.forEach(AccessTokenProvider::close);
    wechat.close();
  }

  void callRejected(OkHttpClient client) {
    assertThrows(
        AccessTokenRejectedException.class,
        () -> {
          try (Response r =
              client.newCall(new Request.Builder().url(wechat.baseUrl() + API).build()).execute()) {
            r.body().string();
          }
        });
  }

  @Test
  void overTenSecondsOfRejectedCallsOneReFetchThenOneMorePerInterval() {
    provider = provider(RefreshPolicy.defaults());
    OkHttpClient client =
        new OkHttpClient.Builder().addInterceptor(new AccessTokenInterceptor(provider)).build();
    wechat.failFor(Duration.ofHours(1), Fault.errcode(40001, "invalid credential").at(API));

    for (int i = 0; i < 100; i++) { // 10 s by the clock
      callRejected(client);
      clock.advance(Duration.ofMillis(100));
    }

    // The first fetch, and one re-fetch after the first rejection; every later call failed at
    // once after its one round trip.
    assertEquals(2, wechat.tokenRequests());
    assertEquals(2 + 99, wechat.apiRequests());

    clock.advance(Duration.ofSeconds(20)); // 30 s after the re-fetch
    callRejected(client);
    assertEquals(3, wechat.tokenRequests());
    assertEquals(2 + 99 + 2, wechat.apiRequests());
  }

  @Test
  void fourProvidersOverOneStoreMakeTheReFetchesOfOne() {
    InMemoryTokenStore store = new InMemoryTokenStore();
    List<OkHttpClient> clients = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      AccessTokenProvider p = builder(RefreshPolicy.defaults()).store(store).build();
      others.add(p);
      clients.add(new OkHttpClient.Builder().addInterceptor(new AccessTokenInterceptor(p)).build());
    }
    others.forEach(AccessTokenProvider::get); // one fetch; the other three adopt it
    assertEquals(1, wechat.tokenRequests());
    wechat.failFor(Duration.ofHours(1), Fault.errcode(40001, "invalid credential").at(API));

    for (int i = 0; i < 100; i++) { // 10 s by the clock, the calls spread over the 4 providers
      callRejected(clients.get(i % 4));
      clock.advance(Duration.ofMillis(100));
    }

    // One re-fetch, by the first instance to see the rejection; the others learn of it from the
    // store (the rejected token's removal), adopt the replacement and keep it when it is rejected
    // in turn. Without the shared bound each would drop its copy in turn and fetch one more.
    assertEquals(2, wechat.tokenRequests());

    clock.advance(Duration.ofSeconds(30));
    for (int i = 0; i < 8; i++) {
      callRejected(clients.get(i % 4));
    }
    assertEquals(3, wechat.tokenRequests());
  }

  @Test
  void invalidateItselfIsBoundedAndTheIntervalIsConfigurable() {
    provider =
        provider(RefreshPolicy.builder().rejectionRefetchInterval(Duration.ofSeconds(5)).build());
    AccessToken first = provider.get();
    provider.invalidate(first.value());
    AccessToken second = provider.get();
    assertNotEquals(first.value(), second.value());

    provider.invalidate(second.value()); // within 5 s: kept
    assertEquals(second.value(), provider.get().value());
    assertEquals(2, wechat.tokenRequests());

    clock.advance(Duration.ofSeconds(5));
    provider.invalidate(second.value());
    assertNotEquals(second.value(), provider.get().value());
    assertEquals(3, wechat.tokenRequests());
  }

  @Test
  void zeroTurnsTheBoundOff() {
    provider = provider(RefreshPolicy.builder().rejectionRefetchInterval(Duration.ZERO).build());
    for (int i = 0; i < 3; i++) {
      provider.invalidate(provider.get().value());
    }
    provider.get();
    assertEquals(4, wechat.tokenRequests());
  }
}

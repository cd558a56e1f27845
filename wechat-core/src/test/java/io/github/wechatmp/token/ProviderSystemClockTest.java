package io.github.wechatmp.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.StandIns;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * With the system clock (the default) the hot path reads no clock: a wake-up at the due time marks
 * the token due and refreshes it. These tests run in real time, with tokens that live a few
 * seconds.
 */
@Tag("slow") // runs in real time; left out of the fast set (see CONTRIBUTING.md)
class ProviderSystemClockTest {

  @Test
  void theDueWatchStartsTheRefreshAtTheRefreshMarginNotBefore() throws Exception {
    try (WeChatStandIn wechat = WeChatStandIn.builder().expiresIn(Duration.ofSeconds(4)).start();
        AccessTokenProvider provider =
            AccessTokenProvider.builder()
                .appId(StandIns.APP_ID)
                .appSecret(StandIns.SECRET)
                .apiBaseUrl(wechat.baseUrl())
                .build()) {
      AccessToken first = provider.get();
      // Lifetime 4 s: the margins are clamped to half (due at 2 s) and a quarter (stale at 3 s).
      Instant dueAt = first.expiresAt().minusSeconds(2);
      Instant changedAt = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (System.nanoTime() < deadline) {
        AccessToken t = provider.get();
        Instant now = Instant.now();
        if (!t.equals(first)) {
          changedAt = now;
          break;
        }
        if (now.isBefore(dueAt.minusMillis(50))) {
          assertEquals(1, wechat.tokenRequests(), "no refresh before the token is due");
        }
        assertTrue(now.isBefore(first.expiresAt()), "the old token was served after it expired");
        Thread.sleep(5);
      }
      assertTrue(changedAt != null, "the token was never refreshed");
      assertTrue(
          !changedAt.isBefore(dueAt.minusMillis(50)),
          "refreshed at " + changedAt + ", due at " + dueAt);
      assertEquals(2, wechat.tokenRequests());
    }
  }

  @Test
  void providersSharingAStoreFetchOncePerLifetimeAndNeverServeAnExpiredToken() throws Exception {
    try (WeChatStandIn wechat = WeChatStandIn.builder().expiresIn(Duration.ofSeconds(4)).start()) {
      InMemoryTokenStore store = new InMemoryTokenStore();
      List<AccessTokenProvider> providers = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        providers.add(
            AccessTokenProvider.builder()
                .appId(StandIns.APP_ID)
                .appSecret(StandIns.SECRET)
                .apiBaseUrl(wechat.baseUrl())
                .store(store)
                // margins that fit a 4 s token, as a test stand-in needs: due at 2 s, unusable at 3
                // s
                .refreshPolicy(
                    RefreshPolicy.builder()
                        .refreshMargin(Duration.ofSeconds(2))
                        .expiryMargin(Duration.ofSeconds(1))
                        .build())
                .build());
      }
      Map<String, Instant> expiries = new ConcurrentHashMap<>();
      List<String> servedExpired = new CopyOnWriteArrayList<>();
      ExecutorService pool = Executors.newFixedThreadPool(16);
      try {
        long end = System.nanoTime() + Duration.ofMillis(5_500).toNanos();
        List<Future<?>> callers = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
          AccessTokenProvider p = providers.get(t % providers.size());
          callers.add(
              pool.submit(
                  () -> {
                    while (System.nanoTime() < end) {
                      AccessToken token = p.get();
                      if (!Instant.now().isBefore(token.expiresAt())) {
                        servedExpired.add(token.toString());
                      }
                      expiries.put(token.value(), token.expiresAt());
                      Thread.sleep(2);
                    }
                    return null;
                  }));
        }
        for (Future<?> f : callers) {
          f.get(30, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
        providers.forEach(AccessTokenProvider::close);
      }
      assertTrue(servedExpired.isEmpty(), "served after expiry: " + servedExpired);
      // 5.5 s of 4 s tokens, due at half life, which the watch sees within a second: the first
      // fetch,
      // then one every 2 to 3 s between all four providers (one each would make 8 or more).
      int fetches = wechat.tokenRequests();
      assertTrue(fetches >= 2 && fetches <= 4, "fetches: " + fetches);
      assertTrue(
          fetches - expiries.size() <= 1,
          "every fetched token but perhaps the last was used: "
              + fetches
              + " fetches, "
              + expiries.size()
              + " tokens served");
    }
  }
}

package io.github.wechatmp.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.Await;
import io.github.wechatmp.testing.StandIns;
import io.github.wechatmp.token.TokenStatus.State;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Proactive refresh with the system clock and real short tokens: after the first {@code get()},
 * nobody asks again, and the token is refreshed at its due time all the same.
 */
@Tag("slow") // runs in real time
class ProviderProactiveTest {

  private static AccessTokenProvider provider(WeChatStandIn wechat, TokenStore store) {
    return AccessTokenProvider.builder()
        .appId(StandIns.APP_ID)
        .appSecret(StandIns.SECRET)
        .apiBaseUrl(wechat.baseUrl())
        .store(store)
        .refreshPolicy(
            RefreshPolicy.builder()
                .refreshMargin(Duration.ofSeconds(3))
                .expiryMargin(Duration.ofSeconds(1))
                .build())
        .build();
  }

  @Test
  void twoProvidersSharingAStoreRefreshAtTheDueTimeWithOneFetchAndNoGet() throws Exception {
    InMemoryTokenStore store = new InMemoryTokenStore();
    try (WeChatStandIn wechat = WeChatStandIn.builder().expiresIn(Duration.ofSeconds(6)).start();
        AccessTokenProvider a = provider(wechat, store);
        AccessTokenProvider b = provider(wechat, store)) {
      AccessToken first = a.get();
      assertEquals(first, b.get(), "the second provider adopts the first's token");
      assertEquals(1, wechat.tokenRequests());
      Instant dueAt = first.expiresAt().minusSeconds(3);
      Instant staleAt = first.expiresAt().minusSeconds(1);

      // From here on nobody calls get(): only status(), which does no I/O.
      Await.until(
          () -> wechat.tokenRequests() >= 2, Duration.ofSeconds(20), "the proactive refresh");
      Instant fetchedAt = Instant.now();
      assertTrue(
          !fetchedAt.isBefore(dueAt.minusMillis(100)),
          "fetched at " + fetchedAt + ", before the due time " + dueAt);
      assertTrue(
          fetchedAt.isBefore(staleAt),
          "fetched at " + fetchedAt + ", after the token went stale at " + staleAt);

      Await.until(
          () ->
              !a.status().expiresAt().equals(Optional.of(first.expiresAt()))
                  && !b.status().expiresAt().equals(Optional.of(first.expiresAt())),
          Duration.ofSeconds(5),
          "both providers hold the new token");
      assertEquals(State.FRESH, a.status().state());
      assertEquals(State.FRESH, b.status().state());
      assertEquals(a.status().expiresAt(), b.status().expiresAt(), "b adopted a's new token");
      Thread.sleep(500); // long enough for a second fetch to show, were there one
      assertEquals(2, wechat.tokenRequests(), "one fetch for both providers");
      assertNotEquals(first, a.get());
    }
  }

  @Test
  void anApplicationThatNeverCallsGetAlwaysHoldsAFreshToken() throws Exception {
    try (WeChatStandIn wechat = WeChatStandIn.builder().expiresIn(Duration.ofSeconds(4)).start();
        AccessTokenProvider p = provider(wechat, new InMemoryTokenStore())) {
      p.get();
      long deadline = System.nanoTime() + Duration.ofSeconds(9).toNanos();
      while (System.nanoTime() < deadline) {
        State s = p.status().state();
        assertTrue(s == State.FRESH || s == State.DUE, "the token was " + s);
        Thread.sleep(50);
      }
      assertTrue(wechat.tokenRequests() >= 3, wechat.tokenRequests() + " fetches in 9 s");
    }
  }
}

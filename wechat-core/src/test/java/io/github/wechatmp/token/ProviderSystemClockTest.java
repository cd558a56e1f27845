package io.github.wechatmp.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.testing.FakeWeChat;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * With the system clock the hot path reads no clock: a periodic watch marks the token due. This runs in real
 * time, with a token that lives four seconds.
 */
class ProviderSystemClockTest {

  @Test
  void theDueWatchStartsTheRefreshAtTheRefreshMarginNotBefore() throws Exception {
    try (FakeWeChat wechat = new FakeWeChat().expiresIn(4);
        AccessTokenProvider provider = AccessTokenProvider.builder()
            .appId(FakeWeChat.APP_ID)
            .appSecret(FakeWeChat.SECRET)
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
      assertTrue(!changedAt.isBefore(dueAt.minusMillis(50)), "refreshed at " + changedAt + ", due at " + dueAt);
      assertEquals(2, wechat.tokenRequests());
    }
  }
}

package io.github.wechatmp.test.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.test.ManualClock;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.TokenStatus;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, item 6: instances sharing short-lived tokens share them with the default margins,
 * because an adopted token's issue time gives its real lifetime.
 */
class ShortTokensSharedTest {
  static final String APP_ID = "wx0123456789abcdef";
  static final String SECRET = "s3cr3t-0123456789abcdef0123456789";

  final ManualClock clock = new ManualClock(Instant.parse("2026-12-01T02:00:00Z"));
  final WeChatStandIn wechat =
      WeChatStandIn.builder()
          .appId(APP_ID)
          .appSecret(SECRET)
          .expiresIn(Duration.ofSeconds(60))
          .clock(clock)
          .start();
  final InMemoryTokenStore store = new InMemoryTokenStore();
  final AccessTokenProvider a = provider();
  final AccessTokenProvider b = provider();

  AccessTokenProvider provider() {
    return AccessTokenProvider.builder()
        .appId(APP_ID)
        .appSecret(SECRET)
        .apiBaseUrl(wechat.baseUrl())
        .store(store)
        .clock(clock)
        .build();
  }

  @AfterEach
  void close() {
    a.close();
    b.close();
    wechat.close();
  }

  @Test
  void aSecondInstanceAdoptsAShortTokenLateInItsLifeInsteadOfFetchingItsOwn() throws Exception {
    AccessToken first = a.get();
    assertEquals(1, wechat.tokenRequests());
    assertTrue(first.issuedAt().isPresent());
    // a leaves, its token in the store: an open a would refresh it proactively at its due time,
    // within the clock's move below, and b would adopt that one instead.
    a.close();

    clock.advance(Duration.ofSeconds(35)); // 25 s left: inside the default 30 s expiry margin
    AccessToken adopted = b.get();

    // Before issue times were stored, b had to fetch a token of its own here.
    assertEquals(first.value(), adopted.value());
    // b's token is due (past half its life): one background refresh, and a newcomer adopts it.
    awaitFresh(b);
    AccessToken second = b.get();
    assertNotEquals(first.value(), second.value());
    try (AccessTokenProvider c = provider()) {
      assertEquals(second.value(), c.get().value());
    }
    assertEquals(2, wechat.tokenRequests());
  }

  static void awaitFresh(AccessTokenProvider p) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (p.status().state() != TokenStatus.State.FRESH && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(TokenStatus.State.FRESH, p.status().state());
  }
}

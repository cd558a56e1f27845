package io.github.wechatmp.examples.snippets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.github.wechatmp.test.ManualClock;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessTokenProvider;
import java.time.Duration;

/**
 * docs/testing.md snippet: time as a seam. A {@link ManualClock} given to the stand-in and to the
 * provider drives the provider's proactive refresh. Main code so that the page quotes compiled
 * code; {@code TimeSnippetsTest} runs it.
 */
final class TimeSnippets {
  private TimeSnippets() {}

  /** Moves a manual clock to a token's refresh point and sees the refresh done. */
  static void theClockDrivesTheRefresh() {
    // snippet:start testing-time-seam
    ManualClock clock = new ManualClock();
    try (WeChatStandIn wechat = WeChatStandIn.builder().clock(clock).start();
        AccessTokenProvider tokens =
            AccessTokenProvider.builder()
                .appId("wx0123456789abcdef")
                .appSecret("the-stand-in-accepts-any-secret")
                .apiBaseUrl(wechat.baseUrl())
                .clock(clock)
                .build()) {
      String first = tokens.get().value();
      // 200 s before expiry: the proactive refresh runs, and is done when advance returns.
      clock.advance(Duration.ofSeconds(7200 - 200));
      assertEquals(2, wechat.tokenRequests());
      assertNotEquals(first, tokens.get().value());
    }
    // snippet:end
  }
}

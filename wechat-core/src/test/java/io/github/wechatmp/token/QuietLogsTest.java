package io.github.wechatmp.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.WeChatException;
import io.github.wechatmp.test.Fault;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.LogCapture;
import io.github.wechatmp.testing.MutableClock;
import io.github.wechatmp.testing.StandIns;
import io.github.wechatmp.testing.SwitchableStore;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, item 8: one line per fetch, one WARN and one INFO per store outage, counted repeats.
 */
class QuietLogsTest {
  static final String APP_ID = "wx0123456789abcdef";
  static final String SECRET = "s3cr3t-0123456789abcdef0123456789";

  static int count(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  /** Calls fail during an outage, rather than fetch without the store: the logs of failures. */
  private static final RefreshPolicy FAIL_WHILE_THE_STORE_IS_DOWN =
      RefreshPolicy.builder().storeOutageFetchInterval(Duration.ZERO).build();

  @Test
  void aStoreOutageLogsOneWarnAtItsStartAndOneInfoWithItsDurationAtItsEnd() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-01T02:00:00Z"));
    SwitchableStore store = new SwitchableStore();
    try (WeChatStandIn wechat = StandIns.start(clock);
        LogCapture logs = new LogCapture();
        AccessTokenProvider p =
            AccessTokenProvider.builder()
                .appId(APP_ID)
                .appSecret(SECRET)
                .apiBaseUrl(wechat.baseUrl())
                .store(store)
                .refreshPolicy(FAIL_WHILE_THE_STORE_IS_DOWN)
                .clock(clock)
                .build()) {
      store.failing(true);
      int failed = 0;
      for (int i = 0; i < 60; i++) { // a minute of outage by the clock
        try {
          p.get();
        } catch (WeChatException expected) {
          failed++;
        }
        clock.advance(Duration.ofSeconds(1));
      }
      store.failing(false);
      clock.advance(Duration.ofSeconds(5)); // past the store hold-off's longest 5 s
      p.get();

      String text = logs.text();
      assertEquals(60, failed);
      assertEquals(1, count(text, "WARN .*The token store fails for"), text);
      assertEquals(1, count(text, "INFO .*answers again .* after an outage of 65000 ms"), text);
      assertEquals(0, count(text, "WARN .*Refreshing .* failed"), text);
      assertEquals(1, count(text, "INFO .*Fetched a new token"), text);
      assertEquals(1, wechat.tokenRequests());
    }
  }

  /**
   * Found by the chaos soak (wechat-soak): a provider whose store came back and that adopted the
   * token another instance saved there (rather than taking the lock itself) kept its outage open,
   * so the next outage got no WARN, and the INFO at the end of that one gave the time since the
   * first.
   */
  @Test
  void anOutageThatEndsInAnAdoptionIsLoggedAsEndedSoTheNextGetsItsOwnWarnAndDuration()
      throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-01T02:00:00Z"));
    SwitchableStore store = new SwitchableStore();
    TokenKey key = TokenKey.of(APP_ID, TokenKey.ACCESS_TOKEN);
    try (WeChatStandIn wechat = StandIns.start(clock);
        LogCapture logs = new LogCapture();
        AccessTokenProvider p =
            AccessTokenProvider.builder()
                .appId(APP_ID)
                .appSecret(SECRET)
                .apiBaseUrl(wechat.baseUrl())
                .store(store)
                .refreshPolicy(FAIL_WHILE_THE_STORE_IS_DOWN)
                .clock(clock)
                .build()) {
      AccessToken first = p.get();
      store.failing(true);
      clock.advance(Duration.between(clock.instant(), first.expiresAt()).plusSeconds(1));
      assertThrows(WeChatException.class, p::get, "the first outage, no token held");

      store.failing(false);
      AccessToken other =
          AccessToken.of(
              "SAVED_BY_ANOTHER_INSTANCE_0123456789",
              clock.instant(),
              clock.instant().plusSeconds(7200));
      store.save(key, other); // another instance fetched as the store came back
      clock.advance(Duration.ofSeconds(6)); // past the store hold-off's longest 5 s
      assertEquals(other.value(), p.get().value(), "adopted");

      store.failing(true);
      clock.advance(Duration.ofSeconds(7201));
      assertThrows(WeChatException.class, p::get, "the second outage, the token expired");
      store.failing(false);
      clock.advance(Duration.ofSeconds(6));
      p.get();

      String text = logs.text();
      assertEquals(2, count(text, "WARN .*The token store fails for"), text);
      assertEquals(2, count(text, "INFO .*answers again .* after an outage of 6000 ms"), text);
      assertEquals(2, wechat.tokenRequests());
    }
  }

  @Test
  void repeatedIdenticalFailuresAreCountedNotRepeated() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-01T02:00:00Z"));
    try (WeChatStandIn wechat = StandIns.start(clock);
        LogCapture logs = new LogCapture();
        AccessTokenProvider p =
            AccessTokenProvider.builder()
                .appId(APP_ID)
                .appSecret(SECRET)
                .apiBaseUrl(wechat.baseUrl())
                .clock(clock)
                .build()) {
      wechat.failNext(Integer.MAX_VALUE, Fault.errcode(40125, "invalid appsecret"));
      for (int i = 0; i < 1200; i++) { // 20 minutes by the clock
        try {
          p.get();
        } catch (WeChatException expected) {
          // held off
        }
        clock.advance(Duration.ofSeconds(1));
      }
      wechat.clearFaults();
      clock.advance(Duration.ofMinutes(2)); // past the longest hold-off
      p.get();

      String text = logs.text();
      int attempts = wechat.tokenRequests() - 1;
      int warned = count(text, "WARN .*Refreshing .* failed");
      assertTrue(attempts >= 12, "attempts: " + attempts);
      // WARN at the 1st, 2nd, 4th, 8th... identical failure
      assertEquals(32 - Integer.numberOfLeadingZeros(attempts), warned, text);
      assertEquals(1, count(text, "INFO .*succeeded after the same failure " + attempts), text);
    }
  }
}

package io.github.wechatmp.test.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.WeChatException;
import io.github.wechatmp.test.Fault;
import io.github.wechatmp.test.ManualClock;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.TokenStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, item 1: the hold-off after an account's failures is shared through the store, so N
 * providers make the attempts of one; a host's own failures are not shared.
 */
class SharedHoldOffTest {
  static final String APP_ID = "wx0123456789abcdef";
  static final String SECRET = "s3cr3t-0123456789abcdef0123456789";

  /**
   * Runs {@code providers} providers over one store for 60 s of the manual clock, each calling
   * get() every 100 ms, against a stand-in set up by {@code fault}; returns its token requests.
   */
  static int tokenRequests(int providers, TokenStore store, Consumer<WeChatStandIn> fault) {
    ManualClock clock = new ManualClock(Instant.parse("2026-12-01T02:00:00Z"));
    try (WeChatStandIn wechat =
        WeChatStandIn.builder().appId(APP_ID).appSecret(SECRET).clock(clock).start()) {
      fault.accept(wechat);
      List<AccessTokenProvider> all = new ArrayList<>();
      for (int i = 0; i < providers; i++) {
        all.add(
            AccessTokenProvider.builder()
                .appId(APP_ID)
                .appSecret(SECRET)
                .apiBaseUrl(wechat.baseUrl())
                .store(store)
                .clock(clock)
                .build());
      }
      try {
        for (int step = 0; step < 600; step++) {
          for (AccessTokenProvider p : all) {
            try {
              p.get();
            } catch (WeChatException expected) {
              // held off, or WeChat's refusal
            }
          }
          clock.advance(Duration.ofMillis(100));
        }
      } finally {
        all.forEach(AccessTokenProvider::close);
      }
      return wechat.tokenRequests();
    }
  }

  static void wrongSecret(WeChatStandIn wechat) {
    wechat.failFor(
        Duration.ofHours(1),
        Fault.errcode(40125, "invalid appsecret").at(WeChatStandIn.TOKEN_PATH));
  }

  @Test
  void fourProvidersOverOneStoreMakeTheRequestsOfOneProvidersHoldOffSchedule() {
    int one = tokenRequests(1, new InMemoryTokenStore(), SharedHoldOffTest::wrongSecret);
    int four = tokenRequests(4, new InMemoryTokenStore(), SharedHoldOffTest::wrongSecret);

    // 1 s, 2 s, 4 s, 8 s, 16 s, 32 s: attempts at 0, 1, 3, 7, 15, 31 s within the 60 s.
    assertEquals(6, one);
    assertEquals(one, four);
  }

  @Test
  void aHostsOwnFailureOutsideTheWhitelistIsNotShared() {
    int one = tokenRequests(1, new InMemoryTokenStore(), w -> w.callerIpWhitelisted(false));
    int four = tokenRequests(4, new InMemoryTokenStore(), w -> w.callerIpWhitelisted(false));

    assertEquals(6, one);
    assertEquals(4 * one, four);
  }

  @Test
  void aStoreOfOnesOwnWithoutTheHoldOffMethodsKeepsItPerProcess() {
    InMemoryTokenStore real = new InMemoryTokenStore();
    TokenStore old = new OldStyleStore(real);

    int four = tokenRequests(4, old, SharedHoldOffTest::wrongSecret);

    assertTrue(four > 6, "without shared hold-offs each provider keeps its own: " + four);
  }

  /** A store written before the hold-off methods: the SPI's defaults. */
  static final class OldStyleStore implements TokenStore {
    final InMemoryTokenStore real;

    OldStyleStore(InMemoryTokenStore real) {
      this.real = real;
    }

    @Override
    public java.util.Optional<io.github.wechatmp.token.AccessToken> load(
        io.github.wechatmp.token.TokenKey key) {
      return real.load(key);
    }

    @Override
    public void save(
        io.github.wechatmp.token.TokenKey key, io.github.wechatmp.token.AccessToken token) {
      real.save(key, token);
    }

    @Override
    public boolean deleteIfValue(io.github.wechatmp.token.TokenKey key, String expectedValue) {
      return real.deleteIfValue(key, expectedValue);
    }

    @Override
    public java.util.Optional<RefreshLock> tryLock(
        io.github.wechatmp.token.TokenKey key, Duration lease, Duration maxWait)
        throws InterruptedException {
      return real.tryLock(key, lease, maxWait);
    }
  }
}

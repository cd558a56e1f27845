package io.github.wechatmp.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.github.wechatmp.jssdk.JsapiTicketProvider;
import io.github.wechatmp.test.Fault;
import io.github.wechatmp.test.ManualClock;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.StandIns;
import io.github.wechatmp.token.TokenStatus.State;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Time as a public seam: the {@link ManualClock} users' tests take from module {@code wechat-test},
 * given to a provider's builder, drives its proactive refresh. Moving it runs every refresh due by
 * then, on the production code path, before the move returns: no test here sleeps or polls.
 */
class ManualClockSeamTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-24T08:00:00Z"));
  private final WeChatStandIn wechat = StandIns.start(clock);
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    wechat.close();
  }

  private AccessTokenProvider provider(TokenStore store) {
    AccessTokenProvider p =
        AccessTokenProvider.builder()
            .appId(StandIns.APP_ID)
            .appSecret(StandIns.SECRET)
            .apiBaseUrl(wechat.baseUrl())
            .store(store)
            .clock(clock)
            .build();
    closeables.add(p);
    return p;
  }

  @Test
  void movingTheClockToTheDueTimeRunsTheProactiveRefreshBeforeTheMoveReturns() {
    AccessTokenProvider p = provider(new InMemoryTokenStore());
    AccessToken first = p.get();

    clock.advance(Duration.ofSeconds(7200 - 200));

    assertEquals(2, wechat.tokenRequests(), "the refresh ran within the move");
    assertEquals(StandIns.token(wechat, 2), p.get().value());
    assertNotEquals(first, p.get());
    assertEquals(State.FRESH, p.status().state());
  }

  @Test
  void aMoveShortOfTheDueTimeRunsNothing() {
    AccessTokenProvider p = provider(new InMemoryTokenStore());
    AccessToken first = p.get();
    clock.advance(Duration.ofSeconds(7200 - 200).minusMillis(1));
    assertEquals(1, wechat.tokenRequests());
    assertEquals(first, p.get());
  }

  @Test
  void theRetryAtTheEndOfAHoldOffRunsWhenTheClockReachesIt() {
    AccessTokenProvider p = provider(new InMemoryTokenStore());
    AccessToken first = p.get();
    wechat.failNext(3, Fault.errcode(-1, "system error")); // the refresh and its two retries fail
    clock.advance(Duration.ofSeconds(7200 - 200));
    assertEquals(4, wechat.tokenRequests(), "the refresh and its retries ran within the move");
    assertEquals(1, p.status().consecutiveFailures());
    assertEquals(first, p.get(), "the valid token is served during the hold-off");

    clock.advance(Duration.ofSeconds(1)); // the first hold-off is 1 s
    assertEquals(5, wechat.tokenRequests(), "the retry ran within the move");
    assertEquals(StandIns.token(wechat, 2), p.get().value());
    assertEquals(0, p.status().consecutiveFailures());
  }

  @Test
  void theJsapiTicketIsRefreshedByTheMoveToo() {
    InMemoryTokenStore store = new InMemoryTokenStore();
    AccessTokenProvider tokens = provider(store);
    JsapiTicketProvider tickets =
        JsapiTicketProvider.builder().accessTokenProvider(tokens).clock(clock).build();
    closeables.add(tickets);
    String first = tickets.get().value();
    assertEquals(1, wechat.requests("cgi-bin/ticket/getticket"));

    clock.advance(Duration.ofSeconds(7200 - 200));

    assertEquals(2, wechat.requests("cgi-bin/ticket/getticket"), "refreshed within the move");
    assertEquals(StandIns.ticket(wechat, 2), tickets.get().value());
    assertNotEquals(first, tickets.get().value());
    assertEquals(State.FRESH, tickets.status().state());
  }

  @Test
  void providersSharingAStoreFetchOnceAndAllHoldTheNewTokenWhenTheMoveReturns() {
    InMemoryTokenStore store = new InMemoryTokenStore();
    List<AccessTokenProvider> providers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      providers.add(provider(store));
      providers.get(i).get();
    }
    assertEquals(1, wechat.tokenRequests());

    clock.advance(Duration.ofSeconds(7200 - 200));

    assertEquals(2, wechat.tokenRequests(), "one fetch for all");
    for (AccessTokenProvider p : providers) {
      assertEquals(StandIns.token(wechat, 2), p.get().value());
      assertEquals(State.FRESH, p.status().state());
    }
  }

  /**
   * A token adopted from the store past its due time arms a wake-up that is due at once, and that
   * wake-up ran while the adoption was still in flight: it joined the adoption instead of starting
   * a refresh, and nothing asked again, so the token stayed due with no background refresh (until a
   * caller's {@code get()}). Repeated, because whether the wake-up overlaps the adoption is a race.
   */
  @Test
  void aTokenAdoptedPastItsDueTimeIsRefreshedInTheBackgroundWithoutAnotherCallOrMove()
      throws InterruptedException {
    for (int round = 0; round < 20; round++) {
      InMemoryTokenStore store = new InMemoryTokenStore();
      AccessTokenProvider a = provider(store);
      AccessToken first = a.get();
      a.close(); // its token stays in the store; an open a would refresh it within the move
      int before = wechat.tokenRequests();
      clock.advance(Duration.ofSeconds(7200 - 100)); // due, not stale: adopted and served

      AccessTokenProvider b = provider(store);
      assertEquals(first.value(), b.get().value(), "round " + round + ": adopted");

      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (b.status().state() != State.FRESH && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertEquals(State.FRESH, b.status().state(), "round " + round + ": refreshed unasked");
      assertEquals(before + 1, wechat.tokenRequests(), "round " + round + ": one fetch");
      b.close();
    }
  }

  /**
   * A background refresh that keeps the same token with no failure (here it timed out on the lock
   * another instance held, and served the valid token) left nothing to wake the provider again: the
   * token stayed due until a caller's {@code get()} or its stale point. It asks again after the
   * least pause (10 s) by the clock.
   */
  @Test
  void aBackgroundRefreshThatKeptTheTokenIsTriedAgainTenSecondsLater() throws Exception {
    InMemoryTokenStore store = new InMemoryTokenStore();
    AccessTokenProvider p =
        closeAfter(
            AccessTokenProvider.builder()
                .appId(StandIns.APP_ID)
                .appSecret(StandIns.SECRET)
                .apiBaseUrl(wechat.baseUrl())
                .store(store)
                .clock(clock)
                .refreshPolicy(RefreshPolicy.builder().lockWait(Duration.ofMillis(50)).build())
                .build());
    AccessToken first = p.get();
    TokenKey key = TokenKey.of(StandIns.APP_ID, TokenKey.ACCESS_TOKEN);
    TokenStore.RefreshLock other =
        store.tryLock(key, Duration.ofMinutes(5), Duration.ZERO).orElseThrow(); // another instance
    try {
      clock.advance(Duration.ofSeconds(7200 - 200)); // due: the refresh waits 50 ms, gives up
      assertEquals(1, wechat.tokenRequests());
      assertEquals(State.DUE, p.status().state());
    } finally {
      other.close();
    }
    clock.advance(Duration.ofSeconds(10));

    assertEquals(2, wechat.tokenRequests(), "tried again within the move, the lock now free");
    assertEquals(State.FRESH, p.status().state());
    assertNotEquals(first.value(), p.get().value());
  }

  private AccessTokenProvider closeAfter(AccessTokenProvider p) {
    closeables.add(p);
    return p;
  }
}

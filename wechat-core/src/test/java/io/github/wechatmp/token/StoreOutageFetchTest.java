package io.github.wechatmp.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.internal.Secrets;
import io.github.wechatmp.test.Fault;
import io.github.wechatmp.testing.LogCapture;
import io.github.wechatmp.testing.ProviderFixture;
import io.github.wechatmp.testing.StandIns;
import io.github.wechatmp.testing.SwitchableStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Issue 21, item 20: a store outage that outlasts the held token. The provider then fetches without
 * the store, at most once per {@code storeOutageFetchInterval}, serves that token, and saves it,
 * fenced, when the store answers again; a newer token found there wins.
 */
class StoreOutageFetchTest extends ProviderFixture {
  private static final TokenKey KEY = TokenKey.of(StandIns.APP_ID, TokenKey.ACCESS_TOKEN);

  private final InMemoryTokenStore inner = new InMemoryTokenStore();
  private final SwitchableStore store = new SwitchableStore(inner, false);
  private final List<String> events = new CopyOnWriteArrayList<>();

  private final TokenEventListener recorder =
      new TokenEventListener() {
        @Override
        public void onFetched(TokenKey key, AccessToken token, Duration latency) {
          events.add("fetched " + token.value());
        }

        @Override
        public void onFetchedWithoutStore(TokenKey key, AccessToken token) {
          events.add("without store " + token.value());
        }

        @Override
        public void onAdopted(TokenKey key, AccessToken token) {
          events.add("adopted " + token.value());
        }
      };

  @Override
  protected AccessTokenProvider.Builder builder() {
    return super.builder()
        .store(store)
        .eventListener(recorder)
        .refreshPolicy(RefreshPolicy.builder().retryBackoff(Duration.ofMillis(10)).build());
  }

  /** Takes the first token, then makes the store fail and moves to the token's stale point. */
  private AccessTokenProvider holdingATokenThroughAnOutageToItsStalePoint() {
    AccessTokenProvider p = build(builder());
    assertIssued(1, p.get().value());
    store.failing(true);
    clock.advance(Duration.ofSeconds(7200 - 200)); // due: the background refresh fails on the store
    assertIssued(1, p.get().value());
    clock.advance(Duration.ofSeconds(170)); // stale: within the expiry margin
    return p;
  }

  @Test
  void aStoreOutageThatOutlastsTheHeldTokenCostsOneFetchWithoutTheStoreAndNoFailedCall() {
    try (LogCapture log = new LogCapture()) {
      AccessTokenProvider p = holdingATokenThroughAnOutageToItsStalePoint();
      // Served at once, whether the hold-off after the store's failures still runs (the held
      // token then) or not (the token fetched without the store).
      String first = p.get().value();
      clock.advance(Duration.ofSeconds(5)); // any hold-off has ended: its wake-up fetched
      assertIssued(2, p.get().value(), "fetched without the store");
      assertTrue(first.equals(token(1)) || first.equals(token(2)), first);
      assertEquals(2, wechat.tokenRequests());
      assertEquals(
          List.of("fetched " + token(1), "fetched " + token(2), "without store " + token(2)),
          events);

      // Past the first token's expiry, and far beyond: the store still down, every call served.
      clock.advance(Duration.ofSeconds(60));
      for (int i = 0; i < 100; i++) {
        assertIssued(2, p.get().value());
      }
      clock.advance(Duration.ofMinutes(30));
      assertIssued(2, p.get().value());
      assertEquals(2, wechat.tokenRequests(), "one fetch without the store, not one per call");
      assertEquals(Optional.of(token(1)), inner.load(KEY).map(AccessToken::value));
      assertTrue(p.status().unsaved(), p.status().toString());
      assertTrue(p.status().toString().contains(", unsaved"), p.status().toString());

      // The store answers again: the token is saved there (the late save tries every 5 s at most).
      store.failing(false);
      clock.advance(Duration.ofSeconds(5));
      assertEquals(Optional.of(token(2)), inner.load(KEY).map(AccessToken::value));
      assertEquals(2, wechat.tokenRequests());
      assertFalse(p.status().unsaved(), "saved: " + p.status());

      String text = log.text();
      assertEquals(1, count(text, "from WeChat without the store's lock"), text);
      String warn =
          text.lines()
              .filter(l -> l.contains("without the store's lock"))
              .findFirst()
              .orElseThrow();
      assertTrue(warn.contains("WARN"), warn);
      assertTrue(warn.contains(Secrets.mask(token(2))), warn);
      assertFalse(text.contains(token(2)), "a whole token in the log");
      assertFalse(text.contains(StandIns.SECRET), "the AppSecret in the log");
      assertEquals(1, count(text, "The token store fails for"), "one WARN for the outage");
      assertEquals(1, count(text, "The token store answers again for"), "and one INFO at its end");
    }
  }

  @Test
  void aSecondFetchWithoutTheStoreWaitsForTheIntervalAndCallsFailNamingTheStoreMeanwhile() {
    AccessTokenProvider p = holdingATokenThroughAnOutageToItsStalePoint();
    clock.advance(Duration.ofSeconds(5));
    assertIssued(2, p.get().value());

    // WeChat rejects it (another instance's fetch voided it): within the interval, no new fetch.
    p.invalidate(token(2));
    TokenUnavailableException e = assertThrows(TokenUnavailableException.class, p::get);
    assertTrue(e.getMessage().contains(SwitchableStore.FAILURE_MESSAGE), e.getMessage());
    clock.advance(Duration.ofSeconds(50));
    assertThrows(TokenUnavailableException.class, p::get);
    assertEquals(2, wechat.tokenRequests());

    clock.advance(Duration.ofSeconds(10)); // 60 s after the first: the interval has passed
    assertIssued(3, p.get().value());
    assertEquals(3, wechat.tokenRequests());
  }

  @Test
  void theIntervalIsASetting() {
    AccessTokenProvider p =
        build(
            builder()
                .refreshPolicy(
                    RefreshPolicy.builder()
                        .storeOutageFetchInterval(Duration.ofMinutes(10))
                        .build()));
    assertIssued(1, p.get().value());
    store.failing(true);
    p.invalidate(token(1));
    assertIssued(2, p.get().value());
    clock.advance(Duration.ofSeconds(31)); // past the bound on rejections' re-fetches (30 s)
    p.invalidate(token(2));
    clock.advance(Duration.ofSeconds(9 * 60 - 31));
    assertThrows(TokenUnavailableException.class, p::get);
    clock.advance(Duration.ofMinutes(1));
    assertIssued(3, p.get().value());
    assertEquals(3, wechat.tokenRequests());
  }

  @Test
  void aNewcomerWithNoTokenFetchesWithoutTheStoreToo() {
    store.failing(true);
    AccessTokenProvider p = build(builder());
    assertIssued(1, p.get().value());
    assertEquals(List.of("fetched " + token(1), "without store " + token(1)), events);
  }

  @Test
  void aFailedFetchWithoutTheStoreFollowsTheOrdinaryHoldOffAndSpendsNoInterval() {
    store.failing(true);
    AccessTokenProvider p = build(builder());
    answerNext(Fault.errcode(40164, "invalid ip"));
    assertThrows(io.github.wechatmp.WeChatApiException.class, p::get);
    assertThrows(io.github.wechatmp.WeChatApiException.class, p::get, "held off: no new attempt");
    assertEquals(1, wechat.tokenRequests());
    clock.advance(Duration.ofSeconds(1)); // the hold-off after one failure, not the interval
    assertIssued(1, p.get().value());
    assertEquals(2, wechat.tokenRequests());
  }

  @Test
  void aNewerTokenFoundInTheStoreWhenItAnswersAgainWinsAndIsAdopted() {
    AccessTokenProvider p = holdingATokenThroughAnOutageToItsStalePoint();
    clock.advance(Duration.ofSeconds(5));
    AccessToken mine = p.get();
    assertIssued(2, mine.value());
    // Meanwhile another instance, whose store came back first, fetched and saved a newer one.
    clock.advance(Duration.ofSeconds(1));
    AccessToken newer =
        AccessToken.of(
            "NEWER_TOKEN_FROM_ANOTHER_INSTANCE_0123",
            clock.instant(),
            clock.instant().plusSeconds(7200));
    inner.save(KEY, newer);
    store.failing(false);
    clock.advance(Duration.ofSeconds(5));
    assertEquals(Optional.of(newer), inner.load(KEY), "never overwritten by the older one");
    assertEquals(newer.value(), p.get().value());
    assertTrue(events.contains("adopted " + newer.value()), events.toString());
  }

  @Test
  void anOlderTokenFoundInTheStoreWhenItAnswersAgainIsReplacedByTheNewerOneFetched() {
    AccessTokenProvider p = holdingATokenThroughAnOutageToItsStalePoint();
    AccessToken older =
        AccessToken.of(
            "OLDER_TOKEN_FROM_ANOTHER_INSTANCE_0123",
            clock.instant(),
            clock.instant().plusSeconds(7200));
    clock.advance(Duration.ofSeconds(5));
    AccessToken mine = p.get();
    assertIssued(2, mine.value());
    inner.save(KEY, older); // saved by an instance that fetched before us, while we could not see
    store.failing(false);
    clock.advance(Duration.ofSeconds(5));
    assertEquals(Optional.of(mine.value()), inner.load(KEY).map(AccessToken::value));
    assertSame(mine, p.get());
  }

  @Test
  void aStableTokenHandedBackUnchangedSpendsNoIntervalAndItsSuccessorIsFetchedAtItsExpiry() {
    AccessTokenProvider p = build(builder().stableToken(true));
    String t1 = p.get().value();
    store.failing(true);
    clock.advance(Duration.ofSeconds(7200 - 200));
    clock.advance(Duration.ofSeconds(175)); // stale; any hold-off has ended by now
    // The stable endpoint hands back the same token while it is valid: served, nothing voided.
    assertEquals(t1, p.get().value());
    int requests = wechat.tokenRequests();
    assertTrue(requests >= 2, "asked WeChat without the store: " + requests);
    for (int i = 0; i < 24; i++) {
      clock.advance(Duration.ofSeconds(1));
      assertEquals(t1, p.get().value(), "the held stable token, until it expires");
    }
    assertEquals(requests, wechat.tokenRequests(), "not asked again before the token's expiry");
    clock.advance(Duration.ofSeconds(1)); // t1 expired: WeChat now has a new stable token
    String t2 = p.get().value();
    assertNotEquals(t1, t2);
    assertEquals(requests + 1, wechat.tokenRequests());
  }

  @Test
  void aReadOnlyProviderNeverFetchesAndStillNamesTheStoreAndRecoversWithinSeconds() {
    AccessTokenProvider writer = build(builder());
    AccessToken t1 = writer.get();
    writer.close(); // the writer's own refreshes are not what this test watches
    AccessTokenProvider reader =
        build(
            AccessTokenProvider.builder()
                .appId(StandIns.APP_ID)
                .readOnly(true)
                .store(store)
                .clock(clock));
    assertEquals(t1, reader.get());
    store.failing(true);
    clock.advance(Duration.ofSeconds(7201));
    TokenUnavailableException e = assertThrows(TokenUnavailableException.class, reader::get);
    assertTrue(e.getMessage().contains(SwitchableStore.FAILURE_MESSAGE), e.getMessage());
    store.failing(false);
    inner.save(
        KEY,
        AccessToken.of(
            "SAVED_BY_THE_WRITER_0123456789", clock.instant(), clock.instant().plusSeconds(7200)));
    clock.advance(Duration.ofSeconds(5)); // the hold-off after a store failure: 5 s at most
    assertEquals("SAVED_BY_THE_WRITER_0123456789", reader.get().value());
  }

  private static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}

package io.github.wechatmp.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.WeChatTransportException;
import io.github.wechatmp.test.Fault;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.ProviderFixture;
import io.github.wechatmp.testing.StandIns;
import io.github.wechatmp.testing.SwitchableStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Races and corner cases a review found: forced refreshes, close, spurious notifications, odd
 * stores.
 */
class ProviderEdgeCaseTest extends ProviderFixture {

  private AccessTokenProvider build(TokenStore store) {
    return build(
        builder()
            .refreshPolicy(
                RefreshPolicy.builder()
                    .retryBackoff(Duration.ofMillis(10))
                    .lockWait(Duration.ofMillis(300))
                    .build())
            .store(store));
  }

  @Test
  void refreshNeverHandsBackTheOldTokenWhenItCannotGetANewOne() throws Exception {
    SwitchableStore store = new SwitchableStore();
    AccessTokenProvider p = build(store);
    AccessToken t1 = p.get();

    // During a hold-off after a failed refresh. The token comes due as the clock moves, and the
    // provider refreshes it then, proactively: so each failure is in place before the clock moves.
    answerNext(Fault.errcode(40164, "invalid ip"));
    clock.advance(Duration.ofSeconds(7200 - 200));
    assertThrows(WeChatApiException.class, p::refresh);
    assertSame(t1, p.get(), "get() still serves the valid token");
    assertThrows(
        WeChatApiException.class, p::refresh, "held off: the last error, not the old token");

    // With the store down.
    store.failing(true);
    clock.advance(Duration.ofSeconds(5));
    assertThrows(TokenUnavailableException.class, p::refresh);

    // With the lock held elsewhere.
    TokenKey key = TokenKey.of(StandIns.APP_ID, TokenKey.ACCESS_TOKEN);
    store.failing(false);
    TokenStore.RefreshLock other =
        store.tryLock(key, Duration.ofMinutes(5), Duration.ZERO).orElseThrow();
    clock.advance(Duration.ofSeconds(5));
    assertThrows(TokenUnavailableException.class, p::refresh);
    other.close();
    assertEquals(2, wechat.tokenRequests());
  }

  @Test
  void aRefreshInFlightWhenClosedDoesNotBringTheProviderBack() throws Exception {
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    InMemoryTokenStore inner = new InMemoryTokenStore();
    TokenKey key = TokenKey.of(StandIns.APP_ID, TokenKey.ACCESS_TOKEN);
    inner.save(key, AccessToken.of("STORED_TOKEN_0123456789", clock.instant().plusSeconds(7200)));
    TokenStore slow =
        new DelegatingStore(inner) {
          @Override
          public Optional<AccessToken> load(TokenKey k) {
            loading.countDown();
            try {
              release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread()
                  .interrupt(); // close() interrupts the refresh thread: carry on regardless
            }
            return super.load(k);
          }
        };
    AccessTokenProvider p = build(slow);
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try {
      Future<?> pending = caller.submit(p::get);
      assertTrue(loading.await(10, TimeUnit.SECONDS));
      p.close();
      release.countDown();
      assertThrows(Exception.class, () -> pending.get(10, TimeUnit.SECONDS));
      Thread.sleep(200); // let the refresh thread finish its adopt, if it would
      assertThrows(IllegalStateException.class, p::get);
    } finally {
      caller.shutdownNow();
    }
  }

  @Test
  void aSpuriousNotificationDoesNotDropATokenTheStoreNeverHad() {
    AtomicReference<Runnable> notify = new AtomicReference<>();
    TokenStore store =
        new DelegatingStore(new InMemoryTokenStore()) {
          @Override
          public void save(TokenKey key, AccessToken token) {
            throw new TokenStoreException("read-only store for this test", null);
          }

          @Override
          public Subscription subscribe(TokenKey key, Runnable onChange) {
            notify.set(onChange);
            return () -> {};
          }
        };
    AccessTokenProvider p = build(store);
    AccessToken t1 = p.get();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (notify.get() == null && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    notify.get().run(); // e.g. another app's entry changed in a shared file
    notify.get().run();
    for (int i = 0; i < 100; i++) {
      assertSame(t1, p.get());
    }
    assertEquals(1, wechat.tokenRequests());
  }

  @Test
  void duringAHoldOffAProviderStillAdoptsWhatAnotherInstanceStored() {
    SwitchableStore store =
        new SwitchableStore(); // no notifications: only a look at the store helps
    AccessTokenProvider blocked = build(store);
    answerNext(Fault.errcode(40164, "invalid ip")); // this host is not whitelisted
    assertThrows(WeChatApiException.class, blocked::get);

    AccessToken other = build(store).get(); // a whitelisted host fetches and stores a token
    assertEquals(2, wechat.tokenRequests());
    clock.advance(
        Duration.ofMillis(500)); // within the 1 s hold-off, but the store may be looked at
    assertEquals(other, blocked.get());
    assertEquals(2, wechat.tokenRequests(), "adopted, not fetched");
  }

  @Test
  void aStoreThatThrowsSomethingElseIsTreatedAsAStoreFailure() {
    TokenStore broken =
        new DelegatingStore(new InMemoryTokenStore()) {
          @Override
          public Optional<AccessToken> load(TokenKey key) {
            throw new IllegalStateException("connection pool exhausted");
          }
        };
    AccessTokenProvider p =
        build(
            builder()
                .store(broken)
                .refreshPolicy(
                    RefreshPolicy.builder()
                        .retryBackoff(Duration.ofMillis(10))
                        .storeOutageFetchInterval(Duration.ZERO) // to see the store's failure
                        .build()));
    TokenUnavailableException e = assertThrows(TokenUnavailableException.class, p::get);
    // The caller's exception, caused by the refresh's, caused by the store's.
    assertTrue(
        e.getCause().getCause() instanceof TokenStoreException, String.valueOf(e.getCause()));
    assertTrue(e.getMessage().contains("IllegalStateException"), e.getMessage());
    assertEquals(0, wechat.tokenRequests(), "never fetch without a working store");

    // By default a store failure of any kind is an outage: the token is fetched without it.
    assertIssued(1, build(broken).get().value());
  }

  @Test
  void anErrorWithANullMessageIsStillWeChatsError() {
    answerNext(Fault.json("{\"errcode\":40164,\"errmsg\":null}"));
    AccessTokenProvider p = build(new InMemoryTokenStore());
    WeChatApiException e = assertThrows(WeChatApiException.class, p::get);
    assertEquals(40164, e.errorCode());
    assertEquals(1, wechat.tokenRequests(), "a configuration error is not retried");
  }

  @Test
  void redirectsAreNotFollowed() throws Exception {
    try (WeChatStandIn elsewhere = WeChatStandIn.start()) {
      for (int i = 0; i < 3; i++) {
        answerNext(Fault.redirect(307, elsewhere.baseUrl() + "steal"));
      }
      AccessTokenProvider p =
          AccessTokenProvider.builder()
              .appId(StandIns.APP_ID)
              .appSecret(StandIns.SECRET)
              .apiBaseUrl(wechat.baseUrl())
              .stableToken(true)
              .refreshPolicy(RefreshPolicy.builder().retryBackoff(Duration.ofMillis(10)).build())
              .clock(clock)
              .httpClient(
                  new okhttp3.OkHttpClient()) // follows redirects by default: the SDK turns it off
              .build();
      closeAfterTest(p);
      WeChatTransportException e = assertThrows(WeChatTransportException.class, p::get);
      assertEquals(307, e.httpStatus());
      assertEquals(
          List.of(), elsewhere.received(), "the secret in the body must not travel elsewhere");
    }
  }

  @Test
  void plainHttpIsOnlyForLoopback() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> AccessTokenProvider.builder().apiBaseUrl("http://api.weixin.qq.com/"));
    assertTrue(e.getMessage().contains("https"), e.getMessage());
    AccessTokenProvider.builder().apiBaseUrl("https://api.weixin.qq.com");
    AccessTokenProvider.builder().apiBaseUrl("http://127.0.0.1:8080/");
    AccessTokenProvider.builder().apiBaseUrl("http://localhost:8080");
    assertFalse(e.getMessage().contains(StandIns.SECRET));
  }

  /** Forwards everything to another store. */
  private static class DelegatingStore implements TokenStore {
    private final TokenStore delegate;

    DelegatingStore(TokenStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public Optional<AccessToken> load(TokenKey key) {
      return delegate.load(key);
    }

    @Override
    public void save(TokenKey key, AccessToken token) {
      delegate.save(key, token);
    }

    @Override
    public boolean deleteIfValue(TokenKey key, String expectedValue) {
      return delegate.deleteIfValue(key, expectedValue);
    }

    @Override
    public Optional<RefreshLock> tryLock(TokenKey key, Duration lease, Duration maxWait)
        throws InterruptedException {
      return delegate.tryLock(key, lease, maxWait);
    }

    @Override
    public Subscription subscribe(TokenKey key, Runnable onChange) {
      return delegate.subscribe(key, onChange);
    }
  }
}

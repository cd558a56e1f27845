package io.github.wechatmp.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.testing.Await;
import io.github.wechatmp.testing.ProviderFixture;
import io.github.wechatmp.testing.StandIns;
import io.github.wechatmp.testing.SwitchableStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Several providers over one store: one fetch between them, and compare-and-invalidate. */
class ProviderSharingTest extends ProviderFixture {
  private static final int PROVIDERS = 4;
  private static final int THREADS_EACH = 16;

  private AccessTokenProvider provider(TokenStore store) {
    return build(builder().store(store));
  }

  /** 64 threads over 4 providers ask at once; returns the distinct tokens they got. */
  private Set<String> herd(List<AccessTokenProvider> providers) throws Exception {
    int threads = providers.size() * THREADS_EACH;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CyclicBarrier barrier = new CyclicBarrier(threads);
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        AccessTokenProvider p = providers.get(i % providers.size());
        results.add(
            pool.submit(
                () -> {
                  barrier.await(10, TimeUnit.SECONDS);
                  return p.get().value();
                }));
      }
      Set<String> tokens = new HashSet<>();
      for (Future<String> f : results) {
        tokens.add(f.get(30, TimeUnit.SECONDS));
      }
      return tokens;
    } finally {
      pool.shutdownNow();
    }
  }

  @RepeatedTest(3)
  void coldHerdMakesOneRequest() throws Exception {
    InMemoryTokenStore store = new InMemoryTokenStore();
    List<AccessTokenProvider> providers = new ArrayList<>();
    for (int i = 0; i < PROVIDERS; i++) {
      providers.add(provider(store));
    }
    delay(100);
    Set<String> tokens = herd(providers);
    assertEquals(Set.of(token(1)), tokens);
    assertEquals(1, wechat.tokenRequests());
  }

  @RepeatedTest(3)
  void staleHerdMakesOneRequest() throws Exception {
    // Without change notifications every provider must find the new token through the store's lock.
    SwitchableStore store = new SwitchableStore();
    List<AccessTokenProvider> providers = new ArrayList<>();
    for (int i = 0; i < PROVIDERS; i++) {
      providers.add(provider(store));
    }
    for (AccessTokenProvider p : providers) {
      assertIssued(1, p.get().value());
    }
    assertEquals(1, wechat.tokenRequests(), "the others adopted the first provider's token");

    clock.advance(Duration.ofSeconds(7200 - 29)); // past the expiry margin: nobody may serve it
    delay(100);
    Set<String> tokens = herd(providers);
    assertEquals(Set.of(token(2)), tokens);
    assertEquals(2, wechat.tokenRequests());
    for (AccessTokenProvider p : providers) {
      assertIssued(2, p.get().value());
    }
  }

  @Test
  void dueHerdMakesOneRequestAndNobodyWaits() throws Exception {
    SwitchableStore store = new SwitchableStore();
    List<AccessTokenProvider> providers = new ArrayList<>();
    for (int i = 0; i < PROVIDERS; i++) {
      providers.add(provider(store));
      providers.get(i).get();
    }
    delay(3_000); // the refresh takes 3 s: any caller that waited on it would be seen
    CompletableFuture<Void> moved = advanceInBackground(Duration.ofSeconds(7200 - 200));
    Await.until(() -> wechat.tokenRequests() == 2, Duration.ofSeconds(10), "the refresh began");
    long t0 = System.nanoTime();
    Set<String> tokens = herd(providers);
    long tookMillis = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertEquals(Set.of(token(1)), tokens, "the due token is served while refreshing");
    assertTrue(
        tookMillis < 2_000,
        "64 callers were served in " + tookMillis + " ms, without waiting for WeChat");
    Await.until(
        () -> providers.stream().allMatch(p -> p.get().value().equals(token(2))),
        Duration.ofSeconds(20),
        "every provider has the new token");
    assertEquals(2, wechat.tokenRequests());
    moved.get(10, java.util.concurrent.TimeUnit.SECONDS);
  }

  @Test
  void compareAndInvalidateKeepsANewerToken() {
    SwitchableStore store = new SwitchableStore(); // no notifications: B keeps its old copy
    AccessTokenProvider a = provider(store);
    AccessTokenProvider b = provider(store);
    String t1 = a.get().value();
    assertEquals(t1, b.get().value());

    a.invalidate(t1);
    String t2 = a.get().value();
    assertNotEquals(t1, t2);
    assertEquals(2, wechat.tokenRequests(), "the next get() after invalidate fetches once");

    assertEquals(t1, b.get().value(), "B has not heard yet");
    b.invalidate(t1); // B's report is about the old token: it must not wipe t2
    TokenKey key = TokenKey.of(StandIns.APP_ID, TokenKey.ACCESS_TOKEN);
    assertEquals(t2, store.load(key).orElseThrow().value());
    assertEquals(t2, b.get().value(), "B adopts the newer token from the store");
    assertEquals(t2, a.get().value());
    assertEquals(2, wechat.tokenRequests());
  }

  @Test
  void invalidatingAnUnknownOrBlankTokenChangesNothing() {
    AccessTokenProvider a = provider(new InMemoryTokenStore());
    String t1 = a.get().value();
    a.invalidate("someOtherTokenValue");
    a.invalidate("");
    a.invalidate(null);
    assertEquals(t1, a.get().value());
    assertEquals(1, wechat.tokenRequests());
  }

  @Test
  void aRejectedTokenIsNotAdoptedAgainEvenIfTheStoreKeptIt() {
    SwitchableStore store = new SwitchableStore();
    AccessTokenProvider a = provider(store);
    String t1 = a.get().value();
    store.failing(true);
    a.invalidate(t1); // the store cannot delete it
    store.failing(false);
    String t2 = a.get().value();
    assertNotEquals(t1, t2);
    assertEquals(2, wechat.tokenRequests());
  }

  @Test
  void invalidationReachesOtherProvidersThroughStoreNotifications() {
    InMemoryTokenStore store = new InMemoryTokenStore(); // notifies subscribers
    AccessTokenProvider a = provider(store);
    AccessTokenProvider b = provider(store);
    String t1 = a.get().value();
    assertEquals(t1, b.get().value());
    a.invalidate(t1);
    Await.until(
        () -> !b.get().value().equals(t1),
        Duration.ofSeconds(10),
        "B stops serving the rejected token");
    String t2 = b.get().value();
    assertEquals(t2, a.get().value());
    assertEquals(2, wechat.tokenRequests());
  }

  @Test
  void aNewTokenSavedByOneProviderReachesTheOthersBeforeTheirsComesDue() {
    InMemoryTokenStore store = new InMemoryTokenStore();
    AccessTokenProvider a = provider(store);
    AccessTokenProvider b = provider(store);
    a.get();
    b.get();
    String t2 = a.refresh().value();
    Await.until(
        () -> b.get().value().equals(t2), Duration.ofSeconds(10), "B adopts A's refreshed token");
    assertEquals(2, wechat.tokenRequests());
  }

  @Test
  void differentAppsShareOneStoreWithoutMixingTokens() {
    InMemoryTokenStore store = new InMemoryTokenStore();
    AccessTokenProvider a = provider(store);
    AccessTokenProvider other =
        AccessTokenProvider.builder()
            .appId("wxAnotherApp0000001")
            .appSecret("another-secret")
            .apiBaseUrl(wechat.baseUrl())
            .clock(clock)
            .store(store)
            .build();
    closeAfterTest(other);
    assertNotEquals(a.get().value(), other.get().value());
    assertEquals(2, wechat.tokenRequests());
    assertEquals("wxAnotherApp0000001", wechat.received().get(1).queryParameter("appid"));
    assertFalse(store.load(TokenKey.of("wxAnotherApp0000001", TokenKey.ACCESS_TOKEN)).isEmpty());
    assertTrue(
        store.load(TokenKey.of("wxAnotherApp0000001", TokenKey.STABLE_ACCESS_TOKEN)).isEmpty());
  }
}

package io.github.wechatmp.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.test.Fault;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.Await;
import io.github.wechatmp.testing.MutableClock;
import io.github.wechatmp.testing.StandIns;
import io.github.wechatmp.token.TokenStatus.State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Many accounts in one JVM share a few SDK threads, and one hung account holds up no other. */
@Tag("slow") // a thousand providers, and real WeChat round trips
class ProviderScaleTest {
  private final MutableClock clock = new MutableClock();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  private <T extends AutoCloseable> T closeAfterTest(T c) {
    closeables.add(c);
    return c;
  }

  private static String appId(int i) {
    return String.format("wx%016x", i);
  }

  private AccessTokenProvider provider(int i, WeChatStandIn wechat, TokenStore store) {
    return closeAfterTest(
        AccessTokenProvider.builder()
            .appId(appId(i))
            .appSecret(StandIns.SECRET)
            .apiBaseUrl(wechat.baseUrl())
            .store(store)
            .refreshPolicy(
                RefreshPolicy.builder().lockLease(Duration.ofSeconds(5)).maxRetries(0).build())
            .clock(clock)
            .build());
  }

  private static int sdkThreads() {
    ThreadGroup root = Thread.currentThread().getThreadGroup();
    while (root.getParent() != null) {
      root = root.getParent();
    }
    Thread[] all = new Thread[root.activeCount() * 2 + 16];
    int live = root.enumerate(all, true);
    int n = 0;
    for (int i = 0; i < live; i++) {
      String name = all[i].getName();
      // The stand-in's server threads are named wechat-stand-in-N; they are not the SDK's.
      if (name.startsWith("wechat-") && !name.startsWith("wechat-stand-in-")) {
        n++;
      }
    }
    return n;
  }

  @Test
  void aThousandAccountsOverOneStoreAreAllRefreshedOnAtMostEightSdkThreads() throws Exception {
    WeChatStandIn wechat = closeAfterTest(StandIns.start(clock));
    InMemoryTokenStore store = new InMemoryTokenStore();
    int accounts = 1_000;
    List<AccessTokenProvider> providers = new ArrayList<>();
    for (int i = 0; i < accounts; i++) { // seeded, as another instance would have left them
      store.save(
          TokenKey.of(appId(i), TokenKey.ACCESS_TOKEN),
          AccessToken.of(
              String.format("SEEDED-%08d-0123456789abcdef", i), clock.instant().plusSeconds(7200)));
    }
    for (int i = 0; i < accounts; i++) {
      AccessTokenProvider p = provider(i, wechat, store);
      p.get();
      providers.add(p);
    }
    assertEquals(0, wechat.tokenRequests(), "every first get() adopted the seeded token");

    AtomicInteger most = new AtomicInteger();
    AtomicBoolean sampling = new AtomicBoolean(true);
    Thread sampler =
        new Thread(
            () -> {
              while (sampling.get()) {
                most.accumulateAndGet(sdkThreads(), Math::max);
                try {
                  Thread.sleep(1);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "test-thread-sampler");
    sampler.start();
    try {
      clock.advance(Duration.ofSeconds(7200 - 200)); // every token comes due at once
      Await.until(
          () -> wechat.tokenRequests() == accounts,
          Duration.ofSeconds(120),
          "every account refreshed");
      Await.until(
          () -> providers.stream().allMatch(p -> p.status().state() == State.FRESH),
          Duration.ofSeconds(30),
          "every account holds its new token");
    } finally {
      sampling.set(false);
      sampler.join();
    }
    assertTrue(most.get() >= 1, "the refreshes ran on SDK threads");
    assertTrue(most.get() <= 8, most.get() + " SDK threads at once");
    for (int i = 0; i < accounts; i++) {
      assertEquals(
          store.load(TokenKey.of(appId(i), TokenKey.ACCESS_TOKEN)).orElseThrow(),
          providers.get(i).get());
    }
  }

  @Test
  void aHungFetchForOneAccountDelaysNoOtherAccountsRefresh() throws Exception {
    WeChatStandIn wechat = closeAfterTest(StandIns.start(clock));
    WeChatStandIn hung = closeAfterTest(StandIns.start(clock));
    InMemoryTokenStore store = new InMemoryTokenStore();
    AccessTokenProvider stuck = provider(10_000, hung, store);
    AccessToken stuckToken = stuck.get();
    List<AccessTokenProvider> others = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      AccessTokenProvider p = provider(i, wechat, store);
      p.get();
      others.add(p);
    }
    // Longer than the lease: its refresh is cut short after 4 s.
    hung.failNext(Integer.MAX_VALUE, Fault.slow(Duration.ofMillis(8_000)));

    // The hung account's wake-up runs first; the move returns when every refresh it started ended.
    CompletableFuture<Void> moved =
        CompletableFuture.runAsync(() -> clock.advance(Duration.ofSeconds(7200 - 200)));
    Await.until(() -> hung.tokenRequests() == 2, Duration.ofSeconds(10), "the hung fetch began");
    Await.until(
        () -> wechat.tokenRequests() == 200,
        Duration.ofSeconds(60),
        "the other accounts' refreshes");
    Await.until(
        () -> others.stream().allMatch(p -> p.status().state() == State.FRESH),
        Duration.ofSeconds(30),
        "the other accounts hold new tokens");
    // The others are done while the hung account still waits on WeChat with its old token.
    assertEquals(State.DUE, stuck.status().state());
    assertEquals(stuckToken, stuck.get());
    assertEquals(0, stuck.status().consecutiveFailures(), "its refresh has not ended yet");
    moved.get(30, TimeUnit.SECONDS);
  }
}

package io.github.wechatmp.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.github.wechatmp.test.Fault;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.RefreshPolicy;
import io.github.wechatmp.token.TokenKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Providers of one JVM sharing a token file through separate store instances. */
class ProviderOverFileStoreTest {
  private static final TokenKey KEY = TokenKey.of(TestApp.APP_ID, TokenKey.ACCESS_TOKEN);

  @TempDir Path dir;
  private WeChatStandIn wechat;
  private final List<AccessTokenProvider> providers = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    providers.forEach(AccessTokenProvider::close);
    if (wechat != null) {
      wechat.close();
    }
  }

  private AccessTokenProvider provider(FileTokenStore store) {
    AccessTokenProvider p =
        AccessTokenProvider.builder()
            .appId(TestApp.APP_ID)
            .appSecret(TestApp.SECRET)
            .apiBaseUrl(wechat.baseUrl())
            .store(store)
            .refreshPolicy(RefreshPolicy.builder().lockWait(Duration.ofSeconds(20)).build())
            .build();
    providers.add(p);
    return p;
  }

  private FileTokenStore store() {
    return FileTokenStore.builder(dir.resolve("tokens.json"))
        .changePollInterval(Duration.ofMillis(50))
        .build();
  }

  @Test
  void providersOfOneJvmOverSeparateStoresMakeOneRequest() throws Exception {
    wechat =
        TestApp.standIn()
            .failNext(
                Integer.MAX_VALUE, Fault.slow(Duration.ofMillis(200)).at(WeChatStandIn.TOKEN_PATH));
    List<AccessTokenProvider> ps = List.of(provider(store()), provider(store()), provider(store()));
    ExecutorService pool = Executors.newFixedThreadPool(24);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        AccessTokenProvider p = ps.get(i % ps.size());
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  return p.get().value();
                }));
      }
      go.countDown();
      Set<String> values = new HashSet<>();
      for (Future<String> f : results) {
        values.add(f.get(30, TimeUnit.SECONDS));
      }
      assertEquals(Set.of(TestApp.token(wechat, 1)), values);
      assertEquals(1, wechat.tokenRequests());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theHotPathDoesNotTouchTheFile() throws Exception {
    wechat = TestApp.standIn();
    // No change polling: it would (rightly) drop the token once it saw the file ruined.
    AccessTokenProvider p =
        provider(
            FileTokenStore.builder(dir.resolve("tokens.json"))
                .changePollInterval(Duration.ZERO)
                .build());
    AccessToken first = p.get();
    Files.writeString(dir.resolve("tokens.json"), "garbage that would read as no token");
    for (int i = 0; i < 1000; i++) {
      assertSame(first, p.get());
    }
    assertEquals(1, wechat.tokenRequests());
  }

  @Test
  void aTokenInvalidatedByOneProviderIsDroppedByTheOtherThroughTheFile() throws Exception {
    wechat = TestApp.standIn();
    AccessTokenProvider one = provider(store());
    AccessTokenProvider two = provider(store());
    AccessToken first = one.get();
    assertEquals(first, two.get());
    assertEquals(1, wechat.tokenRequests());

    two.invalidate(first.value());
    assertEquals(java.util.Optional.empty(), store().load(KEY));
    // One learns of it from its subscription (polling every 50 ms); until then it serves its copy.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    AccessToken next = one.get();
    while (next.equals(first) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      next = one.get();
    }
    assertEquals(TestApp.token(wechat, 2), next.value());
    assertEquals(next, two.get(), "adopted from the file");
    assertEquals(2, wechat.tokenRequests());
  }
}

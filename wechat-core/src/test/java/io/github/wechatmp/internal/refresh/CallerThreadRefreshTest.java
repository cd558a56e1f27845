package io.github.wechatmp.internal.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.TokenKey;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A {@code get()} that would only wait for its cache's refresh runs it on its own thread when none
 * of the cache's work is running: two thread hand-offs saved per first {@code get()} (100,000
 * authorizers after a fleet restart).
 */
class CallerThreadRefreshTest {
  private static final TokenKey KEY = TokenKey.of("wx0000000000000001", TokenKey.ACCESS_TOKEN);

  @Test
  void theFirstGetFetchesOnTheCallersOwnThread() {
    AtomicReference<Thread> fetchedOn = new AtomicReference<>();
    try (RefreshingCache cache =
        RefreshingCache.builder()
            .key(KEY)
            .fetcher(
                (force, timeout) -> {
                  fetchedOn.set(Thread.currentThread());
                  return AccessToken.of("TOKEN-1", Instant.now().plusSeconds(7200));
                })
            .store(new InMemoryTokenStore())
            .build()) {
      assertEquals("TOKEN-1", cache.get().value());
      assertSame(Thread.currentThread(), fetchedOn.get());
    }
  }

  @Test
  void theFirstGetAdoptsFromTheStoreOnTheCallersOwnThreadAndStillHearsOfLaterChanges() {
    InMemoryTokenStore store = new InMemoryTokenStore();
    store.save(KEY, AccessToken.of("STORED-1", Instant.now().plusSeconds(7200)));
    try (RefreshingCache cache =
        RefreshingCache.builder()
            .key(KEY)
            .fetcher(
                (force, timeout) -> {
                  throw new AssertionError("adopted, never fetched");
                })
            .store(store)
            .build()) {
      assertEquals("STORED-1", cache.get().value());

      // The subscription to the store ran before the adoption, on the same thread: a token
      // another instance saves now reaches this cache.
      store.save(KEY, AccessToken.of("STORED-2", Instant.now().plusSeconds(7200)));
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!cache.get().value().equals("STORED-2") && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertTrue(cache.get().value().equals("STORED-2"), "the change was heard");
    }
  }
}

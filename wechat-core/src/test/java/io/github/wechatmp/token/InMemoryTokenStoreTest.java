package io.github.wechatmp.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InMemoryTokenStoreTest {
  private static final TokenKey A = TokenKey.of("wxA", TokenKey.ACCESS_TOKEN);
  private static final TokenKey B = TokenKey.of("wxB", TokenKey.ACCESS_TOKEN);
  private final InMemoryTokenStore store = new InMemoryTokenStore();

  @Test
  void roundTripAndKeyedEntries() {
    AccessToken a = AccessToken.of("tokenA", Instant.parse("2026-11-24T10:00:00.123Z"));
    AccessToken b = AccessToken.of("tokenB", Instant.parse("2026-11-24T11:00:00Z"));
    assertTrue(store.load(A).isEmpty());
    store.save(A, a);
    store.save(B, b);
    assertEquals(a, store.load(A).orElseThrow());
    assertEquals(b, store.load(B).orElseThrow());
    assertTrue(store.load(TokenKey.of("wxA", TokenKey.STABLE_ACCESS_TOKEN)).isEmpty());
  }

  @Test
  void compareAndDeleteOnlyRemovesTheExpectedValue() {
    store.save(A, AccessToken.of("new", Instant.now()));
    assertFalse(store.deleteIfValue(A, "old"));
    assertEquals("new", store.load(A).orElseThrow().value());
    assertTrue(store.deleteIfValue(A, "new"));
    assertTrue(store.load(A).isEmpty());
    assertFalse(store.deleteIfValue(A, "new"));
  }

  @Test
  void lockExcludesOthersUntilClosed() throws Exception {
    TokenStore.RefreshLock held =
        store.tryLock(A, Duration.ofMinutes(1), Duration.ZERO).orElseThrow();
    assertTrue(store.tryLock(A, Duration.ofMinutes(1), Duration.ofMillis(50)).isEmpty());
    assertTrue(
        store.tryLock(B, Duration.ofMinutes(1), Duration.ZERO).isPresent(),
        "keys lock independently");
    held.close();
    held.close(); // idempotent
    assertTrue(store.tryLock(A, Duration.ofMinutes(1), Duration.ZERO).isPresent());
  }

  @Test
  void aWaiterGetsTheLockWhenItIsReleasedFromAnotherThread() throws Exception {
    TokenStore.RefreshLock held =
        store.tryLock(A, Duration.ofMinutes(1), Duration.ZERO).orElseThrow();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Optional<TokenStore.RefreshLock>> waiter =
          pool.submit(() -> store.tryLock(A, Duration.ofMinutes(1), Duration.ofSeconds(10)));
      Thread.sleep(50);
      held.close();
      assertTrue(waiter.get(10, TimeUnit.SECONDS).isPresent());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void anExpiredLeaseIsTakenOverAndTheOldHolderCannotReleaseTheNewOne() throws Exception {
    TokenStore.RefreshLock crashed =
        store.tryLock(A, Duration.ofMillis(100), Duration.ZERO).orElseThrow();
    long t0 = System.nanoTime();
    TokenStore.RefreshLock next =
        store.tryLock(A, Duration.ofMinutes(1), Duration.ofSeconds(5)).orElseThrow();
    assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) >= 50, "waited for the lease");
    crashed.close(); // a late release by the old holder must not free the new holder's lock
    assertTrue(store.tryLock(A, Duration.ofMinutes(1), Duration.ZERO).isEmpty());
    next.close();
  }

  @Test
  void manyThreadsNeverHoldTheLockTogether() throws Exception {
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger acquired = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      CountDownLatch start = new CountDownLatch(1);
      for (int t = 0; t < 16; t++) {
        pool.submit(
            () -> {
              start.await();
              for (int i = 0; i < 50; i++) {
                Optional<TokenStore.RefreshLock> lock =
                    store.tryLock(A, Duration.ofMinutes(1), Duration.ofSeconds(30));
                if (lock.isPresent()) {
                  acquired.incrementAndGet();
                  if (inside.incrementAndGet() > 1) {
                    overlaps.incrementAndGet();
                  }
                  inside.decrementAndGet();
                  lock.get().close();
                }
              }
              return null;
            });
      }
      start.countDown();
      pool.shutdown();
      assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
    } finally {
      pool.shutdownNow();
    }
    assertEquals(0, overlaps.get());
    assertEquals(16 * 50, acquired.get());
  }

  @Test
  void subscribersHearSavesAndDeletesUntilTheyUnsubscribe() {
    AtomicInteger heard = new AtomicInteger();
    TokenStore.Subscription sub = store.subscribe(A, heard::incrementAndGet);
    store.save(A, AccessToken.of("x", Instant.now()));
    store.save(B, AccessToken.of("y", Instant.now()));
    assertEquals(1, heard.get(), "only changes of the subscribed key");
    assertFalse(store.deleteIfValue(A, "other"));
    assertEquals(1, heard.get(), "a delete that changed nothing is not a change");
    assertTrue(store.deleteIfValue(A, "x"));
    assertEquals(2, heard.get());
    sub.close();
    store.save(A, AccessToken.of("z", Instant.now()));
    assertEquals(2, heard.get());
  }

  @Test
  void badArgumentsAreRejectedClearly() {
    assertThrows(NullPointerException.class, () -> store.load(null));
    assertThrows(NullPointerException.class, () -> store.save(A, null));
    assertThrows(NullPointerException.class, () -> store.deleteIfValue(A, null));
    assertThrows(
        IllegalArgumentException.class, () -> store.tryLock(A, Duration.ZERO, Duration.ZERO));
    assertThrows(
        IllegalArgumentException.class,
        () -> store.tryLock(A, Duration.ofSeconds(1), Duration.ofSeconds(-1)));
  }
}

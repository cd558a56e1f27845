package io.github.wechatmp.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.wechatmp.testing.LogCapture;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore.RefreshLock;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The refresh lock between threads and stores of one JVM; {@link MultiProcessTest} covers
 * processes.
 */
class RefreshLockTest {
  private static final TokenKey A = TokenKey.of("wxaaaa", TokenKey.ACCESS_TOKEN);
  private static final TokenKey B = TokenKey.of("wxbbbb", TokenKey.ACCESS_TOKEN);
  private static final Duration LEASE = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void twoStoresOnOnePathExcludeEachOtherPerKey() throws Exception {
    FileTokenStore one = new FileTokenStore(dir.resolve("tokens.json"));
    FileTokenStore two =
        new FileTokenStore(dir.resolve("./tokens.json")); // another spelling, same file

    RefreshLock held = one.tryLock(A, LEASE, Duration.ZERO).orElseThrow();
    assertEquals(Optional.empty(), two.tryLock(A, LEASE, Duration.ZERO));
    assertEquals(Optional.empty(), one.tryLock(A, LEASE, Duration.ZERO), "not reentrant");
    long start = System.nanoTime();
    assertEquals(Optional.empty(), two.tryLock(A, LEASE, Duration.ofMillis(200)));
    assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(200), "waited maxWait");
    try (RefreshLock other = two.tryLock(B, LEASE, Duration.ZERO).orElseThrow()) {
      // another key is another lock
    }
    held.close();
    two.tryLock(A, LEASE, Duration.ZERO).orElseThrow().close();
  }

  @Test
  void aPathReachedThroughALinkSharesTheLock() throws Exception {
    Path real = Files.createDirectory(dir.resolve("real"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), real);
    FileTokenStore direct = new FileTokenStore(real.resolve("tokens.json"));
    FileTokenStore viaLink = new FileTokenStore(link.resolve("tokens.json"));
    assertEquals(direct.path(), viaLink.path());
    try (RefreshLock held = direct.tryLock(A, LEASE, Duration.ZERO).orElseThrow()) {
      assertEquals(Optional.empty(), viaLink.tryLock(A, LEASE, Duration.ZERO));
    }
  }

  @Test
  void aWaiterGetsTheLockAsSoonAsItIsClosedFromAnyThread() throws Exception {
    FileTokenStore store = new FileTokenStore(dir.resolve("tokens.json"));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      RefreshLock held =
          pool.submit(() -> store.tryLock(A, LEASE, Duration.ZERO).orElseThrow())
              .get(10, TimeUnit.SECONDS);
      Future<Optional<RefreshLock>> waiter =
          pool.submit(() -> store.tryLock(A, LEASE, Duration.ofSeconds(30)));
      held.close(); // on the test thread, not the one that took it
      held.close(); // idempotent
      RefreshLock next = waiter.get(10, TimeUnit.SECONDS).orElseThrow();
      // Really released, OS lock included: the JVM would refuse an overlapping one otherwise.
      next.close();
      store.tryLock(A, LEASE, Duration.ZERO).orElseThrow().close();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aLapsedLeaseFreesTheLockAndTheLateCloseLeavesTheNewOwnerAlone() throws Exception {
    FileTokenStore store = new FileTokenStore(dir.resolve("tokens.json"));
    try (LogCapture log = new LogCapture()) {
      RefreshLock stale = store.tryLock(A, Duration.ofMillis(300), Duration.ZERO).orElseThrow();
      long start = System.nanoTime();
      RefreshLock fresh = store.tryLock(A, LEASE, Duration.ofSeconds(20)).orElseThrow();
      long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(
          waited >= 290 && waited < 10_000, "taken when the lease lapsed, after " + waited + " ms");
      stale.close();
      assertEquals(
          Optional.empty(),
          store.tryLock(A, LEASE, Duration.ZERO),
          "the late close released nothing");
      fresh.close();
      assertTrue(
          log.text()
              .contains(
                  "The refresh lock of wxaaaa:access_token in "
                      + store.path()
                      + " was held longer than its lease of 300 ms"),
          log.text());
    }
  }

  @Test
  void aLapsedLeaseFreesTheLockWithNoOneWaiting() throws Exception {
    FileTokenStore store = new FileTokenStore(dir.resolve("tokens.json"));
    RefreshLock stale = store.tryLock(A, Duration.ofMillis(100), Duration.ZERO).orElseThrow();
    // The daemon thread releases it, so the OS lock is free for other processes too. Observed here
    // through the JVM's own table of OS locks, which refuses an overlapping one while it is held.
    SharedFile shared = SharedFile.of(store.path());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    FileLock os = shared.tryFileLock(SharedFile.refreshLockPosition(A));
    while (os == null && System.nanoTime() < deadline) {
      Thread.sleep(20);
      os = shared.tryFileLock(SharedFile.refreshLockPosition(A));
    }
    assertNotNull(os, "the OS lock was released when the lease lapsed");
    shared.release(os);
    stale.close();
  }

  @Test
  void manyThreadsOfManyStoresHoldItOneAtATime() throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger maxInside = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    try {
      Future<?>[] done = new Future<?>[threads];
      for (int t = 0; t < threads; t++) {
        FileTokenStore store = new FileTokenStore(dir.resolve("tokens.json"));
        done[t] =
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < 25; i++) {
                    try (RefreshLock lock =
                        store.tryLock(A, LEASE, Duration.ofSeconds(30)).orElseThrow()) {
                      maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                      Thread.yield();
                      inside.decrementAndGet();
                    }
                  }
                  return null;
                });
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, maxInside.get());
  }

  @Test
  void aWaiterCanBeInterrupted() throws Exception {
    FileTokenStore store = new FileTokenStore(dir.resolve("tokens.json"));
    try (RefreshLock held = store.tryLock(A, LEASE, Duration.ZERO).orElseThrow()) {
      CountDownLatch started = new CountDownLatch(1);
      CompletableFuture<Throwable> outcome = new CompletableFuture<>();
      Thread waiter =
          new Thread(
              () -> {
                started.countDown();
                try {
                  store.tryLock(A, LEASE, Duration.ofSeconds(60));
                  outcome.complete(null);
                } catch (Throwable t) {
                  outcome.complete(t);
                }
              });
      waiter.start();
      assertTrue(started.await(10, TimeUnit.SECONDS));
      waiter.interrupt();
      assertTrue(outcome.get(10, TimeUnit.SECONDS) instanceof InterruptedException);
    }
    // The store still works after an interrupt (no channel was closed by it).
    store.tryLock(A, LEASE, Duration.ZERO).orElseThrow().close();
    Thread.currentThread().interrupt();
    try {
      store.save(
          A,
          io.github.wechatmp.token.AccessToken.of(
              "T", java.time.Instant.parse("2030-01-01T00:00:00Z")));
      assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
    } finally {
      Thread.interrupted();
    }
    assertEquals("T", store.load(A).orElseThrow().value());
    assertThrows(
        IllegalArgumentException.class,
        () -> store.tryLock(A, Duration.ofNanos(-1), Duration.ZERO));
  }

  @Test
  void theLockFileIsOpenOnlyWhileALockIsHeld() throws Exception {
    Path fds = Path.of("/proc/self/fd");
    assumeTrue(Files.isDirectory(fds), "needs /proc");
    FileTokenStore store = new FileTokenStore(dir.resolve("tokens.json"));
    Path lockFile = store.path().resolveSibling("tokens.json.lock");
    RefreshLock a = store.tryLock(A, LEASE, Duration.ZERO).orElseThrow();
    RefreshLock b = store.tryLock(B, LEASE, Duration.ZERO).orElseThrow();
    assertEquals(1, openDescriptors(fds, lockFile), "one descriptor for all locks");
    a.close();
    store.save(
        A,
        io.github.wechatmp.token.AccessToken.of(
            "T", java.time.Instant.parse("2030-01-01T00:00:00Z")));
    assertEquals(1, openDescriptors(fds, lockFile), "kept while B is held");
    assertEquals(
        Optional.empty(),
        new FileTokenStore(dir.resolve("tokens.json")).tryLock(B, LEASE, Duration.ZERO),
        "B still held after the write's lock came and went");
    b.close();
    assertEquals(0, openDescriptors(fds, lockFile));
    store.tryLock(A, LEASE, Duration.ZERO).orElseThrow().close();
    assertEquals(0, openDescriptors(fds, lockFile));
  }

  private static long openDescriptors(Path fds, Path target) throws Exception {
    long n = 0;
    try (var links = Files.list(fds)) {
      for (Path link : (Iterable<Path>) links::iterator) {
        try {
          if (Files.readSymbolicLink(link).equals(target)) {
            n++;
          }
        } catch (java.io.IOException e) {
          // closed meanwhile
        }
      }
    }
    return n;
  }
}

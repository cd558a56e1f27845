package io.github.wechatmp.store.file;

import io.github.wechatmp.WeChatException;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.RefreshPolicy;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore.RefreshLock;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * What the multi-process tests run in child JVMs. Speaks line by line on stdin and stdout; exits if
 * its parent closes stdin (the parent died) or after two minutes, so no child outlives a test run.
 */
public final class ChildMain {
  /**
   * Expiry of the crash loop's n-th token: BASE plus n ms, so value and expiry can be checked to
   * match.
   */
  static final Instant CRASH_BASE = Instant.parse("2030-01-01T00:00:00Z");

  private static final BlockingQueue<String> commands = new LinkedBlockingQueue<>();

  public static void main(String[] args) throws Exception {
    Thread stdin =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  commands.add(line);
                }
              } catch (Exception e) {
                // treated as EOF
              }
              Runtime.getRuntime().halt(3);
            },
            "stdin");
    stdin.setDaemon(true);
    stdin.start();
    Thread watchdog =
        new Thread(
            () -> {
              try {
                Thread.sleep(120_000);
              } catch (InterruptedException e) {
                return;
              }
              Runtime.getRuntime().halt(4);
            },
            "watchdog");
    watchdog.setDaemon(true);
    watchdog.start();

    switch (args[0]) {
      case "herd":
        herd(Path.of(args[1]), args[2], Integer.parseInt(args[3]));
        break;
      case "write-loop":
        writeLoop(Path.of(args[1]), args[2]);
        break;
      case "write-count":
        writeCount(Path.of(args[1]), args[2], Integer.parseInt(args[3]));
        break;
      case "hold-lock":
        holdLock(Path.of(args[1]), args[2], Long.parseLong(args[3]));
        break;
      case "poll":
        poll(Path.of(args[1]), args[2], Long.parseLong(args[3]));
        break;
      default:
        throw new IllegalArgumentException(args[0]);
    }
    System.out.flush();
    Runtime.getRuntime().halt(0);
  }

  static String crashToken(long n) {
    return "CRASH_" + n + "_" + "y".repeat(100);
  }

  private static void println(String line) {
    System.out.println(line);
    System.out.flush();
  }

  private static void awaitCommand(String expected) throws InterruptedException {
    String line = commands.poll(60, TimeUnit.SECONDS);
    if (!expected.equals(line)) {
      throw new IllegalStateException("expected " + expected + ", got " + line);
    }
  }

  /** Many threads of one provider ask at once when told GO; prints the one token they all got. */
  private static void herd(Path file, String baseUrl, int threads) throws Exception {
    FileTokenStore store = new FileTokenStore(file);
    try (AccessTokenProvider provider =
        AccessTokenProvider.builder()
            .appId(TestApp.APP_ID)
            .appSecret(TestApp.SECRET)
            .apiBaseUrl(baseUrl)
            .store(store)
            .refreshPolicy(
                RefreshPolicy.builder()
                    .lockLease(Duration.ofSeconds(20))
                    .lockWait(Duration.ofSeconds(30))
                    .build())
            .build()) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch ready = new CountDownLatch(threads);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(
            pool.submit(
                () -> {
                  ready.countDown();
                  go.await();
                  return provider.get().value();
                }));
      }
      if (!ready.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("threads did not start");
      }
      println("READY");
      awaitCommand("GO");
      go.countDown();
      Set<String> values = new HashSet<>();
      for (Future<String> f : results) {
        values.add(f.get(60, TimeUnit.SECONDS));
      }
      pool.shutdownNow();
      println(
          values.size() == 1 ? "TOKEN " + values.iterator().next() : "MISMATCH " + values.size());
    }
  }

  /**
   * Saves numbered tokens as fast as it can, until killed. Each save is recorded on stderr, which
   * is a file: what a process wrote to a pipe just before it was killed may never reach the reader.
   */
  private static void writeLoop(Path file, String appId) {
    FileTokenStore store = new FileTokenStore(file);
    TokenKey key = TokenKey.of(appId, TokenKey.ACCESS_TOKEN);
    long n =
        store
            .load(key)
            .map(t -> t.expiresAt().toEpochMilli() - CRASH_BASE.toEpochMilli())
            .orElse(0L);
    while (true) {
      n++;
      store.save(key, AccessToken.of(crashToken(n), CRASH_BASE.plusMillis(n)));
      System.err.println("SAVED " + n);
      System.err.flush();
      if (n % 10 == 1) {
        println("SAVING");
      }
    }
  }

  /** Saves n numbered tokens under its own app's key, then says DONE. */
  private static void writeCount(Path file, String appId, int count) throws InterruptedException {
    FileTokenStore store = new FileTokenStore(file);
    TokenKey key = TokenKey.of(appId, TokenKey.ACCESS_TOKEN);
    println("READY");
    awaitCommand("GO");
    for (int n = 1; n <= count; n++) {
      store.save(key, AccessToken.of(crashToken(n), CRASH_BASE.plusMillis(n)));
    }
    println("DONE " + count);
  }

  /**
   * One node of a fleet: from GO, calls get() on its provider every 100 ms for {@code millis}, then
   * prints {@code DONE <calls> <failed calls> <the provider's consecutive failures>}.
   */
  private static void poll(Path file, String baseUrl, long millis) throws Exception {
    try (AccessTokenProvider provider =
        AccessTokenProvider.builder()
            .appId(TestApp.APP_ID)
            .appSecret(TestApp.SECRET)
            .apiBaseUrl(baseUrl)
            .store(new FileTokenStore(file))
            .build()) {
      println("READY");
      awaitCommand("GO");
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
      int calls = 0;
      int failed = 0;
      while (System.nanoTime() - end < 0) {
        calls++;
        try {
          provider.get();
        } catch (WeChatException e) {
          failed++; // WeChat's refusal, or held off
        }
        Thread.sleep(100);
      }
      println("DONE " + calls + " " + failed + " " + provider.status().consecutiveFailures());
    }
  }

  /** Takes the refresh lock and never closes it: killed, or hung until its lease lapses. */
  private static void holdLock(Path file, String appId, long leaseMillis)
      throws InterruptedException {
    FileTokenStore store = new FileTokenStore(file);
    Optional<RefreshLock> lock =
        store.tryLock(
            TokenKey.of(appId, TokenKey.ACCESS_TOKEN),
            Duration.ofMillis(leaseMillis),
            Duration.ofSeconds(10));
    println(lock.isPresent() ? "LOCKED " + System.currentTimeMillis() : "NOT_LOCKED");
    awaitCommand("EXIT");
  }
}

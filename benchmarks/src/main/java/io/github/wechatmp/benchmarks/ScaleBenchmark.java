package io.github.wechatmp.benchmarks;

import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.TokenKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Many accounts in one JVM: builds {@code N} providers (10,000 by default) over one {@link
 * InMemoryTokenStore} seeded with a token for each, calls {@code get()} once on each, and prints
 * the threads the SDK owns, the heap per account, the CPU the JVM burns while idle for 10 s, the
 * time to build them all with their first {@code get()}, and the hot path across all accounts.
 *
 * <p>Not a JMH benchmark (the quantities are whole-JVM ones); run it in a JVM of its own: {@code
 * java -cp benchmarks/target/benchmarks.jar io.github.wechatmp.benchmarks.ScaleBenchmark [N]}.
 */
public final class ScaleBenchmark {
  private ScaleBenchmark() {}

  /**
   * Runs the benchmark.
   *
   * @param args optionally the number of accounts
   * @throws Exception if interrupted
   */
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;

    // Warm up the code paths with a small set first, so that the start figure is not class loading.
    runRound(200).forEach(AccessTokenProvider::close);
    Thread.sleep(1000);

    int threadsBefore = JvmFigures.liveThreads();
    long heapBefore = JvmFigures.usedHeapAfterGc();

    InMemoryTokenStore store = new InMemoryTokenStore();
    String[] appIds = new String[n];
    Instant expiresAt = Instant.now().plusSeconds(7200);
    for (int i = 0; i < n; i++) {
      appIds[i] = String.format("wx%016x", i);
      store.save(
          TokenKey.of(appIds[i], TokenKey.ACCESS_TOKEN),
          AccessToken.of(
              String.format("TOKEN-%08d-0123456789abcdefghijklmnopqrstuvwxyz", i), expiresAt));
    }
    long heapSeeded = JvmFigures.usedHeapAfterGc();

    long started = System.nanoTime();
    List<AccessTokenProvider> providers = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      AccessTokenProvider p =
          AccessTokenProvider.builder()
              .appId(appIds[i])
              .appSecret("benchmark-secret-0123456789")
              .apiBaseUrl("http://127.0.0.1:9/") // never called: every token is in the store
              .store(store)
              .build();
      p.get();
      providers.add(p);
    }
    long startNanos = System.nanoTime() - started;

    JvmFigures.Settled settled = JvmFigures.settle();

    // The hot path across all accounts: get() on every provider in turn, many passes.
    AccessTokenProvider[] all = providers.toArray(new AccessTokenProvider[0]);
    long sink = 0;
    double[] nsPerGet = new double[7];
    for (int round = 0; round < 10 + nsPerGet.length; round++) {
      long t0 = System.nanoTime();
      for (int pass = 0; pass < 100; pass++) {
        for (AccessTokenProvider p : all) {
          sink += p.get().expiresAt().getNano();
        }
      }
      long elapsed = System.nanoTime() - t0;
      if (round >= 10) {
        nsPerGet[round - 10] = (double) elapsed / (100.0 * n);
      }
    }
    Arrays.sort(nsPerGet);

    System.out.printf("accounts                          %d%n", n);
    System.out.printf(
        "live threads before / after       %d / %d (named wechat-*: %d)%n",
        threadsBefore, settled.liveThreads(), settled.sdkThreads());
    System.out.printf(
        "heap per account (providers)      %.0f bytes (store entries: %.0f bytes each)%n",
        (settled.usedHeap() - heapSeeded) / (double) n, (heapSeeded - heapBefore) / (double) n);
    System.out.printf(
        "idle CPU over 10 s                %.2f %% of one core%n", settled.idleCpuPercent());
    System.out.printf(
        "build + first get(), all          %.0f ms (%.1f us each)%n",
        startNanos / 1e6, startNanos / 1e3 / n);
    System.out.printf(
        "hot path across all accounts      %.1f ns per get() (median of %d rounds)%n",
        nsPerGet[nsPerGet.length / 2], nsPerGet.length);
    if (sink == 42) {
      System.out.println();
    }
    providers.forEach(AccessTokenProvider::close);
    System.exit(0);
  }

  private static List<AccessTokenProvider> runRound(int n) {
    InMemoryTokenStore store = new InMemoryTokenStore();
    List<AccessTokenProvider> list = new ArrayList<>();
    Instant expiresAt = Instant.now().plusSeconds(7200);
    for (int i = 0; i < n; i++) {
      String appId = String.format("wx%016x", 0xF0000000L + i);
      store.save(
          TokenKey.of(appId, TokenKey.ACCESS_TOKEN),
          AccessToken.of(
              String.format("WARM-%08d-0123456789abcdefghijklmnopqrstuvwxyz", i), expiresAt));
      AccessTokenProvider p =
          AccessTokenProvider.builder()
              .appId(appId)
              .appSecret("benchmark-secret-0123456789")
              .apiBaseUrl("http://127.0.0.1:9/")
              .store(store)
              .build();
      p.get();
      list.add(p);
    }
    return list;
  }
}

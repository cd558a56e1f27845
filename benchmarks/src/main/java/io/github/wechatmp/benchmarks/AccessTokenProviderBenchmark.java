package io.github.wechatmp.benchmarks;

import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.TokenKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hot path of {@link AccessTokenProvider#get()} and {@link AccessTokenProvider#getAsync()}: a
 * fresh token held in memory; and {@link AccessTokenProvider#status()}. The store is seeded with a
 * token so the provider adopts it without any HTTP; the API base URL points nowhere, so a benchmark
 * that left the hot path would fail loudly instead of measuring the network.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class AccessTokenProviderBenchmark {
  static final String APP_ID = "wx0123456789abcdef";

  private AccessTokenProvider provider;

  @Setup
  public void setUp() {
    InMemoryTokenStore store = new InMemoryTokenStore();
    store.save(
        TokenKey.of(APP_ID, TokenKey.ACCESS_TOKEN),
        AccessToken.of(
            "BENCHMARK_TOKEN_" + "x".repeat(120), Instant.now().plus(2, ChronoUnit.HOURS)));
    provider =
        AccessTokenProvider.builder()
            .appId(APP_ID)
            .appSecret("benchmark-secret")
            .apiBaseUrl("http://127.0.0.1:9/")
            .store(store)
            .build();
    provider.get(); // adopt the seeded token
  }

  @TearDown
  public void tearDown() {
    provider.close();
  }

  @Benchmark
  @Threads(1)
  public AccessToken get() {
    return provider.get();
  }

  @Benchmark
  @Threads(2)
  public AccessToken getTwoThreads() {
    return provider.get();
  }

  /** {@code getAsync()} on the hot path: the completed future kept with the token. */
  @Benchmark
  @Threads(1)
  public java.util.concurrent.CompletableFuture<AccessToken> getAsync() {
    return provider.getAsync();
  }

  /** {@code status()}: what a health check or a metrics gauge pays. */
  @Benchmark
  @Threads(1)
  public io.github.wechatmp.token.TokenStatus status() {
    return provider.status();
  }

  /** The floor under any expiry check: reading the wall clock once. */
  @Benchmark
  @Threads(1)
  public long clockMillis() {
    return CLOCK.millis();
  }

  private static final java.time.Clock CLOCK = java.time.Clock.systemUTC();
}

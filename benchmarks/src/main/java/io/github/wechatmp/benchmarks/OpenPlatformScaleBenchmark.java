package io.github.wechatmp.benchmarks;

import com.sun.net.httpserver.HttpServer;
import io.github.wechatmp.callback.CallbackResponse;
import io.github.wechatmp.open.Authorization;
import io.github.wechatmp.open.AuthorizationEventEndpoint;
import io.github.wechatmp.open.InMemoryAuthorizationStore;
import io.github.wechatmp.open.OpenPlatform;
import io.github.wechatmp.test.ManualClock;
import io.github.wechatmp.test.StandInPlatform;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStatus.State;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A third-party platform's authorizers at scale (issue 24), in two parts.
 *
 * <p>A fleet restart: {@code N} authorizers (100,000 by default) whose valid tokens are in the
 * token store; one {@link OpenPlatform} built over it calls {@code authorizer(appId).get()} on
 * each. Prints the threads the SDK owns, the heap per authorizer beyond what the two stores hold,
 * the CPU the JVM burns idle over 10 s, the time to build them all with their first {@code get()},
 * and the fetches made (none: every token is adopted).
 *
 * <p>All due together: {@code M} authorizers (10,000 by default) whose tokens were all issued in
 * the same second, on a {@link ManualClock} against the {@link WeChatStandIn}; the clock is moved a
 * second at a time through the refresh window, and the {@code api_authorizer_token} calls of each
 * second are counted: their maximum, the seconds that saw any, and whether every token was
 * refreshed before going stale.
 *
 * <p>Not a JMH benchmark (whole-JVM figures); run it in a JVM of its own: {@code java -cp
 * benchmarks/target/benchmarks.jar io.github.wechatmp.benchmarks.OpenPlatformScaleBenchmark [N [M
 * [rate]]]}.
 */
public final class OpenPlatformScaleBenchmark {
  private static final String COMPONENT_APP_ID = "wxcomponent000001";
  private static final String SECRET = "component-secret-0123456789abcdef";
  private static final String TOKEN = "platformtoken";
  private static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  private static final String AUTHORIZER_TOKEN = "cgi-bin/component/api_authorizer_token";

  /** Authorizers built, fetched once and dropped first, so that the JIT has compiled the paths. */
  private static final int WARM_UP = Integer.getInteger("warmUp", 200);

  private OpenPlatformScaleBenchmark() {}

  /**
   * Runs the benchmark.
   *
   * @param args optionally the authorizers of the restart, of the due-together part, and the rate
   * @throws Exception if interrupted
   */
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int m = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    int rate = args.length > 2 ? Integer.parseInt(args[2]) : 50;
    restart(WARM_UP, false); // warm up the code paths, so that the figures are not class loading
    Thread.sleep(1000);
    restart(n, true);
    if (m > 0) {
      dueTogether(m, rate);
    }
    System.exit(0);
  }

  private static String appId(int i) {
    return String.format("wx%016x", i);
  }

  private static OpenPlatform.Builder platform(
      InMemoryTokenStore store, InMemoryAuthorizationStore authorizations) {
    return OpenPlatform.builder()
        .componentAppId(COMPONENT_APP_ID)
        .componentAppSecret(SECRET)
        .token(TOKEN)
        .encodingAesKey(AES_KEY)
        .store(store)
        .authorizations(authorizations);
  }

  private static void restart(int n, boolean print) throws Exception {
    int threadsBefore = JvmFigures.liveThreads();
    long heapBefore = JvmFigures.usedHeapAfterGc();

    InMemoryTokenStore store = new InMemoryTokenStore();
    InMemoryAuthorizationStore authorizations = new InMemoryAuthorizationStore();
    String[] appIds = new String[n];
    Instant issuedAt = Instant.now().minusSeconds(60);
    Instant expiresAt = issuedAt.plusSeconds(7200);
    for (int i = 0; i < n; i++) {
      appIds[i] = appId(i);
      store.save(
          TokenKey.of(appIds[i], OpenPlatform.AUTHORIZER_ACCESS_TOKEN),
          AccessToken.of(
              String.format("TOKEN-%08d-0123456789abcdefghijklmnopqrstuvwxyz", i),
              issuedAt,
              expiresAt));
      authorizations.save(
          Authorization.authorized(
              appIds[i],
              String.format("refreshtoken@@@%08d-0123456789abcdefghijklmnopqrstuvwxyz", i),
              List.of(1),
              issuedAt));
    }
    long heapSeeded = JvmFigures.usedHeapAfterGc();

    long started = System.nanoTime();
    long cpuStarted = JvmFigures.processCpuNanos();
    // Never called: every token is in the store, so a fetch would fail and show.
    OpenPlatform platform =
        platform(store, authorizations).apiBaseUrl("http://127.0.0.1:9/").build();
    List<AccessTokenProvider> providers = new ArrayList<>(n);
    for (String id : appIds) {
      providers.add(platform.authorizer(id));
    }
    long builtNanos = System.nanoTime() - started;
    for (AccessTokenProvider p : providers) {
      p.get();
    }
    long startNanos = System.nanoTime() - started;
    long startCpu = JvmFigures.processCpuNanos() - cpuStarted;
    if (!print) {
      platform.close();
      return;
    }

    JvmFigures.Settled settled = JvmFigures.settle();
    long fresh = providers.stream().filter(p -> p.status().state() == State.FRESH).count();

    System.out.printf(
        "fleet restart: authorizers        %d (%d holding a fresh token)%n", n, fresh);
    System.out.printf(
        "live threads before / after       %d / %d (named wechat-*: %d)%n",
        threadsBefore, settled.liveThreads(), settled.sdkThreads());
    System.out.printf(
        "heap per authorizer (providers)   %.0f bytes (the two stores' entries: %.0f bytes each)%n",
        (settled.usedHeap() - heapSeeded) / (double) n, (heapSeeded - heapBefore) / (double) n);
    System.out.printf(
        "idle CPU over 10 s                %.2f %% of one core%n", settled.idleCpuPercent());
    System.out.printf(
        "build + first get(), all          %.0f ms (%.1f us each; building alone %.0f ms)%n",
        startNanos / 1e6, startNanos / 1e3 / n, builtNanos / 1e6);
    System.out.printf(
        "  CPU of the JVM meanwhile         %.0f ms (every thread; wall time stretches with load)%n",
        startCpu / 1e6);
    platform.close();
  }

  private static void dueTogether(int m, int rate) throws Exception {
    ManualClock clock = new ManualClock(Instant.parse("2026-12-06T00:00:00Z"));
    try (WeChatStandIn standIn = WeChatStandIn.builder().clock(clock).start()) {
      StandInPlatform wechat = standIn.openPlatform().credentials(COMPONENT_APP_ID, SECRET);
      InMemoryTokenStore store = new InMemoryTokenStore();
      InMemoryAuthorizationStore authorizations = new InMemoryAuthorizationStore();
      Instant issuedAt = clock.instant();
      for (int i = 0; i < m; i++) {
        String id = appId(i);
        authorizations.save(
            Authorization.authorized(id, wechat.authorized(id, List.of(1)), List.of(1), issuedAt));
        // All issued in the same second, as after a fleet's first start.
        store.save(
            TokenKey.of(id, OpenPlatform.AUTHORIZER_ACCESS_TOKEN),
            AccessToken.of("TOKEN-" + id, issuedAt, issuedAt.plusSeconds(7200)));
      }
      OpenPlatform platform =
          platform(store, authorizations)
              .apiBaseUrl(standIn.baseUrl())
              .clock(clock)
              .authorizerRefreshRate(rate)
              .build();
      HttpServer events = serveEvents(platform);
      wechat.pushTo(
          "http://127.0.0.1:" + events.getAddress().getPort() + "/events", TOKEN, AES_KEY);
      wechat.pushTicket(); // the component token is fetched with it at the first refresh
      List<AccessTokenProvider> providers = new ArrayList<>(m);
      for (int i = 0; i < m; i++) {
        AccessTokenProvider p = platform.authorizer(appId(i));
        p.get();
        providers.add(p);
      }
      clock.advance(Duration.ofSeconds(3599)); // no window opens before half the tokens' life
      int before = standIn.requests(AUTHORIZER_TOKEN);
      int quietBefore = before;
      int max = 0;
      int busy = 0;
      long started = System.nanoTime();
      for (int s = 3600; s < 7170; s++) { // 7,170 s: the tokens' stale point
        clock.advance(Duration.ofSeconds(1));
        int now = standIn.requests(AUTHORIZER_TOKEN);
        max = Math.max(max, now - before);
        busy += now > before ? 1 : 0;
        before = now;
      }
      long stale = providers.stream().filter(p -> p.status().state() != State.FRESH).count();
      System.out.printf(
          "all due together: authorizers    %d, rate %d a second, %d fetches before the window%n",
          m, rate, quietBefore);
      System.out.printf(
          "api_authorizer_token a second     max %d, %d seconds with any, %d fetches in all%n",
          max, busy, before - quietBefore);
      System.out.printf(
          "refreshed before stale            %d of %d (%.0f s of moves)%n",
          m - stale, m, (System.nanoTime() - started) / 1e9);
      platform.close();
      events.stop(0);
    }
  }

  /** The platform's authorization-event URL on the JDK's server, for the stand-in's pushes. */
  private static HttpServer serveEvents(OpenPlatform platform) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    AuthorizationEventEndpoint endpoint = platform.callback();
    server.createContext(
        "/events",
        exchange -> {
          try (exchange;
              InputStream in = exchange.getRequestBody()) {
            Map<String, String> query = new HashMap<>();
            String raw = exchange.getRequestURI().getRawQuery();
            for (String pair : raw == null ? new String[0] : raw.split("&")) {
              int eq = pair.indexOf('=');
              query.put(
                  URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                  URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
            CallbackResponse r =
                endpoint.handle(
                    exchange.getRequestMethod(),
                    query,
                    new String(in.readAllBytes(), StandardCharsets.UTF_8));
            byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(r.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(bytes);
            }
          }
        });
    server.start();
    return server;
  }
}

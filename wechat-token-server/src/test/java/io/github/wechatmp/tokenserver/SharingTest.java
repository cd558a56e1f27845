package io.github.wechatmp.tokenserver;

import static io.github.wechatmp.tokenserver.Fixture.APP_A;
import static io.github.wechatmp.tokenserver.Fixture.KEY_ALL;
import static io.github.wechatmp.tokenserver.Fixture.field;
import static io.github.wechatmp.tokenserver.Fixture.get;
import static io.github.wechatmp.tokenserver.Fixture.post;
import static io.github.wechatmp.tokenserver.Fixture.tokenPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.MutableClock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many clients, one fetch: threads, a second JVM, two server instances over one Redis. */
class SharingTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T08:00:00Z"));
  private final List<AutoCloseable> closeLater = new ArrayList<>();
  private final ExecutorService pool = Executors.newFixedThreadPool(50);

  @AfterEach
  void closeAll() throws Exception {
    pool.shutdownNow();
    for (int i = closeLater.size() - 1; i >= 0; i--) {
      closeLater.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closing(T c) {
    closeLater.add(c);
    return c;
  }

  /**
   * Runs {@code clients} callers at once (released together by a latch), each making {@code reads}
   * calls; returns every answer.
   */
  private List<HttpResponse<String>> atOnce(
      int clients, int reads, IntFunction<HttpResponse<String>> call) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<Future<List<HttpResponse<String>>>> futures = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int client = c;
      Callable<List<HttpResponse<String>>> task =
          () -> {
            go.await();
            List<HttpResponse<String>> out = new ArrayList<>();
            for (int i = 0; i < reads; i++) {
              out.add(call.apply(client));
            }
            return out;
          };
      futures.add(pool.submit(task));
    }
    go.countDown();
    List<HttpResponse<String>> all = new ArrayList<>();
    for (Future<List<HttpResponse<String>>> f : futures) {
      all.addAll(f.get(60, TimeUnit.SECONDS));
    }
    return all;
  }

  private static Set<String> tokens(List<HttpResponse<String>> answers, String field) {
    Set<String> out = ConcurrentHashMap.newKeySet();
    for (HttpResponse<String> r : answers) {
      assertEquals(200, r.statusCode(), r.body());
      out.add(field(r.body(), field));
    }
    return out;
  }

  @Test
  @Tag("slow") // a child JVM
  void fiftyClientsAndASecondJvmMakeOneFetchPerTokenLifetime(@TempDir Path dir) throws Exception {
    WeChatStandIn wechat = closing(Fixture.wechat());
    Fixture.delay(wechat, 100); // the first readers all arrive while the first fetch is under way
    TokenServer server = closing(Fixture.start(Fixture.yaml(wechat, "{type: memory}"), clock));

    Process child = startReaderJvm(dir, server, 10, 50);
    closing(child::destroyForcibly);
    BufferedReader childOut =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    assertEquals("READY", childOut.readLine());
    Writer childIn = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);
    childIn.write("go\n");
    childIn.flush();
    List<HttpResponse<String>> first = atOnce(50, 20, c -> get(server, tokenPath(APP_A), KEY_ALL));
    List<String> childLines = new ArrayList<>();
    for (String line; (line = childOut.readLine()) != null && !line.equals("DONE"); ) {
      childLines.add(line);
    }
    assertTrue(child.waitFor(30, TimeUnit.SECONDS));

    String token1 = Fixture.currentToken(wechat);
    assertEquals(Set.of(token1), tokens(first, "access_token"));
    assertEquals(List.of("TOKEN " + token1, "FAILED 0"), childLines);
    assertEquals(
        1, Fixture.tokenFetches(wechat), "1000 reads here and 500 in the other JVM, one fetch");

    // Each later lifetime: the token comes due, readers go on getting it while one refresh runs.
    for (int lifetime = 2; lifetime <= 3; lifetime++) {
      clock.advance(Duration.ofSeconds(7200 - 150)); // past dueAt (200 s before expiry)
      List<HttpResponse<String>> round =
          atOnce(50, 10, c -> get(server, tokenPath(APP_A), KEY_ALL));
      Set<String> seen = tokens(round, "access_token");
      assertTrue(seen.size() <= 2, "the old token or the new one: " + seen.size());
      int expected = lifetime;
      // Until the refresh is served, not only issued: the stand-in records a token as it issues
      // it, and its answer (delayed 100 ms here) reaches the server after that.
      io.github.wechatmp.testing.Await.until(
          () ->
              Fixture.tokenFetches(wechat) >= expected
                  && tokens(List.of(get(server, tokenPath(APP_A), KEY_ALL)), "access_token")
                      .equals(Set.of(Fixture.currentToken(wechat))),
          Duration.ofSeconds(20),
          "the background refresh");
      List<HttpResponse<String>> after = atOnce(50, 4, c -> get(server, tokenPath(APP_A), KEY_ALL));
      assertEquals(Set.of(Fixture.currentToken(wechat)), tokens(after, "access_token"));
      assertEquals(lifetime, Fixture.tokenFetches(wechat), "one fetch per token lifetime");
    }
  }

  private static Process startReaderJvm(Path dir, TokenServer server, int threads, int reads)
      throws IOException {
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    return new ProcessBuilder(
            java.toString(),
            "-cp",
            System.getProperty("java.class.path"),
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Xmx64m",
            TokenReaderMain.class.getName(),
            server.baseUrl(),
            KEY_ALL,
            APP_A,
            Integer.toString(threads),
            Integer.toString(reads))
        .redirectError(dir.resolve("reader-jvm.log").toFile())
        .start();
  }

  @Test
  void twentyClientsReportingTheSameRejectedTokenAtOnceCauseOneFetchAndAllGetTheNewToken()
      throws Exception {
    WeChatStandIn wechat = closing(Fixture.wechat());
    TokenServer server = closing(Fixture.start(Fixture.yaml(wechat, "{type: memory}"), clock));
    String token1 = field(get(server, tokenPath(APP_A), KEY_ALL).body(), "access_token");
    Fixture.delay(wechat, 200); // the reports all arrive while the new token is being fetched

    String report = "{\"access_token\":\"" + token1 + "\"}";
    List<HttpResponse<String>> answers =
        atOnce(20, 1, c -> post(server, tokenPath(APP_A) + "/rejected", KEY_ALL, report));
    String token2 = Fixture.currentToken(wechat);
    assertNotEquals(token1, token2);
    assertEquals(Set.of(token2), tokens(answers, "access_token"));
    assertEquals(2, Fixture.tokenFetches(wechat), "exactly one fetch for 20 reports");

    // Reports of the old token, now replaced, change nothing and answer with the current one.
    List<HttpResponse<String>> late =
        atOnce(20, 2, c -> post(server, tokenPath(APP_A) + "/rejected", KEY_ALL, report));
    assertEquals(Set.of(token2), tokens(late, "access_token"));
    assertEquals(2, Fixture.tokenFetches(wechat));
    assertEquals(token2, field(get(server, tokenPath(APP_A), KEY_ALL).body(), "access_token"));
  }

  @Test
  void theCurrentTokenReportedAgainWithinTheMinimumIntervalGets429AndNoFetch() throws Exception {
    WeChatStandIn wechat = closing(Fixture.wechat());
    TokenServer server = closing(Fixture.start(Fixture.yaml(wechat, "{type: memory}"), clock));
    String rejected = tokenPath(APP_A) + "/rejected";
    String token1 = field(get(server, tokenPath(APP_A), KEY_ALL).body(), "access_token");
    HttpResponse<String> first =
        post(server, rejected, KEY_ALL, "{\"access_token\":\"" + token1 + "\"}");
    String token2 = field(first.body(), "access_token");
    assertNotEquals(token1, token2);

    // A client that reports every token it gets must not spend the quota of everyone.
    clock.advance(Duration.ofSeconds(20));
    String report2 = "{\"access_token\":\"" + token2 + "\"}";
    HttpResponse<String> tooSoon = post(server, rejected, KEY_ALL, report2);
    assertEquals(429, tooSoon.statusCode(), tooSoon.body());
    assertEquals("too_many_rejections", field(tooSoon.body(), "error"));
    assertEquals("40", tooSoon.headers().firstValue("Retry-After").orElse(""));
    assertEquals(2, Fixture.tokenFetches(wechat));
    assertEquals(token2, field(get(server, tokenPath(APP_A), KEY_ALL).body(), "access_token"));
    // An old token is still answered with the current one, interval or not.
    assertEquals(
        token2,
        field(
            post(server, rejected, KEY_ALL, "{\"access_token\":\"" + token1 + "\"}").body(),
            "access_token"));

    clock.advance(Duration.ofSeconds(40));
    HttpResponse<String> later = post(server, rejected, KEY_ALL, report2);
    assertEquals(200, later.statusCode(), later.body());
    assertNotEquals(token2, field(later.body(), "access_token"));
    assertEquals(3, Fixture.tokenFetches(wechat));
  }

  @Test
  void aRejectedJsapiTicketIsReplacedOnceToo() throws Exception {
    WeChatStandIn wechat = closing(Fixture.wechat());
    TokenServer server = closing(Fixture.start(Fixture.yaml(wechat, "{type: memory}"), clock));
    String path = "/v1/accounts/" + APP_A + "/jsapi_ticket";
    String ticket1 = field(get(server, path, KEY_ALL).body(), "ticket");
    Fixture.delay(wechat, 100);
    String report = "{\"ticket\":\"" + ticket1 + "\"}";
    Set<String> seen =
        tokens(atOnce(10, 1, c -> post(server, path + "/rejected", KEY_ALL, report)), "ticket");
    assertEquals(1, seen.size());
    assertNotEquals(ticket1, seen.iterator().next());
    assertEquals(2, Fixture.ticketFetches(wechat));
    assertEquals(1, Fixture.tokenFetches(wechat), "the access token was not touched");
  }

  @Test
  void aServerRestartedOverTheFileStoreAdoptsTheTokenItSaved(@TempDir Path dir) throws Exception {
    WeChatStandIn wechat = closing(Fixture.wechat());
    String store = "{type: file, path: '" + dir.resolve("tokens.json") + "'}";
    String token1;
    try (TokenServer first = Fixture.start(Fixture.yaml(wechat, store), clock)) {
      token1 = field(get(first, tokenPath(APP_A), KEY_ALL).body(), "access_token");
    }
    try (TokenServer second = Fixture.start(Fixture.yaml(wechat, store), clock)) {
      assertEquals(token1, field(get(second, tokenPath(APP_A), KEY_ALL).body(), "access_token"));
    }
    assertEquals(1, Fixture.tokenFetches(wechat));
  }

  @Test
  void twoServerInstancesOverOneRedisMakeOneFetch() throws Exception {
    TestRedis redis = closing(TestRedis.start());
    WeChatStandIn wechat = closing(Fixture.wechat());
    Fixture.delay(wechat, 100);
    String store =
        "{type: redis, url: '" + redis.url() + "', keyPrefix: 'ts" + System.nanoTime() + ":'}";
    TokenServer a = closing(Fixture.start(Fixture.yaml(wechat, store), clock));
    TokenServer b = closing(Fixture.start(Fixture.yaml(wechat, store), clock));
    TokenServer[] servers = {a, b};

    List<HttpResponse<String>> reads =
        atOnce(50, 10, c -> get(servers[c % 2], tokenPath(APP_A), KEY_ALL));
    String token1 = Fixture.currentToken(wechat);
    assertEquals(Set.of(token1), tokens(reads, "access_token"));
    assertEquals(1, Fixture.tokenFetches(wechat), "500 reads from two instances, one fetch");

    // Passive refresh reported to both instances at once: still one fetch between them.
    String report = "{\"access_token\":\"" + token1 + "\"}";
    List<HttpResponse<String>> answers =
        atOnce(20, 1, c -> post(servers[c % 2], tokenPath(APP_A) + "/rejected", KEY_ALL, report));
    String token2 = Fixture.currentToken(wechat);
    assertEquals(Set.of(token2), tokens(answers, "access_token"));
    assertEquals(2, Fixture.tokenFetches(wechat));
    for (TokenServer s : servers) {
      assertEquals(token2, field(get(s, tokenPath(APP_A), KEY_ALL).body(), "access_token"));
    }
    assertEquals(2, Fixture.tokenFetches(wechat));
  }
}

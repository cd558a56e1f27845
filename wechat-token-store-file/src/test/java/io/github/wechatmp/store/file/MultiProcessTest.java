package io.github.wechatmp.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.test.Fault;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.LogCapture;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.RefreshPolicy;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore.RefreshLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real child JVMs sharing one token file with this one. */
@Tag("slow") // runs in real time; left out of the fast set (see CONTRIBUTING.md)
class MultiProcessTest {
  private static final Duration START = Duration.ofSeconds(60);
  private static final TokenKey KEY = TokenKey.of(TestApp.APP_ID, TokenKey.ACCESS_TOKEN);

  @TempDir Path dir;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void fourProcessesOfSixteenThreadsMakeOneRequestAndShareItsToken() throws Exception {
    Path file = dir.resolve("tokens.json");
    List<ChildJvm> children = new ArrayList<>();
    try (WeChatStandIn wechat = TestApp.standIn()) {
      wechat.failNext(
          Integer.MAX_VALUE,
          Fault.slow(Duration.ofMillis(300))
              .at(
                  WeChatStandIn
                      .TOKEN_PATH)); // a slow WeChat keeps every process's refresh in flight at
      // once
      for (int i = 0; i < 4; i++) {
        children.add(
            ChildJvm.start(dir, "herd-" + i, "herd", file.toString(), wechat.baseUrl(), "16"));
      }
      for (ChildJvm child : children) {
        child.awaitLine("READY", START);
      }
      for (ChildJvm child : children) {
        child.send("GO");
      }
      Set<String> tokens = new HashSet<>();
      for (ChildJvm child : children) {
        String line = child.awaitLine("TOKEN ", Duration.ofSeconds(60));
        tokens.add(line.substring("TOKEN ".length()));
      }

      assertEquals(1, wechat.tokenRequests(), "requests that reached WeChat");
      assertEquals(Set.of(TestApp.token(wechat, 1)), tokens);
      assertEquals(
          TestApp.token(wechat, 1), new FileTokenStore(file).load(KEY).orElseThrow().value());
      for (ChildJvm child : children) {
        assertEquals(0, child.awaitExit(Duration.ofSeconds(30)), child.diagnostics());
      }
    } finally {
      for (ChildJvm child : children) {
        child.close();
      }
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aWriterKilledMidWriteLeavesACompleteFile() throws Exception {
    Path file = dir.resolve("tokens.json");
    FileTokenStore store = new FileTokenStore(file);
    TokenKey other = TokenKey.of("wxother", TokenKey.ACCESS_TOKEN);
    AccessToken otherToken =
        AccessToken.of("OTHER_TOKEN_value", Instant.parse("2031-02-03T04:05:06.789Z"));
    store.save(other, otherToken);
    TokenKey key = TokenKey.of("wxcrash", TokenKey.ACCESS_TOKEN);

    long lastSaved = 0;
    int repetitions = Integer.getInteger("crashRepetitions", 10);
    try (LogCapture log = new LogCapture()) {
      for (int i = 0; i < repetitions; i++) {
        try (ChildJvm child =
            ChildJvm.start(dir, "writer-" + i, "write-loop", file.toString(), "wxcrash")) {
          child.awaitLine("SAVING", START);
          // A random moment of its loop, not one right after it reported a save: the kill must be
          // able to land in the middle of a write.
          TimeUnit.MICROSECONDS.sleep(ThreadLocalRandom.current().nextLong(20_000, 250_000));
          child.kill();
          long saved = child.lastNumberInLog("SAVED ");

          TokenFileFormat.Parsed parsed = TokenFileFormat.parse(Files.readAllBytes(file));
          assertEquals(List.of(), parsed.problems, "repetition " + i);
          AccessToken token = parsed.tokens.get(key);
          long n = token.expiresAt().toEpochMilli() - ChildMain.CRASH_BASE.toEpochMilli();
          assertEquals(
              ChildMain.crashToken(n),
              token.value(),
              "an entry whose value and expiry belong together");
          assertTrue(
              n == saved || n == saved + 1,
              "the last saved token or the one being saved: "
                  + n
                  + " vs "
                  + saved
                  + child.diagnostics());
          assertTrue(n > lastSaved, "the child made progress");
          assertEquals(otherToken, parsed.tokens.get(other));
          assertEquals(Optional.of(token), store.load(key));
          lastSaved = n;
        }
      }
      assertFalse(log.text().contains("unusable"), "no read of the file found it corrupt");
    }
    store.save(key, AccessToken.of("AFTER", Instant.now()));
    assertFalse(
        Files.exists(dir.resolve("tokens.json.tmp")),
        "a killed writer's temporary file is cleaned up");
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void processesWritingDifferentKeysLoseNoUpdate() throws Exception {
    Path file = dir.resolve("tokens.json");
    List<ChildJvm> children = new ArrayList<>();
    try {
      for (String app : List.of("wxa", "wxb", "wxc")) {
        children.add(
            ChildJvm.start(dir, "count-" + app, "write-count", file.toString(), app, "150"));
      }
      for (ChildJvm child : children) {
        child.awaitLine("READY", START);
      }
      for (ChildJvm child : children) {
        child.send("GO");
      }
      for (ChildJvm child : children) {
        child.awaitLine("DONE", Duration.ofSeconds(60));
      }
    } finally {
      for (ChildJvm child : children) {
        child.close();
      }
    }
    FileTokenStore store = new FileTokenStore(file);
    for (String app : List.of("wxa", "wxb", "wxc")) {
      assertEquals(
          ChildMain.crashToken(150),
          store.load(TokenKey.of(app, TokenKey.ACCESS_TOKEN)).orElseThrow().value(),
          app);
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void whenTheLockHolderIsKilledAnotherProcessTakesOverAndRefreshes() throws Exception {
    Path file = dir.resolve("tokens.json");
    FileTokenStore store = new FileTokenStore(file);
    try (WeChatStandIn wechat = TestApp.standIn();
        ChildJvm holder =
            ChildJvm.start(dir, "holder", "hold-lock", file.toString(), TestApp.APP_ID, "300000");
        AccessTokenProvider provider =
            AccessTokenProvider.builder()
                .appId(TestApp.APP_ID)
                .appSecret(TestApp.SECRET)
                .apiBaseUrl(wechat.baseUrl())
                .store(store)
                .refreshPolicy(
                    RefreshPolicy.builder()
                        .lockLease(Duration.ofSeconds(10))
                        .lockWait(Duration.ofSeconds(30))
                        .build())
                .build()) {
      holder.awaitLine("LOCKED", START);

      // The child's lock excludes this process, for the whole bounded wait.
      assertEquals(Optional.empty(), store.tryLock(KEY, Duration.ofSeconds(5), Duration.ZERO));
      long waitStart = System.nanoTime();
      assertEquals(
          Optional.empty(), store.tryLock(KEY, Duration.ofSeconds(5), Duration.ofMillis(300)));
      assertTrue(
          System.nanoTime() - waitStart >= TimeUnit.MILLISECONDS.toNanos(300),
          "waited the full maxWait");

      CompletableFuture<AccessToken> got = CompletableFuture.supplyAsync(provider::get);
      holder.kill();
      long killed = System.nanoTime();
      AccessToken token = got.get(30, TimeUnit.SECONDS);
      long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);

      // The OS frees a dead holder's lock at once; the waiter polls at least every 50 ms. The
      // child's 5-minute lease played no part. 5 s leaves room for a slow machine and the fetch.
      assertTrue(tookMillis < 5_000, "took over " + tookMillis + " ms after the kill");
      assertEquals(TestApp.token(wechat, 1), token.value());
      assertEquals(1, wechat.tokenRequests());
      assertEquals(Optional.of(token), store.load(KEY));
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aHungHolderLosesTheLockWhenItsLeaseLapses() throws Exception {
    Path file = dir.resolve("tokens.json");
    FileTokenStore store = new FileTokenStore(file);
    long lease = 2_000;
    try (ChildJvm holder =
        ChildJvm.start(
            dir, "hung", "hold-lock", file.toString(), TestApp.APP_ID, String.valueOf(lease))) {
      long lockedAt = Long.parseLong(holder.awaitLine("LOCKED ", START).substring(7));
      Optional<RefreshLock> lock =
          store.tryLock(KEY, Duration.ofSeconds(5), Duration.ofSeconds(30));
      long acquiredAt = System.currentTimeMillis();
      assertTrue(lock.isPresent(), holder.diagnostics());
      lock.get().close();

      assertTrue(holder.isAlive(), "the holder did not die: its lease ended its lock");
      // The child stamps LOCKED just after its lease began: allow for that moment.
      assertTrue(
          acquiredAt - lockedAt >= lease - 200,
          "not before the lease lapsed: " + (acquiredAt - lockedAt) + " ms");
      assertTrue(
          acquiredAt - lockedAt < lease + 10_000,
          "soon after the lease lapsed: " + (acquiredAt - lockedAt) + " ms");
      assertTrue(
          holder.log().contains("held longer than its lease of 2000 ms"), holder.diagnostics());
    }
  }
}

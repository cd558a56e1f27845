package io.github.wechatmp.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.store.redis.RedisTokenStore;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;

/**
 * Issue 21, item 20, across processes: Redis SIGKILLed from 1 s before a refresh point until past
 * the expiry of the token every worker held, while four worker JVMs ({@link SoakWorker}) call the
 * stand-in through {@code AccessTokenInterceptor}. Each worker fetches a token without the store
 * once its own is past its stale point, within the bound of {@code
 * RefreshPolicy.storeOutageFetchInterval}, so no call fails; when Redis is back (empty), the tokens
 * are saved fenced and every worker ends on the newest one, the one Redis holds. Tokens live 60 s,
 * as in the chaos soak, so a refresh point comes 30 s before a token's expiry and its stale point
 * 15 s before it.
 */
@Tag("slow") // real time, child JVMs and a real redis-server (see CONTRIBUTING.md)
class StoreOutageAcrossProcessesTest {
  static final int WORKERS = 4;
  static final int THREADS = 2;
  static final long PACE_MILLIS = 100;

  final Path dir = Paths.get("target", "store-outage").toAbsolutePath();

  @Test
  void fourWorkersLoseNoCallWhenRedisIsDownPastTheirTokensExpiryAndFetchWithinTheBound()
      throws Exception {
    ChaosSoakTest.deleteTree(dir);
    Files.createDirectories(dir);
    List<WorkerJvm> workers = new ArrayList<>();
    List<CallLog> logs = new ArrayList<>();
    try (WeChatStandIn wechat =
            WeChatStandIn.builder()
                .appId(SoakWorker.APP_ID)
                .appSecret(SoakWorker.SECRET)
                .expiresIn(ChaosSoakTest.LIFETIME)
                .overlap(ChaosSoakTest.LIFETIME)
                .start();
        RedisProcess redis = new RedisProcess(dir.resolve("redis.log"))) {
      redis.start();
      for (int i = 1; i <= WORKERS; i++) {
        WorkerJvm w =
            WorkerJvm.start(
                dir, "o" + i, 1, "redis", redis.address(), wechat.baseUrl(), THREADS, PACE_MILLIS);
        workers.add(w);
        logs.add(new CallLog(w.name + "-1", w.callLog));
      }
      try {
        for (int i = 0; i < WORKERS; i++) {
          awaitAnOkCall(workers.get(i), logs.get(i));
        }
        // The token every worker holds: the newest any took. Kill Redis 1 s before its refresh
        // point, and bring it back (empty) 5 s after its expiry.
        long expiry = awaitAKillPoint(logs);
        long refreshPoint = expiry - ChaosSoakTest.REFRESH_OFFSET.toMillis();
        sleepUntil(refreshPoint - 1_000);
        int requestsBefore = wechat.tokenRequests();
        long killedAt = System.currentTimeMillis();
        redis.kill();
        sleepUntil(expiry + 5_000);
        int requestsDuring = wechat.tokenRequests() - requestsBefore;
        long outageMillis = System.currentTimeMillis() - killedAt;
        redis.start();

        // Every worker fetched (its token expired), and none more than the bound allows.
        // WeChat does not fail meanwhile, so each fetch is one request.
        int bound = WORKERS * ChaosSoakTest.storeOutageFetchesWithin(outageMillis);
        assertTrue(
            requestsDuring >= 1 && requestsDuring <= bound,
            requestsDuring
                + " token requests while Redis was down for "
                + outageMillis
                + " ms; bound "
                + bound);
        for (CallLog log : logs) {
          log.tail();
          long storeless = log.storelessFetches.stream().filter(t -> t >= killedAt).count();
          assertTrue(
              storeless >= 1 && storeless <= ChaosSoakTest.storeOutageFetchesWithin(outageMillis),
              log.life + " fetched without the store " + storeless + " times");
        }

        // Saved fenced once Redis answers: every worker ends on the newest token, which Redis
        // holds.
        String stored = awaitConvergence(redis, logs);
        assertTrue(wechat.issuedTokens().contains(stored), "Redis holds a token WeChat issued");
        sleepUntil(System.currentTimeMillis() + 2_000); // calls go on with it
      } finally {
        for (WorkerJvm w : workers) {
          w.close();
        }
      }

      // Not one API call failed, before, during or after the outage.
      int calls = 0;
      List<String> failed = new ArrayList<>();
      for (CallLog log : logs) {
        log.tail();
        calls += log.calls.size();
        log.calls.stream()
            .filter(c -> !c.ok())
            .limit(5)
            .forEach(c -> failed.add(log.life + ": " + c.failure()));
      }
      assertEquals(List.of(), failed, "see " + dir);
      assertTrue(calls >= 500, "only " + calls + " calls were made: the test did not really run");
    }
  }

  private static void awaitAnOkCall(WorkerJvm w, CallLog log) throws Exception {
    long deadline = System.currentTimeMillis() + 90_000;
    while (log.tail().calls.stream().noneMatch(CallLog.Call::ok)) {
      assertTrue(w.isAlive(), w + " died at start; see its .stderr");
      assertTrue(System.currentTimeMillis() < deadline, w + " made no call within 90 s");
      Thread.sleep(100);
    }
  }

  /**
   * Waits until every worker holds the same token and its refresh point is more than 2 s away;
   * returns that token's expiry.
   */
  private static long awaitAKillPoint(List<CallLog> logs) throws Exception {
    long deadline = System.currentTimeMillis() + 3 * ChaosSoakTest.LIFETIME.toMillis();
    while (System.currentTimeMillis() < deadline) {
      Set<String> held = new TreeSet<>();
      long expiry = Long.MAX_VALUE;
      for (CallLog log : logs) {
        log.tail();
        CallLog.Token last = log.tokens.isEmpty() ? null : log.tokens.get(log.tokens.size() - 1);
        held.add(last == null ? "(none)" : last.masked());
        expiry = last == null ? expiry : Math.min(expiry, last.expiresAt());
      }
      long refreshPoint = expiry - ChaosSoakTest.REFRESH_OFFSET.toMillis();
      if (held.size() == 1 && refreshPoint - 2_000 > System.currentTimeMillis()) {
        return expiry;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the workers never held one token well before its refresh point");
  }

  /** Waits until Redis holds a token and every worker's last token is that one; returns it. */
  private static String awaitConvergence(RedisProcess redis, List<CallLog> logs) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    String seen = "";
    try (JedisPooled jedis = new JedisPooled(HostAndPort.from(redis.address()))) {
      RedisTokenStore store =
          RedisTokenStore.builder(jedis).keyPrefix(SoakWorker.REDIS_PREFIX).build();
      while (System.currentTimeMillis() < deadline) {
        Optional<AccessToken> stored = store.load(SoakWorker.KEY);
        Set<String> held = new TreeSet<>();
        for (CallLog log : logs) {
          log.tail();
          held.add(log.tokens.get(log.tokens.size() - 1).masked());
        }
        seen = stored.map(AccessToken::masked).orElse("(nothing)") + " in Redis, held " + held;
        if (stored.isPresent() && held.equals(Set.of(stored.get().masked()))) {
          return stored.get().value();
        }
        Thread.sleep(200);
      }
    }
    throw new AssertionError("the workers did not converge on the stored token: " + seen);
  }

  private static void sleepUntil(long epochMillis) throws InterruptedException {
    long millis = epochMillis - System.currentTimeMillis();
    if (millis > 0) {
      Thread.sleep(millis);
    }
  }
}

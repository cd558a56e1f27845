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
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 21, item 3: a report of the current token is either honoured (a new token) or refused (429
 * with Retry-After), never answered with the token just reported, whatever the configured interval.
 */
class PassiveRefreshIntervalTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T08:00:00Z"));
  private final List<AutoCloseable> closeLater = new ArrayList<>();
  private final ExecutorService pool = Executors.newFixedThreadPool(20);

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

  private static String report(String token) {
    return "{\"access_token\":\"" + token + "\"}";
  }

  @Test
  void aReportSixSecondsAfterTheLastWithAFiveSecondIntervalGetsANewTokenForEveryReporter()
      throws Exception {
    WeChatStandIn wechat = closing(Fixture.wechat());
    TokenServer server =
        closing(
            Fixture.start(
                "rejectedMinIntervalSeconds: 5\n" + Fixture.yaml(wechat, "{type: memory}"), clock));
    String rejected = tokenPath(APP_A) + "/rejected";
    String token1 = field(get(server, tokenPath(APP_A), KEY_ALL).body(), "access_token");
    String token2 = field(post(server, rejected, KEY_ALL, report(token1)).body(), "access_token");
    assertNotEquals(token1, token2);
    assertEquals(2, Fixture.tokenFetches(wechat));

    clock.advance(Duration.ofSeconds(6));
    Fixture.delay(wechat, 200); // the 20 reports arrive while the new token is being fetched
    CountDownLatch go = new CountDownLatch(1);
    List<Future<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      answers.add(
          pool.submit(
              () -> {
                go.await();
                return post(server, rejected, KEY_ALL, report(token2));
              }));
    }
    go.countDown();
    Set<String> got = new HashSet<>();
    for (Future<HttpResponse<String>> f : answers) {
      HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
      assertEquals(200, r.statusCode(), r.body());
      got.add(field(r.body(), "access_token"));
    }
    assertEquals(3, Fixture.tokenFetches(wechat), "one fetch for the 20 reports");
    assertEquals(Set.of(Fixture.currentToken(wechat)), got);
    assertTrue(!got.contains(token2), "the reported token was answered as the one to use");
  }

  @Test
  void aReportTheProviderKeepsBecauseAnotherInstanceJustReplacedTheTokenGets429() throws Exception {
    TestRedis redis = closing(TestRedis.start());
    WeChatStandIn wechat = closing(Fixture.wechat());
    String store =
        "{type: redis, url: '" + redis.url() + "', keyPrefix: 'pri" + System.nanoTime() + ":'}";
    String yaml = "rejectedMinIntervalSeconds: 5\n" + Fixture.yaml(wechat, store);
    TokenServer a = closing(Fixture.start(yaml, clock));
    TokenServer b = closing(Fixture.start(yaml, clock));
    String rejected = tokenPath(APP_A) + "/rejected";
    String token1 = field(get(a, tokenPath(APP_A), KEY_ALL).body(), "access_token");
    assertEquals(token1, field(get(b, tokenPath(APP_A), KEY_ALL).body(), "access_token"));

    // Instance a honours the report; instance b learns of it through the store.
    String token2 = field(post(a, rejected, KEY_ALL, report(token1)).body(), "access_token");
    assertNotEquals(token1, token2);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String seenByB;
    do {
      seenByB = field(get(b, tokenPath(APP_A), KEY_ALL).body(), "access_token");
    } while (!seenByB.equals(token2) && System.nanoTime() - until < 0 && pause());
    assertEquals(token2, seenByB);

    // b has honoured nothing itself, but the provider's bound is shared: b must not answer 200
    // with the very token reported.
    clock.advance(Duration.ofSeconds(1));
    HttpResponse<String> r = post(b, rejected, KEY_ALL, report(token2));
    if (r.statusCode() == 200) {
      assertNotEquals(token2, field(r.body(), "access_token"), "answered with the reported token");
    } else {
      assertEquals(429, r.statusCode(), r.body());
      assertEquals("too_many_rejections", field(r.body(), "error"));
      assertTrue(r.headers().firstValue("Retry-After").isPresent());
    }
  }

  private static boolean pause() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return true;
  }
}

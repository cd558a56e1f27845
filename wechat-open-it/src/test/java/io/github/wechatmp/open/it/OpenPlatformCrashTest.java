package io.github.wechatmp.open.it;

import static io.github.wechatmp.open.testing.TestPlatform.AES_KEY;
import static io.github.wechatmp.open.testing.TestPlatform.COMPONENT_APP_ID;
import static io.github.wechatmp.open.testing.TestPlatform.SECRET;
import static io.github.wechatmp.open.testing.TestPlatform.TOKEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.open.Authorization;
import io.github.wechatmp.open.JdbcAuthorizationStore;
import io.github.wechatmp.open.OpenPlatform;
import io.github.wechatmp.open.testing.ApiProbe;
import io.github.wechatmp.open.testing.EndpointServer;
import io.github.wechatmp.open.testing.TestPlatform;
import io.github.wechatmp.store.redis.RedisTokenStore;
import io.github.wechatmp.store.tck.TestPostgres;
import io.github.wechatmp.test.StandInPlatform;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.JedisPooled;
import redis.embedded.RedisServer;

/**
 * A platform JVM SIGKILLed between WeChat's answer to {@code api_query_auth} and the save of the
 * authorization ({@link CrashChildMain}), then a fresh platform over the same Redis and PostgreSQL:
 * the authorization is missing (or stale, for {@code updateauthorized}), WeChat does not push it
 * again, and the first {@code authorizer(appId).get()} recovers the refresh token through {@code
 * api_get_authorizer_list}, with no re-authorization.
 */
@Tag("slow")
class OpenPlatformCrashTest {
  private static final String MERCHANT = "wxmerchant0000001";

  @TempDir Path dir;
  private final List<AutoCloseable> closing = new ArrayList<>();
  private int redisPort;
  private TestPostgres pg;
  private WeChatStandIn standIn;
  private StandInPlatform wechat;

  @BeforeEach
  void start() throws Exception {
    redisPort = ClusterFixture.freePort();
    RedisServer redis = ClusterFixture.redis(redisPort);
    closing.add(redis::stop);
    pg = TestPostgres.start();
    closing.add(pg);
    standIn = WeChatStandIn.start();
    closing.add(standIn);
    wechat = standIn.openPlatform().credentials(COMPONENT_APP_ID, SECRET);
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private OpenPlatform platform() {
    JedisPooled jedis = new JedisPooled("127.0.0.1", redisPort);
    closing.add(jedis);
    OpenPlatform p =
        TestPlatform.builder(standIn.baseUrl())
            .store(RedisTokenStore.builder(jedis).build())
            .authorizations(new JdbcAuthorizationStore(pg.dataSource()))
            .build();
    closing.add(p);
    return p;
  }

  /**
   * Starts the child platform, points WeChat's pushes at it, runs {@code push} (which WeChat makes
   * to the child) and SIGKILLs the child once it is inside the save.
   */
  private void killDuringSave(Runnable push) throws Exception {
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    Process child =
        new ProcessBuilder(
                java.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xmx96m",
                CrashChildMain.class.getName(),
                Integer.toString(redisPort),
                Integer.toString(pg.port()),
                standIn.baseUrl())
            .redirectError(dir.resolve("child.log").toFile())
            .start();
    closing.add(child::destroyForcibly);
    BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    assertTrue(line != null && line.startsWith("URL "), "the child serves: " + line);
    wechat.pushTo(line.substring(4), TOKEN, AES_KEY);
    CompletableFuture<Void> pushed = CompletableFuture.runAsync(push);
    assertEquals("SAVING " + MERCHANT, out.readLine(), "the child got WeChat's answer and saves");
    child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    assertThrows(
        ExecutionException.class,
        () -> pushed.get(30, TimeUnit.SECONDS),
        "the push was never answered success");
  }

  @Test
  void anAuthorizationWhoseSaveDiedWithItsJvmIsRecoveredThroughTheListOnFirstUse()
      throws Exception {
    OpenPlatform survivor = platform();
    EndpointServer survivorEvents = ClusterFixture.serve(survivor);
    closing.add(survivorEvents);
    wechat.pushTo(survivorEvents.url(), TOKEN, AES_KEY).pushTicket();

    killDuringSave(() -> wechat.authorize(MERCHANT, List.of(1, 15)));

    JdbcAuthorizationStore stored = new JdbcAuthorizationStore(pg.dataSource());
    assertTrue(stored.find(MERCHANT).isEmpty(), "the authorization died unsaved");
    int listed = standIn.requests("cgi-bin/component/api_get_authorizer_list");

    OpenPlatform fresh = platform();
    AccessToken token = fresh.authorizer(MERCHANT).get();

    assertEquals(0, ApiProbe.errcode(standIn.baseUrl(), token.value()));
    assertEquals(1, standIn.requests("cgi-bin/component/api_get_authorizer_list") - listed);
    Authorization recovered = stored.find(MERCHANT).orElseThrow();
    assertEquals(Authorization.State.AUTHORIZED, recovered.state());
    assertEquals(wechat.refreshTokenOf(MERCHANT), recovered.refreshToken());
  }

  @Test
  void anUpdateAuthorizedWhoseSaveDiedWithItsJvmLeavesAStaleTokenThatTheListReplaces()
      throws Exception {
    OpenPlatform survivor = platform();
    EndpointServer survivorEvents = ClusterFixture.serve(survivor);
    closing.add(survivorEvents);
    wechat.pushTo(survivorEvents.url(), TOKEN, AES_KEY).pushTicket();
    wechat.authorize(MERCHANT, List.of(1));
    JdbcAuthorizationStore stored = new JdbcAuthorizationStore(pg.dataSource());
    String before = stored.find(MERCHANT).orElseThrow().refreshToken();

    killDuringSave(() -> wechat.reauthorize(MERCHANT, List.of(1, 15)));

    assertEquals(before, stored.find(MERCHANT).orElseThrow().refreshToken(), "stale");
    assertNotEquals(before, wechat.refreshTokenOf(MERCHANT), "WeChat issued a new one");

    OpenPlatform fresh = platform();
    // The first authorization's access token is still in Redis and valid; a new one is what needs
    // the refresh token: WeChat voids the held one, as at the end of its life.
    AccessTokenProvider merchant = fresh.authorizer(MERCHANT);
    String held = merchant.get().value();
    standIn.voidToken(held);
    merchant.invalidate(held);
    AccessToken token = merchant.get();

    assertNotEquals(held, token.value());
    assertEquals(0, ApiProbe.errcode(standIn.baseUrl(), token.value()));
    Authorization recovered = stored.find(MERCHANT).orElseThrow();
    assertEquals(Authorization.State.AUTHORIZED, recovered.state());
    assertEquals(wechat.refreshTokenOf(MERCHANT), recovered.refreshToken());
  }
}

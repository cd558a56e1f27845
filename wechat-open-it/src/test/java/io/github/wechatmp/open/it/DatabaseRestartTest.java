package io.github.wechatmp.open.it;

import static io.github.wechatmp.open.testing.TestPlatform.AES_KEY;
import static io.github.wechatmp.open.testing.TestPlatform.COMPONENT_APP_ID;
import static io.github.wechatmp.open.testing.TestPlatform.SECRET;
import static io.github.wechatmp.open.testing.TestPlatform.TOKEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.wechatmp.open.Authorization;
import io.github.wechatmp.open.JdbcAuthorizationStore;
import io.github.wechatmp.open.OpenPlatform;
import io.github.wechatmp.open.testing.ApiProbe;
import io.github.wechatmp.open.testing.EndpointServer;
import io.github.wechatmp.open.testing.TestPlatform;
import io.github.wechatmp.store.tck.TestPostgres;
import io.github.wechatmp.test.Fault;
import io.github.wechatmp.test.StandInPlatform;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.RefreshPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 24: the authorization database (a real PostgreSQL, behind a HikariCP pool as applications
 * have it) stopped for 30 s of real time while the authorizers' refreshes fall due, then started
 * again on the same port and data directory. WeChat (the stand-in) rotates the refresh token on
 * every fetch, and the first refresh's answer arrives just after the database went: its rotation
 * cannot be saved.
 */
@Tag("slow")
class DatabaseRestartTest {
  private static final List<String> MERCHANTS =
      List.of("wxmerchant0000001", "wxmerchant0000002", "wxmerchant0000003");
  private static final String AUTHORIZER_TOKEN = "cgi-bin/component/api_authorizer_token";

  /**
   * The tokens' life: a refresh falls due at half of it (35 s) and the token is served until it
   * expires (no expiry margin), so a 30 s outage that starts at the first refresh ends 5 s before
   * the first token expires.
   */
  private static final Duration LIFE = Duration.ofSeconds(70);

  private static final Duration OUTAGE = Duration.ofSeconds(30);

  private TestPostgres pg;
  private HikariDataSource pool;
  private WeChatStandIn standIn;
  private StandInPlatform wechat;
  private OpenPlatform platform;
  private EndpointServer events;

  @BeforeEach
  void start() throws Exception {
    pg = TestPostgres.startRestartable();
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres");
    config.setUsername("postgres");
    config.setMaximumPoolSize(4);
    config.setConnectionTimeout(1_000);
    config.setInitializationFailTimeout(-1);
    pool = new HikariDataSource(config);
    standIn = WeChatStandIn.builder().expiresIn(LIFE).start();
    platform =
        TestPlatform.builder(standIn.baseUrl())
            .store(new InMemoryTokenStore())
            .authorizations(new JdbcAuthorizationStore(pool))
            .refreshPolicy(
                RefreshPolicy.builder()
                    .expiryMargin(Duration.ZERO)
                    .failureHoldOffMax(Duration.ofSeconds(2))
                    .build())
            .build();
    events = ClusterFixture.serve(platform);
    wechat =
        standIn
            .openPlatform()
            .credentials(COMPONENT_APP_ID, SECRET)
            .pushTo(events.url(), TOKEN, AES_KEY)
            .rotateRefreshTokens();
  }

  @AfterEach
  void stop() throws Exception {
    platform.close();
    events.close();
    standIn.close();
    pool.close();
    pg.close();
  }

  @Test
  void authorizersKeepServingValidTokensThroughA30SecondOutageAndTheRotationsSaveWhenItReturns()
      throws Exception {
    wechat.pushTicket();
    List<AccessTokenProvider> providers = new ArrayList<>();
    for (String m : MERCHANTS) {
      wechat.authorize(m, List.of(1));
      providers.add(platform.authorizer(m));
    }
    JdbcAuthorizationStore direct = new JdbcAuthorizationStore(pg.dataSource());
    Map<String, String> storedBefore = new ConcurrentHashMap<>();
    for (String m : MERCHANTS) {
      storedBefore.put(m, direct.find(m).orElseThrow().refreshToken());
      assertEquals(wechat.refreshTokenOf(m), storedBefore.get(m));
    }

    // Callers ask every authorizer for its token all along, and check each with WeChat.
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger gets = new AtomicInteger();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    Set<String> served = ConcurrentHashMap.newKeySet();
    Thread callers =
        new Thread(
            () -> {
              while (running.get()) {
                for (AccessTokenProvider p : providers) {
                  try {
                    String token = p.get().value();
                    gets.incrementAndGet();
                    if (served.add(token)) {
                      int errcode = ApiProbe.errcode(standIn.baseUrl(), token);
                      if (errcode != 0) {
                        failures.add(
                            new AssertionError("WeChat refused " + token + ": " + errcode));
                      }
                    }
                  } catch (Throwable t) {
                    failures.add(t);
                  }
                }
                try {
                  Thread.sleep(50);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "callers");
    callers.start();
    try {
      // The first refresh's answer is held 2 s; the database stops as soon as WeChat has the
      // request, so the refresh token it rotates cannot be saved.
      standIn.failNext(1, Fault.slow(Duration.ofSeconds(2)).at(AUTHORIZER_TOKEN));
      long deadline = System.nanoTime() + LIFE.toNanos();
      while (standIn.requests(AUTHORIZER_TOKEN) == 0) {
        assertTrue(System.nanoTime() < deadline, "no refresh fell due");
        Thread.sleep(20);
      }
      pg.stop();
      long down = System.nanoTime();
      int fetchesBefore = standIn.requests(AUTHORIZER_TOKEN);
      Thread.sleep(3_000);
      assertTrue(
          MERCHANTS.stream().anyMatch(m -> !storedBefore.get(m).equals(wechat.refreshTokenOf(m))),
          "WeChat answered the held refresh after the database went, rotating a refresh token");
      Thread.sleep(OUTAGE.toMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - down));
      int fetchesWhileDown = standIn.requests(AUTHORIZER_TOKEN) - fetchesBefore;
      pg.restart();

      // Every refresh that fell due while the database was down lands once it is back.
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!allRefreshedAndStoredAsWeChatHolds(direct, storedBefore)) {
        assertTrue(System.nanoTime() < deadline, "the rotations did not land in the store");
        Thread.sleep(100);
      }
      Thread.sleep(1_000); // callers get the refreshed tokens
      running.set(false);
      callers.join();

      assertEquals(List.of(), failures, "no get() failed and WeChat took every token served");
      assertTrue(gets.get() > 1_000, "callers kept asking: " + gets.get());
      assertEquals(0, fetchesWhileDown, "no fetch while a rotation could not be saved");
      for (String m : MERCHANTS) {
        Authorization saved = direct.find(m).orElseThrow();
        assertEquals(Authorization.State.AUTHORIZED, saved.state());
        assertNotEquals(storedBefore.get(m), saved.refreshToken(), m + " was refreshed");
        String token = platform.authorizer(m).get().value();
        assertEquals(0, ApiProbe.errcode(standIn.baseUrl(), token));
      }
      assertEquals(
          0,
          standIn.requests("cgi-bin/component/api_get_authorizer_list"),
          "the rotation held in memory was saved: nothing had to be recovered from WeChat");
    } finally {
      running.set(false);
      callers.join();
    }
  }

  private boolean allRefreshedAndStoredAsWeChatHolds(
      JdbcAuthorizationStore direct, Map<String, String> before) {
    try {
      for (String m : MERCHANTS) {
        String stored = direct.find(m).orElseThrow().refreshToken();
        if (stored.equals(before.get(m)) || !stored.equals(wechat.refreshTokenOf(m))) {
          return false;
        }
      }
      return true;
    } catch (RuntimeException notYet) {
      return false;
    }
  }
}

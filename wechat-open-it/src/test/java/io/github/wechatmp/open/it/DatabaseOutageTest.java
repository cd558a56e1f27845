package io.github.wechatmp.open.it;

import static io.github.wechatmp.open.testing.TestPlatform.AES_KEY;
import static io.github.wechatmp.open.testing.TestPlatform.COMPONENT_APP_ID;
import static io.github.wechatmp.open.testing.TestPlatform.SECRET;
import static io.github.wechatmp.open.testing.TestPlatform.TOKEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.open.Authorization;
import io.github.wechatmp.open.JdbcAuthorizationStore;
import io.github.wechatmp.open.OpenPlatform;
import io.github.wechatmp.open.testing.ApiProbe;
import io.github.wechatmp.open.testing.EndpointServer;
import io.github.wechatmp.open.testing.TestPlatform;
import io.github.wechatmp.store.tck.TestPostgres;
import io.github.wechatmp.test.ManualClock;
import io.github.wechatmp.test.StandInPlatform;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.RefreshPolicy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The authorization database (a real PostgreSQL) down while an authorizer's refresh falls due, with
 * WeChat rotating the refresh token on every fetch: the valid token keeps being served, the token
 * fetched with a rotation that could not be saved is never handed out, and once the database is
 * back the rotated refresh token, kept in memory meanwhile, is saved; a platform closed before that
 * recovers it through {@code api_get_authorizer_list}: nothing is lost and the merchant need not
 * authorize again. {@link DatabaseRestartTest} stops the real server instead.
 */
@Tag("slow")
class DatabaseOutageTest {
  private static final String MERCHANT = "wxmerchant0000001";
  private static final Duration LIFE = Duration.ofHours(2);

  private final ManualClock clock = new ManualClock();
  private final InMemoryTokenStore tokens = new InMemoryTokenStore();
  private TestPostgres pg;
  private SwitchableDataSource db;
  private WeChatStandIn standIn;
  private StandInPlatform wechat;
  private OpenPlatform platform;
  private EndpointServer events;

  @BeforeEach
  void start() throws Exception {
    pg = TestPostgres.start();
    db = new SwitchableDataSource(pg.dataSource());
    standIn = WeChatStandIn.builder().clock(clock).expiresIn(LIFE).start();
    platform = platform(new JdbcAuthorizationStore(db));
    events = ClusterFixture.serve(platform);
    wechat =
        standIn
            .openPlatform()
            .credentials(COMPONENT_APP_ID, SECRET)
            .pushTo(events.url(), TOKEN, AES_KEY)
            .rotateRefreshTokens();
  }

  private OpenPlatform platform(JdbcAuthorizationStore authorizations) {
    return TestPlatform.builder(standIn.baseUrl())
        .store(tokens)
        .authorizations(authorizations)
        .clock(clock)
        .refreshPolicy(RefreshPolicy.builder().refreshMargin(Duration.ofMinutes(10)).build())
        .build();
  }

  @AfterEach
  void stop() throws Exception {
    platform.close();
    events.close();
    standIn.close();
    pg.close();
  }

  @Test
  void aRotationThatCouldNotBeSavedIsNeverHandedOutAndIsSavedWhenTheDatabaseReturns()
      throws Exception {
    wechat.pushTicket();
    wechat.authorize(MERCHANT, List.of(1));
    AccessTokenProvider merchant = platform.authorizer(MERCHANT);
    String first = merchant.get().value();
    JdbcAuthorizationStore direct = new JdbcAuthorizationStore(pg.dataSource());
    String storedBefore = direct.find(MERCHANT).orElseThrow().refreshToken();

    // The refresh falls due: its read of the authorization gets through, then the database goes.
    db.downAfter(1);
    clock.advance(LIFE.minus(Duration.ofMinutes(8)));

    assertTrue(
        standIn.requests("cgi-bin/component/api_authorizer_token") >= 1,
        "the refresh fetched, and WeChat rotated the refresh token");
    assertNotEquals(storedBefore, wechat.refreshTokenOf(MERCHANT));
    assertTrue(db.refused() >= 1, "the rotation's save failed");
    for (int i = 0; i < 5; i++) {
      assertEquals(first, merchant.get().value(), "the valid token is served, not the new one");
    }
    assertEquals(0, ApiProbe.errcode(standIn.baseUrl(), first));
    clock.advance(Duration.ofMinutes(1)); // further refreshes while down fail at the first read
    assertEquals(first, merchant.get().value());
    assertEquals(storedBefore, direct.find(MERCHANT).orElseThrow().refreshToken());

    db.up();
    clock.advance(Duration.ofMinutes(1));
    String after = merchant.refresh().value();

    assertNotEquals(first, after);
    assertEquals(0, ApiProbe.errcode(standIn.baseUrl(), after));
    Authorization saved = direct.find(MERCHANT).orElseThrow();
    assertEquals(Authorization.State.AUTHORIZED, saved.state());
    assertEquals(wechat.refreshTokenOf(MERCHANT), saved.refreshToken(), "the rotation landed");
    assertEquals(
        0,
        standIn.requests("cgi-bin/component/api_get_authorizer_list"),
        "the rotation kept in memory was saved: nothing had to be recovered");
  }

  @Test
  void aRotationUnsavedWhenThePlatformClosedIsRecoveredThroughTheAuthorizerList() throws Exception {
    wechat.pushTicket();
    wechat.authorize(MERCHANT, List.of(1));
    String first = platform.authorizer(MERCHANT).get().value();
    db.downAfter(1);
    clock.advance(LIFE.minus(Duration.ofMinutes(8)));
    assertTrue(db.refused() >= 1, "the rotation's save failed");
    platform.close(); // the rotation, kept only in memory, goes with it

    db.up();
    OpenPlatform next = platform(new JdbcAuthorizationStore(db));
    try {
      AccessTokenProvider merchant = next.authorizer(MERCHANT);
      assertEquals(first, merchant.get().value(), "adopted from the store, due");
      clock.advance(Duration.ofSeconds(1)); // the due refresh runs
      String after = merchant.get().value();

      assertNotEquals(first, after);
      assertEquals(0, ApiProbe.errcode(standIn.baseUrl(), after));
      Authorization saved =
          new JdbcAuthorizationStore(pg.dataSource()).find(MERCHANT).orElseThrow();
      assertEquals(Authorization.State.AUTHORIZED, saved.state());
      assertEquals(wechat.refreshTokenOf(MERCHANT), saved.refreshToken());
      assertEquals(1, standIn.requests("cgi-bin/component/api_get_authorizer_list"));
    } finally {
      next.close();
    }
  }
}

package io.github.wechatmp.open;

import static io.github.wechatmp.open.testing.TestPlatform.AES_KEY;
import static io.github.wechatmp.open.testing.TestPlatform.COMPONENT_APP_ID;
import static io.github.wechatmp.open.testing.TestPlatform.SECRET;
import static io.github.wechatmp.open.testing.TestPlatform.TOKEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.open.testing.ApiProbe;
import io.github.wechatmp.open.testing.DelegatingAuthorizationStore;
import io.github.wechatmp.open.testing.EndpointServer;
import io.github.wechatmp.open.testing.TestPlatform;
import io.github.wechatmp.test.ManualClock;
import io.github.wechatmp.test.StandInPlatform;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.RefreshPolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A refresh token WeChat rotated in the answer of a fetch whose save failed: kept in memory, saved
 * before anything else at the next attempts until it lands, never used to fetch meanwhile, and the
 * token fetched with it handed out once it is saved.
 */
class UnsavedRotationTest {
  private static final String MERCHANT = "wxmerchant0000001";
  private static final String AUTHORIZER_TOKEN = "cgi-bin/component/api_authorizer_token";

  private final ManualClock clock = new ManualClock();
  private final FlakyStore authorizations = new FlakyStore();
  private WeChatStandIn standIn;
  private StandInPlatform wechat;
  private OpenPlatform platform;
  private EndpointServer server;

  @BeforeEach
  void start() throws Exception {
    standIn = WeChatStandIn.builder().clock(clock).start();
    platform =
        TestPlatform.builder(standIn.baseUrl())
            .store(new InMemoryTokenStore())
            .authorizations(authorizations)
            .clock(clock)
            .refreshPolicy(RefreshPolicy.builder().refreshMargin(Duration.ofMinutes(10)).build())
            .build();
    server = EndpointServer.serve("/wechat/events", platform.callback());
    wechat =
        standIn
            .openPlatform()
            .credentials(COMPONENT_APP_ID, SECRET)
            .pushTo(server.url(), TOKEN, AES_KEY)
            .rotateRefreshTokens();
  }

  @AfterEach
  void stop() {
    platform.close();
    server.close();
    standIn.close();
  }

  @Test
  void aRotationWhoseSaveFailedIsSavedAtTheNextAttemptsAndItsTokenHandedOutWithoutAnotherFetch() {
    wechat.pushTicket();
    wechat.authorize(MERCHANT, List.of(1));
    AccessTokenProvider merchant = platform.authorizer(MERCHANT);
    String first = merchant.get().value();

    authorizations.savesFail.set(true);
    clock.advance(Duration.ofHours(2).minus(Duration.ofMinutes(9))); // the refresh falls due
    assertEquals(1, standIn.requests(AUTHORIZER_TOKEN), "fetched once, WeChat rotating");
    String rotated = wechat.refreshTokenOf(MERCHANT);
    assertNotEquals(rotated, authorizations.find(MERCHANT).orElseThrow().refreshToken());
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofSeconds(10)); // the engine's retries, each failing to save
      assertEquals(first, merchant.get().value(), "the held token is served, not the new one");
    }
    int failedSaves = authorizations.failedSaves.get();
    assertTrue(failedSaves >= 3, "the rotation's save was retried: " + failedSaves);
    assertEquals(1, standIn.requests(AUTHORIZER_TOKEN), "no fetch with the replaced refresh token");

    authorizations.savesFail.set(false);
    clock.advance(Duration.ofSeconds(10));
    String after = merchant.get().value();

    assertEquals(rotated, authorizations.find(MERCHANT).orElseThrow().refreshToken());
    assertNotEquals(first, after);
    assertEquals(1, standIn.requests(AUTHORIZER_TOKEN), "the token fetched with it is handed out");
    assertEquals(0, standIn.requests("cgi-bin/component/api_get_authorizer_list"));
    assertEquals(0, ApiProbe.errcode(standIn.baseUrl(), after));
  }

  /** An in-memory store whose saves fail while told to, as a database that went away. */
  private static final class FlakyStore extends DelegatingAuthorizationStore {
    final AtomicBoolean savesFail = new AtomicBoolean();
    final AtomicInteger failedSaves = new AtomicInteger();

    FlakyStore() {
      super(new InMemoryAuthorizationStore());
    }

    @Override
    public boolean save(Authorization authorization) {
      if (savesFail.get()) {
        failedSaves.incrementAndGet();
        throw new AuthorizationStoreException(
            "FlakyStore could not save (the test's outage)", null);
      }
      return super.save(authorization);
    }
  }
}

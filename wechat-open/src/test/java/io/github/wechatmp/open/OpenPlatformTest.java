package io.github.wechatmp.open;

import static io.github.wechatmp.open.testing.TestPlatform.AES_KEY;
import static io.github.wechatmp.open.testing.TestPlatform.COMPONENT_APP_ID;
import static io.github.wechatmp.open.testing.TestPlatform.SECRET;
import static io.github.wechatmp.open.testing.TestPlatform.TOKEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.WeChatException;
import io.github.wechatmp.open.testing.ApiProbe;
import io.github.wechatmp.open.testing.EndpointServer;
import io.github.wechatmp.open.testing.TestPlatform;
import io.github.wechatmp.test.CallbackClient;
import io.github.wechatmp.test.CallbackException;
import io.github.wechatmp.test.StandInPlatform;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The platform end to end against the stand-in over real HTTP: WeChat pushes the ticket and the
 * authorization events to the platform's endpoint (served on the JDK's HttpServer), and the
 * authorizers' tokens work on the stand-in's API endpoints.
 */
class OpenPlatformTest {
  private static final String MERCHANT = "wxmerchant0000001";

  @TempDir Path dir;
  private final List<OpenPlatform> platforms = new ArrayList<>();
  private final List<PlatformEvent> heard = new CopyOnWriteArrayList<>();
  private final TokenStore store = new InMemoryTokenStore();
  private WeChatStandIn standIn;
  private StandInPlatform wechat;
  private EndpointServer server;
  private AuthorizationStore authorizations;
  private OpenPlatform platform;

  @BeforeEach
  void start() throws Exception {
    standIn = WeChatStandIn.start();
    authorizations = new FileAuthorizationStore(dir.resolve("authorizations"));
    platform = platform();
    server = EndpointServer.serve("/wechat/events", platform.callback());
    wechat =
        standIn
            .openPlatform()
            .credentials(COMPONENT_APP_ID, SECRET)
            .pushTo(eventUrl(), TOKEN, AES_KEY);
  }

  @AfterEach
  void stop() {
    platforms.forEach(OpenPlatform::close);
    server.close();
    standIn.close();
  }

  private OpenPlatform platform() {
    OpenPlatform p =
        TestPlatform.builder(standIn.baseUrl())
            .store(store)
            .authorizations(authorizations)
            .eventListener(heard::add)
            .build();
    platforms.add(p);
    return p;
  }

  private String eventUrl() {
    return server.url();
  }

  @Test
  void aMerchantAuthorizesAndItsTokenWorksOnApiCallsWithNoFetchBeyondTheAuthorization()
      throws Exception {
    wechat.pushTicket();
    wechat.authorize(MERCHANT, List.of(1, 15));

    Authorization saved = authorizations.find(MERCHANT).orElseThrow();
    assertEquals(wechat.refreshTokenOf(MERCHANT), saved.refreshToken());
    assertEquals(List.of(1, 15), saved.functionIds());
    assertEquals(Authorization.State.AUTHORIZED, saved.state());

    AccessToken token = platform.authorizer(MERCHANT).get();
    assertEquals(0, ApiProbe.errcode(standIn.baseUrl(), token.value()));
    assertEquals(
        0,
        standIn.requests("cgi-bin/component/api_authorizer_token"),
        "the token api_query_auth answered with is adopted through the store, not fetched again");
    assertEquals(1, standIn.requests("cgi-bin/component/api_component_token"));
    assertTrue(heard.stream().anyMatch(e -> e instanceof PlatformEvent.Authorized));
  }

  @Test
  void aRefreshedTokenIsFetchedWithTheStoredRefreshToken() throws Exception {
    wechat.pushTicket();
    wechat.authorize(MERCHANT, List.of(1));
    AccessTokenProvider merchant = platform.authorizer(MERCHANT);
    String first = merchant.get().value();
    String second = merchant.refresh().value();
    assertNotEquals(first, second);
    assertEquals(1, standIn.requests("cgi-bin/component/api_authorizer_token"));
    assertEquals(0, ApiProbe.errcode(standIn.baseUrl(), second));
  }

  @Test
  void reauthorizationSavesTheRotatedRefreshTokenBeforeSuccess() throws Exception {
    wechat.pushTicket();
    wechat.authorize(MERCHANT, List.of(1));
    String before = authorizations.find(MERCHANT).orElseThrow().refreshToken();
    wechat.reauthorize(MERCHANT, List.of(1, 2)); // returns once the platform answered success
    Authorization after = authorizations.find(MERCHANT).orElseThrow();
    assertNotEquals(before, after.refreshToken());
    assertEquals(wechat.refreshTokenOf(MERCHANT), after.refreshToken());
    assertEquals(List.of(1, 2), after.functionIds());
    assertEquals(
        0, ApiProbe.errcode(standIn.baseUrl(), platform.authorizer(MERCHANT).refresh().value()));
  }

  @Test
  void unauthorizedStopsEveryFetchAndKeepsTheRecordRevoked() throws Exception {
    wechat.pushTicket();
    wechat.authorize(MERCHANT, List.of(1));
    platform.authorizer(MERCHANT).get();
    wechat.unauthorize(MERCHANT);

    assertEquals(Authorization.State.REVOKED, authorizations.find(MERCHANT).orElseThrow().state());
    int fetches = standIn.requests("cgi-bin/component/api_authorizer_token");
    NotAuthorizedException e =
        assertThrows(NotAuthorizedException.class, () -> platform.authorizer(MERCHANT).get());
    assertEquals(Authorization.State.REVOKED, e.state());
    assertEquals(fetches, standIn.requests("cgi-bin/component/api_authorizer_token"));
  }

  @Test
  void aRefusedRefreshTokenIsRecoveredThroughTheAuthorizerList() throws Exception {
    wechat.pushTicket();
    wechat.authorize(MERCHANT, List.of(1));
    Authorization real = authorizations.find(MERCHANT).orElseThrow();
    // A crash between WeChat's answer and the save left an old refresh token stored.
    authorizations.save(real.withRefreshToken("refreshtoken-lost-in-a-crash", Instant.now()));

    AccessTokenProvider merchant = platform.authorizer(MERCHANT);
    merchant.invalidate(merchant.get().value()); // as after a 40001 on an API call
    AccessToken token = merchant.get();

    assertEquals(0, ApiProbe.errcode(standIn.baseUrl(), token.value()));
    assertEquals(real.refreshToken(), authorizations.find(MERCHANT).orElseThrow().refreshToken());
    assertEquals(1, standIn.requests("cgi-bin/component/api_get_authorizer_list"));
  }

  @Test
  void anAuthorizationTheStoreLostIsRecoveredFromTheAuthorizerListOnFirstUse() throws Exception {
    wechat.pushTicket();
    wechat.authorize(MERCHANT, List.of(1));
    // As if the JVM handling the push died inside the save: no authorization stored, and the
    // access token (put in the store after the save) never put there either.
    TokenKey key = TokenKey.of(MERCHANT, OpenPlatform.AUTHORIZER_ACCESS_TOKEN);
    store.deleteIfValue(key, store.load(key).orElseThrow().value());
    AuthorizationStore lost = new FileAuthorizationStore(dir.resolve("lost"));
    OpenPlatform other =
        TestPlatform.builder(standIn.baseUrl())
            .store(store) // the cluster's: the ticket and the component token
            .authorizations(lost)
            .build();
    platforms.add(other);

    AccessToken token = other.authorizer(MERCHANT).get();

    assertEquals(0, ApiProbe.errcode(standIn.baseUrl(), token.value()));
    Authorization recovered = lost.find(MERCHANT).orElseThrow();
    assertEquals(Authorization.State.AUTHORIZED, recovered.state());
    assertEquals(wechat.refreshTokenOf(MERCHANT), recovered.refreshToken());
  }

  @Test
  void anAccountNeitherTheStoreNorTheListKnowsIsNotAuthorized() throws Exception {
    wechat.pushTicket();
    String stranger = "wxstranger0000001";

    NotAuthorizedException e =
        assertThrows(NotAuthorizedException.class, () -> platform.authorizer(stranger).get());

    assertNull(e.state());
    assertEquals(1, standIn.requests("cgi-bin/component/api_get_authorizer_list"));
    assertEquals(0, standIn.requests("cgi-bin/component/api_authorizer_token"));
    assertTrue(authorizations.find(stranger).isEmpty());
  }

  @Test
  void aRefreshTokenNoListHoldsMarksTheAccountForReauthorization() throws Exception {
    wechat.pushTicket();
    String stranger = "wxstranger0000001";
    authorizations.save(
        Authorization.authorized(stranger, "refreshtoken-never-issued", List.of(1), Instant.now()));

    NotAuthorizedException e =
        assertThrows(NotAuthorizedException.class, () -> platform.authorizer(stranger).get());
    assertEquals(Authorization.State.NEEDS_REAUTHORIZATION, e.state());
    assertEquals(
        Authorization.State.NEEDS_REAUTHORIZATION,
        authorizations.find(stranger).orElseThrow().state());
    assertFalse(e.getMessage().contains("refreshtoken-never-issued"), e.getMessage());
  }

  @Test
  void fourPlatformsSharingAStoreFetchTheComponentTokenOnce() throws Exception {
    wechat.pushTicket();
    List<OpenPlatform> fleet = List.of(platform, platform(), platform(), platform());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<String>> got = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        OpenPlatform p = fleet.get(i % fleet.size());
        got.add(
            pool.submit(
                () -> {
                  go.await();
                  return p.componentAccessToken().get().value();
                }));
      }
      go.countDown();
      String first = got.get(0).get(30, TimeUnit.SECONDS);
      for (Future<String> f : got) {
        assertEquals(first, f.get(30, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, standIn.requests("cgi-bin/component/api_component_token"));
  }

  @Test
  void withoutATicketTheComponentTokenFailsClearlyAndWeChatIsAskedToPushOne() {
    WeChatException e =
        assertThrows(WeChatException.class, () -> platform.componentAccessToken().get());
    assertTrue(e.getMessage().contains("component_verify_ticket"), e.getMessage());
    assertEquals(1, wechat.startPushTicketRequests());
    assertEquals(0, standIn.requests("cgi-bin/component/api_component_token"));
  }

  @Test
  void theNewestTicketIsKeptAndUsed() throws Exception {
    wechat.pushTicket();
    String newest = wechat.pushTicket();
    platform.componentAccessToken().get();
    assertTrue(
        standIn.received("cgi-bin/component/api_component_token").get(0).body().contains(newest));
  }

  @Test
  void aPushSignedWithAnotherTokenIsRefusedAndNothingIsStored() {
    CallbackClient forger =
        CallbackClient.builder()
            .url(eventUrl())
            .token("not-the-platform-token")
            .encodingAesKey(AES_KEY)
            .appId(COMPONENT_APP_ID)
            .build();
    CallbackException e =
        assertThrows(
            CallbackException.class,
            () ->
                forger.send(
                    "<xml><AppId>"
                        + COMPONENT_APP_ID
                        + "</AppId><CreateTime>1</CreateTime><InfoType>component_verify_ticket"
                        + "</InfoType><ComponentVerifyTicket>forged</ComponentVerifyTicket></xml>"));
    assertEquals(403, e.status());
    assertThrows(WeChatException.class, () -> platform.componentAccessToken().get());
  }

  @Test
  void theAuthorizationLinksCarryAFreshPreAuthCode() {
    wechat.pushTicket();
    String pc =
        platform.authorizationUrl("https://vendor.example/authorized", OpenPlatform.LinkType.PC);
    String mobile =
        platform.authorizationUrl(
            "https://vendor.example/authorized", OpenPlatform.LinkType.MOBILE);
    assertTrue(pc.startsWith("https://mp.weixin.qq.com/cgi-bin/componentloginpage?"), pc);
    assertTrue(pc.contains("pre_auth_code=preauthcode"), pc);
    assertTrue(mobile.endsWith("#wechat_redirect"), mobile);
    assertTrue(mobile.contains("component_appid=" + COMPONENT_APP_ID), mobile);
    assertEquals(2, standIn.requests("cgi-bin/component/api_create_preauthcode"));
  }

  @Test
  void aMissingSettingIsNamed() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                OpenPlatform.builder()
                    .componentAppId(COMPONENT_APP_ID)
                    .componentAppSecret(SECRET)
                    .token(TOKEN)
                    .encodingAesKey(AES_KEY)
                    .build());
    assertEquals("authorizations is required", e.getMessage());
    assertFalse(platform.toString().contains(SECRET), platform.toString());
  }
}

package io.github.wechatmp.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.test.ReceivedRequest;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.Browser;
import io.github.wechatmp.testing.LogCapture;
import io.github.wechatmp.testing.SignInApp;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The whole sign-in over real HTTP: a browser, the application, and WeChat's stand-in. */
class SignInDanceTest {
  static final String APP_ID = "wx0123456789abcdef";
  static final String SECRET = "s3cr3t-0123456789abcdef0123456789";
  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private WeChatStandIn wechat;
  private SignInApp app;
  private final Browser browser = new Browser();

  @BeforeEach
  void start() throws Exception {
    wechat = WeChatStandIn.builder().appId(APP_ID).appSecret(SECRET).start();
    WebAuthorization auth =
        WebAuthorization.builder()
            .appId(APP_ID)
            .appSecret(SECRET)
            .apiBaseUrl(wechat.baseUrl())
            .authorizeBaseUrl(wechat.baseUrl())
            .build();
    app =
        new SignInApp(
            auth, StateCodec.builder().appId(APP_ID).key(KEY).build(), new ConcurrentHashMap<>());
  }

  @AfterEach
  void stop() {
    app.close();
    wechat.close();
  }

  @Test
  void aUserinfoSignInShowsTheUsersOpenIdAndNicknameOnThePageTheyAskedFor() throws Exception {
    wechat.webUser("oAlice", "Alice", "uAlice");
    Browser.Page page = browser.open(app.baseUrl() + "login?return=/orders&scope=userinfo");
    assertEquals(200, page.status(), page.body());
    assertEquals("openid=oAlice;nickname=Alice;path=/orders", page.body());
    assertTrue(
        page.hops()
            .get(1)
            .toString()
            .startsWith(wechat.baseUrl() + "connect/oauth2/authorize?appid="));
    assertTrue(page.hops().get(1).toString().endsWith("#wechat_redirect"));
    assertEquals(200, browser.open(app.baseUrl() + "other").status()); // the session cookie
  }

  @Test
  void aBaseSignInKnowsTheOpenIdAndNeverAsksForTheProfile() throws Exception {
    wechat.webUser("oBob", "Bob", null);
    Browser.Page page = browser.open(app.baseUrl() + "login?return=/&scope=base");
    assertEquals("openid=oBob;nickname=;path=/", page.body());
    assertEquals(0, wechat.requests("sns/userinfo"));
  }

  @Test
  void theDoubleRedirectSignsTheUserInOnceWithNo40163ReachingTheApplication() throws Exception {
    wechat.webUser("oCarol", "Carol", null).deliverRedirectTwice(true);
    Browser.Page page = browser.open(app.baseUrl() + "login?return=/cart&scope=userinfo");
    assertEquals("openid=oCarol;nickname=Carol;path=/cart", page.body());
    assertEquals(2, app.callbacks.get());
    assertEquals(1, wechat.requests("sns/oauth2/access_token"));
    assertTrue(app.failures.isEmpty(), app.failures.toString());
  }

  @Test
  void aCallbackWithAForgedStateIsRefusedBeforeTheCodeIsExchanged() throws Exception {
    StateCodec attacker =
        StateCodec.builder().appId(APP_ID).key(new byte[32]).build(); // not the application's key
    String url =
        WebAuthorization.builder()
            .appId(APP_ID)
            .appSecret("unknown-to-the-attacker")
            .authorizeBaseUrl(wechat.baseUrl())
            .build()
            .authorizeUrl(app.baseUrl() + "wechat/callback", Scope.BASE, attacker.issue("/"));
    Browser.Page page = browser.open(url);
    assertEquals(403, page.status());
    assertEquals("sign-in refused: FORGED", page.body());
    assertEquals(0, wechat.requests("sns/oauth2/access_token"));
  }

  @Test
  void aCallbackReplayedWithAnotherCodeIsRefused() throws Exception {
    Browser.Page first = browser.open(app.baseUrl() + "login?return=/&scope=base");
    assertEquals(200, first.status());
    String callback = first.hops().get(2).toString();
    String state = callback.substring(callback.indexOf("state=") + 6);
    Browser.Page replay =
        new Browser().open(app.baseUrl() + "wechat/callback?code=0123456789abcdef&state=" + state);
    assertEquals(403, replay.status());
    assertEquals("sign-in refused: REPLAYED", replay.body());
    assertEquals(1, wechat.requests("sns/oauth2/access_token"));
  }

  @Test
  void aSnapshotPageUserIsNotSignedIn() throws Exception {
    wechat.webSnapshotUser("oVirtualUser");
    Browser.Page page = browser.open(app.baseUrl() + "login?return=/&scope=userinfo");
    assertEquals(403, page.status());
    assertTrue(page.body().contains("snapshot"), page.body());
    assertEquals(401, browser.open(app.baseUrl() + "orders").status());
  }

  @Test
  void noSecretCodeOrTokenIsWholeInAnyLogLine() throws Exception {
    try (LogCapture log = new LogCapture()) {
      wechat.webUser("oDave", "Dave", "uDave").deliverRedirectTwice(true);
      browser.open(app.baseUrl() + "login?return=/&scope=userinfo");
      String text = log.text();
      assertFalse(text.contains(SECRET));
      for (ReceivedRequest r : wechat.received("sns/oauth2/access_token")) {
        assertFalse(text.contains(r.queryParameter("code")));
      }
      for (ReceivedRequest r : wechat.received("sns/userinfo")) {
        assertFalse(text.contains(r.queryParameter("access_token")));
      }
    }
  }
}

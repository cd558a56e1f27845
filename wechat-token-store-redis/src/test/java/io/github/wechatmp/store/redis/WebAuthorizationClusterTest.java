package io.github.wechatmp.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.oauth.InvalidStateException;
import io.github.wechatmp.oauth.StateCodec;
import io.github.wechatmp.oauth.WebAccessToken;
import io.github.wechatmp.oauth.WebAuthorization;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.Browser;
import io.github.wechatmp.testing.RoundRobinFront;
import io.github.wechatmp.testing.SignInApp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Web authorization on two application instances behind a load balancer, sharing a real Redis:
 * WeChat's double redirect reaches both, and the user is signed in with one code exchange.
 */
class WebAuthorizationClusterTest {
  static final String APP_ID = "wx0123456789abcdef";
  static final String SECRET = "s3cr3t-0123456789abcdef0123456789";
  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private static TestRedis redis;
  private WeChatStandIn wechat;
  private final List<AutoCloseable> closing = new ArrayList<>();
  private String prefix;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = TestRedis.standalone();
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  void start() {
    wechat = WeChatStandIn.builder().appId(APP_ID).appSecret(SECRET).start();
    prefix = "oauth-test-" + UUID.randomUUID() + ":";
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    wechat.close();
  }

  /** One instance's store: its own Redis connection, as another process would have. */
  private RedisTokenStore store() {
    return RedisTokenStore.builder(redis.newClient()).keyPrefix(prefix).build();
  }

  private WebAuthorization auth(RedisTokenStore store) {
    return WebAuthorization.builder()
        .appId(APP_ID)
        .appSecret(SECRET)
        .apiBaseUrl(wechat.baseUrl())
        .authorizeBaseUrl(wechat.baseUrl())
        .store(store)
        .build();
  }

  private SignInApp instance(Map<String, SignInApp.SignedIn> sessions) throws Exception {
    RedisTokenStore store = store();
    SignInApp app =
        new SignInApp(
            auth(store),
            StateCodec.builder().appId(APP_ID).key(KEY).store(store).build(),
            sessions);
    closing.add(app);
    return app;
  }

  @Test
  void theDoubleRedirectAcrossTwoInstancesSignsTheUserInWithOneExchange() throws Exception {
    Map<String, SignInApp.SignedIn> sessions = new ConcurrentHashMap<>();
    SignInApp a = instance(sessions);
    SignInApp b = instance(sessions);
    RoundRobinFront front = new RoundRobinFront(List.of(a.baseUrl(), b.baseUrl()));
    closing.add(0, front);
    a.publicUrl(front::baseUrl);
    b.publicUrl(front::baseUrl);
    wechat.webUser("oErin", "Erin", "uErin").deliverRedirectTwice(true);

    Browser.Page page = new Browser().open(front.baseUrl() + "login?return=/home&scope=userinfo");

    assertEquals(200, page.status(), page.body());
    assertEquals("openid=oErin;nickname=Erin;path=/home", page.body());
    assertEquals(1, a.callbacks.get(), "WeChat's first delivery or the browser's reached A");
    assertEquals(1, b.callbacks.get(), "and the other reached B");
    assertEquals(1, wechat.requests("sns/oauth2/access_token"));
    assertTrue(a.failures.isEmpty() && b.failures.isEmpty(), a.failures + " " + b.failures);
  }

  @Test
  void twoInstancesExchangingOneCodeAtOnceAskWeChatOnceAndGetTheSameAnswer() throws Exception {
    wechat.failNext(
        1,
        io.github.wechatmp.test.Fault.slow(java.time.Duration.ofMillis(500))
            .at("sns/oauth2/access_token"));
    WebAuthorization a = auth(store());
    WebAuthorization b = auth(store());
    String code = codeFor(a);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<WebAccessToken>> results = new ArrayList<>();
      for (WebAuthorization auth : List.of(a, b, a, b)) {
        Callable<WebAccessToken> c =
            () -> {
              go.await();
              return auth.exchange(code);
            };
        results.add(pool.submit(c));
      }
      go.countDown();
      for (Future<WebAccessToken> f : results) {
        assertEquals(results.get(0).get(), f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, wechat.requests("sns/oauth2/access_token"));
  }

  @Test
  void aStateReplayedOnTheOtherInstanceWithAnotherCodeIsRefused() {
    RedisTokenStore storeA = store();
    StateCodec a = StateCodec.builder().appId(APP_ID).key(KEY).store(storeA).build();
    StateCodec b = StateCodec.builder().appId(APP_ID).key(KEY).store(store()).build();
    String state = a.issue("/");
    a.consume(state, "0123456789abcdef0123456789abcdef");
    InvalidStateException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            InvalidStateException.class,
            () -> b.consume(state, "fedcba9876543210fedcba9876543210"));
    assertEquals(InvalidStateException.Reason.REPLAYED, e.reason());
    assertEquals("/", b.consume(state, "0123456789abcdef0123456789abcdef"));
  }

  private String codeFor(WebAuthorization auth) throws Exception {
    String url =
        auth.authorizeUrl("http://127.0.0.1:9/cb", io.github.wechatmp.oauth.Scope.BASE, "s");
    String location = new Browser().redirectOf(url);
    return location.substring(location.indexOf("code=") + 5, location.indexOf("&state="));
  }
}

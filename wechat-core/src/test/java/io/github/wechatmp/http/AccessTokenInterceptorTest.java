package io.github.wechatmp.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.test.Fault;
import io.github.wechatmp.test.ReceivedRequest;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.LogCapture;
import io.github.wechatmp.testing.MutableClock;
import io.github.wechatmp.testing.StandIns;
import io.github.wechatmp.token.AccessTokenProvider;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AccessTokenInterceptorTest {
  private static final String OK = "{\"errcode\":0,\"errmsg\":\"ok\"}";

  /** The host the stand-in is reached under (its base URL's). */
  private static final String HOST = "127.0.0.1";

  private final MutableClock clock = new MutableClock();
  private WeChatStandIn wechat;
  private AccessTokenProvider tokens;
  private OkHttpClient client;

  @BeforeEach
  void setUp() throws Exception {
    wechat = StandIns.start(clock);
    // Ordinary API endpoints: a valid token gets {"errcode":0,"errmsg":"ok"}, any other 40001.
    for (String path :
        List.of(
            "cgi-bin/user/info",
            "cgi-bin/menu/get",
            "cgi-bin/a",
            "cgi-bin/b",
            "cgi-bin/c",
            "cgi-bin/media/get",
            "cgi-bin/x",
            "cgi-bin/y")) {
      wechat.addEndpoint(path, OK);
    }
    tokens =
        AccessTokenProvider.builder()
            .appId(StandIns.APP_ID)
            .appSecret(StandIns.SECRET)
            .apiBaseUrl(wechat.baseUrl())
            .clock(clock)
            .build();
    client =
        new OkHttpClient.Builder()
            .addInterceptor(AccessTokenInterceptor.builder(tokens).addHost(HOST).build())
            .build();
  }

  @AfterEach
  void tearDown() throws Exception {
    tokens.close();
    wechat.close();
  }

  /** The next request to {@code path} gets {@code body} verbatim. */
  private void enqueueApi(String path, String body) {
    wechat.failNext(1, Fault.json(body).at(path));
  }

  /** Every request but those to the token endpoints, in order. */
  private List<ReceivedRequest> apiLog() {
    return wechat.received().stream()
        .filter(
            r ->
                !r.path().equals(WeChatStandIn.TOKEN_PATH)
                    && !r.path().equals(WeChatStandIn.STABLE_TOKEN_PATH))
        .toList();
  }

  private String tokenValue(int n) {
    return StandIns.token(wechat, n);
  }

  private Request get(String pathAndQuery) {
    return new Request.Builder().url(wechat.baseUrl() + pathAndQuery).build();
  }

  private String call(Request request) throws IOException {
    try (Response r = client.newCall(request).execute()) {
      return r.body().string();
    }
  }

  private static String tokenOf(ReceivedRequest r) {
    return r.queryParameter("access_token");
  }

  private static long tokenParameters(ReceivedRequest r) {
    return java.util.Arrays.stream(r.query().split("&"))
        .filter(p -> p.startsWith("access_token="))
        .count();
  }

  @Test
  void addsTheTokenKeepsTheQueryAndCachesTheToken() throws Exception {
    for (int i = 0; i < 20; i++) {
      assertEquals(
          "{\"errcode\":0,\"errmsg\":\"ok\"}", call(get("cgi-bin/user/info?openid=o1&lang=zh_CN")));
    }
    assertEquals(1, wechat.tokenRequests());
    assertEquals(20, wechat.apiRequests());
    ReceivedRequest r = apiLog().get(0);
    assertEquals(tokenValue(1), tokenOf(r));
    assertEquals("o1", r.queryParameter("openid"));
    assertEquals("zh_CN", r.queryParameter("lang"));
    assertEquals(1, tokenParameters(r));
  }

  @Test
  void scripted40001ThenSuccessMakesOneTokenFetchAndTwoApiRequests() throws Exception {
    tokens.get();
    assertEquals(1, wechat.tokenRequests());
    enqueueApi("cgi-bin/menu/get", StandIns.error(40001, "invalid credential"));
    try (LogCapture log = new LogCapture()) {
      assertEquals("{\"errcode\":0,\"errmsg\":\"ok\"}", call(get("cgi-bin/menu/get")));
      String text = log.text();
      assertFalse(text.contains(tokenValue(1)), text);
      assertFalse(text.contains(tokenValue(2)), text);
      assertTrue(text.contains("retrying once"), text);
    }
    assertEquals(2, wechat.tokenRequests(), "exactly one token fetch for the retry");
    assertEquals(2, wechat.apiRequests());
    List<ReceivedRequest> api = apiLog();
    assertEquals(tokenValue(1), tokenOf(api.get(0)));
    assertEquals(tokenValue(2), tokenOf(api.get(1)));
  }

  @Test
  void tokenRevokedAtWeChatIsReplacedTransparently() throws Exception {
    tokens.get();
    wechat.voidToken(tokenValue(1));
    assertEquals("{\"errcode\":0,\"errmsg\":\"ok\"}", call(get("cgi-bin/menu/get")));
    assertEquals("{\"errcode\":0,\"errmsg\":\"ok\"}", call(get("cgi-bin/menu/get")));
    assertEquals(2, wechat.tokenRequests());
    assertEquals(3, wechat.apiRequests());
  }

  @Test
  void aSecond40001SurfacesAsWeChatApiExceptionWithoutLooping() throws Exception {
    tokens.get();
    enqueueApi("cgi-bin/menu/get", StandIns.error(40001, "invalid credential"));
    enqueueApi("cgi-bin/menu/get", StandIns.error(40001, "invalid credential again"));
    WeChatApiException e =
        assertThrows(WeChatApiException.class, () -> call(get("cgi-bin/menu/get")));
    assertEquals(40001, e.errorCode());
    assertEquals("invalid credential again", e.errorMessage());
    assertTrue(e instanceof AccessTokenRejectedException, e.toString());
    assertFalse(
        e.getMessage().contains("AppSecret"),
        "40001 on an API call is no AppSecret problem: " + e.getMessage());
    assertFalse(e.getMessage().contains(tokenValue(2)));
    assertEquals(2, wechat.apiRequests(), "one request and exactly one retry");
    assertEquals(2, wechat.tokenRequests(), "exactly one token fetch");
    // The fresh token was not thrown away after the second rejection, so the next call spends no
    // fetch.
    assertEquals("{\"errcode\":0,\"errmsg\":\"ok\"}", call(get("cgi-bin/menu/get")));
    assertEquals(2, wechat.tokenRequests());
    assertEquals(tokenValue(2), tokenOf(apiLog().get(2)));
  }

  @ParameterizedTest
  @ValueSource(ints = {40014, 42001})
  void theOtherTokenErrorsAreRetriedToo(int code) throws Exception {
    tokens.get();
    enqueueApi("cgi-bin/menu/get", StandIns.error(code, "token"));
    assertEquals("{\"errcode\":0,\"errmsg\":\"ok\"}", call(get("cgi-bin/menu/get")));
    assertEquals(2, wechat.apiRequests());
    assertEquals(2, wechat.tokenRequests());
  }

  @ParameterizedTest
  @ValueSource(ints = {-1, 45009, 40013, 48001})
  void otherErrorsAreReturnedAsTheyCame(int code) throws Exception {
    enqueueApi("cgi-bin/menu/get", StandIns.error(code, "other"));
    assertEquals(StandIns.error(code, "other"), call(get("cgi-bin/menu/get")));
    assertEquals(1, wechat.apiRequests());
    assertEquals(1, wechat.tokenRequests());
  }

  @Test
  void errcodeInsideANestedObjectOrInABinaryBodyIsNoTokenError() throws Exception {
    enqueueApi("cgi-bin/a", "{\"errcode\":0,\"data\":{\"errcode\":40001}}");
    assertEquals("{\"errcode\":0,\"data\":{\"errcode\":40001}}", call(get("cgi-bin/a")));
    byte[] jpegLookingLikeAnError = StandIns.error(40001, "x").getBytes();
    wechat.failNext(
        1,
        Fault.body(200, "image/jpeg", new String(jpegLookingLikeAnError, UTF_8))
            .at("cgi-bin/media/get"));
    assertEquals(StandIns.error(40001, "x"), call(get("cgi-bin/media/get?media_id=m")));
    enqueueApi("cgi-bin/b", "not json {");
    assertEquals("not json {", call(get("cgi-bin/b")));
    assertEquals(3, wechat.apiRequests());
  }

  @Test
  void aLargeBodyIsPassedOnWhole() throws Exception {
    String big = "{\"errcode\":0,\"items\":\"" + "x".repeat(300_000) + "\"}";
    enqueueApi("cgi-bin/c", big);
    assertEquals(big, call(get("cgi-bin/c")));
  }

  @Test
  void postBodyIsSentAgainOnRetry() throws Exception {
    tokens.get();
    enqueueApi("cgi-bin/message/custom/send", StandIns.error(42001, "access_token expired"));
    String json = "{\"touser\":\"o1\",\"msgtype\":\"text\",\"text\":{\"content\":\"你好\"}}";
    Request post =
        new Request.Builder()
            .url(wechat.baseUrl() + "cgi-bin/message/custom/send")
            .post(RequestBody.create(json, MediaType.get("application/json; charset=utf-8")))
            .build();
    assertEquals("{\"errcode\":0,\"errmsg\":\"ok\"}", call(post));
    List<ReceivedRequest> api = apiLog();
    assertEquals(2, api.size());
    assertEquals(json, api.get(0).body());
    assertEquals(json, api.get(1).body());
    assertEquals("POST", api.get(1).method());
    assertEquals(List.of(json), wechat.sentMessages(), "the retry with the fresh token was taken");
  }

  @Test
  void oneShotBodyIsNotSentTwice() throws Exception {
    tokens.get();
    enqueueApi("cgi-bin/x", StandIns.error(40001, "invalid credential"));
    RequestBody oneShot =
        new RequestBody() {
          @Override
          public MediaType contentType() {
            return MediaType.get("application/json");
          }

          @Override
          public void writeTo(BufferedSink sink) throws IOException {
            sink.writeUtf8("{}");
          }

          @Override
          public boolean isOneShot() {
            return true;
          }
        };
    Request post = new Request.Builder().url(wechat.baseUrl() + "cgi-bin/x").post(oneShot).build();
    WeChatApiException e = assertThrows(WeChatApiException.class, () -> call(post));
    assertEquals(40001, e.errorCode());
    assertEquals(1, wechat.apiRequests());
    // the rejected token was still reported, so the next call gets a fresh one
    assertEquals("{\"errcode\":0,\"errmsg\":\"ok\"}", call(get("cgi-bin/y")));
    assertEquals(tokenValue(2), tokenOf(apiLog().get(1)));
  }

  @Test
  void urlThatAlreadyCarriesATokenIsRefusedBeforeSending() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> call(get("cgi-bin/menu/get?access_token=HANDMADE")));
    assertFalse(e.getMessage().contains("HANDMADE"));
    assertEquals(0, wechat.apiRequests());
    assertEquals(0, wechat.tokenRequests());
  }

  @Test
  void tokenEndpointsAreNeverTouchedNorRetried() throws Exception {
    try (WeChatStandIn tokenServer = WeChatStandIn.start()) {
      tokenServer.failNext(
          Integer.MAX_VALUE, Fault.json(StandIns.error(40001, "invalid credential")));
      String base = tokenServer.baseUrl();
      String body =
          call(
              new Request.Builder()
                  .url(base + "cgi-bin/token?grant_type=client_credential&appid=a&secret=b")
                  .build());
      assertEquals(StandIns.error(40001, "invalid credential"), body);
      call(
          new Request.Builder()
              .url(base + "cgi-bin/stable_token")
              .post(RequestBody.create("{}", MediaType.get("application/json")))
              .build());
      call(new Request.Builder().url(base + "proxy/cgi-bin/token/").build());
      List<ReceivedRequest> hits = tokenServer.received();
      assertEquals(3, hits.size(), "no retry on the token endpoints");
      assertFalse(hits.stream().anyMatch(r -> r.query().contains("access_token")), hits.toString());
      assertEquals(0, wechat.tokenRequests(), "the provider was not even asked");
    }
  }

  @Test
  void hostsNotConfiguredAreLeftAlone() throws Exception {
    OkHttpClient plain =
        new OkHttpClient.Builder().addInterceptor(new AccessTokenInterceptor(tokens)).build();
    // Issue 14 item 4: the provider's own API host is covered now, so reach the same server by its
    // other loopback name, which is not configured.
    okhttp3.HttpUrl own = okhttp3.HttpUrl.get(wechat.baseUrl());
    okhttp3.HttpUrl other =
        own.newBuilder().host(own.host().equals("localhost") ? "127.0.0.1" : "localhost").build();
    Request elsewhere =
        new Request.Builder().url(other + "cgi-bin/menu/get?access_token=HANDMADE").build();
    try (Response r = plain.newCall(elsewhere).execute()) {
      r.body().string();
    }
    assertEquals("HANDMADE", tokenOf(apiLog().get(0)));
    assertEquals(0, wechat.tokenRequests());
    assertTrue(AccessTokenInterceptor.DEFAULT_HOSTS.contains("api.weixin.qq.com"));
    assertTrue(
        new AccessTokenInterceptor(tokens)
            .hosts()
            .containsAll(
                List.of(
                    "api2.weixin.qq.com",
                    "sh.api.weixin.qq.com",
                    "sz.api.weixin.qq.com",
                    "hk.api.weixin.qq.com")));
  }

  @Test
  void hostValidation() {
    AccessTokenInterceptor.Builder b = AccessTokenInterceptor.builder(tokens);
    assertThrows(IllegalArgumentException.class, () -> b.addHost("https://api.weixin.qq.com"));
    assertThrows(IllegalArgumentException.class, () -> b.addHost("api.weixin.qq.com:443"));
    assertThrows(IllegalArgumentException.class, () -> b.addHost("api.weixin.qq.com/x"));
    assertThrows(IllegalArgumentException.class, () -> b.addHost(" "));
    assertThrows(IllegalArgumentException.class, () -> b.addHost(null));
    assertTrue(
        b.addHost("Proxy.Example.COM")
            .addHost("[::1]")
            .build()
            .hosts()
            .containsAll(List.of("proxy.example.com", "::1")));
    assertThrows(NullPointerException.class, () -> AccessTokenInterceptor.builder(null));
  }

  @Test
  void refusesToRunAsANetworkInterceptor() {
    OkHttpClient wrong =
        new OkHttpClient.Builder()
            .addNetworkInterceptor(AccessTokenInterceptor.builder(tokens).addHost(HOST).build())
            .build();
    assertThrows(
        IllegalStateException.class,
        () -> {
          try (Response r = wrong.newCall(get("cgi-bin/menu/get")).execute()) {
            r.body().string();
          }
        });
    assertEquals(0, wechat.apiRequests());
  }

  @Test
  void concurrentCallsHittingTheSameRevokedTokenShareOneRefresh() throws Exception {
    tokens.get();
    wechat.voidToken(tokenValue(1));
    int threads = 16;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return call(get("cgi-bin/menu/get"));
                }));
      }
      start.countDown();
      for (Future<String> f : results) {
        assertEquals("{\"errcode\":0,\"errmsg\":\"ok\"}", f.get(30, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(2, wechat.tokenRequests(), "one warm-up fetch and one refresh for all threads");
  }

  @Test
  void asyncCallsReportTheSecondRejectionToOnFailure() throws Exception {
    tokens.get();
    enqueueApi("cgi-bin/menu/get", StandIns.error(40001, "a"));
    enqueueApi("cgi-bin/menu/get", StandIns.error(40001, "b"));
    CompletableFuture<IOException> failure = new CompletableFuture<>();
    {
      client
          .newCall(get("cgi-bin/menu/get"))
          .enqueue(
              new Callback() {
                @Override
                public void onFailure(Call call, IOException e) {
                  failure.complete(e);
                }

                @Override
                public void onResponse(Call call, Response response) {
                  response.close();
                  failure.complete(null);
                }
              });
      IOException e = failure.get(30, TimeUnit.SECONDS);
      assertTrue(e != null, "onFailure must be called");
      Throwable api =
          e.getCause() instanceof WeChatApiException
              ? e.getCause()
              : e.getSuppressed().length > 0 ? e.getSuppressed()[0] : null;
      assertTrue(api instanceof WeChatApiException, "the WeChatApiException is attached: " + e);
      assertEquals(40001, ((WeChatApiException) api).errorCode());
    }
    assertEquals(2, wechat.apiRequests());
  }
}

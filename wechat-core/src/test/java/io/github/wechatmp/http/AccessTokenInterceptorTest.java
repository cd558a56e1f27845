package io.github.wechatmp.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.testing.LogCapture;
import io.github.wechatmp.testing.MutableClock;
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
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Buffer;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AccessTokenInterceptorTest {
  private final MutableClock clock = new MutableClock();
  private ScriptedWeChat wechat;
  private AccessTokenProvider tokens;
  private OkHttpClient client;

  @BeforeEach
  void setUp() throws Exception {
    wechat = new ScriptedWeChat();
    tokens =
        AccessTokenProvider.builder()
            .appId(ScriptedWeChat.APP_ID)
            .appSecret(ScriptedWeChat.SECRET)
            .apiBaseUrl(wechat.baseUrl())
            .clock(clock)
            .build();
    client =
        new OkHttpClient.Builder()
            .addInterceptor(AccessTokenInterceptor.builder(tokens).addHost(wechat.host()).build())
            .build();
  }

  @AfterEach
  void tearDown() throws Exception {
    tokens.close();
    wechat.close();
  }

  private Request get(String pathAndQuery) {
    return new Request.Builder().url(wechat.baseUrl() + pathAndQuery).build();
  }

  private String call(Request request) throws IOException {
    try (Response r = client.newCall(request).execute()) {
      return r.body().string();
    }
  }

  private String tokenOf(RecordedRequest r) {
    return r.getUrl().queryParameter("access_token");
  }

  @Test
  void addsTheTokenKeepsTheQueryAndCachesTheToken() throws Exception {
    for (int i = 0; i < 20; i++) {
      assertEquals(
          "{\"errcode\":0,\"errmsg\":\"ok\"}", call(get("cgi-bin/user/info?openid=o1&lang=zh_CN")));
    }
    assertEquals(1, wechat.tokenRequests());
    assertEquals(20, wechat.apiRequests());
    RecordedRequest r = wechat.apiLog().get(0);
    assertEquals(ScriptedWeChat.tokenValue(1), tokenOf(r));
    assertEquals("o1", r.getUrl().queryParameter("openid"));
    assertEquals("zh_CN", r.getUrl().queryParameter("lang"));
    assertEquals(1, r.getUrl().queryParameterValues("access_token").size());
  }

  @Test
  void scripted40001ThenSuccessMakesOneTokenFetchAndTwoApiRequests() throws Exception {
    tokens.get();
    assertEquals(1, wechat.tokenRequests());
    wechat.enqueueApi(ScriptedWeChat.json(ScriptedWeChat.error(40001, "invalid credential")));
    try (LogCapture log = new LogCapture()) {
      assertEquals("{\"errcode\":0,\"errmsg\":\"ok\"}", call(get("cgi-bin/menu/get")));
      String text = log.text();
      assertFalse(text.contains(ScriptedWeChat.tokenValue(1)), text);
      assertFalse(text.contains(ScriptedWeChat.tokenValue(2)), text);
      assertTrue(text.contains("retrying once"), text);
    }
    assertEquals(2, wechat.tokenRequests(), "exactly one token fetch for the retry");
    assertEquals(2, wechat.apiRequests());
    List<RecordedRequest> api = wechat.apiLog();
    assertEquals(ScriptedWeChat.tokenValue(1), tokenOf(api.get(0)));
    assertEquals(ScriptedWeChat.tokenValue(2), tokenOf(api.get(1)));
  }

  @Test
  void tokenRevokedAtWeChatIsReplacedTransparently() throws Exception {
    tokens.get();
    wechat.revoke(ScriptedWeChat.tokenValue(1));
    assertEquals("{\"errcode\":0,\"errmsg\":\"ok\"}", call(get("cgi-bin/menu/get")));
    assertEquals("{\"errcode\":0,\"errmsg\":\"ok\"}", call(get("cgi-bin/menu/get")));
    assertEquals(2, wechat.tokenRequests());
    assertEquals(3, wechat.apiRequests());
  }

  @Test
  void aSecond40001SurfacesAsWeChatApiExceptionWithoutLooping() throws Exception {
    tokens.get();
    wechat.enqueueApi(ScriptedWeChat.json(ScriptedWeChat.error(40001, "invalid credential")));
    wechat.enqueueApi(ScriptedWeChat.json(ScriptedWeChat.error(40001, "invalid credential again")));
    WeChatApiException e =
        assertThrows(WeChatApiException.class, () -> call(get("cgi-bin/menu/get")));
    assertEquals(40001, e.errorCode());
    assertEquals("invalid credential again", e.errorMessage());
    assertTrue(e instanceof AccessTokenRejectedException, e.toString());
    assertFalse(
        e.getMessage().contains("AppSecret"),
        "40001 on an API call is no AppSecret problem: " + e.getMessage());
    assertFalse(e.getMessage().contains(ScriptedWeChat.tokenValue(2)));
    assertEquals(2, wechat.apiRequests(), "one request and exactly one retry");
    assertEquals(2, wechat.tokenRequests(), "exactly one token fetch");
    // The fresh token was not thrown away after the second rejection, so the next call spends no
    // fetch.
    assertEquals("{\"errcode\":0,\"errmsg\":\"ok\"}", call(get("cgi-bin/menu/get")));
    assertEquals(2, wechat.tokenRequests());
    assertEquals(ScriptedWeChat.tokenValue(2), tokenOf(wechat.apiLog().get(2)));
  }

  @ParameterizedTest
  @ValueSource(ints = {40014, 42001})
  void theOtherTokenErrorsAreRetriedToo(int code) throws Exception {
    tokens.get();
    wechat.enqueueApi(ScriptedWeChat.json(ScriptedWeChat.error(code, "token")));
    assertEquals("{\"errcode\":0,\"errmsg\":\"ok\"}", call(get("cgi-bin/menu/get")));
    assertEquals(2, wechat.apiRequests());
    assertEquals(2, wechat.tokenRequests());
  }

  @ParameterizedTest
  @ValueSource(ints = {-1, 45009, 40013, 48001})
  void otherErrorsAreReturnedAsTheyCame(int code) throws Exception {
    wechat.enqueueApi(ScriptedWeChat.json(ScriptedWeChat.error(code, "other")));
    assertEquals(ScriptedWeChat.error(code, "other"), call(get("cgi-bin/menu/get")));
    assertEquals(1, wechat.apiRequests());
    assertEquals(1, wechat.tokenRequests());
  }

  @Test
  void errcodeInsideANestedObjectOrInABinaryBodyIsNoTokenError() throws Exception {
    wechat.enqueueApi(ScriptedWeChat.json("{\"errcode\":0,\"data\":{\"errcode\":40001}}"));
    assertEquals("{\"errcode\":0,\"data\":{\"errcode\":40001}}", call(get("cgi-bin/a")));
    byte[] jpegLookingLikeAnError = ScriptedWeChat.error(40001, "x").getBytes();
    wechat.enqueueApi(
        new MockResponse.Builder()
            .addHeader("Content-Type", "image/jpeg")
            .body(new Buffer().write(jpegLookingLikeAnError))
            .build());
    assertEquals(ScriptedWeChat.error(40001, "x"), call(get("cgi-bin/media/get?media_id=m")));
    wechat.enqueueApi(ScriptedWeChat.json("not json {"));
    assertEquals("not json {", call(get("cgi-bin/b")));
    assertEquals(3, wechat.apiRequests());
  }

  @Test
  void aLargeBodyIsPassedOnWhole() throws Exception {
    String big = "{\"errcode\":0,\"items\":\"" + "x".repeat(300_000) + "\"}";
    wechat.enqueueApi(ScriptedWeChat.json(big));
    assertEquals(big, call(get("cgi-bin/c")));
  }

  @Test
  void postBodyIsSentAgainOnRetry() throws Exception {
    tokens.get();
    wechat.enqueueApi(ScriptedWeChat.json(ScriptedWeChat.error(42001, "access_token expired")));
    String json = "{\"touser\":\"o1\",\"msgtype\":\"text\",\"text\":{\"content\":\"你好\"}}";
    Request post =
        new Request.Builder()
            .url(wechat.baseUrl() + "cgi-bin/message/custom/send")
            .post(RequestBody.create(json, MediaType.get("application/json; charset=utf-8")))
            .build();
    assertEquals("{\"errcode\":0,\"errmsg\":\"ok\"}", call(post));
    List<RecordedRequest> api = wechat.apiLog();
    assertEquals(2, api.size());
    assertEquals(json, api.get(0).getBody().utf8());
    assertEquals(json, api.get(1).getBody().utf8());
    assertEquals("POST", api.get(1).getMethod());
  }

  @Test
  void oneShotBodyIsNotSentTwice() throws Exception {
    tokens.get();
    wechat.enqueueApi(ScriptedWeChat.json(ScriptedWeChat.error(40001, "invalid credential")));
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
    assertEquals(ScriptedWeChat.tokenValue(2), tokenOf(wechat.apiLog().get(1)));
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
    AtomicInteger hits = new AtomicInteger();
    List<String> queries = new ArrayList<>();
    try (MockWebServer tokenServer = new MockWebServer()) {
      tokenServer.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              hits.incrementAndGet();
              synchronized (queries) {
                queries.add(String.valueOf(request.getUrl().query()));
              }
              return ScriptedWeChat.json(ScriptedWeChat.error(40001, "invalid credential"));
            }
          });
      tokenServer.start();
      String base = tokenServer.url("/").toString();
      String body =
          call(
              new Request.Builder()
                  .url(base + "cgi-bin/token?grant_type=client_credential&appid=a&secret=b")
                  .build());
      assertEquals(ScriptedWeChat.error(40001, "invalid credential"), body);
      call(
          new Request.Builder()
              .url(base + "cgi-bin/stable_token")
              .post(RequestBody.create("{}", MediaType.get("application/json")))
              .build());
      call(new Request.Builder().url(base + "proxy/cgi-bin/token/").build());
      assertEquals(3, hits.get(), "no retry on the token endpoints");
      assertFalse(String.join("&", queries).contains("access_token"));
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
    assertEquals("HANDMADE", tokenOf(wechat.apiLog().get(0)));
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
            .addNetworkInterceptor(
                AccessTokenInterceptor.builder(tokens).addHost(wechat.host()).build())
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
    wechat.revoke(ScriptedWeChat.tokenValue(1));
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
    wechat.enqueueApi(ScriptedWeChat.json(ScriptedWeChat.error(40001, "a")));
    wechat.enqueueApi(ScriptedWeChat.json(ScriptedWeChat.error(40001, "b")));
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

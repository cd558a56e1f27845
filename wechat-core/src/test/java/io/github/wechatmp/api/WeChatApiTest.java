package io.github.wechatmp.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.WeChatTransportException;
import io.github.wechatmp.http.AccessTokenRejectedException;
import io.github.wechatmp.test.Fault;
import io.github.wechatmp.test.ReceivedRequest;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.StandIns;
import io.github.wechatmp.token.AccessTokenProvider;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The generic calls against the stand-in over real HTTP: bodies, result types, errors, retries. */
class WeChatApiTest {
  private static final String IPS = "cgi-bin/get_api_domain_ip";
  private static final String CUSTOM = "cgi-bin/message/custom/send";

  private WeChatStandIn wechat;
  private AccessTokenProvider tokens;
  private WeChatApi api;

  /** A record as users write them for the generic call. */
  public record IpList(@com.squareup.moshi.Json(name = "ip_list") List<String> ipList) {}

  /** A record body. */
  public record Text(String content) {}

  /** A record body. */
  public record TextMessage(String touser, String msgtype, Text text) {}

  @BeforeEach
  void start() {
    wechat = WeChatStandIn.start();
    tokens =
        AccessTokenProvider.builder()
            .appId(StandIns.APP_ID)
            .appSecret(StandIns.SECRET)
            .apiBaseUrl(wechat.baseUrl())
            .build();
    api = WeChatApi.builder().tokens(tokens).busyBackoff(Duration.ofMillis(5)).build();
  }

  @AfterEach
  void stop() {
    tokens.close();
    wechat.close();
  }

  @Test
  void anAsyncCallWithoutAResultTypeOrWithoutAPathFailsItsFutureAndSendsNothing() {
    CompletableFuture<String> noType = api.getAsync(IPS, Map.of(), (Class<String>) null);
    CompletableFuture<String> noPath = api.postAsync(" ", Map.of("a", 1), String.class);
    CompletableFuture<String> postNoType = api.postAsync(CUSTOM, Map.of("a", 1), null);
    assertInstanceOf(
        NullPointerException.class,
        assertThrows(ExecutionException.class, () -> noType.get(5, TimeUnit.SECONDS)).getCause());
    assertInstanceOf(
        IllegalArgumentException.class,
        assertThrows(ExecutionException.class, () -> noPath.get(5, TimeUnit.SECONDS)).getCause());
    assertInstanceOf(
        NullPointerException.class,
        assertThrows(ExecutionException.class, () -> postNoType.get(5, TimeUnit.SECONDS))
            .getCause());
    assertEquals(0, wechat.requests(IPS));
    assertEquals(0, wechat.requests(CUSTOM));
  }

  @Test
  void theStandInRefusesTemplateAndSubscribeMessagesWithoutRecipientTemplateOrDataAsWeChatDoes() {
    Map<String, Object> data = Map.of("thing1", Map.of("value", "x"));
    for (String path :
        List.of("cgi-bin/message/template/send", "cgi-bin/message/subscribe/bizsend")) {
      assertEquals(
          40003,
          assertThrows(
                  WeChatApiException.class,
                  () -> api.post(path, Map.of("template_id", "T1", "data", data), String.class))
              .errorCode(),
          path);
      assertEquals(
          40037,
          assertThrows(
                  WeChatApiException.class,
                  () -> api.post(path, Map.of("touser", "o1", "data", data), String.class))
              .errorCode(),
          path);
      assertEquals(
          47001,
          assertThrows(
                  WeChatApiException.class,
                  () -> api.post(path, Map.of("touser", "o1", "template_id", "T1"), String.class))
              .errorCode(),
          path);
      api.post(path, Map.of("touser", "o1", "template_id", "T1", "data", data), String.class);
    }
    assertEquals(1, wechat.templateMessagesSent().size());
    assertEquals(1, wechat.subscribeMessagesSent().size());
  }

  @Test
  void getReadsARecordAMapOrTheRawStringWithOrWithoutALeadingSlash() {
    IpList record = api.get(IPS, Map.of(), IpList.class);
    assertEquals(4, record.ipList().size());
    Map<?, ?> map = api.get("/" + IPS, Map.of(), Map.class);
    assertEquals(record.ipList(), map.get("ip_list"));
    String raw = api.get(IPS, Map.of(), String.class);
    assertTrue(raw.contains("\"ip_list\""), raw);
    assertEquals(3, wechat.requests(IPS));
    ReceivedRequest last = wechat.received(IPS).get(2);
    assertTrue(last.query().contains("access_token="), "the token was added");
  }

  @Test
  void postSendsAnImmutableMapARecordOrAJsonStringAsTheSameJson() {
    api.post(
        CUSTOM,
        Map.of("touser", "o1", "msgtype", "text", "text", Map.of("content", "a")),
        Map.class);
    api.post(CUSTOM, new TextMessage("o2", "text", new Text("b")), Map.class);
    api.post(
        CUSTOM,
        "{\"touser\":\"o3\",\"msgtype\":\"text\",\"text\":{\"content\":\"c\"}}",
        String.class);
    List<String> sent = wechat.sentMessages();
    assertEquals(3, sent.size());
    assertTrue(sent.get(0).contains("\"content\":\"a\""), sent.get(0));
    assertEquals(
        "{\"touser\":\"o2\",\"msgtype\":\"text\",\"text\":{\"content\":\"b\"}}", sent.get(1));
    assertTrue(sent.get(2).contains("\"o3\""), sent.get(2));
  }

  @Test
  void anErrcodeIsAnExceptionWhateverTheResultTypeNeverAMapHoldingIt() {
    wechat.failNext(3, Fault.errcode(40003, "invalid openid").at(CUSTOM));
    for (Class<?> type : List.of(Map.class, String.class, IpList.class)) {
      WeChatApiException e =
          assertThrows(
              WeChatApiException.class, () -> api.post(CUSTOM, Map.of("touser", "x"), type));
      assertEquals(40003, e.errorCode());
      assertEquals("invalid openid", e.errorMessage());
    }
  }

  @Test
  void aTokenVoidedMidwayIsReplacedWithOneRefetchAndTheCallRetriedOnce() {
    api.get(IPS, Map.of(), Map.class);
    String first = wechat.currentToken();
    assertTrue(wechat.voidToken(first));
    Map<?, ?> answer = api.get(IPS, Map.of(), Map.class);
    assertTrue(answer.containsKey("ip_list"));
    assertEquals(2, wechat.tokenRequests(), "one fetch, one re-fetch");
    assertEquals(3, wechat.requests(IPS), "one call, one rejected, one retried");
    assertNotEquals(first, wechat.currentToken());
  }

  @Test
  void aTokenRejectedTwiceFailsWithTheRejectionNotALoop() {
    api.get(IPS, Map.of(), Map.class);
    wechat.failNext(2, Fault.errcode(40001, "invalid credential").at(IPS));
    AccessTokenRejectedException e =
        assertThrows(AccessTokenRejectedException.class, () -> api.get(IPS, Map.of(), Map.class));
    assertEquals(40001, e.errorCode());
    assertEquals(3, wechat.requests(IPS));
  }

  @Test
  void systemBusyIsRetriedAndThenSucceeds() {
    wechat.failNext(2, Fault.systemBusy().at(IPS));
    Map<?, ?> answer = api.get(IPS, Map.of(), Map.class);
    assertTrue(answer.containsKey("ip_list"));
    assertEquals(3, wechat.requests(IPS));
  }

  @Test
  void systemBusyBeyondTheBudgetIsThrown() {
    wechat.failNext(5, Fault.systemBusy().at(IPS));
    WeChatApiException e =
        assertThrows(WeChatApiException.class, () -> api.get(IPS, Map.of(), Map.class));
    assertEquals(WeChatApiException.SYSTEM_BUSY, e.errorCode());
    assertEquals(3, wechat.requests(IPS), "the first try and two retries");
  }

  @Test
  void quotaRateAndCustomerServiceErrorsAreNeverRetried() {
    int[] codes = {
      WeChatApiException.DAILY_QUOTA_EXCEEDED,
      WeChatApiException.API_RATE_LIMITED,
      WeChatApiException.CUSTOMER_SERVICE_WINDOW_CLOSED,
      WeChatApiException.CUSTOMER_SERVICE_MESSAGE_LIMIT
    };
    for (int code : codes) {
      wechat.failNext(1, Fault.errcode(code, "no").at(CUSTOM));
      WeChatApiException e =
          assertThrows(
              WeChatApiException.class, () -> api.post(CUSTOM, Map.of("touser", "u"), Map.class));
      assertEquals(code, e.errorCode());
    }
    assertEquals(codes.length, wechat.requests(CUSTOM), "each sent once");
    assertEquals(45009, WeChatApiException.DAILY_QUOTA_EXCEEDED);
  }

  @Test
  void aProxysHtml502IsATransportExceptionNamingStatusAndContentType() {
    wechat.failNext(
        1, Fault.body(502, "text/html", "<html><body>Bad Gateway</body></html>").at(IPS));
    WeChatTransportException e =
        assertThrows(WeChatTransportException.class, () -> api.get(IPS, Map.of(), Map.class));
    assertEquals(502, e.httpStatus());
    assertTrue(
        e.getMessage().contains("502") && e.getMessage().contains("text/html"), e.getMessage());
    assertTrue(e.getMessage().contains(IPS), e.getMessage());
  }

  @Test
  void anHtmlPageWithStatus200IsATransportExceptionNotAParseError() {
    wechat.failNext(1, Fault.body(200, "text/html", "<html>login</html>").at(IPS));
    WeChatTransportException e =
        assertThrows(WeChatTransportException.class, () -> api.get(IPS, Map.of(), String.class));
    assertTrue(
        e.getMessage().contains("text/html") && e.getMessage().contains("not JSON"),
        e.getMessage());
  }

  @Test
  void badInputIsRefusedBeforeAnythingIsSent() {
    assertThrows(IllegalArgumentException.class, () -> api.get(" ", Map.of(), Map.class));
    assertThrows(
        IllegalArgumentException.class,
        () -> api.get("https://evil.example/x", Map.of(), Map.class));
    assertThrows(
        IllegalArgumentException.class, () -> api.get(IPS, Map.of("access_token", "t"), Map.class));
    assertThrows(IllegalArgumentException.class, () -> api.post(CUSTOM, "not json", Map.class));
    assertThrows(IllegalArgumentException.class, () -> api.post(CUSTOM, new Object(), Map.class));
    assertThrows(IllegalArgumentException.class, () -> api.post(CUSTOM, null, Map.class));
    assertThrows(IllegalStateException.class, () -> WeChatApi.builder().build());
    assertEquals(0, wechat.apiRequests());
    assertFalse(api.toString().contains(StandIns.SECRET));
  }

  @Test
  void asyncCallsCompleteOnOkHttpsThreadsAndNeverBlockTheCallersThread() throws Exception {
    api.get(IPS, Map.of(), Map.class); // a token is held
    wechat.failNext(2, Fault.slow(Duration.ofMillis(500)).at(IPS));
    ExecutorService caller = Executors.newSingleThreadExecutor(r -> new Thread(r, "the-caller"));
    try {
      var issued =
          CompletableFuture.supplyAsync(() -> api.getAsync(IPS, Map.of(), Map.class), caller);
      var slow = issued.get(5, TimeUnit.SECONDS);
      var slowToo =
          CompletableFuture.supplyAsync(() -> api.getAsync(IPS, Map.of(), Map.class), caller)
              .get(5, TimeUnit.SECONDS);
      // The single caller thread is free again while both answers are still on their way.
      CountDownLatch free = new CountDownLatch(1);
      caller.execute(free::countDown);
      assertTrue(free.await(5, TimeUnit.SECONDS));
      assertFalse(slow.isDone() && slowToo.isDone(), "the stand-in answers only after 500 ms");
      AtomicReference<String> completedOn = new AtomicReference<>();
      slow.thenRun(() -> completedOn.compareAndSet(null, Thread.currentThread().getName()))
          .get(5, TimeUnit.SECONDS);
      assertTrue(slow.get().containsKey("ip_list"));
      assertTrue(slowToo.get(5, TimeUnit.SECONDS).containsKey("ip_list"));
      assertFalse(completedOn.get().equals("the-caller"), completedOn.get());
    } finally {
      caller.shutdownNow();
    }
  }

  @Test
  void asyncCallsCompleteExceptionallyWithWhatTheBlockingFormThrows() throws Exception {
    wechat.failNext(1, Fault.errcode(45009, "reach max api daily quota limit").at(IPS));
    ExecutionException quota =
        assertThrows(
            ExecutionException.class,
            () -> api.getAsync(IPS, Map.of(), Map.class).get(5, TimeUnit.SECONDS));
    assertEquals(45009, assertInstanceOf(WeChatApiException.class, quota.getCause()).errorCode());
    assertEquals(1, wechat.requests(IPS), "45009 is not retried");

    wechat.failNext(1, Fault.body(502, "text/html", "<html>502</html>").at(IPS));
    ExecutionException html =
        assertThrows(
            ExecutionException.class,
            () -> api.getAsync(IPS, Map.of(), Map.class).get(5, TimeUnit.SECONDS));
    assertEquals(
        502, assertInstanceOf(WeChatTransportException.class, html.getCause()).httpStatus());

    wechat.failNext(1, Fault.systemBusy().at(IPS));
    Map<?, ?> afterBusy = api.postAsync(IPS, Map.of(), Map.class).get(5, TimeUnit.SECONDS);
    assertTrue(afterBusy.containsKey("ip_list"));

    String token = wechat.currentToken();
    wechat.voidToken(token);
    Map<?, ?> afterVoid = api.getAsync(IPS, Map.of(), Map.class).get(5, TimeUnit.SECONDS);
    assertTrue(afterVoid.containsKey("ip_list"));

    wechat.failNext(2, Fault.errcode(40001, "invalid credential").at(IPS));
    ExecutionException rejected =
        assertThrows(
            ExecutionException.class,
            () -> api.getAsync(IPS, Map.of(), Map.class).get(5, TimeUnit.SECONDS));
    assertInstanceOf(AccessTokenRejectedException.class, rejected.getCause());

    assertTrue(
        api.getAsync(" ", Map.of(), Map.class).isCompletedExceptionally(),
        "bad input fails the future, it does not throw");
  }
}

package io.github.wechatmp.jssdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.http.AccessTokenInterceptor;
import io.github.wechatmp.http.AccessTokenRejectedException;
import io.github.wechatmp.test.Fault;
import io.github.wechatmp.test.ReceivedRequest;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.LogCapture;
import io.github.wechatmp.testing.MutableClock;
import io.github.wechatmp.testing.StandIns;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.RefreshPolicy;
import io.github.wechatmp.token.TokenKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JsapiTicketProviderTest {
  private static final TokenKey TICKET_KEY = TokenKey.of(StandIns.APP_ID, TokenKey.JSAPI_TICKET);
  private static final TokenKey TOKEN_KEY = TokenKey.of(StandIns.APP_ID, TokenKey.ACCESS_TOKEN);

  private final MutableClock clock = new MutableClock();
  private final InMemoryTokenStore store = new InMemoryTokenStore();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private WeChatStandIn wechat;

  @BeforeEach
  void setUp() throws Exception {
    wechat = StandIns.start(clock);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    wechat.close();
  }

  private AccessTokenProvider tokens() {
    AccessTokenProvider p =
        AccessTokenProvider.builder()
            .appId(StandIns.APP_ID)
            .appSecret(StandIns.SECRET)
            .apiBaseUrl(wechat.baseUrl())
            .store(store)
            .clock(clock)
            .build();
    closeables.add(p);
    return p;
  }

  private JsapiTicketProvider.Builder ticketsBuilder(AccessTokenProvider tokens) {
    return JsapiTicketProvider.builder()
        .accessTokenProvider(tokens)
        .store(store)
        .apiBaseUrl(wechat.baseUrl())
        .clock(clock);
  }

  private JsapiTicketProvider tickets(AccessTokenProvider tokens) {
    JsapiTicketProvider p = ticketsBuilder(tokens).build();
    closeables.add(p);
    return p;
  }

  private static final String TICKET_PATH = "cgi-bin/ticket/getticket";

  private int ticketRequests() {
    return wechat.requests(TICKET_PATH);
  }

  private List<ReceivedRequest> ticketLog() {
    return wechat.received(TICKET_PATH);
  }

  /** Every getticket answer from now on comes {@code millis} late. */
  private void ticketDelay(long millis) {
    wechat.failNext(Integer.MAX_VALUE, Fault.slow(Duration.ofMillis(millis)).at(TICKET_PATH));
  }

  /** The next getticket request gets {@code json} verbatim. */
  private void enqueueTicket(String json) {
    wechat.failNext(1, Fault.json(json).at(TICKET_PATH));
  }

  @Test
  void theTicketIsAskedOfWhereTheAccessTokenProviderWasPointedAndThroughItsClient() {
    List<String> hosts = new java.util.concurrent.CopyOnWriteArrayList<>();
    OkHttpClient recording =
        new OkHttpClient.Builder()
            .addInterceptor(
                chain -> {
                  hosts.add(chain.request().url().encodedPath());
                  return chain.proceed(chain.request());
                })
            .build();
    AccessTokenProvider tokens =
        AccessTokenProvider.builder()
            .appId(StandIns.APP_ID)
            .appSecret(StandIns.SECRET)
            .apiBaseUrl(wechat.baseUrl())
            .httpClient(recording)
            .clock(clock)
            .build();
    closeables.add(tokens);
    JsapiTicketProvider tickets =
        JsapiTicketProvider.builder().accessTokenProvider(tokens).clock(clock).build();
    closeables.add(tickets);
    String ticket = tickets.get().value();
    assertEquals(ticketValue(1), ticket);
    assertEquals(1, ticketRequests());
    assertTrue(hosts.contains("/" + TICKET_PATH), hosts.toString());
  }

  private String tokenValue(int n) {
    return StandIns.token(wechat, n);
  }

  private String ticketValue(int n) {
    return StandIns.ticket(wechat, n);
  }

  /** {@code value}, computed before the call, is the n-th ticket issued. */
  private void assertIssuedTicket(int n, String value) {
    assertEquals(ticketValue(n), value);
  }

  /** {@code value}, computed before the call, is the n-th access token issued. */
  private void assertIssuedToken(int n, String value) {
    assertEquals(tokenValue(n), value);
  }

  private static List<String> tokensUsed(List<ReceivedRequest> requests) {
    return requests.stream()
        .map(r -> r.queryParameter("access_token"))
        .collect(Collectors.toList());
  }

  @Test
  void herdOfThreadsOnTwoProvidersSharingAStoreMakesOneGetticketRequest() throws Exception {
    ticketDelay(300); // keeps the first fetch in flight while every thread arrives
    JsapiTicketProvider a = tickets(tokens());
    JsapiTicketProvider b = tickets(tokens());
    int threads = 32;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<JsapiTicket>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        JsapiTicketProvider p = i % 2 == 0 ? a : b;
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return p.get();
                }));
      }
      start.countDown();
      for (Future<JsapiTicket> f : results) {
        assertIssuedTicket(1, f.get(30, TimeUnit.SECONDS).value());
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, ticketRequests(), "single flight across threads and providers");
    assertEquals(1, wechat.tokenRequests());
    // one store, two distinct keys
    assertIssuedTicket(1, store.load(TICKET_KEY).orElseThrow().value());
    assertIssuedToken(1, store.load(TOKEN_KEY).orElseThrow().value());
  }

  @Test
  void ticketIsCachedAndAskedForWithTypeJsapi() {
    JsapiTicketProvider tickets = tickets(tokens());
    JsapiTicket first = tickets.get();
    for (int i = 0; i < 1000; i++) {
      assertSame(first, tickets.get());
    }
    assertEquals(1, ticketRequests());
    assertEquals(clock.instant().plusSeconds(7200), first.expiresAt());
    ReceivedRequest r = ticketLog().get(0);
    assertEquals("GET", r.method());
    assertEquals("jsapi", r.queryParameter("type"));
    assertIssuedToken(1, r.queryParameter("access_token"));
    assertEquals(StandIns.APP_ID, tickets.appId());
  }

  @Test
  void aTicketNearItsExpiryIsReplaced() {
    JsapiTicketProvider tickets = tickets(tokens());
    assertIssuedTicket(1, tickets.get().value());
    clock.advance(Duration.ofSeconds(7200 - 10)); // within the 30 s expiry margin: no longer served
    assertIssuedTicket(2, tickets.get().value());
    assertEquals(2, ticketRequests());
  }

  @Test
  void anotherInstancesTicketInTheStoreIsAdoptedWithoutAsking() {
    store.save(
        TICKET_KEY,
        AccessToken.of("TICKET_FROM_ELSEWHERE_0123456789", clock.instant().plusSeconds(7000)));
    assertEquals("TICKET_FROM_ELSEWHERE_0123456789", tickets(tokens()).get().value());
    assertEquals(0, ticketRequests());
    assertEquals(0, wechat.tokenRequests());
  }

  @Test
  void rejectedAccessTokenOnGetticketIsInvalidatedAndRefetchedOnce() {
    AccessTokenProvider tokens = tokens();
    tokens.get();
    wechat.voidToken(tokenValue(1)); // as if another system had fetched a token for this AppID
    JsapiTicket ticket;
    try (LogCapture log = new LogCapture()) {
      ticket = tickets(tokens).get();
      String text = log.text();
      assertFalse(text.contains(tokenValue(1)), text);
      assertFalse(text.contains(tokenValue(2)), text);
      assertFalse(text.contains(ticketValue(1)), text);
    }
    assertIssuedTicket(1, ticket.value());
    assertEquals(2, wechat.tokenRequests(), "exactly one access token refetch");
    assertEquals(2, ticketRequests());
    assertEquals(List.of(tokenValue(1), tokenValue(2)), tokensUsed(ticketLog()));
    assertIssuedToken(2, tokens.get().value());
  }

  @Test
  void aSecondRejectionFailsWithoutLooping() {
    AccessTokenProvider tokens = tokens();
    enqueueTicket(StandIns.error(40001, "invalid credential"));
    enqueueTicket(StandIns.error(42001, "access_token expired"));
    JsapiTicketProvider tickets = tickets(tokens);
    WeChatApiException e = assertThrows(WeChatApiException.class, tickets::get);
    assertTrue(e instanceof AccessTokenRejectedException, e.toString());
    assertEquals(42001, e.errorCode());
    assertFalse(e.getMessage().contains(tokenValue(2)));
    assertEquals(2, ticketRequests());
    assertEquals(2, wechat.tokenRequests());
  }

  @Test
  void otherGetticketErrorsLeaveTheAccessTokenAlone() {
    AccessTokenProvider tokens = tokens();
    enqueueTicket(StandIns.error(45009, "reach max api daily quota limit"));
    JsapiTicketProvider tickets = tickets(tokens);
    WeChatApiException e = assertThrows(WeChatApiException.class, tickets::get);
    assertEquals(45009, e.errorCode());
    assertEquals(1, ticketRequests());
    assertEquals(1, wechat.tokenRequests());
    assertIssuedToken(1, tokens.get().value());
  }

  @Test
  void invalidateAndRefreshGiveANewTicket() {
    JsapiTicketProvider tickets = tickets(tokens());
    JsapiTicket first = tickets.get();
    tickets.invalidate(first.value());
    assertEquals(Optional.empty(), store.load(TICKET_KEY));
    assertIssuedTicket(2, tickets.get().value());
    tickets.invalidate(first.value()); // an old ticket: nothing happens
    tickets.invalidate(null);
    assertIssuedTicket(2, tickets.get().value());
    assertIssuedTicket(3, tickets.refresh().value());
    assertEquals(3, ticketRequests());
    assertEquals(1, wechat.tokenRequests());
  }

  @Test
  void aClientWithTheTokenInterceptorStillWorksForGetticket() {
    AccessTokenProvider tokens = tokens();
    OkHttpClient client =
        new OkHttpClient.Builder()
            .addInterceptor(AccessTokenInterceptor.builder(tokens).addHost("127.0.0.1").build())
            .build();
    JsapiTicketProvider tickets = ticketsBuilder(tokens).httpClient(client).build();
    closeables.add(tickets);
    assertIssuedTicket(1, tickets.get().value());
    assertEquals(
        1,
        java.util.Arrays.stream(ticketLog().get(0).query().split("&"))
            .filter(q -> q.startsWith("access_token="))
            .count());
  }

  @Test
  void masksAndLifecycle() {
    JsapiTicketProvider tickets = tickets(tokens());
    JsapiTicket t = tickets.get();
    assertFalse(t.toString().contains(t.value()), t.toString());
    assertFalse(tickets.toString().contains(t.value()));
    assertEquals(t, tickets.get());
    tickets.close();
    tickets.close();
    assertThrows(IllegalStateException.class, tickets::get);
    assertThrows(IllegalArgumentException.class, () -> JsapiTicketProvider.builder().build());
    assertThrows(
        IllegalArgumentException.class, () -> JsapiTicketProvider.builder().apiBaseUrl("ftp://x"));
    assertNotEquals(null, t);
  }

  @Test
  void getAsyncReturnsAtOnceCompletesLaterAndOnTheHotPathHandsOutOneCompletedFuture()
      throws Exception {
    ticketDelay(500);
    JsapiTicketProvider p = tickets(tokens());
    java.util.concurrent.CompletableFuture<JsapiTicket> f = p.getAsync();
    assertFalse(f.isDone(), "returned before WeChat answered");
    JsapiTicket t = f.get(30, TimeUnit.SECONDS);
    assertIssuedTicket(1, t.value());
    assertSame(t, p.get());
    java.util.concurrent.CompletableFuture<JsapiTicket> hot = p.getAsync();
    assertTrue(hot.isDone());
    assertSame(hot, p.getAsync());
    assertSame(t, hot.join());
    assertThrows(UnsupportedOperationException.class, () -> hot.obtrudeValue(null));
    assertEquals(1, ticketRequests());
  }

  @Test
  void anAccessTokenProviderOfTheApplicationsOwnGetsTicketsKeptByTheDefaults() {
    AccessTokenProvider sdk = tokens();
    AccessTokenProvider own =
        new AccessTokenProvider() { // not one the SDK built: nothing to inherit from it
          @Override
          public AccessToken get() {
            return sdk.get();
          }

          @Override
          public java.util.concurrent.CompletableFuture<AccessToken> getAsync() {
            return sdk.getAsync();
          }

          @Override
          public io.github.wechatmp.token.TokenStatus status() {
            return sdk.status();
          }

          @Override
          public AccessToken refresh() {
            return sdk.refresh();
          }

          @Override
          public void invalidate(String rejectedToken) {
            sdk.invalidate(rejectedToken);
          }

          @Override
          public String appId() {
            return sdk.appId();
          }

          @Override
          public void close() {}
        };
    JsapiTicketProvider tickets =
        JsapiTicketProvider.builder()
            .accessTokenProvider(own)
            .apiBaseUrl(wechat.baseUrl())
            .clock(clock)
            .build();
    closeables.add(tickets);
    assertEquals(io.github.wechatmp.token.TokenStatus.State.NONE, tickets.status().state());

    JsapiTicket t = tickets.get();
    assertSame(t, tickets.get());
    assertSame(tickets.getAsync(), tickets.getAsync(), "the hot path's shared future");
    assertEquals(1, ticketRequests());
    assertTrue(store.load(TICKET_KEY).isEmpty(), "kept in a new in-memory store of its own");
    assertEquals(io.github.wechatmp.token.TokenStatus.State.FRESH, tickets.status().state());
    assertEquals(
        Optional.of(t.expiresAt()),
        tickets.status().expiresAt(),
        "the status is of the ticket held");

    tickets.invalidate(t.value());
    assertNotEquals(t.value(), tickets.get().value());
  }

  @Test
  void takesTheStoreAndPolicyOfItsAccessTokenProviderUnlessToldOtherwise() {
    AccessTokenProvider tokens =
        AccessTokenProvider.builder()
            .appId(StandIns.APP_ID)
            .appSecret(StandIns.SECRET)
            .apiBaseUrl(wechat.baseUrl())
            .store(store)
            .refreshPolicy(
                io.github.wechatmp.token.RefreshPolicy.builder()
                    .refreshMargin(Duration.ofMinutes(10))
                    .build())
            .clock(clock)
            .build();
    closeables.add(tokens);
    JsapiTicketProvider inheriting =
        JsapiTicketProvider.builder()
            .accessTokenProvider(tokens)
            .apiBaseUrl(wechat.baseUrl())
            .clock(clock)
            .build();
    closeables.add(inheriting);
    InMemoryTokenStore own = new InMemoryTokenStore();
    JsapiTicketProvider told =
        JsapiTicketProvider.builder()
            .accessTokenProvider(tokens)
            .apiBaseUrl(wechat.baseUrl())
            .store(own)
            .refreshPolicy(RefreshPolicy.builder().refreshMargin(Duration.ofSeconds(100)).build())
            .clock(clock)
            .build();
    closeables.add(told);

    JsapiTicket t = inheriting.get();
    assertEquals(Optional.of(t.value()), store.load(TICKET_KEY).map(AccessToken::value));
    told.get();
    assertTrue(own.load(TICKET_KEY).isPresent(), "its own store when given one");
    assertEquals(2, ticketRequests());

    // The inherited 10-minute margin: due 600 s before expiry, refreshed then, proactively.
    clock.advance(Duration.ofSeconds(7200 - 600));
    io.github.wechatmp.testing.Await.until(
        () -> ticketRequests() == 3,
        Duration.ofSeconds(10),
        "the inheriting provider refreshes at expiry minus 10 min");
    assertEquals(
        io.github.wechatmp.token.TokenStatus.State.FRESH,
        told.status().state(),
        "the provider told its own margin (100 s) is not due yet");
  }
}

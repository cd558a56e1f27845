package io.github.wechatmp.open;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.github.wechatmp.callback.CallbackResponse;
import io.github.wechatmp.test.ManualClock;
import io.github.wechatmp.test.StandInPlatform;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.TokenStatus;
import io.github.wechatmp.token.TokenStore;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 24's scale: the authorizers' refreshes spread over their refresh windows under a rate of
 * {@code api_authorizer_token} calls a second, and a fleet restart adopting the tokens in the
 * store. On a {@link ManualClock}: every move runs the wake-ups and refreshes due by then before it
 * returns, so the stand-in's count after each one-second move is that second's fetches.
 */
class AuthorizerRefreshRateTest {
  private static final String COMPONENT_APP_ID = "wxcomponent000001";
  private static final String SECRET = "component-secret-0123456789abcdef";
  private static final String TOKEN = "platformtoken";
  private static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  private static final String AUTHORIZER_TOKEN = "cgi-bin/component/api_authorizer_token";

  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-06T00:00:00Z"));
  private final TokenStore store = new InMemoryTokenStore();
  private final AuthorizationStore authorizations = new InMemoryAuthorizationStore();
  private final List<OpenPlatform> platforms = new ArrayList<>();
  private WeChatStandIn standIn;
  private HttpServer server;

  @AfterEach
  void stop() {
    platforms.forEach(OpenPlatform::close);
    if (server != null) {
      server.stop(0);
    }
    if (standIn != null) {
      standIn.close();
    }
  }

  /** A stand-in issuing tokens of {@code lifetime}, with {@code n} authorizers it knows. */
  private List<String> authorizers(Duration lifetime, int n) throws Exception {
    standIn = WeChatStandIn.builder().clock(clock).expiresIn(lifetime).start();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.start();
    StandInPlatform wechat =
        standIn
            .openPlatform()
            .credentials(COMPONENT_APP_ID, SECRET)
            .pushTo(
                "http://127.0.0.1:" + server.getAddress().getPort() + "/events", TOKEN, AES_KEY);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = String.format("wxauthorizer%06d", i);
      String refreshToken = wechat.authorized(id, List.of(1));
      authorizations.save(Authorization.authorized(id, refreshToken, List.of(1), clock.instant()));
      ids.add(id);
    }
    return ids;
  }

  private OpenPlatform platform(int ratePerSecond) {
    OpenPlatform p =
        OpenPlatform.builder()
            .componentAppId(COMPONENT_APP_ID)
            .componentAppSecret(SECRET)
            .token(TOKEN)
            .encodingAesKey(AES_KEY)
            .store(store)
            .authorizations(authorizations)
            .apiBaseUrl(standIn.baseUrl())
            .clock(clock)
            .authorizerRefreshRate(ratePerSecond)
            .build();
    platforms.add(p);
    return p;
  }

  /** Serves {@code platform}'s authorization-event URL, and has the stand-in push a ticket. */
  private void pushTicketTo(OpenPlatform platform) {
    AuthorizationEventEndpoint endpoint = platform.callback();
    server.createContext(
        "/events",
        exchange -> {
          try (exchange;
              InputStream in = exchange.getRequestBody()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            CallbackResponse r =
                endpoint.handle(exchange.getRequestMethod(), query(exchange.getRequestURI()), body);
            byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(r.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(bytes);
            }
          }
        });
    standIn.openPlatform().pushTicket();
  }

  private static Map<String, String> query(java.net.URI uri) {
    Map<String, String> q = new HashMap<>();
    String raw = uri.getRawQuery();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        q.put(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return q;
  }

  @Test
  void fiveHundredTokensIssuedTogetherAreRefreshedBeforeTheyGoStaleAndNoSecondSeesMoreThanTheRate()
      throws Exception {
    // 600 s tokens: each refresh window runs from 300 s (half the life) to 400 s (the 200 s
    // margin's due point), so 500 of them need the whole window at 5 a second: the limiter, not
    // only the spread, is what keeps every second at 5. (2,000 at 20 a second is the same load;
    // the stand-in answers a request in tens of milliseconds here, so the test keeps to 500.)
    List<String> ids = authorizers(Duration.ofSeconds(600), 500);
    OpenPlatform platform = platform(5);
    pushTicketTo(platform);
    List<AccessTokenProvider> providers = new ArrayList<>();
    List<String> first = new ArrayList<>();
    for (String id : ids) {
      AccessTokenProvider p = platform.authorizer(id);
      providers.add(p);
      first.add(p.get().value()); // all issued in the same second: a fetch each, no waiting
    }
    assertEquals(500, standIn.requests(AUTHORIZER_TOKEN));

    int max = 0;
    int busySeconds = 0;
    int before = standIn.requests(AUTHORIZER_TOKEN);
    for (int second = 1; second < 570; second++) { // 570 s: the tokens' stale point
      clock.advance(Duration.ofSeconds(1));
      int now = standIn.requests(AUTHORIZER_TOKEN);
      int inSecond = now - before;
      before = now;
      assertTrue(inSecond <= 5, "second " + second + " saw " + inSecond + " fetches");
      if (second < 300) {
        assertEquals(0, inSecond, "second " + second + ": before any refresh window opens");
      }
      max = Math.max(max, inSecond);
      busySeconds += inSecond > 0 ? 1 : 0;
    }
    assertEquals(5, max, "the rate was reached: the limiter, not luck, held it");
    assertTrue(busySeconds >= 100, "spread over at least 500 / 5 s: " + busySeconds);
    assertEquals(1_000, standIn.requests(AUTHORIZER_TOKEN), "each refreshed once");
    for (int i = 0; i < providers.size(); i++) {
      AccessTokenProvider p = providers.get(i);
      assertEquals(TokenStatus.State.FRESH, p.status().state(), ids.get(i));
      assertNotEquals(first.get(i), p.get().value(), ids.get(i));
    }
    assertEquals(1_000, standIn.requests(AUTHORIZER_TOKEN), "get() served the refreshed tokens");
  }

  @Test
  void aCallerWithNoValidTokenIsNotQueuedBehindTheScheduledRefreshes() throws Exception {
    List<String> ids = authorizers(Duration.ofSeconds(600), 300);
    OpenPlatform platform = platform(1); // 300 refreshes at 1 a second: many go stale queued
    pushTicketTo(platform);
    for (String id : ids) {
      platform.authorizer(id).get();
    }
    clock.advance(Duration.ofSeconds(400)); // every window has opened: 200 are queued
    int before = standIn.requests(AUTHORIZER_TOKEN);
    AccessTokenProvider waiting = find(platform, ids, TokenStatus.State.DUE);
    waiting.get(); // still valid: served at once, not fetched ahead of the queue
    assertEquals(before, standIn.requests(AUTHORIZER_TOKEN));

    clock.advance(Duration.ofSeconds(171)); // past the stale point (570 s) of every first token
    AccessTokenProvider stale = find(platform, ids, TokenStatus.State.STALE);
    String held = stale.status().toString();
    before = standIn.requests(AUTHORIZER_TOKEN);
    stale.get(); // not served any more: fetched now, ahead of the slots queued
    assertEquals(before + 1, standIn.requests(AUTHORIZER_TOKEN), held);
    assertEquals(TokenStatus.State.FRESH, stale.status().state());
  }

  private static AccessTokenProvider find(
      OpenPlatform platform, List<String> ids, TokenStatus.State state) {
    for (String id : ids) {
      AccessTokenProvider p = platform.authorizer(id);
      if (p.status().state() == state) {
        return p;
      }
    }
    throw new AssertionError("no authorizer's token is " + state);
  }

  @Test
  void aFleetRestartOverAStoreOfValidTokensAdoptsThemAllAndFetchesNothing() throws Exception {
    List<String> ids = authorizers(Duration.ofSeconds(7200), 200);
    OpenPlatform before = platform(OpenPlatform.DEFAULT_AUTHORIZER_REFRESH_RATE);
    pushTicketTo(before);
    Map<String, String> issued = new HashMap<>();
    for (String id : ids) {
      issued.put(id, before.authorizer(id).get().value());
    }
    int fetches = standIn.requests(AUTHORIZER_TOKEN);
    assertEquals(200, fetches);
    before.close();
    clock.advance(Duration.ofMinutes(10)); // the fleet comes back ten minutes later

    for (int instance = 0; instance < 3; instance++) {
      OpenPlatform after = platform(OpenPlatform.DEFAULT_AUTHORIZER_REFRESH_RATE);
      for (String id : ids) {
        assertEquals(issued.get(id), after.authorizer(id).get().value(), id);
      }
    }
    clock.advance(Duration.ofSeconds(1)); // and no background refresh came due meanwhile
    assertEquals(fetches, standIn.requests(AUTHORIZER_TOKEN), "no fetch: every token adopted");
    assertEquals(1, standIn.requests("cgi-bin/component/api_component_token"));
  }
}

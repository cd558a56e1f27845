package io.github.wechatmp.tokenserver;

import static io.github.wechatmp.tokenserver.Fixture.APP_A;
import static io.github.wechatmp.tokenserver.Fixture.KEY_ALL;
import static io.github.wechatmp.tokenserver.Fixture.field;
import static io.github.wechatmp.tokenserver.Fixture.get;
import static io.github.wechatmp.tokenserver.Fixture.tokenPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.http.AccessTokenInterceptor;
import io.github.wechatmp.store.redis.RedisTokenStore;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.Await;
import io.github.wechatmp.testing.LogCapture;
import io.github.wechatmp.testing.MutableClock;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.TokenServiceProvider;
import io.github.wechatmp.token.TokenStatus;
import io.github.wechatmp.token.TokenUnavailableException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;

/** The Java client of the token service, and read-only providers over the service's store. */
class ClientTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T08:00:00Z"));
  private final List<AutoCloseable> closeLater = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeLater.size() - 1; i >= 0; i--) {
      closeLater.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closing(T c) {
    closeLater.add(c);
    return c;
  }

  private static long requests(TokenServer server, String route, int status) {
    String text = get(server, "/v1/metrics", KEY_ALL).body();
    String prefix =
        "wechat_token_server_requests_total{route=\"" + route + "\",status=\"" + status + "\"} ";
    for (String line : text.split("\n")) {
      if (line.startsWith(prefix)) {
        return Long.parseLong(line.substring(prefix.length()));
      }
    }
    return 0;
  }

  @Test
  void theInterceptorsRetryAfter40001GoesThroughTheServicesPassiveRefresh() throws IOException {
    WeChatStandIn wechat = closing(Fixture.wechat());
    TokenServer server = closing(Fixture.start(Fixture.yaml(wechat, "{type: memory}"), clock));
    AccessTokenProvider tokens =
        closing(
            TokenServiceProvider.builder(server.baseUrl(), KEY_ALL)
                .appId(APP_A)
                .clock(clock)
                .build());
    OkHttpClient http =
        new OkHttpClient.Builder()
            .addInterceptor(AccessTokenInterceptor.builder(tokens).addHost("127.0.0.1").build())
            .build();
    Request call =
        new Request.Builder().url(wechat.baseUrl() + "cgi-bin/get_api_domain_ip").build();
    try (Response r = http.newCall(call).execute()) {
      assertTrue(r.body().string().contains("ip_list"));
    }
    String token1 = Fixture.currentToken(wechat);
    assertEquals(token1, tokens.get().value());

    Fixture.revokeCurrent(wechat); // WeChat stops accepting token1: the next call is answered 40001
    try (Response r = http.newCall(call).execute()) {
      assertTrue(r.body().string().contains("ip_list"), "the retry with the new token worked");
    }
    String token2 = Fixture.currentToken(wechat);
    assertNotEquals(token1, token2);
    assertEquals(token2, tokens.get().value());
    assertEquals(
        2, Fixture.tokenFetches(wechat), "the service fetched once more, the client never");
    assertEquals(1, requests(server, "access_token_rejected", 200), "reported to the service");
    assertEquals(
        token2,
        field(get(server, tokenPath(APP_A), KEY_ALL).body(), "access_token"),
        "the service holds the new token for every other client too");

    // Rejected again within the service's minimum interval: the service keeps its token (429),
    // the client takes it back rather than hold off, and the call fails after its one retry.
    clock.advance(Duration.ofSeconds(5));
    Fixture.revokeCurrent(wechat);
    assertThrows(
        io.github.wechatmp.http.AccessTokenRejectedException.class,
        () -> http.newCall(call).execute().close());
    assertEquals(2, Fixture.tokenFetches(wechat));
    assertEquals(token2, tokens.get().value());
    assertEquals(1, requests(server, "access_token_rejected", 429));
  }

  @Test
  void theClientReadsFromMemoryAndRefreshesFromTheServiceBeforeExpiry() throws IOException {
    WeChatStandIn wechat = closing(Fixture.wechat());
    TokenServer server = closing(Fixture.start(Fixture.yaml(wechat, "{type: memory}"), clock));
    AccessTokenProvider tokens =
        closing(
            TokenServiceProvider.builder(server.baseUrl(), KEY_ALL)
                .appId(APP_A)
                .clock(clock)
                .build());
    AccessToken first = tokens.get();
    for (int i = 0; i < 10_000; i++) {
      assertSame(first, tokens.get());
    }
    assertEquals(1, requests(server, "access_token", 200), "one request for 10,001 reads");
    assertEquals(TokenStatus.State.FRESH, tokens.status().state());

    // Past the service's due time (200 s before expiry): the service refreshes by itself...
    clock.advance(Duration.ofSeconds(7200 - 150));
    Await.until(
        () ->
            Fixture.tokenFetches(wechat) == 2
                && wechat
                    .currentToken()
                    .equals(field(get(server, tokenPath(APP_A), KEY_ALL).body(), "access_token")),
        Duration.ofSeconds(20),
        "the service's refresh");
    assertEquals(first.value(), tokens.get().value(), "the client is not due yet");
    // ...and past the client's (100 s before), the client takes the service's new token.
    clock.advance(Duration.ofSeconds(60));
    Await.until(
        () -> !tokens.get().value().equals(first.value()),
        Duration.ofSeconds(20),
        "the client's proactive refresh from the service");
    assertEquals(Fixture.currentToken(wechat), tokens.get().value());
    assertEquals(2, Fixture.tokenFetches(wechat));
  }

  @Test
  void aRefusedKeyIsTokenUnavailableAndAWeChatRefusalCarriesItsErrcodeWithoutSecrets()
      throws IOException {
    WeChatStandIn wechat = closing(Fixture.wechat());
    TokenServer server = closing(Fixture.start(Fixture.yaml(wechat, "{type: memory}"), clock));
    try (LogCapture logs = new LogCapture()) {
      String wrongKey = "wrong-key-5e1f0c9b2d7a4836";
      AccessTokenProvider refused =
          closing(
              TokenServiceProvider.builder(server.baseUrl(), wrongKey)
                  .appId(APP_A)
                  .clock(clock)
                  .build());
      TokenUnavailableException e = assertThrows(TokenUnavailableException.class, refused::get);
      assertTrue(e.getMessage().contains("401"), e.getMessage());
      assertFalse(e.getMessage().contains(wrongKey));

      Map<String, String> env = new HashMap<>(Fixture.ENV);
      env.put("BAD_SECRET", "bad-secret-0123456789abcdef");
      TokenServer badSecret =
          closing(
              TokenServer.start(
                  new ConfigLoader(env::get)
                      .parse(
                          Fixture.yaml(wechat, "{type: memory}")
                              .replace("${WX_SECRET}", "${BAD_SECRET}"),
                          "test"),
                  clock,
                  0));
      AccessTokenProvider viaBad =
          closing(
              TokenServiceProvider.builder(badSecret.baseUrl(), KEY_ALL)
                  .appId(APP_A)
                  .clock(clock)
                  .build());
      WeChatApiException w = assertThrows(WeChatApiException.class, viaBad::get);
      assertEquals(40001, w.errorCode());
      String text = logs.text();
      for (String secret : List.of(wrongKey, KEY_ALL, "bad-secret-0123456789abcdef")) {
        assertFalse(text.contains(secret), "logged: " + secret);
        assertFalse(w.getMessage().contains(secret));
      }
    }
  }

  @Test
  void theClientRefusesPlainHttpToAnotherHostUnlessAllowed() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                TokenServiceProvider.builder("http://tokens.internal:8700", KEY_ALL)
                    .appId(APP_A)
                    .build());
    assertTrue(e.getMessage().contains("https"));
    TokenServiceProvider.builder("http://tokens.internal:8700", KEY_ALL)
        .appId(APP_A)
        .allowPlainHttp(true)
        .build()
        .close();
    assertThrows(
        IllegalArgumentException.class,
        () -> TokenServiceProvider.builder("https://tokens.internal", KEY_ALL).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> TokenServiceProvider.builder("ftp://tokens.internal", KEY_ALL));
  }

  @Test
  void aReadOnlyProviderAdoptsTheServicesTokenFromRedisAndNeverAsksWeChat() throws IOException {
    TestRedis redis = closing(TestRedis.start());
    WeChatStandIn wechat = closing(Fixture.wechat());
    String prefix = "ro" + System.nanoTime() + ":";
    TokenServer server =
        closing(
            Fixture.start(
                Fixture.yaml(
                    wechat,
                    "{type: redis, url: '" + redis.url() + "', keyPrefix: '" + prefix + "'}"),
                clock));
    URI uri = URI.create(redis.url());
    JedisPooled jedis = closing(new JedisPooled(uri.getHost(), uri.getPort()));
    RedisTokenStore store = RedisTokenStore.builder(jedis).keyPrefix(prefix).clock(clock).build();
    AccessTokenProvider readOnly =
        closing(
            AccessTokenProvider.builder()
                .appId(APP_A)
                .readOnly(true)
                .store(store)
                .clock(clock)
                .build());

    TokenUnavailableException none = assertThrows(TokenUnavailableException.class, readOnly::get);
    assertTrue(none.getMessage().contains("read-only"), none.getMessage());
    assertEquals(0, Fixture.tokenFetches(wechat), "the read-only provider never asked WeChat");

    String served = field(get(server, tokenPath(APP_A), KEY_ALL).body(), "access_token");
    Await.until(
        () -> {
          try {
            return readOnly.get().value().equals(served);
          } catch (TokenUnavailableException e) {
            return false;
          }
        },
        Duration.ofSeconds(20),
        "the read-only provider adopts the service's token");
    assertEquals(1, Fixture.tokenFetches(wechat));

    assertThrows(
        IllegalArgumentException.class,
        () -> AccessTokenProvider.builder().appId(APP_A).readOnly(true).build(),
        "read-only without a shared store");
  }
}

package io.github.wechatmp.tokenserver;

import io.github.wechatmp.test.Fault;
import io.github.wechatmp.test.WeChatStandIn;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Configurations, servers and an HTTP client for the server's tests. */
final class Fixture {
  static final String APP_A = "wx0123456789abcdef";
  static final String APP_B = "wxfedcba9876543210";

  /** The key that may read every account. */
  static final String KEY_ALL = "key-all-7f3a9c2e5b1d4f60";

  /** The key that may read only {@link #APP_B}, configured by its SHA-256. */
  static final String KEY_B = "key-b-only-4c8e2a6f0d1b3957";

  static final Map<String, String> ENV = Map.of("WX_SECRET", Fixture.SECRET, "KEY_ALL", KEY_ALL);

  /** Both accounts' AppSecret, the only one the stand-in accepts. */
  static final String SECRET = "s3cr3t-0123456789abcdef0123456789";

  private Fixture() {}

  /**
   * WeChat for these tests: the AppSecret checked (40001 otherwise), and a new access token voids
   * the previous one at once (no overlap), so that only the token issued last is accepted.
   */
  static WeChatStandIn wechat() {
    return WeChatStandIn.builder().appSecret(SECRET).overlap(Duration.ZERO).start();
  }

  /** How many access tokens the stand-in issued. */
  static int tokenFetches(WeChatStandIn wechat) {
    return wechat.issuedTokens().size();
  }

  /** How many tickets the stand-in issued. */
  static int ticketFetches(WeChatStandIn wechat) {
    return wechat.issuedTickets().size();
  }

  /** The access token (classic or stable) issued last, or null. */
  static String currentToken(WeChatStandIn wechat) {
    List<String> issued = wechat.issuedTokens();
    return issued.isEmpty() ? null : issued.get(issued.size() - 1);
  }

  /** WeChat voids the current access token (as when something else fetched one). */
  static void revokeCurrent(WeChatStandIn wechat) {
    wechat.voidToken(currentToken(wechat));
  }

  /** How long each credential request (token or ticket) takes from now on, to widen races. */
  static void delay(WeChatStandIn wechat, long millis) {
    Fault slow = Fault.slow(Duration.ofMillis(millis));
    for (String path :
        List.of(
            WeChatStandIn.TOKEN_PATH,
            WeChatStandIn.STABLE_TOKEN_PATH,
            "cgi-bin/ticket/getticket")) {
      wechat.failNext(Integer.MAX_VALUE, slow.at(path));
    }
  }

  /** A configuration of both accounts against {@code wechat}, with {@code storeYaml} as store. */
  static String yaml(WeChatStandIn wechat, String storeYaml) {
    return "listen: {address: 127.0.0.1, port: 0}\n"
        + "store: "
        + storeYaml
        + "\n"
        + "accounts:\n"
        + "  - appId: "
        + APP_A
        + "\n"
        + "    appSecret: ${WX_SECRET}\n"
        + "    apiBaseUrl: "
        + wechat.baseUrl()
        + "\n"
        + "  - appId: "
        + APP_B
        + "\n"
        + "    appSecret: ${WX_SECRET}\n"
        + "    jsapiTicket: false\n"
        + "    apiBaseUrl: "
        + wechat.baseUrl()
        + "\n"
        + "clients:\n"
        + "  - name: everything\n"
        + "    key: ${KEY_ALL}\n"
        + "    accounts: '*'\n"
        + "  - name: b-only\n"
        + "    keySha256: "
        + new String(ConfigLoader.hexOf(ConfigLoader.sha256(KEY_B)))
        + "\n"
        + "    accounts: ["
        + APP_B
        + "]\n";
  }

  static ServerConfig parse(String yaml) {
    return new ConfigLoader(ENV::get).parse(yaml, "test");
  }

  static TokenServer start(String yaml, Clock clock) throws IOException {
    return TokenServer.start(parse(yaml), clock, 0);
  }

  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  static HttpResponse<String> get(TokenServer s, String path, String key) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(s.baseUrl() + path)).timeout(Duration.ofSeconds(20));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return send(b.GET().build());
  }

  static HttpResponse<String> post(TokenServer s, String path, String key, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(s.baseUrl() + path))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/json");
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return send(b.POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  static HttpResponse<String> send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The string value of {@code field} in a flat JSON object the server wrote. */
  static String field(String json, String field) {
    String marker = "\"" + field + "\":";
    int i = json.indexOf(marker);
    if (i < 0) {
      return null;
    }
    int start = i + marker.length();
    if (json.charAt(start) == '"') {
      return json.substring(start + 1, json.indexOf('"', start + 1));
    }
    int end = start;
    while (end < json.length() && "-0123456789".indexOf(json.charAt(end)) >= 0) {
      end++;
    }
    return json.substring(start, end);
  }

  static String tokenPath(String appId) {
    return "/v1/accounts/" + appId + "/access_token";
  }
}

package io.github.wechatmp.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small local stand-in for WeChat's token endpoints ({@code cgi-bin/token} and {@code
 * cgi-bin/stable_token}), so the example runs with no WeChat account. It issues short-lived random
 * tokens so that refreshes happen while you watch, and refuses a wrong AppID or AppSecret with
 * WeChat's own error codes. Loopback only.
 */
final class WeChatStandIn implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WeChatStandIn.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".toCharArray();

  private final HttpServer server;
  private final String appId;
  private final String appSecret;
  private final long expiresInSeconds;
  private final AtomicInteger issued = new AtomicInteger();

  WeChatStandIn(String appId, String appSecret, long expiresInSeconds) throws IOException {
    this.appId = appId;
    this.appSecret = appSecret;
    this.expiresInSeconds = expiresInSeconds;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/cgi-bin/token", this::classic);
    server.createContext("/cgi-bin/stable_token", this::stable);
    server.start();
  }

  /** The base URL to give a provider as its {@code apiBaseUrl}. */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  /** How many tokens it has issued. */
  int issued() {
    return issued.get();
  }

  private void classic(HttpExchange exchange) throws IOException {
    Map<String, String> query = QueryString.parse(exchange.getRequestURI());
    answer(exchange, query.get("appid"), query.get("secret"));
  }

  private void stable(HttpExchange exchange) throws IOException {
    String body;
    try (InputStream in = exchange.getRequestBody()) {
      body = new String(in.readNBytes(8192), StandardCharsets.UTF_8);
    }
    answer(exchange, jsonString(body, "appid"), jsonString(body, "secret"));
  }

  private void answer(HttpExchange exchange, String requestAppId, String requestSecret)
      throws IOException {
    String json;
    if (!appId.equals(requestAppId)) {
      json = "{\"errcode\":40013,\"errmsg\":\"invalid appid\"}";
    } else if (!appSecret.equals(requestSecret)) {
      json = "{\"errcode\":40001,\"errmsg\":\"invalid credential\"}";
    } else {
      int n = issued.incrementAndGet();
      log.info("Stand-in WeChat issued token #{} ({} s of life)", n, expiresInSeconds);
      json = "{\"access_token\":\"" + randomToken() + "\",\"expires_in\":" + expiresInSeconds + "}";
    }
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String randomToken() {
    char[] c = new char[136];
    for (int i = 0; i < c.length; i++) {
      c[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    }
    return new String(c);
  }

  /**
   * Reads a top-level string field of the small JSON objects the SDK sends; enough for a stand-in.
   */
  private static String jsonString(String json, String field) {
    String marker = "\"" + field + "\":\"";
    int start = json.indexOf(marker);
    if (start < 0) {
      return null;
    }
    start += marker.length();
    int end = json.indexOf('"', start);
    return end < 0 ? null : json.substring(start, end);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

package io.github.wechatmp.tokenserver;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * WeChat played by a real HTTP server on loopback: {@code cgi-bin/token}, {@code
 * cgi-bin/stable_token}, {@code cgi-bin/ticket/getticket} and one ordinary API ({@code
 * cgi-bin/get_api_domain_ip}) that accepts only the token issued last (and not revoked). Every
 * credential it issues is unique. Counts what it issued. Thread-safe.
 */
final class StandInWeChat implements AutoCloseable {
  static final String APP_ID = "wx0123456789abcdef";
  static final String SECRET = "s3cr3t-0123456789abcdef0123456789";

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final AtomicInteger tokens = new AtomicInteger();
  private final AtomicInteger tickets = new AtomicInteger();
  private final AtomicInteger apiCalls = new AtomicInteger();
  private final String salt = Long.toString(System.nanoTime(), 36);
  private volatile String current;
  private volatile long expiresIn = 7200;
  private volatile long delayMillis;

  StandInWeChat() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  /** Access tokens issued so far. */
  int tokenFetches() {
    return tokens.get();
  }

  /** Tickets issued so far. */
  int ticketFetches() {
    return tickets.get();
  }

  int apiCalls() {
    return apiCalls.get();
  }

  /** The access token issued last, or null. */
  String currentToken() {
    return current;
  }

  StandInWeChat expiresIn(long seconds) {
    expiresIn = seconds;
    return this;
  }

  /** How long each credential request takes from now on, to widen race windows. */
  StandInWeChat delay(long millis) {
    delayMillis = millis;
    return this;
  }

  /** WeChat voids the current access token (as when something else fetched one). */
  void revokeCurrent() {
    current = "revoked";
  }

  static String tokenValue(String salt, int n) {
    return "ACCESS-" + salt + "-" + n + "-" + "q".repeat(100) + "-END" + n;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      Map<String, String> q = query(ex.getRequestURI().getRawQuery());
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String answer;
      if (path.equals("/cgi-bin/token") || path.equals("/cgi-bin/stable_token")) {
        boolean stable = path.endsWith("stable_token");
        String appId = stable ? field(body, "appid") : q.get("appid");
        String secret = stable ? field(body, "secret") : q.get("secret");
        if (!APP_ID.equals(appId) && !"wxfedcba9876543210".equals(appId)) {
          answer = "{\"errcode\":40013,\"errmsg\":\"invalid appid\"}";
        } else if (!SECRET.equals(secret)) {
          answer = "{\"errcode\":40001,\"errmsg\":\"invalid credential, access_token is invalid\"}";
        } else {
          pause();
          String t = tokenValue(salt, tokens.incrementAndGet());
          current = t;
          answer = "{\"access_token\":\"" + t + "\",\"expires_in\":" + expiresIn + "}";
        }
      } else if (path.equals("/cgi-bin/ticket/getticket")) {
        if (!q.getOrDefault("access_token", "").equals(current)) {
          answer = "{\"errcode\":40001,\"errmsg\":\"invalid credential\"}";
        } else {
          pause();
          answer =
              "{\"errcode\":0,\"errmsg\":\"ok\",\"ticket\":\"TICKET-"
                  + salt
                  + "-"
                  + tickets.incrementAndGet()
                  + "-"
                  + "t".repeat(60)
                  + "\",\"expires_in\":"
                  + expiresIn
                  + "}";
        }
      } else if (path.equals("/cgi-bin/get_api_domain_ip")) {
        apiCalls.incrementAndGet();
        answer =
            q.getOrDefault("access_token", "").equals(current)
                ? "{\"ip_list\":[\"101.226.62.77\"]}"
                : "{\"errcode\":40001,\"errmsg\":\"invalid credential, access_token is invalid\"}";
      } else {
        answer = "{\"errcode\":404,\"errmsg\":\"no such path\"}";
      }
      byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
      ex.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private void pause() {
    long d = delayMillis;
    if (d > 0) {
      try {
        Thread.sleep(d);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static String field(String json, String name) {
    int i = json.indexOf("\"" + name + "\"");
    if (i < 0) {
      return null;
    }
    int start = json.indexOf('"', json.indexOf(':', i) + 1) + 1;
    return json.substring(start, json.indexOf('"', start));
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}

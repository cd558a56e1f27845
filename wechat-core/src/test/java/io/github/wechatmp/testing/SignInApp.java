package io.github.wechatmp.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.wechatmp.WeChatException;
import io.github.wechatmp.oauth.InvalidStateException;
import io.github.wechatmp.oauth.Scope;
import io.github.wechatmp.oauth.StateCodec;
import io.github.wechatmp.oauth.WeChatUser;
import io.github.wechatmp.oauth.WebAccessToken;
import io.github.wechatmp.oauth.WebAuthorization;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * An application that signs WeChat users in with web authorization as the documentation says, over
 * real HTTP: {@code /login?return=/page&scope=base|userinfo} sends the user to WeChat, {@code
 * /wechat/callback} checks the state, exchanges the code, refuses snapshot-page users and opens a
 * session (a cookie), and every other path shows the signed-in user or answers 401.
 */
public final class SignInApp implements AutoCloseable {
  /** What a session knows of its user. */
  public record SignedIn(String openId, String nickname, String unionId) {}

  private final WebAuthorization auth;
  private final StateCodec states;
  private final Map<String, SignedIn> sessions;
  private final HttpServer server;
  private volatile Supplier<String> publicUrl;

  /** Each callback's failure, as the application met it (empty when all went well). */
  public final List<Exception> failures = new CopyOnWriteArrayList<>();

  /** The callbacks this instance served. */
  public final AtomicInteger callbacks = new AtomicInteger();

  /** Starts an application whose sessions live in {@code sessions} (shared for a cluster). */
  public SignInApp(WebAuthorization auth, StateCodec states, Map<String, SignedIn> sessions)
      throws IOException {
    this.auth = auth;
    this.states = states;
    this.sessions = sessions;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", this::serve);
    server.start();
    this.publicUrl = this::baseUrl;
  }

  /** The URL this instance listens on, ending in {@code /}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  /** Sets the URL users reach the application at (a load balancer's), for the callback URL. */
  public void publicUrl(Supplier<String> url) {
    this.publicUrl = url;
  }

  private void serve(HttpExchange ex) throws IOException {
    try (ex) {
      Map<String, String> q = query(ex.getRequestURI().getRawQuery());
      String path = ex.getRequestURI().getPath();
      if (path.equals("/login")) {
        Scope scope = "base".equals(q.get("scope")) ? Scope.BASE : Scope.USERINFO;
        String state = states.issue(q.getOrDefault("return", "/"));
        redirect(ex, auth.authorizeUrl(publicUrl.get() + "wechat/callback", scope, state));
      } else if (path.equals("/wechat/callback")) {
        callback(ex, q);
      } else {
        SignedIn user = sessions.get(cookie(ex, "sid"));
        if (user == null) {
          answer(ex, 401, "not signed in");
        } else {
          answer(
              ex,
              200,
              "openid=" + user.openId() + ";nickname=" + user.nickname() + ";path=" + path);
        }
      }
    }
  }

  private void callback(HttpExchange ex, Map<String, String> q) throws IOException {
    callbacks.incrementAndGet();
    try {
      String returnPath = states.consume(q.get("state"), q.get("code"));
      WebAccessToken token = auth.exchange(q.get("code"));
      if (token.snapshotUser()) {
        answer(ex, 403, "Open this page in WeChat to sign in (a Moments snapshot page)");
        return;
      }
      WeChatUser user = token.scope() == Scope.USERINFO ? auth.userInfo(token) : null;
      String sid = UUID.randomUUID().toString();
      sessions.put(
          sid,
          new SignedIn(
              token.openId(),
              user == null ? "" : user.nickname(),
              user == null ? token.unionId() : user.unionId()));
      ex.getResponseHeaders().add("Set-Cookie", "sid=" + sid + "; Path=/; HttpOnly");
      redirect(ex, returnPath);
    } catch (InvalidStateException e) {
      failures.add(e);
      answer(ex, 403, "sign-in refused: " + e.reason());
    } catch (WeChatException | IllegalArgumentException e) {
      failures.add(e);
      answer(ex, 502, "sign-in failed: " + e.getMessage());
    }
  }

  private static void redirect(HttpExchange ex, String location) throws IOException {
    ex.getResponseHeaders().set("Location", location);
    ex.sendResponseHeaders(302, -1);
  }

  private static void answer(HttpExchange ex, int status, String text) throws IOException {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  private static String cookie(HttpExchange ex, String name) {
    for (String header : ex.getRequestHeaders().getOrDefault("Cookie", List.of())) {
      for (String part : header.split(";")) {
        String p = part.strip();
        if (p.startsWith(name + "=")) {
          return p.substring(name.length() + 1);
        }
      }
    }
    return "";
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          out.put(
              URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}

package io.github.wechatmp.tokenserver;

import com.squareup.moshi.JsonReader;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.WeChatException;
import io.github.wechatmp.WeChatTransportException;
import io.github.wechatmp.callback.CallbackResponse;
import io.github.wechatmp.jssdk.JsapiTicket;
import io.github.wechatmp.open.Authorization;
import io.github.wechatmp.open.AuthorizationStoreException;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okio.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API. Every answer is JSON (but the Prometheus text of {@code /v1/metrics}) with {@code
 * Cache-Control: no-store}. Checks run in an order that tells an unauthenticated caller nothing
 * about the accounts: address allow list, body size, route and method, API key, then account (for a
 * platform's authorizer, the key's allow list before the authorization store is asked). The
 * platform's event URL, when served, takes no key: WeChat signs its pushes instead. Thread-safe and
 * stateless but for the counters; each exchange runs on its own worker thread.
 */
final class ApiHandler implements HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);

  private static final Pattern ACCOUNT_ROUTE =
      Pattern.compile(
          "/v1/accounts/([^/]*)/(access_token|jsapi_ticket|component_access_token)(/rejected)?");
  private static final String COMPONENT_TOKEN = "component_access_token";
  private static final Pattern APP_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private static final byte[] NO_BODY = new byte[0];

  private final Map<String, HeldAccount> accounts;
  private final ApiKeys keys;
  private final List<Cidr> allow;
  private final int maxBodyBytes;
  private final Clock clock;
  private final Metrics metrics;

  /** Null when no platform is configured. */
  private final HeldPlatform platform;

  private final java.util.concurrent.atomic.AtomicInteger inFlight =
      new java.util.concurrent.atomic.AtomicInteger();
  private volatile boolean closing;

  ApiHandler(
      Map<String, HeldAccount> accounts,
      ApiKeys keys,
      List<Cidr> allow,
      int maxBodyBytes,
      Clock clock,
      Metrics metrics) {
    this(accounts, keys, allow, maxBodyBytes, clock, metrics, null);
  }

  ApiHandler(
      Map<String, HeldAccount> accounts,
      ApiKeys keys,
      List<Cidr> allow,
      int maxBodyBytes,
      Clock clock,
      Metrics metrics,
      HeldPlatform platform) {
    this.platform = platform;
    this.accounts = Map.copyOf(accounts);
    this.keys = keys;
    this.allow = List.copyOf(allow);
    this.maxBodyBytes = maxBodyBytes;
    this.clock = clock;
    this.metrics = metrics;
  }

  /** What one exchange answers: its status and body. */
  private static final class Reply {
    final int status;
    final String body;
    final String contentType;

    Reply(int status, String body, String contentType) {
      this.status = status;
      this.body = body;
      this.contentType = contentType;
    }

    static Reply json(int status, Json body) {
      return new Reply(status, body.toString(), "application/json; charset=utf-8");
    }

    static Reply error(int status, String error, String message) {
      return json(status, new Json().string("error", error).string("message", message));
    }
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    inFlight.incrementAndGet();
    try {
      String[] route = {"other"};
      Reply reply;
      try {
        reply =
            closing
                ? Reply.error(503, "shutting_down", "the token service is shutting down")
                : answer(ex, route);
      } catch (RuntimeException e) {
        log.error("Unexpected failure answering {} {}", ex.getRequestMethod(), route[0], e);
        reply = Reply.error(500, "internal", "the token service failed; see its log");
      }
      metrics.request(route[0], reply.status);
      send(ex, reply);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  /**
   * Answers every later request with 503 and waits, at most {@code maxMillis}, for those in flight
   * to finish.
   */
  void drain(long maxMillis) {
    closing = true;
    long deadline = System.nanoTime() + maxMillis * 1_000_000;
    while (inFlight.get() > 0 && System.nanoTime() - deadline < 0) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private Reply answer(HttpExchange ex, String[] route) throws IOException {
    InetAddress remote = ex.getRemoteAddress().getAddress();
    if (!allowed(remote)) {
      log.debug("Refused a request from {}: not in the allow list", remote.getHostAddress());
      return Reply.error(403, "forbidden", "this address may not use the token service");
    }
    byte[] body = readBody(ex);
    if (body == null) {
      ex.getResponseHeaders().set("Connection", "close");
      return Reply.error(
          413, "body_too_large", "request bodies are limited to " + maxBodyBytes + " bytes");
    }
    String path = ex.getRequestURI().getRawPath();
    String method = ex.getRequestMethod();
    if (path.equals("/v1/health")) {
      route[0] = "health";
      return methodIs(ex, "GET") ? health(ex) : methodNotAllowed(ex, "GET");
    }
    if (path.equals("/v1/metrics")) {
      route[0] = "metrics";
      if (!methodIs(ex, "GET")) {
        return methodNotAllowed(ex, "GET");
      }
      ServerConfig.Client client = keys.authenticate(authorization(ex));
      return client == null ? unauthorized(ex) : metrics(client);
    }
    if (platform != null
        && platform.receiveEvents
        && path.equals(ServerConfig.Platform.EVENTS_PATH)) {
      route[0] = "platform_events";
      return platformEvent(ex, body);
    }
    Matcher m = ACCOUNT_ROUTE.matcher(path);
    if (!m.matches()) {
      return Reply.error(404, "not_found", "no such endpoint; the API is under /v1/");
    }
    String kind = m.group(2);
    boolean rejected = m.group(3) != null;
    route[0] = kind + (rejected ? "_rejected" : "");
    String expected = rejected ? "POST" : "GET";
    if (!method.equals(expected)) {
      return methodNotAllowed(ex, expected);
    }
    ServerConfig.Client client = keys.authenticate(authorization(ex));
    if (client == null) {
      return unauthorized(ex);
    }
    String appId = m.group(1);
    boolean wellFormed = APP_ID.matcher(appId).matches();
    HeldAccount account = wellFormed ? accounts.get(appId) : null;
    if (account == null && wellFormed && platform != null) {
      return platformCredential(ex, client, appId, kind, rejected, body);
    }
    if (account == null) {
      return Reply.error(404, "unknown_account", "the token service holds no such account");
    }
    if (!client.mayRead(appId)) {
      log.debug("Client {} may not read {}", client.name, appId);
      return Reply.error(403, "forbidden", "this API key may not read this account");
    }
    if (kind.equals(COMPONENT_TOKEN)) {
      return Reply.error(
          404, "not_enabled", "an official account has no component_access_token; a platform has");
    }
    boolean ticket = kind.equals("jsapi_ticket");
    if (ticket && account.tickets == null) {
      return Reply.error(
          404, "not_enabled", "the jsapi_ticket is not enabled for this account (jsapiTicket)");
    }
    String field = ticket ? "ticket" : "access_token";
    return serve(
        ex,
        client,
        appId,
        field,
        () -> {
          if (!rejected) {
            return ticket
                ? credential(field, account.tickets.get())
                : credential(field, account.tokens.get());
          }
          String value = rejectedValue(body, field);
          if (value == null) {
            return badReport(field);
          }
          return ticket
              ? credential(field, account.rejectTicket(value))
              : credential(field, account.rejectToken(value));
        });
  }

  /**
   * An authorizer's access token, or the platform's own component token: the client's allow list is
   * checked first, so that a client may not learn which accounts authorized the platform.
   */
  private Reply platformCredential(
      HttpExchange ex,
      ServerConfig.Client client,
      String appId,
      String kind,
      boolean rejected,
      byte[] body) {
    if (!client.mayRead(appId)) {
      log.debug("Client {} may not read {}", client.name, appId);
      return Reply.error(403, "forbidden", "this API key may not read this account");
    }
    boolean component = appId.equals(platform.componentAppId);
    if (!kind.equals(component ? COMPONENT_TOKEN : "access_token")) {
      return Reply.error(
          404,
          "not_enabled",
          component
              ? "the platform's own token is at /v1/accounts/" + appId + "/" + COMPONENT_TOKEN
              : "of an account that authorized the platform, the access_token is served");
    }
    String field = component ? COMPONENT_TOKEN : "access_token";
    return serve(
        ex,
        client,
        appId,
        field,
        () -> {
          if (!rejected) {
            return credential(field, component ? platform.componentToken() : platform.token(appId));
          }
          String value = rejectedValue(body, field);
          if (value == null) {
            return badReport(field);
          }
          return credential(
              field,
              component
                  ? platform.rejectComponentToken(value)
                  : platform.rejectToken(appId, value));
        });
  }

  /** The platform's authorization-event URL: WeChat's pushes, checked by their signature. */
  private Reply platformEvent(HttpExchange ex, byte[] body) {
    CallbackResponse r =
        platform
            .events()
            .handle(
                ex.getRequestMethod(),
                query(ex.getRequestURI().getRawQuery()),
                new String(body, StandardCharsets.UTF_8));
    return new Reply(r.status(), r.body(), r.contentType());
  }

  /** The query's parameters, decoded; of a repeated one, the first. */
  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        out.putIfAbsent(
            URLDecoder.decode(name, StandardCharsets.UTF_8),
            URLDecoder.decode(value, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        // A malformed escape: the parameter is left out, and the signature check fails.
      }
    }
    return out;
  }

  private static Reply badReport(String field) {
    return Reply.error(
        400,
        "bad_request",
        "the body must be a JSON object {\"" + field + "\": \"<the rejected value>\"}");
  }

  /** Runs what answers a credential request, turning its failures into answers. */
  private Reply serve(
      HttpExchange ex,
      ServerConfig.Client client,
      String appId,
      String field,
      Supplier<Reply> answer) {
    try {
      return answer.get();
    } catch (PassiveRefresh.TooSoon e) {
      log.warn(
          "Refused a report of the current {} of {} by client {}: the last was honoured less than "
              + "the minimum interval ago",
          field,
          appId,
          client.name);
      ex.getResponseHeaders().set("Retry-After", Long.toString(e.retryAfterSeconds));
      return Reply.error(
          429,
          "too_many_rejections",
          "the current "
              + field
              + " was replaced less than the minimum interval ago (rejectedMinIntervalSeconds); "
              + "retry after "
              + e.retryAfterSeconds
              + " s");
    } catch (HeldPlatform.Refused e) {
      Json j = new Json().string("error", refusal(e.state)).string("message", e.getMessage());
      if (e.state != null) {
        j.string("state", e.state.name());
      }
      return Reply.json(404, j);
    } catch (AuthorizationStoreException e) {
      log.warn(
          "{} of {}: the authorization store cannot be read: {}", field, appId, e.getMessage());
      return Reply.error(
          503, "unavailable", "the platform's authorization store cannot be read; see the log");
    } catch (WeChatApiException e) {
      log.warn("{} of {}: WeChat refused: {}", field, appId, e.getMessage());
      return Reply.json(
          502,
          new Json()
              .string("error", "wechat_error")
              .number("errcode", e.errorCode())
              .string("message", String.valueOf(e.errorMessage())));
    } catch (WeChatTransportException e) {
      log.warn("{} of {}: WeChat unreachable: {}", field, appId, e.getMessage());
      // The exception's message names the configured API base URL and port: internal topology
      // (a proxy's address, say) that is no business of a client. The log has it.
      return Reply.error(
          502,
          "wechat_unreachable",
          e.httpStatus() > 0
              ? "WeChat answered with HTTP status " + e.httpStatus()
              : "WeChat could not be reached; see the token service's log");
    } catch (WeChatException | IllegalStateException e) {
      log.warn("{} of {}: unavailable: {}", field, appId, e.getMessage());
      return Reply.error(503, "unavailable", e.getMessage());
    }
  }

  /** The error code of a refused authorizer. */
  private static String refusal(Authorization.State state) {
    if (state == null) {
      return "unknown_account";
    }
    return state == Authorization.State.REVOKED ? "authorization_revoked" : "needs_reauthorization";
  }

  private Reply credential(String field, AccessToken token) {
    return credential(field, token.value(), token.expiresAt());
  }

  private Reply credential(String field, JsapiTicket ticket) {
    return credential(field, ticket.value(), ticket.expiresAt());
  }

  private Reply credential(String field, String value, Instant expiresAt) {
    long left = Math.max(0, (expiresAt.toEpochMilli() - clock.millis()) / 1000);
    return Reply.json(
        200,
        new Json()
            .string(field, value)
            .number("expires_in", left)
            .number("expires_at", expiresAt.getEpochSecond()));
  }

  /** The value of {@code field} in a JSON object body, or null if there is none. */
  private static String rejectedValue(byte[] body, String field) {
    if (body.length == 0) {
      return null;
    }
    String found = null;
    try (JsonReader r = JsonReader.of(new Buffer().write(body))) {
      r.setFailOnUnknown(false);
      if (r.peek() != JsonReader.Token.BEGIN_OBJECT) {
        return null;
      }
      r.beginObject();
      while (r.hasNext()) {
        if (r.nextName().equals(field) && r.peek() == JsonReader.Token.STRING) {
          found = r.nextString();
        } else {
          r.skipValue();
        }
      }
      r.endObject();
      if (r.peek() != JsonReader.Token.END_DOCUMENT) {
        return null;
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return found == null || found.isBlank() || found.length() > AccessToken.MAX_LENGTH
        ? null
        : found;
  }

  private Reply health(HttpExchange ex) {
    ServerConfig.Client client = keys.authenticate(authorization(ex));
    boolean allHealthy = true;
    boolean named = false;
    StringBuilder list = new StringBuilder("[");
    for (HeldAccount a : accounts.values()) {
      TokenStatus token = a.tokenStatus();
      TokenStatus ticket = a.ticketStatus();
      boolean healthy = healthy(token) && (ticket == null || healthy(ticket));
      allHealthy &= healthy;
      if (client != null && client.mayRead(a.appId)) {
        Json j = new Json().string("appId", a.appId).string("status", healthy ? "ok" : "degraded");
        j.raw("access_token", statusJson(token));
        if (ticket != null) {
          j.raw("jsapi_ticket", statusJson(ticket));
        }
        if (list.length() > 1) {
          list.append(',');
        }
        list.append(j);
        named = true;
      }
    }
    Json out = new Json().string("status", allHealthy ? "ok" : "degraded");
    if (named) {
      out.raw("accounts", list.append(']').toString());
    }
    if (platform != null && client != null && client.mayRead(platform.componentAppId)) {
      out.raw("platform", platformHealth());
    }
    // Without a valid key the answer says only whether the service is well: no account is named.
    return Reply.json(allHealthy ? 200 : 503, out);
  }

  /**
   * The platform's component token and how many authorizations the store holds in each state:
   * counts, not one entry per account. Left out of the overall status: a new platform has no token
   * until WeChat's first ticket push reaches an instance, which a load balancer that took the
   * instances out for it would never let happen.
   */
  private String platformHealth() {
    Json j =
        new Json()
            .string("componentAppId", platform.componentAppId)
            .raw(COMPONENT_TOKEN, statusJson(platform.componentStatus()));
    try {
      Json counts = new Json();
      for (Map.Entry<Authorization.State, Long> e : platform.counts().entrySet()) {
        counts.number(e.getKey().name(), e.getValue());
      }
      j.raw("authorizations", counts.toString());
    } catch (AuthorizationStoreException e) {
      log.debug("Counting the authorizations failed: {}", e.getMessage());
      j.string("authorizations_error", "the authorization store cannot be read");
    }
    return j.toString();
  }

  /** Healthy: a credential is served at once, without waiting on a refresh. */
  private static boolean healthy(TokenStatus s) {
    return s.state() == TokenStatus.State.FRESH || s.state() == TokenStatus.State.DUE;
  }

  private String statusJson(TokenStatus s) {
    Json j = new Json().string("state", s.state().name());
    s.expiresAt()
        .ifPresent(
            e ->
                j.number("expires_at", e.getEpochSecond())
                    .number("expires_in", Math.max(0, (e.toEpochMilli() - clock.millis()) / 1000)));
    s.lastRefreshAt().ifPresent(t -> j.number("last_refresh_at", t.getEpochSecond()));
    j.number("consecutive_failures", s.consecutiveFailures());
    s.holdOffUntil().ifPresent(t -> j.number("hold_off_until", t.getEpochSecond()));
    s.lastError().ifPresent(e -> j.string("last_error", e));
    return j.toString();
  }

  private Reply metrics(ServerConfig.Client client) {
    StringBuilder g = new StringBuilder();
    g.append("# HELP wechat_token_expires_at_seconds When the held credential expires.\n")
        .append("# TYPE wechat_token_expires_at_seconds gauge\n");
    StringBuilder state =
        new StringBuilder(
                "# HELP wechat_token_state The held credential's state (1 for the current).\n")
            .append("# TYPE wechat_token_state gauge\n");
    StringBuilder failures =
        new StringBuilder(
                "# HELP wechat_token_consecutive_failures Refreshes that failed in a row.\n")
            .append("# TYPE wechat_token_consecutive_failures gauge\n");
    for (HeldAccount a : accounts.values()) {
      if (!client.mayRead(a.appId)) {
        continue;
      }
      gauges(g, state, failures, a.appId, "access_token", a.tokenStatus());
      if (a.tickets != null) {
        gauges(g, state, failures, a.appId, "jsapi_ticket", a.ticketStatus());
      }
    }
    String text = metrics.render(client::mayRead, g.append(state).append(failures).toString());
    return new Reply(200, text, "text/plain; version=0.0.4; charset=utf-8");
  }

  private static void gauges(
      StringBuilder expires,
      StringBuilder state,
      StringBuilder failures,
      String appId,
      String kind,
      TokenStatus s) {
    String labels = "{app_id=\"" + appId + "\",kind=\"" + kind + "\"";
    s.expiresAt()
        .ifPresent(
            e ->
                expires
                    .append("wechat_token_expires_at_seconds")
                    .append(labels)
                    .append("} ")
                    .append(e.getEpochSecond())
                    .append('\n'));
    for (TokenStatus.State st : TokenStatus.State.values()) {
      state
          .append("wechat_token_state")
          .append(labels)
          .append(",state=\"")
          .append(st.name())
          .append("\"} ")
          .append(st == s.state() ? 1 : 0)
          .append('\n');
    }
    failures
        .append("wechat_token_consecutive_failures")
        .append(labels)
        .append("} ")
        .append(s.consecutiveFailures())
        .append('\n');
  }

  private static String authorization(HttpExchange ex) {
    List<String> values = ex.getRequestHeaders().get("Authorization");
    return values == null || values.size() != 1 ? null : values.get(0);
  }

  private static Reply unauthorized(HttpExchange ex) {
    ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"wechat-token-server\"");
    return Reply.error(
        401, "unauthorized", "a valid API key is required: Authorization: Bearer <key>");
  }

  private static boolean methodIs(HttpExchange ex, String method) {
    return ex.getRequestMethod().equals(method);
  }

  private static Reply methodNotAllowed(HttpExchange ex, String allowed) {
    ex.getResponseHeaders().set("Allow", allowed);
    return Reply.error(405, "method_not_allowed", "use " + allowed + " here");
  }

  private boolean allowed(InetAddress remote) {
    return Cidr.allows(allow, remote);
  }

  /** The body, or null if it is longer than the limit. */
  private byte[] readBody(HttpExchange ex) throws IOException {
    String length = ex.getRequestHeaders().getFirst("Content-Length");
    if (length != null) {
      long declared;
      try {
        declared = Long.parseLong(length.strip());
      } catch (NumberFormatException e) {
        return null; // the JDK server refuses most of these itself
      }
      if (declared > maxBodyBytes) {
        return null;
      }
      if (declared == 0) {
        return NO_BODY;
      }
    } else if (ex.getRequestHeaders().getFirst("Transfer-Encoding") == null) {
      return NO_BODY; // the common GET: no buffer to allocate
    }
    byte[] buf = new byte[maxBodyBytes + 1];
    int n = 0;
    try (InputStream in = ex.getRequestBody()) {
      for (int r; n < buf.length && (r = in.read(buf, n, buf.length - n)) > 0; ) {
        n += r;
      }
    }
    if (n > maxBodyBytes) {
      return null;
    }
    return java.util.Arrays.copyOf(buf, n);
  }

  private static void send(HttpExchange ex, Reply reply) throws IOException {
    byte[] bytes = reply.body.getBytes(StandardCharsets.UTF_8);
    Headers h = ex.getResponseHeaders();
    h.set("Content-Type", reply.contentType);
    h.set("Cache-Control", "no-store");
    h.set("X-Content-Type-Options", "nosniff");
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(reply.status, head ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      if (!head) {
        out.write(bytes);
      }
    }
  }
}

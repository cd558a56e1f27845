package io.github.wechatmp.test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * WeChat's API played by a real HTTP server on a free loopback port, faithful where back ends go
 * wrong: tokens voided by a newer fetch, the stable-token rules, the daily quota, token checks on
 * API calls, and scripted faults. Point the code under test at {@link #baseUrl()} (the SDK's {@code
 * apiBaseUrl(...)}).
 *
 * <h2>Token endpoints</h2>
 *
 * <ul>
 *   <li>{@code GET cgi-bin/token}: every successful call issues a new token living {@linkplain
 *       Builder#expiresIn(Duration) expiresIn} (7200 s by default); the token it replaces stays
 *       valid for {@linkplain Builder#overlap(Duration) overlap} more (5 minutes by default, never
 *       past its own expiry) and is then void. At most {@linkplain Builder#dailyQuota(int)
 *       dailyQuota} calls a day (2000 by default; the day is Beijing time's, by the stand-in's
 *       clock) are answered: past that, errcode 45009. A call that is refused for its credentials
 *       or the caller's IP does not count against the quota.
 *   <li>{@code POST cgi-bin/stable_token} (JSON): independent of {@code cgi-bin/token} (neither
 *       voids the other). While the stable token is valid, calls return that same token with its
 *       remaining lifetime. {@code "force_refresh": true} voids it at once and issues a new one;
 *       WeChat limits that to 20 a day, 30 s apart, and so does the stand-in (errcode 45011 past
 *       either limit). 500,000 calls a day (45009 past them).
 *   <li>Refusals as WeChat's: unknown {@code grant_type} 40002, missing AppID 41002, missing
 *       AppSecret 41004, wrong AppID 40013, wrong AppSecret 40001 (only if the builder was given
 *       one; {@link #start()} accepts any), the caller's IP not whitelisted 40164 (after {@link
 *       #callerIpWhitelisted(boolean) callerIpWhitelisted(false)}).
 * </ul>
 *
 * <h2>API endpoints</h2>
 *
 * Every other endpoint checks the {@code access_token} query parameter as WeChat does: 41001 if
 * missing, 40001 if unknown or voided, 42001 if expired. Built in: {@code
 * cgi-bin/get_api_domain_ip} (a fixed {@code ip_list}, as WeChat names it), {@code
 * cgi-bin/ticket/getticket} ({@code type=jsapi} or {@code wx_card}: a new ticket living {@code
 * expiresIn}; another type 40097), and {@code cgi-bin/message/custom/send} (a JSON object is
 * recorded, see {@link #sentMessages()}; anything else 47001). {@link #addEndpoint(String, String)}
 * adds more. Unknown paths get HTTP 404.
 *
 * <p>The business endpoints {@code io.github.wechatmp.api.WeChatApi} types are built in too, with
 * WeChat's limits and error codes: template messages ({@link #templateMessagesSent()}, {@code
 * client_msg_id} de-duplicated) and subscribe messages; the menu (1 to 3 buttons 40016, 5
 * sub-buttons 40023, names of 16 and 60 bytes 40018/40025; {@code get} 46003 without one) and
 * conditional menus; users and the follower list in pages of 10,000 ({@link #addFollowers(int)});
 * tags; QR codes (temporary up to 2592000 s, permanent scene IDs 1 to 100000, scene strings of 1 to
 * 64 characters, else 40097) and their images at {@code cgi-bin/showqrcode}; temporary media
 * (multipart, type 40004, no part 41005, no file name or empty 44001, format 40005, size 40006:
 * image 10 MB, voice 2 MB, video 10 MB, thumb 64 KB; {@code media/get} streams the file, a video by
 * its {@code video_url}, and 40007 after 3 days, see {@link #mediaReceived()}); the customer
 * service window ({@link #userMessaged(String)}: 45015 after 48 hours, 45047 past 20 messages) and
 * typing ({@link #typingReceived()}). A canned answer {@linkplain #addEndpoint(String, String)
 * added} for one of these paths replaces it.
 *
 * <h2>Web authorization</h2>
 *
 * {@code connect/oauth2/authorize} answers with the redirect to {@code redirect_uri}, carrying a
 * fresh code (five minutes, one use) for the user chosen with {@link #webUser} or {@link
 * #webSnapshotUser}, and the {@code state}; {@link #deliverRedirectTwice} makes it request that URL
 * itself first, as WeChat's browser does. {@code sns/oauth2/access_token} (40029 for an unknown or
 * expired code, 40163 for a used one), {@code sns/oauth2/refresh_token} (40030, 42002 after 30
 * days) and {@code sns/userinfo} (48001 for a {@code snsapi_base} token) answer as WeChat's do.
 *
 * <h2>Faults, counts, log</h2>
 *
 * {@link #failNext(int, Fault)} and {@link #failFor(Duration, Fault)} script HTTP 5xx answers,
 * errcode -1, slow answers, connections closed unanswered and verbatim answers (malformed JSON and
 * the like). {@link #tokenRequests()} counts every request that reached a token endpoint (refused
 * and faulted ones included), {@link #apiRequests()} every other one, {@link #requests(String)}
 * those to one path; {@link #received()} is the log. The AppSecret never appears in the log, in
 * {@link #toString()}, or in anything else the stand-in prints.
 *
 * <h2>Time</h2>
 *
 * Expiry, overlaps, quota days and fault windows follow the {@linkplain Builder#clock(Clock) clock}
 * (a {@link ManualClock} lets a test move time with no sleeping); slow answers take real time.
 *
 * <p>Thread-safe: requests are served concurrently, and every method may be called from any thread.
 * Close it to free the port and its threads.
 */
public final class WeChatStandIn implements AutoCloseable {
  /** The path of the classic token endpoint. */
  public static final String TOKEN_PATH = "cgi-bin/token";

  /** The path of the stable token endpoint. */
  public static final String STABLE_TOKEN_PATH = "cgi-bin/stable_token";

  private static final ZoneId BEIJING = ZoneId.of("Asia/Shanghai");
  private static final int STABLE_DAILY_QUOTA = 500_000;
  private static final int FORCE_REFRESH_DAILY_LIMIT = 20;
  private static final Duration FORCE_REFRESH_INTERVAL = Duration.ofSeconds(30);
  private static final char[] TOKEN_ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".toCharArray();
  private static final Pattern SECRET_PARAM = Pattern.compile("(?i)(secret=)[^&]*");
  private static final Pattern SECRET_MEMBER =
      Pattern.compile("(\"(?:component_app|component_)?secret\"\\s*:\\s*\")(?:[^\"\\\\]|\\\\.)*\"");
  private static final int MAX_BODY = 1 << 20;

  private final String appId;
  private final String appSecret;
  private final Duration expiresIn;
  private final Duration overlap;
  private final int dailyQuota;
  private final Clock clock;
  private final HttpServer server;
  private final ExecutorService executor;
  private final SecureRandom random = new SecureRandom();
  private final StandInPlatform platform;

  private final AtomicInteger tokenRequests = new AtomicInteger();
  private final AtomicInteger apiRequests = new AtomicInteger();
  private final Map<String, AtomicInteger> perPath = new ConcurrentHashMap<>();
  private final Map<String, String> cannedAnswers = new ConcurrentHashMap<>();
  private final WebAuthorizationEndpoints web;

  // Guarded by "this": everything below.
  private final Map<String, Issued> tokens = new HashMap<>();
  private final List<String> issuedInOrder = new ArrayList<>();
  private final List<String> ticketsInOrder = new ArrayList<>();
  private final List<ReceivedRequest> log = new ArrayList<>();
  private final List<String> sent = new ArrayList<>();
  private final List<Scripted> faults = new ArrayList<>();
  private final Map<String, Integer> callsToday = new HashMap<>();
  private LocalDate today;
  private Issued classic;
  private Issued stable;
  private Instant lastForceRefresh;
  private int forceRefreshesToday;
  private boolean ipWhitelisted = true;
  private int ticketsIssued;
  private final ApiEndpoints api;

  private WeChatStandIn(Builder b) throws IOException {
    this.appId = b.appId;
    this.appSecret = b.appSecret;
    this.expiresIn = b.expiresIn;
    this.overlap = b.overlap;
    this.dailyQuota = b.dailyQuota;
    this.clock = b.clock;
    this.api = new ApiEndpoints(b.clock, this::baseUrl);
    this.web =
        new WebAuthorizationEndpoints(
            appId,
            (id, secret) -> {
              Answer refused = checkCredentials(id, secret);
              return refused == null
                  ? null
                  : new WebAuthorizationEndpoints.Reply(
                      refused.status, refused.contentType, refused.body, null);
            });
    this.platform = new StandInPlatform(this, b.clock);
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    AtomicInteger threads = new AtomicInteger();
    this.executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "wechat-stand-in-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", this::serve);
    server.start();
  }

  /**
   * Starts a stand-in with the defaults: any AppID and AppSecret accepted, tokens living 7200 s, 5
   * minutes of overlap, 2000 classic token calls a day, the system clock.
   *
   * @return the running stand-in
   * @throws UncheckedIOException if no loopback port could be bound
   */
  public static WeChatStandIn start() {
    return builder().start();
  }

  /**
   * Returns a builder with the defaults of {@link #start()}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the base URL, {@code http://127.0.0.1:port/}, to give the code under test as WeChat's
   * API base URL.
   *
   * @return the base URL, ending in {@code /}
   */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  /**
   * Counts the requests that reached {@code cgi-bin/token} or {@code cgi-bin/stable_token}, refused
   * and faulted ones included.
   *
   * @return the count since start
   */
  public int tokenRequests() {
    return tokenRequests.get();
  }

  /**
   * Counts the requests to every other path.
   *
   * @return the count since start
   */
  public int apiRequests() {
    return apiRequests.get();
  }

  /**
   * Counts the requests to one path.
   *
   * @param path the path, such as {@code cgi-bin/ticket/getticket} (a leading {@code /} is
   *     optional)
   * @return the count since start
   * @throws NullPointerException if {@code path} is null
   */
  public int requests(String path) {
    AtomicInteger n = perPath.get(normalisePath(path));
    return n == null ? 0 : n.get();
  }

  /**
   * Returns the log of every request received, in the order they were answered, the AppSecret
   * masked.
   *
   * @return a snapshot of the log
   */
  public synchronized List<ReceivedRequest> received() {
    return List.copyOf(log);
  }

  /**
   * Returns the log of the requests to one path.
   *
   * @param path the path (a leading {@code /} is optional)
   * @return a snapshot of those entries, in order
   * @throws NullPointerException if {@code path} is null
   */
  public synchronized List<ReceivedRequest> received(String path) {
    String p = normalisePath(path);
    return log.stream().filter(r -> r.path().equals(p)).toList();
  }

  /**
   * Returns the bodies accepted by {@code cgi-bin/message/custom/send} (with a valid token), in
   * order.
   *
   * @return a snapshot of the JSON bodies sent
   */
  public synchronized List<String> sentMessages() {
    return List.copyOf(sent);
  }

  /**
   * Returns the bodies accepted by {@code cgi-bin/message/template/send}, in order; a message
   * repeating an earlier one's {@code touser} and {@code client_msg_id} is answered with the
   * earlier {@code msgid} and not recorded again, as WeChat sends it once.
   *
   * @return a snapshot of the JSON bodies
   */
  public List<String> templateMessagesSent() {
    return api.templateMessages();
  }

  /**
   * Returns the bodies accepted by {@code cgi-bin/message/subscribe/bizsend}, in order.
   *
   * @return a snapshot of the JSON bodies
   */
  public List<String> subscribeMessagesSent() {
    return api.subscribeMessages();
  }

  /**
   * Returns the default menu {@code cgi-bin/menu/create} last accepted, as {@code
   * {"button":[...]}}.
   *
   * @return the menu's JSON, or null if there is none (never created, or deleted)
   */
  public String currentMenu() {
    return api.menu();
  }

  /**
   * Returns the temporary media {@code cgi-bin/media/upload} accepted, in order.
   *
   * @return a snapshot
   */
  public List<ReceivedMedia> mediaReceived() {
    return api.media();
  }

  /**
   * Returns what {@code cgi-bin/message/custom/typing} accepted, as {@code openid:command}.
   *
   * @return a snapshot, in order
   */
  public List<String> typingReceived() {
    return api.typing();
  }

  /**
   * Adds followers to the account, with OpenIDs {@code oStandIn00000000}, {@code
   * oStandIn00000001}... in order. {@code cgi-bin/user/get} pages through them 10,000 at a time,
   * and {@code cgi-bin/user/info}, its batch form and the tag endpoints know them (40003 for anyone
   * else).
   *
   * @param count how many to add
   * @return the OpenIDs added
   * @throws IllegalArgumentException if {@code count} is negative
   */
  public List<String> addFollowers(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative: " + count);
    }
    return api.addFollowers(count);
  }

  /**
   * Records that {@code openId} wrote to the account now (by the stand-in's clock), which opens
   * WeChat's customer service window: for 48 hours {@code cgi-bin/message/custom/send} accepts up
   * to 20 messages to that user, then answers 45047; after 48 hours, 45015. Messages to users never
   * named here are accepted without a window.
   *
   * @param openId the user's OpenID
   * @return this stand-in
   * @throws NullPointerException if {@code openId} is null
   */
  public WeChatStandIn userMessaged(String openId) {
    api.userMessaged(Objects.requireNonNull(openId, "openId"));
    return this;
  }

  /**
   * Adds an API endpoint that checks the token like the others and then answers {@code answerJson},
   * or replaces a canned answer added before. Built-in endpoints cannot be replaced; script a
   * {@link Fault} instead.
   *
   * @param path the path, such as {@code cgi-bin/user/info}
   * @param answerJson the body of every answer to a request with a valid token
   * @return this stand-in
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code path} is a built-in endpoint or {@code answerJson}
   *     is not a JSON object
   */
  public WeChatStandIn addEndpoint(String path, String answerJson) {
    String p = normalisePath(path);
    Objects.requireNonNull(answerJson, "answerJson");
    if (isBuiltIn(p)) {
      throw new IllegalArgumentException("built-in endpoint: " + p);
    }
    if (!Json.isObject(answerJson)) {
      throw new IllegalArgumentException("answerJson is not a JSON object");
    }
    cannedAnswers.put(p, answerJson);
    return this;
  }

  /**
   * Plays {@code fault} to the next {@code times} requests it hits (every request, or those to the
   * path of {@link Fault#at(String)}). Scripted faults are played in the order scripted; a request
   * gets at most one.
   *
   * @param times how many requests; positive
   * @param fault the fault
   * @return this stand-in
   * @throws IllegalArgumentException if {@code times} is not positive
   * @throws NullPointerException if {@code fault} is null
   */
  public synchronized WeChatStandIn failNext(int times, Fault fault) {
    Objects.requireNonNull(fault, "fault");
    if (times <= 0) {
      throw new IllegalArgumentException("times must be positive");
    }
    faults.add(new Scripted(fault, times, null));
    return this;
  }

  /**
   * Plays {@code fault} to every request it hits from now until {@code window} has passed on the
   * stand-in's clock.
   *
   * @param window how long; positive
   * @param fault the fault
   * @return this stand-in
   * @throws IllegalArgumentException if {@code window} is not positive
   * @throws NullPointerException if an argument is null
   */
  public synchronized WeChatStandIn failFor(Duration window, Fault fault) {
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(fault, "fault");
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window must be positive");
    }
    faults.add(new Scripted(fault, -1, clock.instant().plus(window)));
    return this;
  }

  /**
   * Drops every scripted fault not yet played.
   *
   * @return this stand-in
   */
  public synchronized WeChatStandIn clearFaults() {
    faults.clear();
    return this;
  }

  /**
   * Sets whether the caller's IP is on the account's whitelist. When it is not, the token endpoints
   * answer 40164, as WeChat does for a server whose IP was not added in the console.
   *
   * @param whitelisted false to refuse token requests with 40164; true (the default) to serve them
   * @return this stand-in
   */
  public synchronized WeChatStandIn callerIpWhitelisted(boolean whitelisted) {
    this.ipWhitelisted = whitelisted;
    return this;
  }

  /**
   * Issues a classic token as if another system (another server, a colleague's script) had called
   * {@code cgi-bin/token} with the account's credentials: the token held until now is voided after
   * the overlap, and the daily quota is spent. The call is not counted by {@link #tokenRequests()}.
   *
   * @return the new token
   * @throws IllegalStateException if the daily quota is used up
   */
  public synchronized String fetchTokenElsewhere() {
    Instant now = clock.instant();
    if (!spendQuota(TOKEN_PATH, dailyQuota, now)) {
      throw new IllegalStateException("daily quota used up (45009)");
    }
    return issueClassic(now).value;
  }

  /**
   * Voids {@code token} at once, as a reset of the AppSecret or a forced refresh elsewhere does:
   * API calls with it get 40001 from now on.
   *
   * @param token a token value the stand-in issued
   * @return whether it was a token the stand-in issued and not yet void
   * @throws NullPointerException if {@code token} is null
   */
  public synchronized boolean voidToken(String token) {
    Objects.requireNonNull(token, "token");
    Issued t = tokens.get(token);
    Instant now = clock.instant();
    if (t == null || t.isVoidAt(now)) {
      return false;
    }
    t.voidAt = now;
    return true;
  }

  /**
   * Returns the classic token issued last, the one {@code cgi-bin/token} handed out most recently.
   *
   * @return its value, or null if none was issued
   */
  public synchronized String currentToken() {
    return classic == null ? null : classic.value;
  }

  /**
   * Returns every access token issued (classic and stable, {@linkplain #fetchTokenElsewhere()
   * elsewhere} included), in the order issued: {@code issuedTokens().get(n - 1)} is the n-th.
   *
   * @return a snapshot of the token values
   */
  public synchronized List<String> issuedTokens() {
    return List.copyOf(issuedInOrder);
  }

  /**
   * Returns every ticket {@code cgi-bin/ticket/getticket} issued (of any type), in the order
   * issued: {@code issuedTickets().get(n - 1)} is the n-th.
   *
   * @return a snapshot of the ticket values
   */
  public synchronized List<String> issuedTickets() {
    return List.copyOf(ticketsInOrder);
  }

  /**
   * Returns the current stable token.
   *
   * @return its value, or null if none was issued
   */
  public synchronized String currentStableToken() {
    return stable == null ? null : stable.value;
  }

  /** Stops the server at once and frees its port and threads. Idempotent; never throws. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /**
   * Chooses the WeChat user whom the web authorization page ({@code connect/oauth2/authorize})
   * signs in from now on, until another is chosen; before any is, a user with OpenID {@code
   * oStandInUser0000000000000000} and nickname {@code Stand-in User}. The code exchange answers
   * with this user's OpenID (and UnionID for {@code snsapi_userinfo}), {@code sns/userinfo} with
   * the nickname and an avatar URL.
   *
   * @param openId the user's OpenID
   * @param nickname the nickname {@code sns/userinfo} returns
   * @param unionId the UnionID, or null for an account bound to no Open Platform account
   * @return this stand-in
   */
  public WeChatStandIn webUser(String openId, String nickname, String unionId) {
    web.user(
        requireText(openId, "openId"),
        Objects.requireNonNull(nickname, "nickname"),
        unionId,
        false);
    return this;
  }

  /**
   * Chooses, as {@link #webUser} does, a user on a Moments snapshot page: WeChat gives them a
   * virtual OpenID and a {@code snsapi_base} token marked {@code "is_snapshotuser": 1}, whatever
   * scope the page asked for.
   *
   * @param openId the virtual OpenID
   * @return this stand-in
   */
  public WeChatStandIn webSnapshotUser(String openId) {
    web.user(requireText(openId, "openId"), "", null, true);
    return this;
  }

  /**
   * Makes the authorize page deliver each redirect twice, as WeChat's in-app browser often does:
   * the stand-in requests the redirect URL (code and state included) itself, without cookies, and
   * only then answers the browser with the redirect to the same URL.
   *
   * @param twice whether to deliver each redirect twice
   * @return this stand-in
   */
  public WeChatStandIn deliverRedirectTwice(boolean twice) {
    web.deliverTwice(twice);
    return this;
  }

  private static String requireText(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
    return value;
  }

  /**
   * Describes the stand-in, never its AppSecret.
   *
   * @return its base URL and AppID
   */
  @Override
  public String toString() {
    return "WeChatStandIn{" + baseUrl() + ", appId=" + (appId == null ? "any" : appId) + '}';
  }

  // ---------------------------------------------------------------------------------------------

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = normalisePath(exchange.getRequestURI().getPath());
      String query = Objects.requireNonNullElse(exchange.getRequestURI().getRawQuery(), "");
      byte[] raw;
      try (InputStream in = exchange.getRequestBody()) {
        raw = in.readNBytes(ApiEndpoints.maxBody(path, MAX_BODY));
      }
      String body = new String(raw, StandardCharsets.UTF_8);
      String method = exchange.getRequestMethod();
      String contentType =
          Objects.requireNonNullElse(exchange.getRequestHeaders().getFirst("Content-Type"), "");
      boolean tokenEndpoint = path.equals(TOKEN_PATH) || path.equals(STABLE_TOKEN_PATH);
      (tokenEndpoint ? tokenRequests : apiRequests).incrementAndGet();
      perPath.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();

      Fault fault = takeFault(path);
      if (fault != null && fault.kind == Fault.Kind.SLOW) {
        try {
          Thread.sleep(fault.delay.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return; // closing down
        }
        fault = null;
      }
      Answer answer;
      if (fault == null) {
        answer = answer(method, path, query, body, raw, contentType);
      } else {
        answer =
            switch (fault.kind) {
              case HTTP_STATUS ->
                  new Answer(fault.code, "text/html", "<html>" + fault.code + "</html>");
              case ERRCODE -> Answer.error(fault.code, fault.errmsg);
              case BODY, REDIRECT -> new Answer(fault.code, fault.contentType, fault.body);
              default -> null; // DROP
            };
      }
      synchronized (this) {
        log.add(
            new ReceivedRequest(
                method,
                path,
                mask(query),
                mask(body),
                answer == null ? 0 : answer.status,
                answer == null ? null : answer.errcode(),
                contentType));
      }
      if (answer == null) {
        return; // closing the exchange unanswered closes the connection
      }
      byte[] bytes =
          answer.bytes != null ? answer.bytes : answer.body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", answer.contentType);
      if (answer.filename != null) {
        exchange
            .getResponseHeaders()
            .set("Content-Disposition", "attachment; filename=\"" + answer.filename + "\"");
      }
      if (fault != null && fault.location != null) {
        exchange.getResponseHeaders().set("Location", fault.location);
      } else if (answer.location != null) {
        exchange.getResponseHeaders().set("Location", answer.location);
      }
      // -1 is the JDK's "no body"; 0 would mean chunked.
      exchange.sendResponseHeaders(answer.status, bytes.length == 0 ? -1 : bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /**
   * Returns the third-party platform (开放平台) this stand-in also plays: its {@code
   * cgi-bin/component/*} endpoints, ticket pushes and authorization events.
   *
   * @return the platform, one per stand-in
   */
  public StandInPlatform openPlatform() {
    return platform;
  }

  private synchronized Fault takeFault(String path) {
    Instant now = clock.instant();
    for (Iterator<Scripted> it = faults.iterator(); it.hasNext(); ) {
      Scripted s = it.next();
      if (s.until != null && !now.isBefore(s.until)) {
        it.remove();
        continue;
      }
      if (!s.fault.hits(path)) {
        continue;
      }
      if (s.remaining > 0 && --s.remaining == 0) {
        it.remove();
      }
      return s.fault;
    }
    return null;
  }

  private Answer answer(
      String method, String path, String query, String body, byte[] raw, String contentType) {
    Map<String, String> params = queryParameters(query);
    switch (path) {
      case TOKEN_PATH:
        return classicToken(params);
      case STABLE_TOKEN_PATH:
        return stableToken(method, body);
      default:
        break;
    }
    if (ApiEndpoints.handles(path) && !cannedAnswers.containsKey(path)) {
      Answer refused =
          ApiEndpoints.isUntokened(path) ? null : checkToken(params.get("access_token"));
      return refused != null
          ? refused
          : Answer.of(api.answer(method, path, params, raw, contentType));
    }
    if (WebAuthorizationEndpoints.handles(path)) {
      WebAuthorizationEndpoints.Reply r = web.answer(path, params, clock.instant());
      return new Answer(r.status(), r.contentType(), r.body(), null, null, r.location());
    }
    if (path.startsWith(StandInPlatform.PATH_PREFIX)) {
      if (!"POST".equals(method)) {
        return Answer.error(43002, "require POST method");
      }
      synchronized (this) {
        return platform.answer(path, params, body);
      }
    }
    if (!isBuiltIn(path) && !cannedAnswers.containsKey(path)) {
      return new Answer(404, "text/plain", "404 Not Found: " + path);
    }
    Answer refused = checkToken(params.get("access_token"));
    if (refused != null) {
      return refused;
    }
    switch (path) {
      case "cgi-bin/get_api_domain_ip":
        return Answer.json(
            "{\"ip_list\":[\"203.0.113.10\",\"203.0.113.11\",\"198.51.100.20\",\"198.51.100.21\"]}");
      case "cgi-bin/ticket/getticket":
        return ticket(params.get("type"));
      case "cgi-bin/message/custom/send":
        if (!"POST".equals(method) || !Json.isObject(body)) {
          return Answer.error(47001, "data format error");
        }
        ApiEndpoints.Reply window = api.customServiceRefusal(body);
        if (window != null) {
          return Answer.of(window);
        }
        synchronized (this) {
          sent.add(body);
        }
        return Answer.ok();
      default:
        String canned = cannedAnswers.get(path);
        return canned == null
            ? new Answer(404, "text/plain", "404 Not Found: " + path)
            : Answer.json(canned);
    }
  }

  private Answer classicToken(Map<String, String> params) {
    if (!"client_credential".equals(params.get("grant_type"))) {
      return Answer.error(40002, "invalid grant_type");
    }
    Answer refused = checkCredentials(params.get("appid"), params.get("secret"));
    if (refused != null) {
      return refused;
    }
    synchronized (this) {
      Instant now = clock.instant();
      if (!spendQuota(TOKEN_PATH, dailyQuota, now)) {
        return Answer.error(45009, "reach max api daily quota limit");
      }
      Issued t = issueClassic(now);
      return tokenAnswer(t, now);
    }
  }

  private Answer stableToken(String method, String body) {
    if (!"POST".equals(method)) {
      return Answer.error(43002, "require POST method");
    }
    Map<String, Object> json;
    try {
      json = Json.parseObject(body);
    } catch (IllegalArgumentException e) {
      return Answer.error(47001, "data format error");
    }
    if (!"client_credential".equals(json.get("grant_type"))) {
      return Answer.error(40002, "invalid grant_type");
    }
    Object appid = json.get("appid");
    Object secret = json.get("secret");
    Answer refused =
        checkCredentials(
            appid instanceof String s ? s : null, secret instanceof String s ? s : null);
    if (refused != null) {
      return refused;
    }
    boolean force = Boolean.TRUE.equals(json.get("force_refresh"));
    synchronized (this) {
      Instant now = clock.instant();
      if (!spendQuota(STABLE_TOKEN_PATH, STABLE_DAILY_QUOTA, now)) {
        return Answer.error(45009, "reach max api daily quota limit");
      }
      if (force) {
        if (forceRefreshesToday >= FORCE_REFRESH_DAILY_LIMIT
            || (lastForceRefresh != null
                && now.isBefore(lastForceRefresh.plus(FORCE_REFRESH_INTERVAL)))) {
          return Answer.error(45011, "api minute-quota reach limit, mustslower, retry next minute");
        }
        forceRefreshesToday++;
        lastForceRefresh = now;
        if (stable != null && !stable.isVoidAt(now)) {
          stable.voidAt = now;
        }
      } else if (stable != null && !stable.isVoidAt(now) && now.isBefore(stable.expiresAt)) {
        return tokenAnswer(stable, now);
      }
      stable = issue(now);
      return tokenAnswer(stable, now);
    }
  }

  private Answer checkCredentials(String appid, String secret) {
    if (appid == null || appid.isEmpty()) {
      return Answer.error(41002, "appid missing");
    }
    if (secret == null || secret.isEmpty()) {
      return Answer.error(41004, "appsecret missing");
    }
    if (appId != null && !appId.equals(appid)) {
      return Answer.error(40013, "invalid appid");
    }
    if (appSecret != null && !constantTimeEquals(appSecret, secret)) {
      return Answer.error(40001, "invalid credential, access_token is invalid or not latest");
    }
    synchronized (this) {
      if (!ipWhitelisted) {
        return Answer.error(40164, "invalid ip 127.0.0.1 ipv6 ::ffff:127.0.0.1, not in whitelist");
      }
    }
    return null;
  }

  synchronized Answer checkToken(String token) {
    if (token == null || token.isEmpty()) {
      return Answer.error(41001, "access_token missing");
    }
    Issued t = tokens.get(token);
    Instant now = clock.instant();
    if (t == null || (t.isVoidAt(now) && t.voidAt.isBefore(t.expiresAt))) {
      return Answer.error(40001, "invalid credential, access_token is invalid or not latest");
    }
    if (!now.isBefore(t.expiresAt)) {
      return Answer.error(42001, "access_token expired");
    }
    return null;
  }

  private synchronized Answer ticket(String type) {
    if (!"jsapi".equals(type) && !"wx_card".equals(type)) {
      return Answer.error(40097, "invalid args");
    }
    ticketsIssued++;
    String ticket = ticketsIssued + "_" + randomValue(80);
    ticketsInOrder.add(ticket);
    return Answer.json(
        "{\"errcode\":0,\"errmsg\":\"ok\",\"ticket\":"
            + Json.quote(ticket)
            + ",\"expires_in\":"
            + expiresIn.toSeconds()
            + "}");
  }

  // Guarded by "this".
  private boolean spendQuota(String endpoint, int quota, Instant now) {
    LocalDate day = LocalDate.ofInstant(now, BEIJING);
    if (!day.equals(today)) {
      today = day;
      callsToday.clear();
      forceRefreshesToday = 0;
    }
    int used = callsToday.merge(endpoint, 1, Integer::sum);
    return used <= quota;
  }

  // Guarded by "this".
  private Issued issueClassic(Instant now) {
    if (classic != null && !classic.isVoidAt(now)) {
      Instant end = now.plus(overlap);
      classic.voidAt = end.isBefore(classic.expiresAt) ? end : classic.expiresAt;
    }
    classic = issue(now);
    return classic;
  }

  /** A token value and its lifetime, for the platform's tokens. */
  record IssuedToken(String value, Duration expiresIn) {}

  /** Issues a token every API endpoint accepts, as the platform issues its tokens. */
  synchronized IssuedToken issueToken(Instant now) {
    return new IssuedToken(issue(now).value, expiresIn);
  }

  // Guarded by "this".
  private Issued issue(Instant now) {
    String value;
    do {
      value = randomValue(136);
    } while (tokens.containsKey(value));
    Issued t = new Issued(value, now.plus(expiresIn));
    tokens.put(value, t);
    issuedInOrder.add(value);
    return t;
  }

  private static Answer tokenAnswer(Issued t, Instant now) {
    long left = Math.max(1, Duration.between(now, t.expiresAt).toSeconds());
    return Answer.json(
        "{\"access_token\":" + Json.quote(t.value) + ",\"expires_in\":" + left + "}");
  }

  String randomValue(int length) {
    char[] c = new char[length];
    for (int i = 0; i < length; i++) {
      c[i] = TOKEN_ALPHABET[random.nextInt(TOKEN_ALPHABET.length)];
    }
    return new String(c);
  }

  private String mask(String text) {
    if (text.isEmpty()) {
      return text;
    }
    String out = SECRET_PARAM.matcher(text).replaceAll("$1***");
    out = SECRET_MEMBER.matcher(out).replaceAll("$1***\"");
    if (appSecret != null) {
      out = out.replace(appSecret, "***");
    }
    return out;
  }

  private boolean isBuiltIn(String path) {
    return path.equals(TOKEN_PATH)
        || path.equals(STABLE_TOKEN_PATH)
        || path.equals("cgi-bin/get_api_domain_ip")
        || path.equals("cgi-bin/ticket/getticket")
        || path.equals("cgi-bin/message/custom/send");
  }

  static boolean constantTimeEquals(String a, String b) {
    return java.security.MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  static String normalisePath(String path) {
    Objects.requireNonNull(path, "path");
    String p = path.strip();
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    return p;
  }

  static Map<String, String> queryParameters(String rawQuery) {
    Map<String, String> out = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        out.putIfAbsent(
            URLDecoder.decode(name, StandardCharsets.UTF_8),
            URLDecoder.decode(value, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        out.putIfAbsent(name, value); // a malformed escape: keep it raw, as a lenient server does
      }
    }
    return out;
  }

  /** A token issued by the stand-in. Guarded by the stand-in's lock. */
  private static final class Issued {
    final String value;
    final Instant expiresAt;
    Instant voidAt;

    Issued(String value, Instant expiresAt) {
      this.value = value;
      this.expiresAt = expiresAt;
    }

    boolean isVoidAt(Instant now) {
      return voidAt != null && !now.isBefore(voidAt);
    }
  }

  /** A scripted fault still to be played. Guarded by the stand-in's lock. */
  private static final class Scripted {
    final Fault fault;
    int remaining; // -1: until the deadline
    final Instant until;

    Scripted(Fault fault, int remaining, Instant until) {
      this.fault = fault;
      this.remaining = remaining;
      this.until = until;
    }
  }

  record Answer(
      int status, String contentType, String body, byte[] bytes, String filename, String location) {
    private static final Pattern ERRCODE = Pattern.compile("\"errcode\"\\s*:\\s*(-?\\d+)");

    Answer(int status, String contentType, String body) {
      this(status, contentType, body, null, null, null);
    }

    static Answer of(ApiEndpoints.Reply r) {
      boolean json = r.contentType().startsWith("application/json");
      return json
          ? new Answer(r.status(), r.contentType(), new String(r.body(), StandardCharsets.UTF_8))
          : new Answer(r.status(), r.contentType(), "", r.body(), r.filename(), null);
    }

    static Answer json(String body) {
      return new Answer(200, "application/json; encoding=utf-8", body);
    }

    static Answer error(int code, String msg) {
      return json("{\"errcode\":" + code + ",\"errmsg\":" + Json.quote(msg) + "}");
    }

    static Answer ok() {
      return json("{\"errcode\":0,\"errmsg\":\"ok\"}");
    }

    Integer errcode() {
      if (!contentType.startsWith("application/json") || !Json.isObject(body)) {
        return null; // not JSON, or a scripted malformed body: no errcode to speak of
      }
      Matcher m = ERRCODE.matcher(body);
      return m.find() ? Integer.valueOf(m.group(1)) : 0;
    }
  }

  /**
   * Configures a {@link WeChatStandIn}. Not thread-safe; {@link #start()} may be called more than
   * once, each time starting an independent stand-in.
   */
  public static final class Builder {
    private String appId;
    private String appSecret;
    private Duration expiresIn = Duration.ofSeconds(7200);
    private Duration overlap = Duration.ofMinutes(5);
    private int dailyQuota = 2000;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * The only AppID accepted; others get 40013. Default: any.
     *
     * @param appId the AppID
     * @return this builder
     * @throws NullPointerException if {@code appId} is null
     * @throws IllegalArgumentException if it is blank
     */
    public Builder appId(String appId) {
      this.appId = nonBlank(appId, "appId");
      return this;
    }

    /**
     * The only AppSecret accepted; others get 40001. Default: any. It is never printed.
     *
     * @param appSecret the AppSecret
     * @return this builder
     * @throws NullPointerException if {@code appSecret} is null
     * @throws IllegalArgumentException if it is blank
     */
    public Builder appSecret(String appSecret) {
      this.appSecret = nonBlank(appSecret, "appSecret");
      return this;
    }

    /**
     * The lifetime of the tokens and tickets issued, sent as {@code expires_in}. Default 7200 s.
     *
     * @param expiresIn at least one second, whole seconds
     * @return this builder
     * @throws NullPointerException if {@code expiresIn} is null
     * @throws IllegalArgumentException if it is shorter than a second or not whole seconds
     */
    public Builder expiresIn(Duration expiresIn) {
      Objects.requireNonNull(expiresIn, "expiresIn");
      if (expiresIn.toSeconds() < 1 || expiresIn.toNanosPart() != 0) {
        throw new IllegalArgumentException("expiresIn must be whole seconds, at least one");
      }
      this.expiresIn = expiresIn;
      return this;
    }

    /**
     * How long a classic token stays valid after a newer one was issued. Default 5 minutes, as
     * WeChat documents; zero voids it at once.
     *
     * @param overlap zero or more
     * @return this builder
     * @throws NullPointerException if {@code overlap} is null
     * @throws IllegalArgumentException if it is negative
     */
    public Builder overlap(Duration overlap) {
      Objects.requireNonNull(overlap, "overlap");
      if (overlap.isNegative()) {
        throw new IllegalArgumentException("overlap must not be negative");
      }
      this.overlap = overlap;
      return this;
    }

    /**
     * How many {@code cgi-bin/token} calls are answered per day before 45009. Default 2000.
     *
     * @param dailyQuota zero or more
     * @return this builder
     * @throws IllegalArgumentException if it is negative
     */
    public Builder dailyQuota(int dailyQuota) {
      if (dailyQuota < 0) {
        throw new IllegalArgumentException("dailyQuota must not be negative");
      }
      this.dailyQuota = dailyQuota;
      return this;
    }

    /**
     * The clock that decides expiry, overlaps, quota days and fault windows. Default the system
     * clock; a {@link ManualClock} shared with the code under test makes expiry testable without
     * sleeping.
     *
     * @param clock the clock
     * @return this builder
     * @throws NullPointerException if {@code clock} is null
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Starts a stand-in on a free loopback port.
     *
     * @return the running stand-in
     * @throws UncheckedIOException if no loopback port could be bound
     */
    public WeChatStandIn start() {
      try {
        return new WeChatStandIn(this);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the WeChat stand-in: " + e.getMessage(), e);
      }
    }

    private static String nonBlank(String value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isBlank()) {
        throw new IllegalArgumentException(name + " must not be blank");
      }
      return value;
    }
  }
}

package io.github.wechatmp.oauth;

import com.squareup.moshi.JsonReader;
import com.squareup.moshi.JsonWriter;
import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.WeChatException;
import io.github.wechatmp.WeChatTransportException;
import io.github.wechatmp.internal.http.CredentialCall;
import io.github.wechatmp.internal.http.WeChatHttp;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import io.github.wechatmp.token.TokenStoreException;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okio.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WeChat's web authorization (网页授权) for one official account: the authorize URL, the exchange of
 * the one-use code for the user's OpenID and token, the token's refresh and the user's profile.
 *
 * <pre>{@code
 * WebAuthorization auth = WebAuthorization.builder().appId(appId).appSecret(secret).build();
 * // 1. send the user to WeChat
 * String url = auth.authorizeUrl("https://example.com/wechat/signed-in", Scope.USERINFO, state);
 * // 2. WeChat redirects back with ?code=...&state=...
 * WebAccessToken token = auth.exchange(code);
 * WeChatUser user = auth.userInfo(token);
 * }</pre>
 *
 * <h2>The double redirect</h2>
 *
 * WeChat's in-app browser often requests the redirect URL twice with the same code, and WeChat
 * answers the second exchange of a code with errcode {@value #CODE_BEEN_USED}. {@link #exchange} is
 * idempotent per code instead: a second exchange of a code within its {@linkplain #CODE_LIFETIME
 * five-minute life} returns the first one's result (waiting for it if it is still under way).
 * Within one instance that needs nothing; across the instances of a cluster, give them the
 * {@linkplain Builder#store(TokenStore) store} their access tokens share: the first exchange's
 * result is kept there, under a hash of the code (never the code), until the code's life ends.
 *
 * <p>Thread-safe; build one per account and share it. No secret, code or token appears whole in its
 * log lines, exception messages or {@code toString()}.
 */
public final class WebAuthorization {
  /** {@code 40029}: the code is not valid (unknown, of another account, or expired). */
  public static final int INVALID_CODE = 40029;

  /** {@code 40163}: the code has been used already. */
  public static final int CODE_BEEN_USED = 40163;

  /** {@code 40030}: the refresh token is not valid. */
  public static final int INVALID_REFRESH_TOKEN = 40030;

  /** {@code 42002}: the refresh token has expired (after 30 days): sign the user in again. */
  public static final int REFRESH_TOKEN_EXPIRED = 42002;

  /** {@code 48001}: the API is not authorized, as for {@code sns/userinfo} with a base token. */
  public static final int API_UNAUTHORIZED = 48001;

  /** How long WeChat keeps a code usable, and so how long a first exchange's result is kept. */
  public static final Duration CODE_LIFETIME = Duration.ofMinutes(5);

  /** The most bytes of {@code state} WeChat carries. */
  public static final int MAX_STATE_BYTES = 128;

  /** The base URL of WeChat's authorize page. */
  public static final String DEFAULT_AUTHORIZE_BASE_URL = "https://open.weixin.qq.com/";

  static final String CODE_KIND_PREFIX = "oauth_code_";

  private static final Logger log = LoggerFactory.getLogger(WebAuthorization.class);
  private static final Pattern STATE = Pattern.compile("[A-Za-z0-9]{0,128}");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Duration LOCK_LEASE = TIMEOUT.multipliedBy(2);
  private static final Duration LOCK_WAIT = TIMEOUT.plusSeconds(2);
  private static final long MAX_EXPIRES_IN_SECONDS = 86_400;
  private static final Duration PURGE_INTERVAL = Duration.ofSeconds(1);

  private final String appId;
  private final String appSecret;
  private final HttpUrl apiBaseUrl;
  private final HttpUrl authorizeBaseUrl;
  private final OkHttpClient client;
  private final Clock clock;
  private final TokenStore store;
  private final ConcurrentMap<String, Exchange> recent = new ConcurrentHashMap<>();
  private volatile Instant nextPurge = Instant.MIN;

  private WebAuthorization(Builder b) {
    this.appId = b.appId;
    this.appSecret = b.appSecret;
    this.apiBaseUrl = b.apiBaseUrl;
    this.authorizeBaseUrl = b.authorizeBaseUrl;
    this.client = WeChatHttp.credentialClient(b.httpClient);
    this.clock = b.clock;
    this.store = b.store;
  }

  /**
   * Returns a builder; {@link Builder#appId} and {@link Builder#appSecret} are required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the AppID this instance authorizes for.
   *
   * @return the AppID
   */
  public String appId() {
    return appId;
  }

  /**
   * Returns the URL to send the user to (a redirect, or a link in a page opened in WeChat):
   * WeChat's authorize page with {@code appid}, {@code redirect_uri}, {@code response_type=code},
   * {@code scope} and {@code state} in WeChat's order and {@code #wechat_redirect} last.
   *
   * @param redirectUri where WeChat sends the user back with {@code code} and {@code state}: an
   *     absolute http or https URL without a fragment, on a domain set as the account's web
   *     authorization domain
   * @param scope what to ask for
   * @param state up to {@value #MAX_STATE_BYTES} characters of {@code a-zA-Z0-9}, as WeChat
   *     documents (a {@link StateCodec} issues such states)
   * @return the authorize URL
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code redirectUri} or {@code state} is not of that form
   */
  public String authorizeUrl(String redirectUri, Scope scope, String state) {
    Objects.requireNonNull(redirectUri, "redirectUri");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(state, "state");
    HttpUrl parsed = HttpUrl.parse(redirectUri);
    if (parsed == null || redirectUri.indexOf('#') >= 0) {
      throw new IllegalArgumentException(
          "redirectUri must be an absolute http or https URL without a fragment");
    }
    if (!STATE.matcher(state).matches()) {
      throw new IllegalArgumentException(
          "state must be at most "
              + MAX_STATE_BYTES
              + " characters of a-zA-Z0-9, as WeChat documents (got "
              + state.length()
              + " characters)");
    }
    return authorizeBaseUrl
        + "connect/oauth2/authorize?appid="
        + encode(appId)
        + "&redirect_uri="
        + encode(redirectUri)
        + "&response_type=code&scope="
        + scope.value()
        + "&state="
        + state
        + "#wechat_redirect";
  }

  /**
   * Exchanges the code WeChat's redirect carried for the user's OpenID and token ({@code
   * sns/oauth2/access_token}). Idempotent per code: see the class documentation. Check {@link
   * WebAccessToken#snapshotUser()} before taking the result for a sign-in.
   *
   * @param code the {@code code} parameter of WeChat's redirect
   * @return what WeChat answered for the code's first exchange
   * @throws IllegalArgumentException if {@code code} is missing or cannot be a WeChat code
   * @throws WeChatApiException if WeChat refused the code: {@value #INVALID_CODE} unknown or
   *     expired, {@value #CODE_BEEN_USED} exchanged by someone this instance (or its store) does
   *     not know of
   * @throws WeChatTransportException if WeChat could not be asked or its answer not read
   */
  public WebAccessToken exchange(String code) {
    Codes.check(code);
    String hash = Codes.hash(code);
    Instant now = clock.instant();
    purgeExpired(now);
    Exchange mine = new Exchange(now.plus(CODE_LIFETIME));
    while (true) {
      Exchange existing = recent.putIfAbsent(hash, mine);
      if (existing == null) {
        break;
      }
      if (!existing.isOverAt(now)) {
        return existing.join();
      }
      if (recent.replace(hash, existing, mine)) {
        break;
      }
    }
    try {
      WebAccessToken token = store == null ? callExchange(code) : exchangeShared(code, hash);
      mine.result.complete(token);
      return token;
    } catch (RuntimeException e) {
      recent.remove(hash, mine);
      mine.result.completeExceptionally(e);
      throw e;
    }
  }

  /**
   * Renews the user's access token with its refresh token ({@code sns/oauth2/refresh_token}).
   *
   * @param token a token from {@link #exchange} or an earlier refresh
   * @return the renewed token, of the same user and scope
   * @throws NullPointerException if {@code token} is null
   * @throws WeChatApiException if WeChat refused: {@value #REFRESH_TOKEN_EXPIRED} after 30 days,
   *     {@value #INVALID_REFRESH_TOKEN} for a token it does not know
   * @throws WeChatTransportException if WeChat could not be asked or its answer not read
   */
  public WebAccessToken refresh(WebAccessToken token) {
    Objects.requireNonNull(token, "token");
    HttpUrl url =
        apiBaseUrl
            .newBuilder()
            .addPathSegments("sns/oauth2/refresh_token")
            .addQueryParameter("appid", appId)
            .addQueryParameter("grant_type", "refresh_token")
            .addQueryParameter("refresh_token", token.refreshToken())
            .build();
    Map<String, Object> answer =
        get(
            url,
            "refreshed web access token of " + appId,
            token.refreshToken(),
            token.accessToken());
    WebAccessToken renewed = readToken(answer, "refreshed web access token");
    if (!renewed.openId().equals(token.openId())) {
      throw new WeChatTransportException(
          "WeChat's refreshed web access token names another user than the token refreshed", null);
    }
    // WeChat's refresh answer carries neither unionid nor is_snapshotuser: they stay as they were.
    return new WebAccessToken(
        renewed.accessToken(),
        renewed.refreshToken(),
        renewed.openId(),
        renewed.unionId() != null ? renewed.unionId() : token.unionId(),
        renewed.scope(),
        token.snapshotUser(),
        renewed.expiresAt());
  }

  /**
   * Reads the user's profile ({@code sns/userinfo}).
   *
   * @param token a {@link Scope#USERINFO} token
   * @return the user's profile
   * @throws NullPointerException if {@code token} is null
   * @throws IllegalStateException at once, with no request to WeChat, if {@code token} is a {@link
   *     Scope#BASE} token (WeChat would answer {@value #API_UNAUTHORIZED})
   * @throws WeChatApiException if WeChat refused (an expired token, say: {@link #refresh} it)
   * @throws WeChatTransportException if WeChat could not be asked or its answer not read
   */
  public WeChatUser userInfo(WebAccessToken token) {
    Objects.requireNonNull(token, "token");
    if (token.scope() != Scope.USERINFO) {
      throw new IllegalStateException(
          "userInfo needs a snsapi_userinfo token; this one is "
              + token.scope().value()
              + " (send the user to authorizeUrl with Scope.USERINFO to read their profile)");
    }
    HttpUrl url =
        apiBaseUrl
            .newBuilder()
            .addPathSegments("sns/userinfo")
            .addQueryParameter("access_token", token.accessToken())
            .addQueryParameter("openid", token.openId())
            .addQueryParameter("lang", "zh_CN")
            .build();
    Map<String, Object> answer =
        get(url, "user info of a user of " + appId, token.accessToken(), token.refreshToken());
    String openId = string(answer, "openid", "user info");
    if (!openId.equals(token.openId())) {
      throw new WeChatTransportException(
          "WeChat's user info names another user than the token's", null);
    }
    return new WeChatUser(
        openId,
        optional(answer, "nickname", ""),
        optional(answer, "headimgurl", ""),
        emptyToNull(optional(answer, "unionid", null)));
  }

  /** Returns the AppID, the base URLs and whether a store is used; never the AppSecret. */
  @Override
  public String toString() {
    return "WebAuthorization{appId="
        + appId
        + ", apiBaseUrl="
        + apiBaseUrl
        + ", authorizeBaseUrl="
        + authorizeBaseUrl
        + ", store="
        + (store == null ? "none" : store.getClass().getSimpleName())
        + '}';
  }

  // ---------------------------------------------------------------------------------------------

  private WebAccessToken exchangeShared(String code, String hash) {
    TokenKey key = TokenKey.of(appId, CODE_KIND_PREFIX + hash);
    Optional<TokenStore.RefreshLock> lock;
    try {
      WebAccessToken known = loadResult(key);
      if (known != null) {
        return known;
      }
      lock = store.tryLock(key, LOCK_LEASE, LOCK_WAIT);
    } catch (TokenStoreException e) {
      return exchangeWithoutStore(code, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WeChatTransportException(
          "Interrupted while waiting for another instance's exchange of a code", null);
    }
    if (lock.isEmpty()) {
      // The holder exchanged past its wait, or died: what it saved, if anything, is the answer.
      WebAccessToken known;
      try {
        known = loadResult(key);
      } catch (TokenStoreException e) {
        known = null;
      }
      if (known != null) {
        return known;
      }
      throw new WeChatTransportException(
          "Another instance is exchanging this code and did not finish within " + LOCK_WAIT, null);
    }
    try (TokenStore.RefreshLock held = lock.get()) {
      WebAccessToken known;
      try {
        known = loadResult(key);
      } catch (TokenStoreException e) {
        return exchangeWithoutStore(code, e);
      }
      if (known != null) {
        return known;
      }
      WebAccessToken token = callExchange(code);
      Instant now = clock.instant();
      try {
        store.saveFenced(key, AccessToken.of(encode(token), now, now.plus(CODE_LIFETIME)), held);
      } catch (TokenStoreException e) {
        log.warn(
            "Could not keep the result of a code exchange of {} in the token store ({}): "
                + "another instance's exchange of the same code will meet errcode 40163",
            appId,
            e.getMessage());
      }
      return token;
    }
  }

  private WebAccessToken exchangeWithoutStore(String code, TokenStoreException e) {
    log.warn(
        "The token store is unavailable ({}); exchanging a code of {} without it: another "
            + "instance's exchange of the same code may meet errcode 40163",
        e.getMessage(),
        appId);
    return callExchange(code);
  }

  private WebAccessToken loadResult(TokenKey key) {
    Optional<AccessToken> entry = store.load(key);
    if (entry.isEmpty() || entry.get().isExpiredAt(clock.instant())) {
      return null;
    }
    return decode(entry.get().value());
  }

  private WebAccessToken callExchange(String code) {
    HttpUrl url =
        apiBaseUrl
            .newBuilder()
            .addPathSegments("sns/oauth2/access_token")
            .addQueryParameter("appid", appId)
            .addQueryParameter("secret", appSecret)
            .addQueryParameter("code", code)
            .addQueryParameter("grant_type", "authorization_code")
            .build();
    return readToken(get(url, "web access token of " + appId, code), "web access token");
  }

  /**
   * GETs {@code url} and returns WeChat's checked answer; the AppSecret and {@code secrets} are
   * kept out of every message.
   */
  private Map<String, Object> get(HttpUrl url, String what, String... secrets) {
    String[] kept = new String[secrets.length + 1];
    kept[0] = appSecret;
    System.arraycopy(secrets, 0, kept, 1, secrets.length);
    return CredentialCall.executeObject(
        client, new Request.Builder().url(url).get().build(), TIMEOUT, what, kept);
  }

  private WebAccessToken readToken(Map<String, Object> answer, String what) {
    // In milliseconds, as the store keeps it: every instance then holds an equal result.
    Instant receivedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    String accessToken = string(answer, "access_token", what);
    String refreshToken = string(answer, "refresh_token", what);
    String openId = string(answer, "openid", what);
    Object expiresIn = answer.get("expires_in");
    if (!(expiresIn instanceof Number n)
        || n.doubleValue() < 1
        || n.doubleValue() > MAX_EXPIRES_IN_SECONDS) {
      throw new WeChatTransportException(
          "WeChat's answer for the " + what + " has no valid expires_in", null);
    }
    Object snapshot = answer.get("is_snapshotuser");
    boolean snapshotUser =
        (snapshot instanceof Number s && s.intValue() == 1) || Boolean.TRUE.equals(snapshot);
    return new WebAccessToken(
        accessToken,
        refreshToken,
        openId,
        emptyToNull(optional(answer, "unionid", null)),
        Scope.fromWeChat(optional(answer, "scope", null)),
        snapshotUser,
        receivedAt.plusSeconds(n.longValue()));
  }

  private static String string(Map<String, Object> answer, String field, String what) {
    Object v = answer.get(field);
    if (!(v instanceof String s) || s.isEmpty()) {
      throw new WeChatTransportException(
          "WeChat's answer for the " + what + " has no " + field, null);
    }
    return s;
  }

  private static String optional(Map<String, Object> answer, String field, String absent) {
    Object v = answer.get(field);
    return v instanceof String s ? s : absent;
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  // The store's value: printable ASCII, so the token's JSON in base64url.
  static String encode(WebAccessToken t) {
    Buffer buffer = new Buffer();
    try (JsonWriter w = JsonWriter.of(buffer)) {
      w.beginObject();
      w.name("a").value(t.accessToken());
      w.name("r").value(t.refreshToken());
      w.name("o").value(t.openId());
      if (t.unionId() != null) {
        w.name("u").value(t.unionId());
      }
      w.name("s").value(t.scope().value());
      w.name("p").value(t.snapshotUser());
      w.name("e").value(t.expiresAt().toEpochMilli());
      w.endObject();
    } catch (IOException e) {
      throw new IllegalStateException("writing to a buffer does not fail", e);
    }
    return "w1." + Base64.getUrlEncoder().withoutPadding().encodeToString(buffer.readByteArray());
  }

  static WebAccessToken decode(String value) {
    if (!value.startsWith("w1.")) {
      return null; // not ours, or a later format: as if absent
    }
    try {
      byte[] json = Base64.getUrlDecoder().decode(value.substring(3));
      Object parsed = JsonReader.of(new Buffer().write(json)).readJsonValue();
      if (!(parsed instanceof Map<?, ?> m)) {
        return null;
      }
      return new WebAccessToken(
          (String) m.get("a"),
          (String) m.get("r"),
          (String) m.get("o"),
          (String) m.get("u"),
          Scope.fromWeChat((String) m.get("s")),
          Boolean.TRUE.equals(m.get("p")),
          Instant.ofEpochMilli(((Number) m.get("e")).longValue()));
    } catch (IOException | RuntimeException e) {
      log.warn("A stored code exchange result does not parse; ignoring it");
      return null;
    }
  }

  private void purgeExpired(Instant now) {
    if (now.isBefore(nextPurge)) {
      return;
    }
    nextPurge = now.plus(PURGE_INTERVAL);
    recent.values().removeIf(e -> e.isOverAt(now));
  }

  /** A code's first exchange, under way or done, and when its code's life ends. */
  private static final class Exchange {
    final CompletableFuture<WebAccessToken> result = new CompletableFuture<>();
    final Instant until;

    Exchange(Instant until) {
      this.until = until;
    }

    boolean isOverAt(Instant now) {
      return !now.isBefore(until);
    }

    WebAccessToken join() {
      try {
        return result.join();
      } catch (CompletionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r; // the first exchange's failure, shared as exceptions here may be
        }
        throw new WeChatException("The first exchange of this code failed", e.getCause());
      }
    }
  }

  /** Builds a {@link WebAuthorization}. Not thread-safe. */
  public static final class Builder {
    private String appId;
    private String appSecret;
    private HttpUrl apiBaseUrl = WeChatHttp.DEFAULT_API_BASE_URL;
    private HttpUrl authorizeBaseUrl = HttpUrl.get(DEFAULT_AUTHORIZE_BASE_URL);
    private OkHttpClient httpClient;
    private Clock clock = Clock.systemUTC();
    private TokenStore store;

    private Builder() {}

    /**
     * Sets the account's AppID. Required.
     *
     * @param appId the AppID: 1 to 64 characters of {@code [A-Za-z0-9_-]}
     * @return this builder
     * @throws IllegalArgumentException if it is not of that form
     */
    public Builder appId(String appId) {
      this.appId = AccountChecks.appId(appId);
      return this;
    }

    /**
     * Sets the account's AppSecret. Required. It is sent only to {@code sns/oauth2/access_token}.
     *
     * @param appSecret the AppSecret
     * @return this builder
     * @throws NullPointerException if it is null
     * @throws IllegalArgumentException if it is blank
     */
    public Builder appSecret(String appSecret) {
      this.appSecret = AccountChecks.appSecret(appSecret);
      return this;
    }

    /**
     * Sets WeChat's API base URL, {@code https://api.weixin.qq.com/} by default (a stand-in's in
     * tests).
     *
     * @param apiBaseUrl https, or plain http to a loopback address only
     * @return this builder
     * @throws IllegalArgumentException if it is not such a URL
     */
    public Builder apiBaseUrl(String apiBaseUrl) {
      this.apiBaseUrl = WeChatHttp.apiBaseUrl(apiBaseUrl);
      return this;
    }

    /**
     * Sets the base URL of the authorize page, {@value #DEFAULT_AUTHORIZE_BASE_URL} by default (a
     * stand-in's in tests). No secret travels to it.
     *
     * @param authorizeBaseUrl an http or https URL
     * @return this builder
     * @throws IllegalArgumentException if it is not one
     */
    public Builder authorizeBaseUrl(String authorizeBaseUrl) {
      Objects.requireNonNull(authorizeBaseUrl, "authorizeBaseUrl");
      HttpUrl url = HttpUrl.parse(authorizeBaseUrl);
      if (url == null) {
        throw new IllegalArgumentException("authorizeBaseUrl is not an http or https URL");
      }
      this.authorizeBaseUrl =
          url.encodedPath().endsWith("/") ? url : url.newBuilder().addPathSegment("").build();
      return this;
    }

    /**
     * Sets the OkHttp client to share (its connection pool and dispatcher); redirects are turned
     * off for these requests.
     *
     * @param httpClient the client
     * @return this builder
     */
    public Builder httpClient(OkHttpClient httpClient) {
      this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
      return this;
    }

    /**
     * Sets the clock that times tokens and codes' lives, the system's by default.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Shares the first exchange of each code through {@code store}, so that the double redirect is
     * answered once across the instances of a cluster (give them the store their access tokens
     * use). Without one, the exchange is idempotent within this instance only.
     *
     * @param store the shared store
     * @return this builder
     */
    public Builder store(TokenStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * Builds the instance.
     *
     * @return the instance
     * @throws IllegalStateException if the AppID or the AppSecret is missing
     */
    public WebAuthorization build() {
      AccountChecks.requireAppId(appId);
      if (appSecret == null) {
        throw new IllegalStateException("appSecret is required");
      }
      return new WebAuthorization(this);
    }
  }
}

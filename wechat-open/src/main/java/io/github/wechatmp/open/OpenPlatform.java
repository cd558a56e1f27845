package io.github.wechatmp.open;

import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.callback.MessageHandler;
import io.github.wechatmp.internal.http.CredentialCall;
import io.github.wechatmp.internal.http.WeChatHttp;
import io.github.wechatmp.internal.refresh.RefreshAdmission;
import io.github.wechatmp.internal.refresh.RefreshingCache;
import io.github.wechatmp.internal.refresh.Scheduler;
import io.github.wechatmp.message.MessageCrypto;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.RefreshPolicy;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WeChat third-party platform (开放平台) of a vendor that manages the official accounts of many
 * merchants: the platform's own {@code component_access_token}, every authorized account's access
 * token, the authorization-event URL's endpoint, and the authorization link.
 *
 * <ul>
 *   <li>{@link #componentAccessToken()} and {@link #authorizer(String)} are {@link
 *       AccessTokenProvider}s on the SDK's refresh engine: the same hot path, {@code status()},
 *       {@code getAsync()}, interceptor, {@code WeChatApi} and jsapi ticket as an official
 *       account's own, and one fetch at a time across every instance sharing the {@linkplain
 *       Builder#store(TokenStore) store}.
 *   <li>An authorizer's refresh token, which WeChat issues only once, lives in the {@linkplain
 *       Builder#authorizations(AuthorizationStore) authorization store} and is saved there,
 *       durably, before an authorization event is answered and before a token fetched with a
 *       rotated one is handed out; a rotated one the store cannot take (the database is down) is
 *       kept in memory and saved before anything else at the next attempt. A refresh token WeChat
 *       refuses ({@code 61023}) is looked for in {@code api_get_authorizer_list} before the account
 *       is marked {@link Authorization.State#NEEDS_REAUTHORIZATION}.
 *   <li>{@link #callback()} answers the authorization-event URL: the {@code
 *       component_verify_ticket} (kept in the store, shared by the cluster, the newest kept),
 *       {@code authorized}, {@code updateauthorized} and {@code unauthorized}.
 *   <li>The authorizers' background refreshes are spread over their refresh windows and fetch at
 *       most {@linkplain Builder#authorizerRefreshRate(int) a set rate} a second per process, so
 *       that tokens issued together (100,000 of them after a fleet's first start) never come due
 *       together at WeChat, which rate-limits {@code api_authorizer_token}.
 * </ul>
 *
 * <p>Thread-safe. Building does no I/O. Close it to close every provider it made.
 */
public final class OpenPlatform implements AutoCloseable {
  /** The store kind of the platform's {@code component_access_token}. */
  public static final String COMPONENT_ACCESS_TOKEN = "component_access_token";

  /** The store kind of the platform's last {@code component_verify_ticket}. */
  public static final String COMPONENT_VERIFY_TICKET = "component_verify_ticket";

  /** The store kind of an authorized account's access token. */
  public static final String AUTHORIZER_ACCESS_TOKEN = "authorizer_access_token";

  /**
   * The default of {@link Builder#authorizerRefreshRate(int)}: 50 {@code api_authorizer_token}
   * calls a second, which refreshes 170,000 authorizers within their 3,400 s refresh windows.
   */
  public static final int DEFAULT_AUTHORIZER_REFRESH_RATE = 50;

  /** WeChat's {@code 61023}: the authorizer refresh token is not (or no longer) valid. */
  public static final int INVALID_REFRESH_TOKEN = 61023;

  /** WeChat's {@code 61009}: the authorization code is invalid (unknown, or already used). */
  static final int CODE_INVALID = 61009;

  /** WeChat's {@code 61010}: the authorization code has expired. */
  static final int CODE_EXPIRED = 61010;

  private static final Logger log = LoggerFactory.getLogger(OpenPlatform.class);
  private static final Duration TICKET_LIFE = Duration.ofHours(12);
  private static final Duration START_PUSH_INTERVAL = Duration.ofMinutes(10);

  /**
   * How long without a ticket push before the watchdog asks WeChat for one: two pushes missed
   * (WeChat pushes every 10 minutes).
   */
  static final Duration TICKET_SILENCE = Duration.ofMinutes(20);

  private static final int LIST_PAGE = 500;

  private final String componentAppId;
  private final String componentAppSecret;
  private final String token;
  private final String encodingAesKey;
  private final TokenStore store;
  private final AuthorizationStore authorizations;
  private final HttpUrl apiBaseUrl;
  private final OkHttpClient userClient;
  private final Clock clock;
  private final RefreshPolicy policy;
  private final ComponentCalls calls;
  private final MessageCrypto crypto;
  private final PlatformEventListener listener;
  private final PlatformProvider componentToken;
  private final RefreshAdmission authorizerRefreshes;
  private final ConcurrentHashMap<String, PlatformProvider> authorizers = new ConcurrentHashMap<>();
  private final AtomicReference<Instant> lastStartPush = new AtomicReference<>();
  private final ConcurrentHashMap<String, UnsavedRotation> unsaved = new ConcurrentHashMap<>();
  private final List<AuthorizerMessages> messageEndpoints = new CopyOnWriteArrayList<>();
  private final Scheduler scheduler;
  private final Instant builtAt;
  private Scheduler.Cancellable watchdog = Scheduler.NONE; // guarded by this
  private Instant warnedFor; // the newest ticket's time when the silence was last warned of
  private volatile boolean closed;

  private OpenPlatform(Builder b) {
    this.componentAppId = b.componentAppId;
    this.componentAppSecret = b.componentAppSecret;
    this.token = b.token;
    this.encodingAesKey = b.encodingAesKey;
    this.store = b.store != null ? b.store : new InMemoryTokenStore();
    this.authorizations = b.authorizations;
    this.apiBaseUrl = b.apiBaseUrl;
    this.userClient = b.httpClient;
    this.clock = b.clock;
    this.policy = b.policy;
    this.calls =
        new ComponentCalls(
            WeChatHttp.credentialClient(b.httpClient), apiBaseUrl, b.componentAppSecret);
    this.crypto = new MessageCrypto(b.token, b.encodingAesKey, b.componentAppId);
    this.listener = b.listener;
    this.authorizerRefreshes =
        RefreshAdmission.perSecond(
            b.authorizerRefreshRate, "the authorizers of the platform " + componentAppId);
    this.componentToken =
        provider(
            TokenKey.of(componentAppId, COMPONENT_ACCESS_TOKEN), this::fetchComponentToken, null);
    this.builtAt = clock.instant();
    this.scheduler = Scheduler.forClock(clock);
    armWatchdog(TICKET_SILENCE);
  }

  /**
   * Returns a builder; the platform's AppID, secret, token, key and authorization store are
   * required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the platform's AppID.
   *
   * @return the component AppID
   */
  public String componentAppId() {
    return componentAppId;
  }

  /**
   * Returns the provider of the platform's own {@code component_access_token}, fetched with the
   * last {@code component_verify_ticket} WeChat pushed. Until the first ticket arrives it fails
   * with a message saying so (and asks WeChat to push one, at most every 10 minutes).
   *
   * @return the provider, one per platform
   */
  public AccessTokenProvider componentAccessToken() {
    return componentToken;
  }

  /**
   * Returns the access token provider of an authorized official account, made on first use and kept
   * until {@link #close()}. Its tokens are fetched with the account's refresh token from the
   * authorization store; for an account that never authorized the platform, cancelled, or must
   * authorize again, {@code get()} throws {@link NotAuthorizedException}.
   *
   * @param authorizerAppId the account's AppID
   * @return its provider
   * @throws IllegalArgumentException if the AppID is malformed
   * @throws IllegalStateException if the platform is closed
   */
  public AccessTokenProvider authorizer(String authorizerAppId) {
    Authorization.checkAppId(authorizerAppId);
    if (closed) {
      throw new IllegalStateException("the platform is closed");
    }
    return authorizers.computeIfAbsent(
        authorizerAppId,
        id ->
            provider(
                TokenKey.of(id, AUTHORIZER_ACCESS_TOKEN),
                (force, timeout) -> fetchAuthorizerToken(id, true),
                authorizerRefreshes));
  }

  /**
   * Returns the endpoint of the platform's authorization-event URL (授权事件接收URL), to be served by the
   * same adapters as a {@code WeChatCallback}.
   *
   * @return the endpoint
   */
  public AuthorizationEventEndpoint callback() {
    return new AuthorizationEventEndpoint(this);
  }

  /**
   * Returns the message endpoint of every authorized account (消息与事件接收URL), with the default
   * settings of {@link #messagesBuilder(AuthorizerMessageHandler)}: requests are routed by the
   * authorizer's AppID from the path to a {@code WeChatCallback} per authorizer, made on first use.
   *
   * @param handler what answers every authorizer's messages, such as a {@code MessageRouter}; the
   *     message's {@code ToUserName} tells which account it was sent to
   * @return the endpoint
   * @throws NullPointerException if {@code handler} is null
   */
  public AuthorizerMessages messages(MessageHandler handler) {
    Objects.requireNonNull(handler, "handler");
    return messagesBuilder((appId, message) -> handler.handle(message)).build();
  }

  /**
   * Returns the message endpoint of every authorized account, with a handler told which account
   * each message was sent to; otherwise as {@link #messages(MessageHandler)}.
   *
   * @param handler what answers every authorizer's messages
   * @return the endpoint
   * @throws NullPointerException if {@code handler} is null
   */
  public AuthorizerMessages messages(AuthorizerMessageHandler handler) {
    return messagesBuilder(handler).build();
  }

  /**
   * Returns a builder of the message endpoint of every authorized account, for a shared
   * deduplicator, another reply deadline or fewer handler threads.
   *
   * @param handler what answers every authorizer's messages
   * @return the builder
   * @throws NullPointerException if {@code handler} is null
   */
  public AuthorizerMessages.Builder messagesBuilder(AuthorizerMessageHandler handler) {
    return AuthorizerMessages.builder(this, handler);
  }

  /** Where a merchant authorizes the platform. */
  public enum LinkType {
    /**
     * The PC page (a QR code the merchant scans): {@code
     * mp.weixin.qq.com/cgi-bin/componentloginpage}.
     */
    PC,
    /** The link to open in WeChat on the merchant's phone. */
    MOBILE
  }

  /**
   * Returns a link at which a merchant authorizes the platform, with a {@code pre_auth_code}
   * fetched from WeChat for it (valid 30 minutes, one use). After authorizing, WeChat sends the
   * merchant's browser to {@code redirectUri} with {@code auth_code} and pushes {@code authorized}
   * to the authorization-event URL.
   *
   * @param redirectUri where WeChat sends the merchant afterwards, on a domain the platform
   *     registered
   * @param type the PC page or the mobile link
   * @return the link
   * @throws io.github.wechatmp.WeChatException if the pre-auth code could not be had
   */
  public String authorizationUrl(String redirectUri, LinkType type) {
    Objects.requireNonNull(redirectUri, "redirectUri");
    Objects.requireNonNull(type, "type");
    Map<String, Object> answer =
        calls.callWithToken(
            "api_create_preauthcode", componentToken, Map.of("component_appid", componentAppId));
    String preAuthCode = ComponentCalls.string(answer, "pre_auth_code");
    if (preAuthCode == null) {
      throw new io.github.wechatmp.WeChatTransportException(
          "WeChat's answer for the pre-auth code has no pre_auth_code", null);
    }
    HttpUrl url =
        type == LinkType.PC
            ? HttpUrl.get("https://mp.weixin.qq.com/cgi-bin/componentloginpage")
                .newBuilder()
                .addQueryParameter("component_appid", componentAppId)
                .addQueryParameter("pre_auth_code", preAuthCode)
                .addQueryParameter("redirect_uri", redirectUri)
                .addQueryParameter("auth_type", "3")
                .build()
            : HttpUrl.get("https://open.weixin.qq.com/wxaopen/safe/bindcomponent")
                .newBuilder()
                .addQueryParameter("action", "bindcomponent")
                .addQueryParameter("no_scan", "1")
                .addQueryParameter("component_appid", componentAppId)
                .addQueryParameter("pre_auth_code", preAuthCode)
                .addQueryParameter("redirect_uri", redirectUri)
                .addQueryParameter("auth_type", "3")
                .build();
    return type == LinkType.PC ? url.toString() : url + "#wechat_redirect";
  }

  /**
   * Asks WeChat to push a {@code component_verify_ticket} now ({@code api_start_push_ticket}), for
   * a platform that has none (a new deployment, or pushes that stopped).
   *
   * @throws io.github.wechatmp.WeChatException if WeChat refused or could not be reached
   */
  public void startPushTicket() {
    calls.call(
        "api_start_push_ticket",
        Map.of("component_appid", componentAppId, "component_secret", componentAppSecret));
    lastStartPush.set(clock.instant());
  }

  /** Closes the component token's provider and every authorizer's. Idempotent. */
  @Override
  public void close() {
    closed = true;
    synchronized (this) {
      watchdog.cancel();
      watchdog = Scheduler.NONE;
    }
    scheduler.close();
    if (!unsaved.isEmpty()) {
      log.warn(
          "Closed with the rotated refresh tokens of {} unsaved (the authorization store failed):"
              + " they are recovered from api_get_authorizer_list at the next fetch",
          unsaved.keySet());
    }
    componentToken.close();
    authorizers.values().forEach(PlatformProvider::close);
    authorizers.clear();
  }

  /** Shows the AppID, never the secret, token or key. */
  @Override
  public String toString() {
    return "OpenPlatform[componentAppId="
        + componentAppId
        + ", authorizers in memory="
        + authorizers.size()
        + ", authorizations="
        + authorizations
        + "]";
  }

  // ---- what the endpoint and the providers share ----

  MessageCrypto crypto() {
    return crypto;
  }

  String token() {
    return token;
  }

  String encodingAesKey() {
    return encodingAesKey;
  }

  void served(AuthorizerMessages endpoint) {
    messageEndpoints.add(endpoint);
  }

  Clock clock() {
    return clock;
  }

  PlatformEventListener listener() {
    return listener;
  }

  AuthorizationStore authorizations() {
    return authorizations;
  }

  private PlatformProvider provider(
      TokenKey key,
      io.github.wechatmp.internal.refresh.CredentialFetcher fetcher,
      RefreshAdmission admission) {
    RefreshingCache cache =
        RefreshingCache.builder()
            .key(key)
            .fetcher(fetcher)
            .store(store)
            .policy(policy)
            .clock(clock)
            .admission(admission)
            .build();
    return new PlatformProvider(cache, apiBaseUrl, userClient);
  }

  /** Keeps a pushed ticket unless the store holds a newer one. */
  void storeTicket(PlatformEvent.VerifyTicket ticket) {
    Instant expires = ticket.createdAt().plus(TICKET_LIFE);
    if (!expires.isAfter(clock.instant())) {
      log.warn(
          "Ignored a component_verify_ticket made at {}: older than 12 hours", ticket.createdAt());
      return;
    }
    TokenKey key = TokenKey.of(componentAppId, COMPONENT_VERIFY_TICKET);
    Optional<AccessToken> held = store.load(key);
    if (held.isPresent()
        && held.get().issuedAt().map(at -> at.isAfter(ticket.createdAt())).orElse(false)) {
      return; // a newer ticket is kept (of two made in one second, the one pushed last wins)
    }
    store.save(key, AccessToken.of(ticket.ticket(), ticket.createdAt(), expires));
  }

  private AccessToken fetchComponentToken(boolean forceRefresh, Duration timeout) {
    Instant now = clock.instant();
    Optional<AccessToken> ticket =
        store
            .load(TokenKey.of(componentAppId, COMPONENT_VERIFY_TICKET))
            .filter(t -> !t.isExpiredAt(now));
    if (ticket.isEmpty()) {
      askForTicket(now);
      throw new NoTicketException(
          "The platform "
              + componentAppId
              + " has no component_verify_ticket younger than 12 hours: WeChat pushes one every"
              + " 10 minutes to the authorization-event URL (OpenPlatform.callback()); it was asked"
              + " to push one now (api_start_push_ticket)");
    }
    Request request =
        calls.request(
            "api_component_token",
            null,
            Map.of(
                "component_appid", componentAppId,
                "component_appsecret", componentAppSecret,
                "component_verify_ticket", ticket.get().value()));
    return CredentialCall.execute(
        WeChatHttp.credentialClient(userClient),
        request,
        timeout,
        "component_access_token",
        "component_access_token of " + componentAppId,
        clock,
        componentAppSecret,
        true,
        AccessToken::of);
  }

  private void askForTicket(Instant now) {
    Instant last = lastStartPush.get();
    if (last != null && now.isBefore(last.plus(START_PUSH_INTERVAL))) {
      return;
    }
    if (!lastStartPush.compareAndSet(last, now)) {
      return;
    }
    log.warn(
        "The platform {} has no valid component_verify_ticket; asking WeChat to push one",
        componentAppId);
    try {
      startPushTicket();
    } catch (RuntimeException e) {
      log.warn("api_start_push_ticket failed for {}: {}", componentAppId, e.getMessage());
    }
  }

  /**
   * Fetches an authorizer's token with its stored refresh token, saving a rotated refresh token
   * before the token is handed out, and recovering a refused one through the authorizer list.
   */
  private AccessToken fetchAuthorizerToken(String appId, boolean mayRecover) {
    AccessToken kept = saveUnsavedRotation(appId);
    if (kept != null) {
      return kept;
    }
    Authorization a = authorizations.find(appId).orElse(null);
    if (a == null && mayRecover && recoverMissingAuthorization(appId)) {
      return fetchAuthorizerToken(appId, false);
    }
    if (a == null) {
      throw new NotAuthorizedException(
          "The official account " + appId + " has not authorized the platform " + componentAppId,
          null);
    }
    if (a.state() != Authorization.State.AUTHORIZED) {
      throw new NotAuthorizedException(
          "The official account " + appId + " is " + a.state() + ": no token is fetched for it",
          a.state());
    }
    Map<String, Object> answer;
    try {
      answer =
          calls.callWithToken(
              "api_authorizer_token",
              componentToken,
              Map.of(
                  "component_appid", componentAppId,
                  "authorizer_appid", appId,
                  "authorizer_refresh_token", a.refreshToken()),
              a.refreshToken());
    } catch (WeChatApiException e) {
      if (e.errorCode() != INVALID_REFRESH_TOKEN) {
        throw e;
      }
      if (mayRecover && recoverRefreshToken(a)) {
        return fetchAuthorizerToken(appId, false);
      }
      authorizations.save(a.withState(Authorization.State.NEEDS_REAUTHORIZATION, clock.instant()));
      log.warn(
          "WeChat refused the refresh token of {} (61023) and the authorizer list has no other:"
              + " the merchant must authorize the platform again",
          appId);
      throw new NotAuthorizedException(
          "WeChat refused the refresh token of "
              + appId
              + " (61023) and none other was found: the merchant must authorize again",
          Authorization.State.NEEDS_REAUTHORIZATION);
    }
    Instant now = clock.instant();
    String value = ComponentCalls.string(answer, "authorizer_access_token");
    long expiresIn = ComponentCalls.number(answer, "expires_in");
    if (value == null || expiresIn <= 0) {
      throw new io.github.wechatmp.WeChatTransportException(
          "WeChat's answer for the access token of "
              + appId
              + " lacks authorizer_access_token or expires_in",
          null);
    }
    AccessToken fetched = AccessToken.of(value, now, now.plusSeconds(expiresIn));
    String rotated = ComponentCalls.string(answer, "authorizer_refresh_token");
    if (rotated != null && !rotated.equals(a.refreshToken())) {
      Authorization next = a.withRefreshToken(rotated, now);
      try {
        authorizations.save(next); // durable before the token is used
      } catch (RuntimeException e) {
        // The old refresh token may be void now: the new one is the authorization. Kept until it
        // lands, by the engine's next attempt, which the failure brings on.
        unsaved.put(appId, new UnsavedRotation(next, fetched));
        log.warn(
            "Could not save the refresh token WeChat rotated for {}: {}. It is kept in memory and"
                + " saved at the next attempt; the valid token is served meanwhile",
            appId,
            e.getMessage());
        throw e;
      }
    }
    return fetched;
  }

  /**
   * Saves the refresh token rotated by a fetch whose save failed, if there is one: before anything
   * else, so that no fetch is made with the refresh token it replaced.
   *
   * @return the token that fetch got, to hand out now that its rotation is saved; or null: there
   *     was none, the store held a later version, or the token is about to expire
   * @throws RuntimeException the store's failure, the rotation still kept
   */
  private AccessToken saveUnsavedRotation(String appId) {
    UnsavedRotation pending = unsaved.get(appId);
    if (pending == null) {
      return null;
    }
    boolean stored = authorizations.save(pending.authorization());
    unsaved.remove(appId, pending);
    if (!stored) {
      return null; // another instance saved a later version (say, recovered through the list)
    }
    log.info("Saved the refresh token WeChat rotated for {} while the store failed", appId);
    Instant now = clock.instant();
    AccessToken t = pending.token();
    Duration left = Duration.between(now, t.expiresAt());
    Duration life = Duration.between(t.issuedAt().orElse(now), t.expiresAt());
    return left.compareTo(life.dividedBy(2)) > 0 ? t : null; // past half its life it is due
  }

  /** A rotated refresh token the store could not take yet, and the token fetched with it. */
  private record UnsavedRotation(Authorization authorization, AccessToken token) {}

  /**
   * Looks for an account the store does not know in {@code api_get_authorizer_list}: an {@code
   * authorized} push whose save was lost (a crash between WeChat's answer to {@code api_query_auth}
   * and the save, after which WeChat does not push again) is there, in force, with its refresh
   * token. Found, it is saved as authorized (with no function IDs: the list does not give them; the
   * next {@code updateauthorized} does).
   *
   * @return whether the account was found and saved
   */
  private boolean recoverMissingAuthorization(String appId) {
    String token = findInAuthorizerList(appId);
    if (token == null) {
      return false;
    }
    Authorization recovered = Authorization.authorized(appId, token, List.of(), clock.instant());
    if (!authorizations.save(recovered)) {
      // Another instance saved it first (or the event arrived meanwhile): use what is stored.
      return authorizations.find(appId).isPresent();
    }
    log.info("Recovered the authorization of {} from the authorizer list", appId);
    return true;
  }

  /** The refresh token {@code api_get_authorizer_list} holds for an account, or null. */
  private String findInAuthorizerList(String appId) {
    for (int offset = 0; ; offset += LIST_PAGE) {
      Map<String, Object> page =
          calls.callWithToken(
              "api_get_authorizer_list",
              componentToken,
              Map.of("component_appid", componentAppId, "offset", offset, "count", LIST_PAGE));
      List<?> list = page.get("list") instanceof List<?> l ? l : List.of();
      for (Object o : list) {
        if (o instanceof Map<?, ?> entry && appId.equals(entry.get("authorizer_appid"))) {
          return ComponentCalls.string(entry, "refresh_token");
        }
      }
      long total = ComponentCalls.number(page, "total_count");
      if (list.size() < LIST_PAGE || offset + LIST_PAGE >= total) {
        return null;
      }
    }
  }

  /**
   * Looks for the account's refresh token in {@code api_get_authorizer_list}: a token rotated by a
   * re-authorization whose save was lost (a crash between WeChat's answer and the save) is there.
   *
   * @return whether another refresh token was found and saved
   */
  private boolean recoverRefreshToken(Authorization a) {
    String token = findInAuthorizerList(a.authorizerAppId());
    if (token == null || token.equals(a.refreshToken())) {
      return false;
    }
    authorizations.save(a.withRefreshToken(token, clock.instant()));
    log.info("Recovered the refresh token of {} from the authorizer list", a.authorizerAppId());
    return true;
  }

  /**
   * Handles {@code authorized} and {@code updateauthorized}: exchanges the code for the account's
   * tokens and saves the authorization durably (and the access token in the store) before it
   * returns. WeChat's retry of a push already handled (its code now spent, the authorization saved
   * since the push was made) does nothing more.
   */
  void authorized(PlatformEvent.Authorized event) {
    Optional<Authorization> held = authorizations.find(event.authorizerAppId());
    Map<String, Object> answer;
    try {
      answer =
          calls.callWithToken(
              "api_query_auth",
              componentToken,
              Map.of(
                  "component_appid",
                  componentAppId,
                  "authorization_code",
                  event.authorizationCode()),
              event.authorizationCode());
    } catch (WeChatApiException e) {
      boolean codeSpent = e.errorCode() == CODE_INVALID || e.errorCode() == CODE_EXPIRED;
      if (codeSpent
          && held.isPresent()
          && held.get().state() == Authorization.State.AUTHORIZED
          && !held.get().authorizedAt().isBefore(event.createdAt())) {
        return; // WeChat's retry of a push this cluster already handled: its code is spent
      }
      throw e;
    }
    if (!(answer.get("authorization_info") instanceof Map<?, ?> info)) {
      throw new io.github.wechatmp.WeChatTransportException(
          "WeChat's answer to api_query_auth has no authorization_info", null);
    }
    String appId = ComponentCalls.string(info, "authorizer_appid");
    String refreshToken = ComponentCalls.string(info, "authorizer_refresh_token");
    if (!event.authorizerAppId().equals(appId) || refreshToken == null) {
      throw new io.github.wechatmp.WeChatTransportException(
          "WeChat's answer to api_query_auth names another account or has no refresh token", null);
    }
    List<Integer> functionIds = new ArrayList<>();
    if (info.get("func_info") instanceof List<?> funcs) {
      for (Object f : funcs) {
        if (f instanceof Map<?, ?> m
            && m.get("funcscope_category") instanceof Map<?, ?> c
            && c.get("id") instanceof Number id) {
          functionIds.add(id.intValue());
        }
      }
    }
    Instant now = clock.instant();
    authorizations.save(Authorization.authorized(appId, refreshToken, functionIds, now));
    unsaved.remove(appId); // the new authorization's refresh token supersedes it
    String accessToken = ComponentCalls.string(info, "authorizer_access_token");
    long expiresIn = ComponentCalls.number(info, "expires_in");
    if (accessToken != null && expiresIn > 0) {
      try {
        store.save(
            TokenKey.of(appId, AUTHORIZER_ACCESS_TOKEN),
            AccessToken.of(accessToken, now, now.plusSeconds(expiresIn)));
      } catch (RuntimeException e) {
        // The authorization is saved; the token can be fetched again with it.
        log.warn("Could not keep the first access token of {}: {}", appId, e.getMessage());
      }
    }
    PlatformProvider p = authorizers.get(appId);
    if (p != null && held.map(h -> h.state() != Authorization.State.AUTHORIZED).orElse(false)) {
      p.refresh(); // it was refusing to fetch; it may now
    }
  }

  /**
   * Handles {@code unauthorized}: the authorization is kept as {@link Authorization.State#REVOKED},
   * the account's token leaves the store and its provider closes.
   */
  void unauthorized(PlatformEvent.Unauthorized event) {
    String appId = event.authorizerAppId();
    unsaved.remove(appId);
    Optional<Authorization> held = authorizations.find(appId);
    if (held.isPresent() && held.get().state() != Authorization.State.REVOKED) {
      authorizations.save(held.get().withState(Authorization.State.REVOKED, clock.instant()));
    }
    TokenKey key = TokenKey.of(appId, AUTHORIZER_ACCESS_TOKEN);
    store.load(key).ifPresent(t -> store.deleteIfValue(key, t.value()));
    PlatformProvider p = authorizers.remove(appId);
    if (p != null) {
      p.close();
    }
    messageEndpoints.forEach(m -> m.forget(appId));
  }

  // ---- the ticket watchdog ----

  private void armWatchdog(Duration in) {
    synchronized (this) {
      if (closed) {
        return;
      }
      watchdog.cancel();
      watchdog =
          scheduler.schedule(() -> scheduler.execute(this::checkTicketPushes), in.toMillis());
    }
  }

  /**
   * Runs 20 minutes after the newest ticket (or after the platform was built, if none): when the
   * newest ticket in the store, which any instance of the cluster may have received, is older than
   * that by the platform's clock, warns once per silence and asks WeChat to push one. Then checks
   * again 20 minutes after the newest ticket, or 20 minutes from now if none came.
   */
  void checkTicketPushes() {
    if (closed) {
      return;
    }
    Instant now = clock.instant();
    Duration next = TICKET_SILENCE;
    try {
      Instant newest =
          store
              .load(TokenKey.of(componentAppId, COMPONENT_VERIFY_TICKET))
              .flatMap(AccessToken::issuedAt)
              .orElse(null);
      Instant since = newest != null ? newest : builtAt;
      Instant due = since.plus(TICKET_SILENCE);
      if (now.isBefore(due)) {
        next = Duration.between(now, due);
      } else {
        boolean warn;
        synchronized (this) {
          warn = !since.equals(warnedFor);
          warnedFor = since;
        }
        if (warn) {
          log.warn(
              "No component_verify_ticket reached the platform {} for {} minutes (the newest"
                  + " is from {}); asking WeChat to push one (api_start_push_ticket). Check that"
                  + " the authorization-event URL reaches OpenPlatform.callback()",
              componentAppId,
              Duration.between(since, now).toMinutes(),
              newest != null ? newest : "none yet");
        }
        startPushTicket();
      }
    } catch (RuntimeException e) {
      log.warn(
          "The ticket watchdog of {} failed: {}; it tries again in {} minutes",
          componentAppId,
          e.getMessage(),
          next.toMinutes());
    } finally {
      armWatchdog(next);
    }
  }

  /** No ticket has been pushed yet, or the last is older than 12 hours. */
  static final class NoTicketException extends io.github.wechatmp.WeChatException {
    private static final long serialVersionUID = 1L;

    NoTicketException(String message) {
      super(message);
    }
  }

  /** Configures an {@link OpenPlatform}. Not thread-safe. */
  public static final class Builder {
    private String componentAppId;
    private String componentAppSecret;
    private String token;
    private String encodingAesKey;
    private TokenStore store;
    private AuthorizationStore authorizations;
    private HttpUrl apiBaseUrl = WeChatHttp.DEFAULT_API_BASE_URL;
    private OkHttpClient httpClient;
    private Clock clock = Clock.systemUTC();
    private RefreshPolicy policy = RefreshPolicy.defaults();
    private PlatformEventListener listener = event -> {};
    private int authorizerRefreshRate = DEFAULT_AUTHORIZER_REFRESH_RATE;

    private Builder() {}

    /**
     * Sets how many {@code api_authorizer_token} calls a second this process makes at most for the
     * authorizers' background refreshes (default {@value #DEFAULT_AUTHORIZER_REFRESH_RATE}). The
     * rate is per process: a cluster of N instances may reach N times it, though each token is
     * still fetched once for the cluster. Each token's refresh falls at a point of its refresh
     * window chosen from its AppID (from half its life to the refresh margin's due point: 3,400 s
     * for WeChat's 7,200 s tokens under the default policy), and waits for a free slot under the
     * rate while its token is still served. The window holds {@code rate x window} refreshes:
     * 170,000 authorizers at the default. Beyond that, tokens go stale before their turn; the first
     * time one would, a WARN names the numbers, and such a token is fetched when a caller needs it.
     * A fetch a caller waits for (no valid token) is never delayed by the rate.
     *
     * @param perSecond at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code perSecond} is below 1
     */
    public Builder authorizerRefreshRate(int perSecond) {
      if (perSecond < 1) {
        throw new IllegalArgumentException(
            "authorizerRefreshRate must be at least 1 a second, not " + perSecond);
      }
      this.authorizerRefreshRate = perSecond;
      return this;
    }

    /**
     * Sets the platform's AppID (required).
     *
     * @param componentAppId the AppID
     * @return this builder
     */
    public Builder componentAppId(String componentAppId) {
      this.componentAppId = Authorization.checkAppId(componentAppId.strip());
      return this;
    }

    /**
     * Sets the platform's AppSecret (required). It never appears in a log line, a message or a
     * {@code toString()}.
     *
     * @param componentAppSecret the secret
     * @return this builder
     */
    public Builder componentAppSecret(String componentAppSecret) {
      this.componentAppSecret = Objects.requireNonNull(componentAppSecret, "componentAppSecret");
      return this;
    }

    /**
     * Sets the platform's message token (required): the one its authorization-event URL's pushes
     * are signed with.
     *
     * @param token the token
     * @return this builder
     */
    public Builder token(String token) {
      this.token = Objects.requireNonNull(token, "token");
      return this;
    }

    /**
     * Sets the platform's 43-character EncodingAESKey (required): pushes are always encrypted.
     *
     * @param encodingAesKey the key
     * @return this builder
     */
    public Builder encodingAesKey(String encodingAesKey) {
      this.encodingAesKey = Objects.requireNonNull(encodingAesKey, "encodingAesKey");
      return this;
    }

    /**
     * Sets where the ticket and the tokens are shared: the cluster's {@code TokenStore} (Redis, a
     * file). Default: one in memory, for one instance.
     *
     * @param store the store
     * @return this builder
     */
    public Builder store(TokenStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * Sets where authorizations and their refresh tokens are kept, durably (required): a {@link
     * JdbcAuthorizationStore} for a cluster, a {@link FileAuthorizationStore} for one host.
     *
     * @param authorizations the store
     * @return this builder
     */
    public Builder authorizations(AuthorizationStore authorizations) {
      this.authorizations = Objects.requireNonNull(authorizations, "authorizations");
      return this;
    }

    /**
     * Sets WeChat's API base URL: {@code https://api.weixin.qq.com/} by default; a stand-in's in
     * tests.
     *
     * @param apiBaseUrl the base URL (https, or http to a loopback address)
     * @return this builder
     */
    public Builder apiBaseUrl(String apiBaseUrl) {
      this.apiBaseUrl = WeChatHttp.apiBaseUrl(apiBaseUrl);
      return this;
    }

    /**
     * Sets the OkHttp client to share; redirects are turned off for the platform's calls.
     *
     * @param httpClient the client
     * @return this builder
     */
    public Builder httpClient(OkHttpClient httpClient) {
      this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
      return this;
    }

    /**
     * Sets the clock; a {@code ManualClock} from {@code wechat-test} drives the refreshes in tests.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the refresh policy of every token the platform holds.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder refreshPolicy(RefreshPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Sets who is told of each event once it is handled.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder eventListener(PlatformEventListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Builds the platform. Does no I/O.
     *
     * @return the platform
     * @throws IllegalStateException naming the first missing setting
     * @throws IllegalArgumentException if the EncodingAESKey is malformed
     */
    public OpenPlatform build() {
      Map<String, Object> required = new LinkedHashMap<>();
      required.put("componentAppId", componentAppId);
      required.put("componentAppSecret", componentAppSecret);
      required.put("token", token);
      required.put("encodingAesKey", encodingAesKey);
      required.put("authorizations", authorizations);
      for (Map.Entry<String, Object> e : required.entrySet()) {
        if (e.getValue() == null || (e.getValue() instanceof String s && s.isBlank())) {
          throw new IllegalStateException(e.getKey() + " is required");
        }
      }
      return new OpenPlatform(this);
    }
  }
}

package io.github.wechatmp.test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The WeChat third-party platform (开放平台) played by a {@link WeChatStandIn}: its {@code
 * cgi-bin/component/*} endpoints, the {@code component_verify_ticket} pushes and the authorization
 * events, with WeChat's rules, so that a platform's code can be tested end to end with no WeChat.
 * Get it with {@link WeChatStandIn#openPlatform()}.
 *
 * <h2>Endpoints (POST, JSON)</h2>
 *
 * <ul>
 *   <li>{@code api_start_push_ticket}: accepted; see {@link #startPushTicketRequests()}.
 *   <li>{@code api_component_token}: needs the platform's AppID and secret (when {@linkplain
 *       #credentials set}; 40013 or 40125 otherwise) and a ticket this platform pushed: 61006 for
 *       one it never pushed, 61005 for one pushed more than 12 hours ago. Issues a {@code
 *       component_access_token} living the stand-in's token lifetime.
 *   <li>{@code api_create_preauthcode}, {@code api_query_auth}, {@code api_authorizer_token},
 *       {@code api_get_authorizer_list}: need a valid {@code component_access_token} query
 *       parameter (41001, 40001, 42001 as for access tokens). A query-auth code is single-use and
 *       lives an hour (61010 past it, 61009 unknown or used); {@code api_authorizer_token} needs
 *       the account's current refresh token (61023 otherwise, and for an account that cancelled);
 *       the list pages at most 500 ({@code count}) from {@code offset} and holds only accounts in
 *       force.
 * </ul>
 *
 * Authorizer access tokens are ordinary stand-in tokens: every API endpoint of the stand-in accepts
 * them, and {@link WeChatStandIn#voidToken(String)} voids them.
 *
 * <h2>The merchant's side, played by the test</h2>
 *
 * {@link #pushTicket()} pushes a new ticket to the {@linkplain #pushTo event URL}; {@link
 * #authorize}, {@link #reauthorize} and {@link #unauthorize} play a merchant authorizing, changing
 * and cancelling, each pushing its event ({@code authorized}, {@code updateauthorized}, {@code
 * unauthorized}), encrypted with the platform's token and key as WeChat does.
 *
 * <p>Thread-safe: guarded by the stand-in's lock, and pushes are made outside it.
 */
public final class StandInPlatform {
  static final String PATH_PREFIX = "cgi-bin/component/";
  private static final Duration TICKET_LIFE = Duration.ofHours(12);
  private static final Duration CODE_LIFE = Duration.ofHours(1);
  private static final Duration PRE_AUTH_CODE_LIFE = Duration.ofMinutes(30);
  private static final int MAX_LIST_COUNT = 500;

  private final WeChatStandIn standIn;
  private final Clock clock;

  // Guarded by the stand-in ("standIn").
  private String componentAppId;
  private String componentSecret;
  private String pushUrl;
  private String pushToken;
  private String pushAesKey;
  private final Map<String, Instant> tickets = new HashMap<>();
  private final List<String> ticketsInOrder = new ArrayList<>();
  private final Map<String, Instant> preAuthCodes = new HashMap<>();
  private final Map<String, PendingCode> codes = new HashMap<>();
  private final Map<String, Authorizer> authorizers = new TreeMap<>();
  private int startPushTicketRequests;
  private boolean rotateRefreshTokens;

  StandInPlatform(WeChatStandIn standIn, Clock clock) {
    this.standIn = standIn;
    this.clock = clock;
  }

  /**
   * Makes the platform endpoints check the platform's AppID and secret. Until then any are
   * accepted.
   *
   * @param componentAppId the platform's AppID
   * @param componentAppSecret its secret
   * @return this
   */
  public StandInPlatform credentials(String componentAppId, String componentAppSecret) {
    synchronized (standIn) {
      this.componentAppId = Objects.requireNonNull(componentAppId, "componentAppId");
      this.componentSecret = Objects.requireNonNull(componentAppSecret, "componentAppSecret");
    }
    return this;
  }

  /**
   * Sets where WeChat pushes the platform's events (its "authorization event URL") and the token
   * and key it encrypts them with.
   *
   * @param url the event URL
   * @param token the platform's message token
   * @param encodingAesKey the platform's 43-character key
   * @return this
   */
  public StandInPlatform pushTo(String url, String token, String encodingAesKey) {
    synchronized (standIn) {
      this.pushUrl = Objects.requireNonNull(url, "url");
      this.pushToken = Objects.requireNonNull(token, "token");
      this.pushAesKey = Objects.requireNonNull(encodingAesKey, "encodingAesKey");
    }
    return this;
  }

  /**
   * Pushes a new {@code component_verify_ticket}, as WeChat does every 10 minutes.
   *
   * @return the ticket pushed
   * @throws CallbackException if the platform did not answer {@code success}
   * @throws IllegalStateException if {@link #pushTo} was not called
   */
  public String pushTicket() {
    String ticket;
    String xml;
    synchronized (standIn) {
      Instant now = clock.instant();
      ticket = "ticket@@@" + standIn.randomValue(86);
      tickets.put(ticket, now);
      ticketsInOrder.add(ticket);
      xml =
          event(now, "component_verify_ticket")
              + "<ComponentVerifyTicket><![CDATA["
              + ticket
              + "]]></ComponentVerifyTicket></xml>";
    }
    push(xml);
    return ticket;
  }

  /**
   * Plays a merchant who authorizes the platform on WeChat's page: makes a single-use query-auth
   * code and pushes the {@code authorized} event carrying it.
   *
   * @param authorizerAppId the merchant's official account
   * @param functionIds the function sets granted
   * @return the query-auth code (also what WeChat appends to the platform's redirect URI)
   */
  public String authorize(String authorizerAppId, List<Integer> functionIds) {
    return authorization(authorizerAppId, functionIds, "authorized");
  }

  /**
   * Records a merchant's authorization as if it had authorized the platform and the platform had
   * exchanged the code already, pushing nothing: the way to stand up thousands of authorizers for a
   * scale test without an event each.
   *
   * @param authorizerAppId the merchant's official account
   * @param functionIds the function sets granted
   * @return its refresh token, for the platform's authorization store
   */
  public String authorized(String authorizerAppId, List<Integer> functionIds) {
    Objects.requireNonNull(authorizerAppId, "authorizerAppId");
    synchronized (standIn) {
      Authorizer a = authorizers.computeIfAbsent(authorizerAppId, id -> new Authorizer());
      a.cancelled = false;
      a.functionIds = List.copyOf(functionIds);
      a.refreshToken = "refreshtoken@@@" + standIn.randomValue(43);
      a.authorizedAt = clock.instant();
      return a.refreshToken;
    }
  }

  /**
   * Plays a merchant who changes the granted function sets: WeChat issues a new refresh token (the
   * old one no longer works) and pushes {@code updateauthorized} with a new code.
   *
   * @param authorizerAppId the merchant's official account
   * @param functionIds the function sets now granted
   * @return the new query-auth code
   */
  public String reauthorize(String authorizerAppId, List<Integer> functionIds) {
    return authorization(authorizerAppId, functionIds, "updateauthorized");
  }

  private String authorization(String authorizerAppId, List<Integer> functionIds, String type) {
    Objects.requireNonNull(authorizerAppId, "authorizerAppId");
    String code;
    String xml;
    synchronized (standIn) {
      Instant now = clock.instant();
      code = "queryauthcode@@@" + standIn.randomValue(60);
      codes.put(code, new PendingCode(authorizerAppId, List.copyOf(functionIds), now));
      xml =
          event(now, type)
              + "<AuthorizerAppid><![CDATA["
              + authorizerAppId
              + "]]></AuthorizerAppid><AuthorizationCode><![CDATA["
              + code
              + "]]></AuthorizationCode><AuthorizationCodeExpiredTime>"
              + now.plus(CODE_LIFE).getEpochSecond()
              + "</AuthorizationCodeExpiredTime><PreAuthCode><![CDATA[preauthcode@@@"
              + standIn.randomValue(40)
              + "]]></PreAuthCode></xml>";
    }
    push(xml);
    return code;
  }

  /**
   * Plays a merchant who cancels the authorization: its refresh token and access tokens stop
   * working, and {@code unauthorized} is pushed.
   *
   * @param authorizerAppId the merchant's official account
   */
  public void unauthorize(String authorizerAppId) {
    String xml;
    synchronized (standIn) {
      Authorizer a = authorizers.get(authorizerAppId);
      if (a != null) {
        a.cancelled = true;
        for (String token : a.accessTokens) {
          standIn.voidToken(token);
        }
      }
      xml =
          event(clock.instant(), "unauthorized")
              + "<AuthorizerAppid><![CDATA["
              + authorizerAppId
              + "]]></AuthorizerAppid></xml>";
    }
    push(xml);
  }

  /**
   * Returns the refresh token WeChat holds for an account now.
   *
   * @param authorizerAppId the account
   * @return its refresh token, or null if it never completed an authorization
   */
  public String refreshTokenOf(String authorizerAppId) {
    synchronized (standIn) {
      Authorizer a = authorizers.get(authorizerAppId);
      return a == null ? null : a.refreshToken;
    }
  }

  /**
   * Makes {@code api_authorizer_token} answer every fetch with a new refresh token, the one used
   * becoming invalid (61023), as WeChat may: a platform must then keep the new one before it uses
   * the access token. Off by default (the refresh token stays the same, as WeChat usually does).
   *
   * @return this stand-in platform
   */
  public StandInPlatform rotateRefreshTokens() {
    synchronized (standIn) {
      rotateRefreshTokens = true;
      return this;
    }
  }

  /**
   * Returns every ticket pushed, oldest first.
   *
   * @return the tickets
   */
  public List<String> ticketsPushed() {
    synchronized (standIn) {
      return List.copyOf(ticketsInOrder);
    }
  }

  /**
   * Counts {@code api_start_push_ticket} requests.
   *
   * @return the count
   */
  public int startPushTicketRequests() {
    synchronized (standIn) {
      return startPushTicketRequests;
    }
  }

  private String event(Instant now, String infoType) {
    return "<xml><AppId><![CDATA["
        + Objects.requireNonNullElse(componentAppId, "wx_component_stand_in")
        + "]]></AppId><CreateTime>"
        + now.getEpochSecond()
        + "</CreateTime><InfoType><![CDATA["
        + infoType
        + "]]></InfoType>";
  }

  private void push(String xml) {
    CallbackClient client;
    synchronized (standIn) {
      if (pushUrl == null) {
        throw new IllegalStateException("call pushTo(url, token, encodingAesKey) first");
      }
      client =
          CallbackClient.builder()
              .url(pushUrl)
              .token(pushToken)
              .encodingAesKey(pushAesKey)
              .appId(Objects.requireNonNullElse(componentAppId, "wx_component_stand_in"))
              .build();
    }
    String answer = client.send(xml);
    if (!"success".equals(answer.strip())) {
      throw new CallbackException(
          "the platform answered a pushed event with '" + answer + "', not 'success'",
          200,
          answer,
          null);
    }
  }

  // Called by the stand-in under its lock.
  WeChatStandIn.Answer answer(String path, Map<String, String> query, String body) {
    Map<String, Object> json;
    try {
      json = Json.parseObject(body);
    } catch (IllegalArgumentException e) {
      return WeChatStandIn.Answer.error(47001, "data format error");
    }
    String endpoint = path.substring(PATH_PREFIX.length());
    Instant now = clock.instant();
    switch (endpoint) {
      case "api_start_push_ticket":
        {
          WeChatStandIn.Answer refused = checkPlatform(json, "component_secret");
          if (refused != null) {
            return refused;
          }
          startPushTicketRequests++;
          return WeChatStandIn.Answer.ok();
        }
      case "api_component_token":
        return componentToken(json, now);
      default:
        break;
    }
    WeChatStandIn.Answer refused = standIn.checkToken(query.get("component_access_token"));
    if (refused != null) {
      return refused;
    }
    refused = checkPlatform(json, null);
    if (refused != null) {
      return refused;
    }
    switch (endpoint) {
      case "api_create_preauthcode":
        {
          String code = "preauthcode@@@" + standIn.randomValue(40);
          preAuthCodes.put(code, now.plus(PRE_AUTH_CODE_LIFE));
          return WeChatStandIn.Answer.json(
              "{\"pre_auth_code\":"
                  + Json.quote(code)
                  + ",\"expires_in\":"
                  + PRE_AUTH_CODE_LIFE.toSeconds()
                  + "}");
        }
      case "api_query_auth":
        return queryAuth(string(json, "authorization_code"), now);
      case "api_authorizer_token":
        return authorizerToken(
            string(json, "authorizer_appid"), string(json, "authorizer_refresh_token"), now);
      case "api_get_authorizer_list":
        return authorizerList(json);
      default:
        return new WeChatStandIn.Answer(404, "text/plain", "404 Not Found: " + path);
    }
  }

  private WeChatStandIn.Answer componentToken(Map<String, Object> json, Instant now) {
    WeChatStandIn.Answer refused = checkPlatform(json, "component_appsecret");
    if (refused != null) {
      return refused;
    }
    String ticket = string(json, "component_verify_ticket");
    Instant pushed = ticket == null ? null : tickets.get(ticket);
    if (pushed == null) {
      return WeChatStandIn.Answer.error(61006, "component ticket is invalid");
    }
    if (!now.isBefore(pushed.plus(TICKET_LIFE))) {
      return WeChatStandIn.Answer.error(61005, "component ticket is expired");
    }
    WeChatStandIn.IssuedToken t = standIn.issueToken(now);
    return WeChatStandIn.Answer.json(
        "{\"component_access_token\":"
            + Json.quote(t.value())
            + ",\"expires_in\":"
            + t.expiresIn().toSeconds()
            + "}");
  }

  private WeChatStandIn.Answer queryAuth(String code, Instant now) {
    PendingCode pending = code == null ? null : codes.remove(code);
    if (pending == null) {
      return WeChatStandIn.Answer.error(61009, "code is invalid");
    }
    if (!now.isBefore(pending.issuedAt.plus(CODE_LIFE))) {
      return WeChatStandIn.Answer.error(61010, "code is expired");
    }
    Authorizer a = authorizers.computeIfAbsent(pending.authorizerAppId, id -> new Authorizer());
    a.cancelled = false;
    a.functionIds = pending.functionIds;
    a.refreshToken = "refreshtoken@@@" + standIn.randomValue(43);
    a.authorizedAt = now;
    WeChatStandIn.IssuedToken t = standIn.issueToken(now);
    a.accessTokens.add(t.value());
    StringBuilder funcInfo = new StringBuilder("[");
    for (Integer id : a.functionIds) {
      if (funcInfo.length() > 1) {
        funcInfo.append(',');
      }
      funcInfo.append("{\"funcscope_category\":{\"id\":").append(id).append("}}");
    }
    funcInfo.append(']');
    return WeChatStandIn.Answer.json(
        "{\"authorization_info\":{\"authorizer_appid\":"
            + Json.quote(pending.authorizerAppId)
            + ",\"authorizer_access_token\":"
            + Json.quote(t.value())
            + ",\"expires_in\":"
            + t.expiresIn().toSeconds()
            + ",\"authorizer_refresh_token\":"
            + Json.quote(a.refreshToken)
            + ",\"func_info\":"
            + funcInfo
            + "}}");
  }

  private WeChatStandIn.Answer authorizerToken(String appId, String refreshToken, Instant now) {
    Authorizer a = appId == null ? null : authorizers.get(appId);
    if (a == null
        || a.cancelled
        || refreshToken == null
        || !WeChatStandIn.constantTimeEquals(a.refreshToken, refreshToken)) {
      return WeChatStandIn.Answer.error(61023, "refresh_token is invalid");
    }
    if (rotateRefreshTokens) {
      a.refreshToken = "refreshtoken@@@" + standIn.randomValue(43);
    }
    WeChatStandIn.IssuedToken t = standIn.issueToken(now);
    a.accessTokens.add(t.value());
    return WeChatStandIn.Answer.json(
        "{\"authorizer_access_token\":"
            + Json.quote(t.value())
            + ",\"expires_in\":"
            + t.expiresIn().toSeconds()
            + ",\"authorizer_refresh_token\":"
            + Json.quote(a.refreshToken)
            + "}");
  }

  private WeChatStandIn.Answer authorizerList(Map<String, Object> json) {
    int offset;
    int count;
    try {
      offset = Integer.parseInt(Objects.requireNonNullElse(string(json, "offset"), "0"));
      count = Integer.parseInt(Objects.requireNonNullElse(string(json, "count"), "0"));
    } catch (NumberFormatException e) {
      return WeChatStandIn.Answer.error(40097, "invalid args");
    }
    if (offset < 0 || count < 1 || count > MAX_LIST_COUNT) {
      return WeChatStandIn.Answer.error(40097, "invalid args");
    }
    List<Map.Entry<String, Authorizer>> inForce = new ArrayList<>();
    for (Map.Entry<String, Authorizer> e : authorizers.entrySet()) {
      if (!e.getValue().cancelled) {
        inForce.add(e);
      }
    }
    StringBuilder list = new StringBuilder("[");
    for (int i = offset; i < Math.min(inForce.size(), offset + count); i++) {
      Map.Entry<String, Authorizer> e = inForce.get(i);
      if (list.length() > 1) {
        list.append(',');
      }
      list.append("{\"authorizer_appid\":")
          .append(Json.quote(e.getKey()))
          .append(",\"refresh_token\":")
          .append(Json.quote(e.getValue().refreshToken))
          .append(",\"auth_time\":")
          .append(e.getValue().authorizedAt.getEpochSecond())
          .append('}');
    }
    list.append(']');
    return WeChatStandIn.Answer.json(
        "{\"total_count\":" + inForce.size() + ",\"list\":" + list + "}");
  }

  private WeChatStandIn.Answer checkPlatform(Map<String, Object> json, String secretMember) {
    String appId = string(json, "component_appid");
    if (appId == null || appId.isEmpty()) {
      return WeChatStandIn.Answer.error(41002, "component_appid missing");
    }
    if (componentAppId != null && !componentAppId.equals(appId)) {
      return WeChatStandIn.Answer.error(40013, "invalid appid");
    }
    if (secretMember != null) {
      String secret = string(json, secretMember);
      if (secret == null || secret.isEmpty()) {
        return WeChatStandIn.Answer.error(41004, "appsecret missing");
      }
      if (componentSecret != null && !WeChatStandIn.constantTimeEquals(componentSecret, secret)) {
        return WeChatStandIn.Answer.error(40125, "invalid appsecret");
      }
    }
    return null;
  }

  private static String string(Map<String, Object> json, String name) {
    Object v = json.get(name);
    return v == null ? null : v.toString();
  }

  /** A query-auth code not yet exchanged. */
  private record PendingCode(String authorizerAppId, List<Integer> functionIds, Instant issuedAt) {}

  /** What WeChat holds for one authorizer. Guarded by the stand-in. */
  private static final class Authorizer {
    String refreshToken;
    List<Integer> functionIds = List.of();
    Instant authorizedAt;
    boolean cancelled;
    final List<String> accessTokens = new ArrayList<>();
  }
}

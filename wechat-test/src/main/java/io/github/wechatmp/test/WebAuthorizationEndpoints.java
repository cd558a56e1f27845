package io.github.wechatmp.test;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * WeChat's web authorization, as {@link WeChatStandIn} plays it: the authorize page, the code
 * exchange, the refresh and {@code sns/userinfo}, with the state they share. Thread-safe: every
 * method holding state is synchronized on this object.
 */
final class WebAuthorizationEndpoints {
  static final String AUTHORIZE_PATH = "connect/oauth2/authorize";
  static final String EXCHANGE_PATH = "sns/oauth2/access_token";
  static final String REFRESH_PATH = "sns/oauth2/refresh_token";
  static final String USERINFO_PATH = "sns/userinfo";

  static final String DEFAULT_OPEN_ID = "oStandInUser0000000000000000";
  private static final Duration CODE_LIFETIME = Duration.ofMinutes(5);
  private static final Duration TOKEN_LIFETIME = Duration.ofSeconds(7200);
  private static final Duration REFRESH_LIFETIME = Duration.ofDays(30);
  private static final char[] ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  /** What an endpoint answers; {@code location} only for the authorize page's redirect. */
  record Reply(int status, String contentType, String body, String location) {
    static Reply json(String body) {
      return new Reply(200, "application/json; encoding=utf-8", body, null);
    }

    static Reply error(int code, String msg) {
      return json("{\"errcode\":" + code + ",\"errmsg\":" + Json.quote(msg) + "}");
    }

    static Reply page(int status, String text) {
      return new Reply(
          status, "text/html; charset=utf-8", "<html><body>" + text + "</body></html>", null);
    }
  }

  private record User(String openId, String nickname, String unionId, boolean snapshot) {}

  private record Code(String openId, String scope, Instant expiresAt) {}

  private record Token(String openId, String scope, Instant expiresAt) {}

  private final String appId;
  private final BiFunction<String, String, Reply> checkCredentials;
  private final SecureRandom random = new SecureRandom();
  private final HttpClient prefetcher =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  // Guarded by "this".
  private final Map<String, User> users = new HashMap<>();
  private final Map<String, Code> codes = new HashMap<>();
  private final Map<String, Boolean> usedCodes = new HashMap<>();
  private final Map<String, Token> tokens = new HashMap<>();
  private final Map<String, Token> refreshTokens = new HashMap<>();
  private String current = DEFAULT_OPEN_ID;
  private boolean twice;

  WebAuthorizationEndpoints(String appId, BiFunction<String, String, Reply> checkCredentials) {
    this.appId = appId;
    this.checkCredentials = checkCredentials;
    users.put(DEFAULT_OPEN_ID, new User(DEFAULT_OPEN_ID, "Stand-in User", null, false));
  }

  static boolean handles(String path) {
    return path.equals(AUTHORIZE_PATH)
        || path.equals(EXCHANGE_PATH)
        || path.equals(REFRESH_PATH)
        || path.equals(USERINFO_PATH);
  }

  synchronized void user(String openId, String nickname, String unionId, boolean snapshot) {
    users.put(openId, new User(openId, nickname, unionId, snapshot));
    current = openId;
  }

  synchronized void deliverTwice(boolean twice) {
    this.twice = twice;
  }

  /** Answers a request to one of {@link #handles these} paths. */
  Reply answer(String path, Map<String, String> params, Instant now) {
    return switch (path) {
      case AUTHORIZE_PATH -> authorize(params, now);
      case EXCHANGE_PATH -> exchange(params, now);
      case REFRESH_PATH -> refresh(params, now);
      default -> userInfo(params, now);
    };
  }

  private Reply authorize(Map<String, String> params, Instant now) {
    String appid = params.get("appid");
    if (appid == null || appid.isEmpty() || (appId != null && !appId.equals(appid))) {
      return Reply.page(400, "appid 参数错误 (errcode 10003: redirect_uri or appid invalid)");
    }
    String scope = params.get("scope");
    if (!"snsapi_base".equals(scope) && !"snsapi_userinfo".equals(scope)) {
      return Reply.page(400, "scope 参数错误或没有 scope 权限 (errcode 10005)");
    }
    if (!"code".equals(params.get("response_type"))) {
      return Reply.page(400, "response_type 参数错误 (errcode 10004)");
    }
    String state = params.getOrDefault("state", "");
    if (state.getBytes(StandardCharsets.UTF_8).length > 128) {
      return Reply.page(400, "state 参数过长 (at most 128 bytes)");
    }
    URI redirect;
    try {
      redirect = new URI(Objects.requireNonNullElse(params.get("redirect_uri"), ""));
    } catch (URISyntaxException e) {
      redirect = null;
    }
    if (redirect == null
        || !redirect.isAbsolute()
        || !("http".equals(redirect.getScheme()) || "https".equals(redirect.getScheme()))
        || redirect.getRawFragment() != null) {
      return Reply.page(400, "redirect_uri 参数错误 (errcode 10003)");
    }
    String code;
    boolean deliverTwice;
    synchronized (this) {
      User user = users.get(current);
      code = randomValue(32);
      // A snapshot-page user gets a base token whatever the page asked for, as WeChat does.
      codes.put(
          code,
          new Code(
              user.openId(), user.snapshot() ? "snsapi_base" : scope, now.plus(CODE_LIFETIME)));
      deliverTwice = twice;
    }
    String raw = redirect.toString();
    String location =
        raw
            + (redirect.getRawQuery() == null ? "?" : "&")
            + "code="
            + code
            + "&state="
            + URLEncoder.encode(state, StandardCharsets.UTF_8);
    if (deliverTwice) {
      prefetch(location);
    }
    return new Reply(302, "text/html; charset=utf-8", "", location);
  }

  /** WeChat's client requesting the redirect URL once more, without the browser's cookies. */
  private void prefetch(String location) {
    try {
      prefetcher.send(
          HttpRequest.newBuilder(URI.create(location))
              .timeout(Duration.ofSeconds(20))
              .GET()
              .build(),
          HttpResponse.BodyHandlers.discarding());
    } catch (java.io.IOException | IllegalArgumentException e) {
      // The first delivery's answer never reaches anyone, as with WeChat's.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Reply exchange(Map<String, String> params, Instant now) {
    if (!"authorization_code".equals(params.get("grant_type"))) {
      return Reply.error(40002, "invalid grant_type");
    }
    Reply refused = checkCredentials.apply(params.get("appid"), params.get("secret"));
    if (refused != null) {
      return refused;
    }
    String code = params.get("code");
    if (code == null || code.isEmpty()) {
      return Reply.error(41008, "missing code");
    }
    synchronized (this) {
      Code c = codes.get(code);
      if (c == null || !now.isBefore(c.expiresAt())) {
        return Reply.error(40029, "invalid code");
      }
      if (usedCodes.putIfAbsent(code, Boolean.TRUE) != null) {
        return Reply.error(40163, "code been used");
      }
      User user = users.get(c.openId());
      String access = issue(tokens, c.openId(), c.scope(), now.plus(TOKEN_LIFETIME));
      String refresh = issue(refreshTokens, c.openId(), c.scope(), now.plus(REFRESH_LIFETIME));
      StringBuilder json =
          new StringBuilder("{\"access_token\":")
              .append(Json.quote(access))
              .append(",\"expires_in\":")
              .append(TOKEN_LIFETIME.toSeconds())
              .append(",\"refresh_token\":")
              .append(Json.quote(refresh))
              .append(",\"openid\":")
              .append(Json.quote(c.openId()))
              .append(",\"scope\":")
              .append(Json.quote(c.scope()));
      if (user.snapshot()) {
        json.append(",\"is_snapshotuser\":1");
      }
      if (user.unionId() != null && c.scope().equals("snsapi_userinfo")) {
        json.append(",\"unionid\":").append(Json.quote(user.unionId()));
      }
      return Reply.json(json.append('}').toString());
    }
  }

  private synchronized Reply refresh(Map<String, String> params, Instant now) {
    if (!"refresh_token".equals(params.get("grant_type"))) {
      return Reply.error(40002, "invalid grant_type");
    }
    if (params.get("appid") == null || (appId != null && !appId.equals(params.get("appid")))) {
      return Reply.error(40013, "invalid appid");
    }
    String refresh = params.get("refresh_token");
    Token r = refresh == null ? null : refreshTokens.get(refresh);
    if (r == null) {
      return Reply.error(40030, "invalid refresh_token");
    }
    if (!now.isBefore(r.expiresAt())) {
      return Reply.error(42002, "refresh_token timeout");
    }
    String access = issue(tokens, r.openId(), r.scope(), now.plus(TOKEN_LIFETIME));
    return Reply.json(
        "{\"access_token\":"
            + Json.quote(access)
            + ",\"expires_in\":"
            + TOKEN_LIFETIME.toSeconds()
            + ",\"refresh_token\":"
            + Json.quote(refresh)
            + ",\"openid\":"
            + Json.quote(r.openId())
            + ",\"scope\":"
            + Json.quote(r.scope())
            + "}");
  }

  private synchronized Reply userInfo(Map<String, String> params, Instant now) {
    String access = params.get("access_token");
    if (access == null || access.isEmpty()) {
      return Reply.error(41001, "access_token missing");
    }
    Token t = tokens.get(access);
    if (t == null) {
      return Reply.error(40001, "invalid credential, access_token is invalid or not latest");
    }
    if (!now.isBefore(t.expiresAt())) {
      return Reply.error(42001, "access_token expired");
    }
    if (!t.openId().equals(params.get("openid"))) {
      return Reply.error(40003, "invalid openid");
    }
    if (!t.scope().equals("snsapi_userinfo")) {
      return Reply.error(48001, "api unauthorized");
    }
    User user = users.get(t.openId());
    StringBuilder json =
        new StringBuilder("{\"openid\":")
            .append(Json.quote(user.openId()))
            .append(",\"nickname\":")
            .append(Json.quote(user.nickname()))
            .append(",\"sex\":0,\"province\":\"\",\"city\":\"\",\"country\":\"\",\"headimgurl\":")
            .append(Json.quote("https://thirdwx.qlogo.cn/mmopen/standin/" + user.openId() + "/132"))
            .append(",\"privilege\":[]");
    if (user.unionId() != null) {
      json.append(",\"unionid\":").append(Json.quote(user.unionId()));
    }
    return Reply.json(json.append('}').toString());
  }

  // Guarded by "this".
  private String issue(Map<String, Token> into, String openId, String scope, Instant expiresAt) {
    String value;
    do {
      value = randomValue(88);
    } while (into.containsKey(value));
    into.put(value, new Token(openId, scope, expiresAt));
    return value;
  }

  private String randomValue(int length) {
    char[] c = new char[length];
    for (int i = 0; i < length; i++) {
      c[i] = ALPHABET[random.nextInt(ALPHABET.length)];
    }
    return new String(c);
  }
}

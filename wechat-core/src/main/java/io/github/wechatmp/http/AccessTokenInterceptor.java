package io.github.wechatmp.http;

import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.internal.http.ErrorFields;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OkHttp application interceptor that makes any call to WeChat's API token-aware: it adds the
 * {@code access_token} query parameter from an {@link AccessTokenProvider}, and when WeChat answers
 * that the token is no good (errcode 40001, 40014 or 42001) it reports that very token to {@link
 * AccessTokenProvider#invalidate(String)} and sends the request once more with a fresh token.
 *
 * <pre>{@code
 * OkHttpClient client = new OkHttpClient.Builder()
 *     .addInterceptor(new AccessTokenInterceptor(tokens))
 *     .build();
 * client.newCall(new Request.Builder()
 *     .url("https://api.weixin.qq.com/cgi-bin/get_api_domain_ip").build()).execute();
 * }</pre>
 *
 * <h2>What it touches</h2>
 *
 * Only requests to the configured hosts: {@link #DEFAULT_HOSTS}, the host of the provider's own
 * {@linkplain AccessTokenProvider#apiBaseUrl() API base URL} (a proxy or stand-in set with {@code
 * apiBaseUrl(...)}, so that calls to it carry a token with no further setup), and any {@linkplain
 * Builder#addHost(String) added}; others pass through untouched. Requests to the token endpoints
 * themselves ({@code cgi-bin/token}, {@code cgi-bin/stable_token}) pass through too: there 40001
 * means a wrong AppSecret, and retrying would only spend quota. A request whose URL already carries
 * an {@code access_token} is refused with an {@link IllegalArgumentException} before anything is
 * sent, because a token chosen by hand cannot be renewed.
 *
 * <h2>Failures</h2>
 *
 * The retry happens at most once per call; there is no loop. Re-fetches after rejections are
 * bounded by the provider ({@link
 * io.github.wechatmp.token.RefreshPolicy#rejectionRefetchInterval()}, 30 s by default): within that
 * interval the provider keeps the rejected token, and the call fails at once with an {@link
 * AccessTokenRejectedException}, after one round trip and no fetch. If the retried request is
 * rejected again, the call fails with an {@link AccessTokenRejectedException} (a {@link
 * WeChatApiException}) carrying WeChat's errcode, thrown from {@code Call.execute()} as is (for
 * {@code Call.enqueue()} OkHttp reports it to the callback's {@code onFailure} as an {@link
 * IOException} with the exception attached, and also rethrows it on its dispatcher thread). A
 * request with a one-shot body cannot be sent twice: after invalidating the token the call fails
 * with that exception. Failures of the provider (see {@link AccessTokenProvider#get()}) are thrown
 * as they are. Answers are recognised as a token error only from their first {@value
 * #MAX_PEEK_BYTES} bytes, and only if they are JSON or text; media downloads stream through unread.
 * Tokens appear in logs only masked.
 *
 * <p>Must be installed with {@code addInterceptor}, not {@code addNetworkInterceptor} (a network
 * interceptor may not send a request twice; this is checked). Immutable and thread-safe: one
 * instance may serve any number of clients and concurrent calls; concurrent calls that hit the same
 * rejected token share one refresh through the provider.
 */
public final class AccessTokenInterceptor implements Interceptor {
  private static final Logger log = LoggerFactory.getLogger(AccessTokenInterceptor.class);

  /**
   * WeChat's documented API hosts: the general {@code api.weixin.qq.com}, its disaster-recovery
   * {@code api2.weixin.qq.com}, and the regional {@code sh.}, {@code sz.} and {@code
   * hk.api.weixin.qq.com}.
   */
  public static final Set<String> DEFAULT_HOSTS =
      Set.of(
          "api.weixin.qq.com",
          "api2.weixin.qq.com",
          "sh.api.weixin.qq.com",
          "sz.api.weixin.qq.com",
          "hk.api.weixin.qq.com");

  /**
   * How much of an answer is read to look for an errcode; WeChat's error bodies are far smaller.
   */
  public static final long MAX_PEEK_BYTES = 64 * 1024;

  private static final Pattern HOST =
      Pattern.compile("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?|\\[[0-9a-f:.]+\\]");

  private final AccessTokenProvider tokens;
  private final Set<String> hosts;

  /**
   * Creates an interceptor for {@link #DEFAULT_HOSTS} and the host of {@code tokens.apiBaseUrl()}.
   *
   * @param tokens where tokens come from and where rejected ones are reported
   * @throws NullPointerException if {@code tokens} is null
   */
  public AccessTokenInterceptor(AccessTokenProvider tokens) {
    this(builder(tokens));
  }

  private AccessTokenInterceptor(Builder b) {
    this.tokens = b.tokens;
    this.hosts = Set.copyOf(b.hosts);
  }

  /**
   * Returns a builder for an interceptor that starts with {@link #DEFAULT_HOSTS} and the host of
   * {@code tokens.apiBaseUrl()}.
   *
   * @param tokens where tokens come from and where rejected ones are reported
   * @return a new builder
   * @throws NullPointerException if {@code tokens} is null
   */
  public static Builder builder(AccessTokenProvider tokens) {
    return new Builder(Objects.requireNonNull(tokens, "tokens"));
  }

  /**
   * Returns the hosts whose requests get a token.
   *
   * @return an unmodifiable set of lowercase host names and IP addresses
   */
  public Set<String> hosts() {
    return hosts;
  }

  /**
   * Adds the token to a request for a configured host and retries once on a rejected token; see the
   * class description. Thread-safe.
   *
   * @param chain OkHttp's chain of the call
   * @return WeChat's answer: to the retried request if the first token was rejected
   * @throws IOException as the rest of the chain throws it
   * @throws AccessTokenRejectedException if WeChat rejected the fresh token too, or rejected the
   *     token of a request that cannot be sent twice
   * @throws WeChatApiException if (through the provider) WeChat refused to issue a token; the
   *     provider's other failures ({@link io.github.wechatmp.WeChatTransportException}, {@link
   *     io.github.wechatmp.token.TokenUnavailableException}) are thrown as they are too
   * @throws IllegalArgumentException if the request's URL already has an {@code access_token}
   * @throws IllegalStateException if installed as a network interceptor
   */
  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    HttpUrl url = request.url();
    if (!hosts.contains(url.host()) || isTokenEndpoint(url)) {
      return chain.proceed(request);
    }
    if (chain.connection() != null) {
      throw new IllegalStateException(
          "AccessTokenInterceptor must be added with addInterceptor, not "
              + "addNetworkInterceptor: retrying with a fresh token needs an application interceptor");
    }
    if (url.queryParameter("access_token") != null) {
      throw new IllegalArgumentException(
          "The request to "
              + url.host()
              + url.encodedPath()
              + " already carries an access_token; leave it out and AccessTokenInterceptor adds a current one");
    }
    AccessToken token = tokens.get();
    Response response = chain.proceed(withToken(request, token));
    TokenError rejected = tokenError(response);
    if (rejected == null) {
      return response;
    }
    response.close();
    tokens.invalidate(token.value());
    RequestBody body = request.body();
    if (body != null && body.isOneShot()) {
      log.warn(
          "WeChat rejected access token {} (errcode {}) on {}; invalidated it, but the request's body "
              + "is one-shot and cannot be sent again",
          token.masked(),
          rejected.code,
          url.encodedPath());
      throw new AccessTokenRejectedException(
          rejected.code,
          rejected.message,
          url.encodedPath() + " (a one-shot request body cannot be retried)");
    }
    AccessToken fresh = tokens.get();
    if (fresh.value().equals(token.value())) {
      // The provider kept the token: a re-fetch after a rejection happened too recently
      // (RefreshPolicy.rejectionRefetchInterval). Retrying with the same token is pointless.
      log.debug(
          "WeChat rejected access token {} (errcode {}) on {}; re-fetches are bounded, failing at once",
          token.masked(),
          rejected.code,
          url.encodedPath());
      throw new AccessTokenRejectedException(
          rejected.code,
          rejected.message,
          url.encodedPath()
              + " (not retried: the token was re-fetched after a rejection too recently)");
    }
    log.info(
        "WeChat rejected access token {} (errcode {}) on {}; invalidated it and retrying once with {}",
        token.masked(),
        rejected.code,
        url.encodedPath(),
        fresh.masked());
    Response retried = chain.proceed(withToken(request, fresh));
    TokenError again = tokenError(retried);
    if (again == null) {
      return retried;
    }
    retried.close();
    // No second invalidation: were WeChat rejecting every token, that would spend a fetch per call.
    log.warn(
        "WeChat rejected the fresh access token {} too (errcode {}) on {}; giving up on this call",
        fresh.masked(),
        again.code,
        url.encodedPath());
    throw new AccessTokenRejectedException(
        again.code, again.message, url.encodedPath() + " (after one retry)");
  }

  private static boolean isTokenEndpoint(HttpUrl url) {
    List<String> segments = url.pathSegments();
    int n = segments.size();
    if (n > 0 && segments.get(n - 1).isEmpty()) {
      n--; // a trailing slash
    }
    if (n < 2 || !segments.get(n - 2).equals("cgi-bin")) {
      return false;
    }
    String last = segments.get(n - 1);
    return last.equals("token") || last.equals("stable_token");
  }

  private static Request withToken(Request request, AccessToken token) {
    HttpUrl url =
        request.url().newBuilder().addQueryParameter("access_token", token.value()).build();
    return request.newBuilder().url(url).build();
  }

  /**
   * WeChat's errcode if the answer says the token was rejected, else null. Never consumes the body.
   */
  private static TokenError tokenError(Response response) throws IOException {
    if (!response.isSuccessful()) {
      return null; // WeChat reports errors with HTTP 200
    }
    MediaType type = response.body().contentType();
    if (type != null && !type.type().equals("text") && !type.subtype().contains("json")) {
      return null; // media and other binary answers
    }
    ResponseBody peeked = response.peekBody(MAX_PEEK_BYTES);
    // Not JSON, or cut off by the peek limit: then it is not one of WeChat's small error answers,
    // unless the errcode came before the cut.
    ErrorFields fields = ErrorFields.read(peeked.source());
    long code = fields.code();
    String message = fields.message();
    if (code == WeChatApiException.INVALID_CREDENTIAL
        || code == WeChatApiException.INVALID_ACCESS_TOKEN
        || code == WeChatApiException.ACCESS_TOKEN_EXPIRED) {
      return new TokenError((int) code, message);
    }
    return null;
  }

  private static final class TokenError {
    final int code;
    final String message;

    TokenError(int code, String message) {
      this.code = code;
      this.message = message;
    }
  }

  /** Configures an {@link AccessTokenInterceptor}. Not thread-safe. */
  public static final class Builder {
    private final AccessTokenProvider tokens;
    private final Set<String> hosts = new LinkedHashSet<>(DEFAULT_HOSTS);

    private Builder(AccessTokenProvider tokens) {
      this.tokens = tokens;
      // The provider's own API host: a user who pointed it at a proxy or stand-in calls that host.
      HttpUrl base = tokens.apiBaseUrl();
      if (base != null) {
        hosts.add(base.host());
      }
    }

    /**
     * Adds a host whose requests get a token: a proxy in front of WeChat, or {@code localhost} in
     * tests.
     *
     * @param host a bare host name or IP address, without scheme, port or path; case does not
     *     matter
     * @return this builder
     * @throws IllegalArgumentException if {@code host} is null or not a bare host
     */
    public Builder addHost(String host) {
      String h = host == null ? "" : host.strip().toLowerCase(Locale.ROOT);
      if (!HOST.matcher(h).matches()) {
        throw new IllegalArgumentException(
            "host must be a bare host name or IP address, such as "
                + "api.weixin.qq.com, without scheme, port or path");
      }
      hosts.add(
          h.startsWith("[")
              ? h.substring(1, h.length() - 1)
              : h); // OkHttp keeps IPv6 hosts unbracketed
      return this;
    }

    /**
     * Makes the interceptor. Never throws.
     *
     * @return a new, immutable interceptor
     */
    public AccessTokenInterceptor build() {
      return new AccessTokenInterceptor(this);
    }
  }
}

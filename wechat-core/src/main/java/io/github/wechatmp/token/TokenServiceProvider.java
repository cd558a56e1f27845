package io.github.wechatmp.token;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import okhttp3.HttpUrl;

/**
 * Makes {@link AccessTokenProvider}s whose tokens come from the central token service (the {@code
 * wechat-token-server} module, WeChat's 中控服务器) instead of from WeChat: for applications that must
 * not fetch tokens themselves because one service holds them for every language and host.
 *
 * <pre>{@code
 * AccessTokenProvider tokens = TokenServiceProvider.builder("https://tokens.internal:8700", apiKey)
 *     .appId("wx0123456789abcdef")
 *     .build();
 * OkHttpClient client = new OkHttpClient.Builder()
 *     .addInterceptor(new AccessTokenInterceptor(tokens))
 *     .build();
 * }</pre>
 *
 * <p>Such a provider is built on the same refresh engine as every provider: {@code get()} is the
 * same in-memory read (no lock, no I/O), the token is fetched from the service again before it
 * expires (by default {@value #DEFAULT_REFRESH_MARGIN_SECONDS} s before, later than the service
 * itself refreshes, so the service has its new token by then), and concurrent callers share one
 * request. {@code invalidate(rejected)} drops the token and makes the next fetch report it to the
 * service's passive-refresh endpoint, which replaces it once however many clients report it; so the
 * {@link io.github.wechatmp.http.AccessTokenInterceptor}'s retry after errcode 40001 gets the
 * service's new token. {@code refresh()} reports the held token in the same way.
 *
 * <h2>Failures</h2>
 *
 * A service that cannot be reached, or answers 5xx, is a {@link
 * io.github.wechatmp.WeChatTransportException} (retried, then held off as a WeChat failure is); if
 * the service reports that WeChat refused it, the {@link io.github.wechatmp.WeChatApiException}
 * carries WeChat's errcode; a refused API key or account (401, 403, 404) is a {@link
 * TokenUnavailableException}. The API key never appears in a message or a log line.
 *
 * <p>The providers are thread-safe; close them when done. They are made by {@link #builder(String,
 * String)}; this class has no instances.
 */
public final class TokenServiceProvider {
  /** The default refresh margin, in seconds: less than the service's own (200 s). */
  public static final long DEFAULT_REFRESH_MARGIN_SECONDS = 100;

  /**
   * The policy of a provider given none: the defaults, but for a refresh margin of {@value
   * #DEFAULT_REFRESH_MARGIN_SECONDS} s and no rejection re-fetch interval. The service bounds
   * re-fetches after rejections itself, once for all its clients (its minimum interval): each
   * rejection is reported to it, not bounded here as well.
   */
  static final RefreshPolicy DEFAULT_POLICY =
      RefreshPolicy.builder()
          .refreshMargin(Duration.ofSeconds(DEFAULT_REFRESH_MARGIN_SECONDS))
          .rejectionRefetchInterval(Duration.ZERO)
          .build();

  private TokenServiceProvider() {}

  /**
   * Returns a builder of a provider reading from the token service at {@code serviceUrl}.
   *
   * @param serviceUrl the service's base URL, such as {@code https://tokens.internal:8700}: https,
   *     or plain http to a loopback address (or anywhere with {@link Builder#allowPlainHttp})
   * @param apiKey the API key the service knows this client by; sent only to the service
   * @return a new builder
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the URL is not http(s), or the key is blank
   */
  public static Builder builder(String serviceUrl, String apiKey) {
    return new Builder(serviceUrl, apiKey);
  }

  /**
   * Configures a provider that reads from the token service. Not thread-safe; {@link #build()} may
   * be called more than once, each time making an independent provider.
   *
   * <p>Defaults of the settings it shares with the other providers' builders ({@link
   * ProviderBuilder}): {@link RefreshPolicy#defaults()} with a refresh margin of {@value
   * #DEFAULT_REFRESH_MARGIN_SECONDS} s and a {@linkplain RefreshPolicy#rejectionRefetchInterval()
   * rejection re-fetch interval} of zero (the service bounds re-fetches after rejections itself,
   * for all its clients; the lock settings do not matter, the lock being this provider's own); an
   * HTTP client with 5 s connect, 10 s read and call timeouts, used with redirects off (they would
   * carry the API key elsewhere); {@link java.time.Clock#systemUTC()}, on which expiry is counted
   * from the service's {@code expires_in}, so the hosts' clocks need not agree; no listener.
   */
  public static final class Builder extends ProviderBuilder<Builder> {
    private final String rawUrl;
    final String apiKey;
    private boolean allowPlainHttp;
    HttpUrl url;
    String appId;

    Builder(String serviceUrl, String apiKey) {
      this.rawUrl = Objects.requireNonNull(serviceUrl, "serviceUrl").strip();
      this.apiKey = Objects.requireNonNull(apiKey, "apiKey").strip();
      if (this.apiKey.isEmpty()) {
        throw new IllegalArgumentException("apiKey must not be blank");
      }
      HttpUrl u = HttpUrl.parse(rawUrl);
      if (u == null) {
        throw new IllegalArgumentException("serviceUrl is not an http or https URL: " + rawUrl);
      }
      this.url = u.encodedPath().endsWith("/") ? u : u.newBuilder().addPathSegment("").build();
    }

    /**
     * The AppID of the account whose token to read. Required.
     *
     * @param appId the AppID, as the service is configured with it
     * @return this builder
     */
    public Builder appId(String appId) {
      this.appId = appId;
      return this;
    }

    /**
     * Allows a plain-http service URL to a host that is not loopback (inside a network that
     * encrypts for you, say). Default false: the API key and tokens would travel in the clear.
     *
     * @param allow true to allow it
     * @return this builder
     */
    public Builder allowPlainHttp(boolean allow) {
      this.allowPlainHttp = allow;
      return this;
    }

    /**
     * Makes the provider. Does no I/O: the first {@link AccessTokenProvider#get()} asks the
     * service.
     *
     * @return a new provider
     * @throws IllegalArgumentException if the AppID is missing or not of WeChat's form, or the URL
     *     is plain http to a host that is not loopback without {@link #allowPlainHttp}
     */
    public AccessTokenProvider build() {
      if (appId == null || appId.isBlank()) {
        throw new IllegalArgumentException("appId is required: the account to read the token of");
      }
      TokenKey.of(appId.strip(), TokenKey.ACCESS_TOKEN); // rejects an AppID of the wrong form
      String host = url.host().toLowerCase(Locale.ROOT);
      boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
      if (!url.isHttps() && !loopback && !allowPlainHttp) {
        throw new IllegalArgumentException(
            "serviceUrl must be https (plain http only to a loopback address, or with "
                + "allowPlainHttp): the API key and tokens travel to it");
      }
      return new ServiceAccessTokenProvider(this);
    }
  }
}

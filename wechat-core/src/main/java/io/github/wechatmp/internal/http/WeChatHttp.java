package io.github.wechatmp.internal.http;

import io.github.wechatmp.http.AccessTokenInterceptor;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * How the SDK talks to WeChat's credential endpoints, whose requests carry the AppSecret or an
 * access token: the HTTP client they use and the base URL they accept. Internal: not part of the
 * API.
 */
public final class WeChatHttp {
  private static final OkHttpClient DEFAULT_CLIENT =
      new OkHttpClient.Builder()
          .connectTimeout(5, TimeUnit.SECONDS)
          .readTimeout(10, TimeUnit.SECONDS)
          .callTimeout(10, TimeUnit.SECONDS)
          .followRedirects(false)
          .followSslRedirects(false)
          .build();

  /**
   * WeChat's own API base URL, parsed once: an {@code HttpUrl} is immutable, and thousands of
   * providers in one JVM should not each hold a copy.
   */
  public static final HttpUrl DEFAULT_API_BASE_URL = HttpUrl.get("https://api.weixin.qq.com/");

  private WeChatHttp() {}

  /**
   * The client for credential requests: the SDK's default, or the user's with redirects off (a
   * redirect would carry the secret or token to wherever it points, a POST body included) and
   * without the SDK's {@code AccessTokenInterceptor} (these requests carry their own credentials).
   * It shares the user's connection pool and dispatcher.
   */
  public static OkHttpClient credentialClient(OkHttpClient userClient) {
    if (userClient == null) {
      return DEFAULT_CLIENT;
    }
    OkHttpClient.Builder b =
        userClient.newBuilder().followRedirects(false).followSslRedirects(false);
    b.interceptors().removeIf(i -> i instanceof AccessTokenInterceptor);
    return b.build();
  }

  /**
   * Parses WeChat's API base URL: https, or plain http to a loopback address only (tests, local
   * stand-ins), since the AppSecret travels to it. A missing trailing {@code /} is added.
   *
   * @throws NullPointerException if {@code baseUrl} is null
   * @throws IllegalArgumentException if it is not such a URL
   */
  public static HttpUrl apiBaseUrl(String baseUrl) {
    Objects.requireNonNull(baseUrl, "apiBaseUrl");
    if (baseUrl.equals(DEFAULT_API_BASE_URL.toString())) {
      return DEFAULT_API_BASE_URL; // one copy for every provider of the JVM that names WeChat's
    }
    HttpUrl url = HttpUrl.parse(baseUrl);
    if (url == null) {
      throw new IllegalArgumentException("apiBaseUrl is not an http or https URL: " + baseUrl);
    }
    if (!url.isHttps() && !isLoopback(url.host())) {
      throw new IllegalArgumentException(
          "apiBaseUrl must be https (plain http only to a loopback address): "
              + "the AppSecret and tokens travel to it");
    }
    return url.encodedPath().endsWith("/") ? url : url.newBuilder().addPathSegment("").build();
  }

  /**
   * The canonical text of the base URL {@link #apiBaseUrl(String)} accepted, as a provider keeps
   * it: {@code baseUrl} itself when it is already canonical, so that thousands of providers given
   * one literal share one string rather than each holding a parsed URL (about 250 bytes).
   */
  public static String canonicalText(String baseUrl, HttpUrl parsed) {
    String text = parsed.toString();
    return text.equals(baseUrl) ? baseUrl : text;
  }

  /** The base URL of {@link #canonicalText}, parsed: WeChat's own is parsed once for the JVM. */
  public static HttpUrl parsed(String canonicalText) {
    return canonicalText.equals(DEFAULT_API_BASE_URL.toString())
        ? DEFAULT_API_BASE_URL
        : HttpUrl.get(canonicalText);
  }

  private static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
  }
}

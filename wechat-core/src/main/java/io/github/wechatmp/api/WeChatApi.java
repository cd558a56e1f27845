package io.github.wechatmp.api;

import io.github.wechatmp.internal.http.WeChatHttp;
import io.github.wechatmp.token.AccessTokenProvider;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * Calls any WeChat API endpoint with the account's access token, and turns WeChat's errors into
 * exceptions. An interface, so that tests of the application can mock it; instances are made by
 * {@link #builder()}. Thread-safe: make one per account and share it.
 *
 * <pre>{@code
 * WeChatApi api = WeChatApi.builder().tokens(tokens).build();
 * Map<?, ?> ips = api.get("cgi-bin/get_api_domain_ip", Map.of(), Map.class);
 * long msgId = api.templates().send(TemplateMessage.of(openId, templateId, Map.of("name", "Ann")));
 * }</pre>
 *
 * <h2>Any endpoint</h2>
 *
 * {@code path} is relative to the API base URL ({@code https://api.weixin.qq.com/}, or the
 * provider's), with or without a leading {@code /}, and may carry a query string of its own; never
 * put an {@code access_token} in it. A {@code body} is a {@link Map} (immutable ones too), a
 * record, a {@link java.util.List}, or a JSON {@link String} sent as it is. The result {@code type}
 * is a record (its components named as WeChat's fields, or annotated with {@code
 * com.squareup.moshi.Json}), {@code Map.class} (numbers are {@code Double}s), or {@code
 * String.class} (the JSON as received). Records of the application must be readable by Moshi: on
 * the module path, open their package to {@code com.squareup.moshi}.
 *
 * <h2>Errors and retries</h2>
 *
 * <ul>
 *   <li>An answer whose {@code errcode} is not 0 is a {@link io.github.wechatmp.WeChatApiException}
 *       with WeChat's {@code errcode} and {@code errmsg}, whatever the result type: a {@code Map}
 *       or {@code String} holding an error is never returned.
 *   <li>A token WeChat rejects (40001, 40014, 42001) is reported to the provider and the call is
 *       sent once more with a fresh token, by the SDK's {@link
 *       io.github.wechatmp.http.AccessTokenInterceptor}; a second rejection is an {@link
 *       io.github.wechatmp.http.AccessTokenRejectedException}.
 *   <li>{@code -1} (system busy) is retried after a jittered pause, at most {@link
 *       Builder#busyRetries(int) busyRetries} times (2 by default).
 *   <li>Quota and rate errors ({@link io.github.wechatmp.WeChatApiException#DAILY_QUOTA_EXCEEDED
 *       45009}, {@link io.github.wechatmp.WeChatApiException#API_RATE_LIMITED 45011}) and the
 *       customer service window and count errors ({@link
 *       io.github.wechatmp.WeChatApiException#CUSTOMER_SERVICE_WINDOW_CLOSED 45015}, {@link
 *       io.github.wechatmp.WeChatApiException#CUSTOMER_SERVICE_MESSAGE_LIMIT 45047}) are never
 *       retried: switch on {@code errorCode()}.
 *   <li>No answer, an HTTP status other than 200, or an answer that is not JSON (a proxy's HTML
 *       error page) is a {@link io.github.wechatmp.WeChatTransportException} naming the path, the
 *       status and the content type.
 *   <li>A body or query the SDK cannot send, and a typed call's arguments outside WeChat's limits,
 *       are an {@link IllegalArgumentException} before anything is sent.
 * </ul>
 *
 * <h2>Async</h2>
 *
 * {@link #getAsync} and {@link #postAsync} never block the calling thread: the token comes through
 * {@link AccessTokenProvider#getAsync()}, the request through OkHttp's {@code enqueue}, and the
 * future completes on OkHttp's dispatcher thread (a busy retry's pause on the common pool's timer)
 * with the result or with the exception the blocking form would throw. Give blocking work that
 * depends on it an executor of the application's.
 */
public interface WeChatApi {

  /**
   * Sends a {@code GET} to {@code path} with {@code query} and the access token, and reads WeChat's
   * JSON answer as {@code type}.
   *
   * @param path the endpoint, relative to the API base URL, such as {@code cgi-bin/user/info}
   * @param query query parameters (values are sent as their {@code toString()}); may be empty, not
   *     null
   * @param type a record, {@code Map.class} or {@code String.class}
   * @param <T> the result type
   * @return the answer, never null
   * @throws io.github.wechatmp.WeChatApiException if WeChat answered with an errcode other than 0
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be reached or did not
   *     answer with JSON
   * @throws IllegalArgumentException if {@code path} or {@code query} cannot be sent
   */
  <T> T get(String path, Map<String, ?> query, Class<T> type);

  /**
   * Sends a {@code POST} of {@code body} as JSON to {@code path} with the access token, and reads
   * WeChat's JSON answer as {@code type}.
   *
   * @param path the endpoint, relative to the API base URL, such as {@code
   *     cgi-bin/message/template/send}
   * @param body a {@code Map}, a record, a {@code List}, or a JSON {@code String} sent as it is
   * @param type a record, {@code Map.class} or {@code String.class}
   * @param <T> the result type
   * @return the answer, never null
   * @throws io.github.wechatmp.WeChatApiException if WeChat answered with an errcode other than 0
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be reached or did not
   *     answer with JSON
   * @throws IllegalArgumentException if {@code path} or {@code body} cannot be sent
   */
  <T> T post(String path, Object body, Class<T> type);

  /**
   * {@link #get} without blocking the calling thread.
   *
   * @param path as for {@link #get}
   * @param query as for {@link #get}
   * @param type as for {@link #get}
   * @param <T> the result type
   * @return a future of the answer, completed exceptionally with what {@link #get} would throw
   */
  <T> CompletableFuture<T> getAsync(String path, Map<String, ?> query, Class<T> type);

  /**
   * {@link #post} without blocking the calling thread.
   *
   * @param path as for {@link #post}
   * @param body as for {@link #post}
   * @param type as for {@link #post}
   * @param <T> the result type
   * @return a future of the answer, completed exceptionally with what {@link #post} would throw
   */
  <T> CompletableFuture<T> postAsync(String path, Object body, Class<T> type);

  /**
   * Uploads {@code file} as a {@code multipart/form-data} part named {@code field}, with its file
   * name and content type, and reads WeChat's JSON answer as {@code type}. The file is streamed
   * from disk, never held in memory whole.
   *
   * @param path the endpoint, such as {@code cgi-bin/media/upload}
   * @param query query parameters, such as {@code type=image}
   * @param field the part's name, such as {@code media}
   * @param file the file
   * @param type a record, {@code Map.class} or {@code String.class}
   * @param <T> the result type
   * @return the answer, never null
   * @throws io.github.wechatmp.WeChatApiException if WeChat answered with an errcode other than 0
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be reached or did not
   *     answer with JSON
   */
  <T> T upload(String path, Map<String, ?> query, String field, MediaFile file, Class<T> type);

  /**
   * Sends a {@code GET} and returns the answer's body as a stream, for media and images: nothing is
   * held in memory beyond OkHttp's buffer. An answer that is JSON is read as WeChat's error and
   * thrown. {@code path} may also be an absolute {@code https} URL (such as a QR code's image or a
   * video's download URL), which gets a token only if its host is one of WeChat's API hosts.
   *
   * @param path the endpoint relative to the API base URL, or an absolute URL
   * @param query query parameters
   * @return the open stream; the caller must close it
   * @throws io.github.wechatmp.WeChatApiException if WeChat answered with an errcode
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be reached or answered
   *     with an HTTP status other than 200, or with JSON that is not an error
   */
  Download download(String path, Map<String, ?> query);

  /**
   * Template messages ({@code cgi-bin/message/template/send}) and subscribe messages ({@code
   * cgi-bin/message/subscribe/bizsend}).
   *
   * @return the typed calls, over this client
   */
  default TemplateMessages templates() {
    return new TemplateMessages(this);
  }

  /**
   * The custom menu and conditional menus.
   *
   * @return the typed calls, over this client
   */
  default Menus menus() {
    return new Menus(this);
  }

  /**
   * Users: their information, one at a time or in batches, and the follower list.
   *
   * @return the typed calls, over this client
   */
  default Users users() {
    return new Users(this);
  }

  /**
   * User tags.
   *
   * @return the typed calls, over this client
   */
  default Tags tags() {
    return new Tags(this);
  }

  /**
   * QR codes with a scene, temporary and permanent, and their images.
   *
   * @return the typed calls, over this client
   */
  default QrCodes qrCodes() {
    return new QrCodes(this, QrCodes.WECHAT_IMAGE_BASE_URL);
  }

  /**
   * Customer service messages of every type and the typing status.
   *
   * @return the typed calls, over this client
   */
  default CustomerService customerService() {
    return new CustomerService(this);
  }

  /**
   * Temporary media: upload with WeChat's limits checked first, and streamed download.
   *
   * @return the typed calls, over this client
   */
  default Media media() {
    return new Media(this);
  }

  /**
   * Returns a builder; {@link Builder#tokens(AccessTokenProvider)} is required.
   *
   * @return a new builder
   */
  static Builder builder() {
    return new Builder();
  }

  /** An answer's body being streamed; close it to free the connection. */
  interface Download extends AutoCloseable {
    /**
     * Returns the body as a stream, read once.
     *
     * @return the stream
     */
    InputStream stream();

    /**
     * Returns the answer's content type.
     *
     * @return such as {@code image/jpeg}, or {@code application/octet-stream} when none was given
     */
    String contentType();

    /**
     * Returns the file name from the answer's {@code Content-Disposition}, if any.
     *
     * @return the file name, or null
     */
    String filename();

    /**
     * Returns the body's length, if the answer gave it.
     *
     * @return the length in bytes, or -1
     */
    long contentLength();

    /** Closes the stream and frees the connection. Idempotent; never throws. */
    @Override
    void close();
  }

  /**
   * Configures a {@link WeChatApi}. Not thread-safe; {@link #build()} may be called more than once.
   */
  final class Builder {
    AccessTokenProvider tokens;
    OkHttpClient httpClient;
    HttpUrl apiBaseUrl;
    HttpUrl imageBaseUrl = QrCodes.WECHAT_IMAGE_BASE_URL;
    int busyRetries = 2;
    Duration busyBackoff = Duration.ofMillis(200);

    Builder() {}

    /**
     * The account's token provider. Required.
     *
     * @param tokens the provider; its {@linkplain AccessTokenProvider#apiBaseUrl() API base URL} is
     *     the default base of every call
     * @return this builder
     * @throws NullPointerException if {@code tokens} is null
     */
    public Builder tokens(AccessTokenProvider tokens) {
      this.tokens = Objects.requireNonNull(tokens, "tokens");
      return this;
    }

    /**
     * The HTTP client to build on (its connection pool, dispatcher and timeouts are shared). The
     * SDK adds its {@link io.github.wechatmp.http.AccessTokenInterceptor} and turns redirects off
     * (a redirect would carry the token elsewhere); any token interceptor of the client's is
     * replaced. Default: a client with a 5 s connect, 15 s read and 30 s call timeout.
     *
     * @param httpClient the client
     * @return this builder
     * @throws NullPointerException if {@code httpClient} is null
     */
    public Builder httpClient(OkHttpClient httpClient) {
      this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
      return this;
    }

    /**
     * The base URL of WeChat's API. Default: the provider's {@link
     * AccessTokenProvider#apiBaseUrl()}, so a provider pointed at a stand-in or proxy takes its
     * calls along.
     *
     * @param apiBaseUrl an https URL (plain http only to a loopback address); a missing trailing
     *     {@code /} is added
     * @return this builder
     * @throws NullPointerException if {@code apiBaseUrl} is null
     * @throws IllegalArgumentException if it is not such a URL
     */
    public Builder apiBaseUrl(String apiBaseUrl) {
      this.apiBaseUrl = WeChatHttp.apiBaseUrl(apiBaseUrl);
      return this;
    }

    /**
     * The base URL QR code images are downloaded from. Default {@code https://mp.weixin.qq.com/};
     * tests point it at the stand-in.
     *
     * @param imageBaseUrl an https URL (plain http only to a loopback address)
     * @return this builder
     * @throws NullPointerException if {@code imageBaseUrl} is null
     * @throws IllegalArgumentException if it is not such a URL
     */
    public Builder imageBaseUrl(String imageBaseUrl) {
      this.imageBaseUrl = WeChatHttp.apiBaseUrl(imageBaseUrl);
      return this;
    }

    /**
     * How many times a call answered with {@code -1} (system busy) is sent again. Default 2.
     *
     * @param busyRetries between 0 and 5
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder busyRetries(int busyRetries) {
      if (busyRetries < 0 || busyRetries > 5) {
        throw new IllegalArgumentException("busyRetries must be between 0 and 5: " + busyRetries);
      }
      this.busyRetries = busyRetries;
      return this;
    }

    /**
     * The pause before the first busy retry; each further one doubles it, and each is jittered
     * between half and one and a half times. Default 200 ms.
     *
     * @param busyBackoff between zero and 10 seconds
     * @return this builder
     * @throws NullPointerException if {@code busyBackoff} is null
     * @throws IllegalArgumentException if out of range
     */
    public Builder busyBackoff(Duration busyBackoff) {
      Objects.requireNonNull(busyBackoff, "busyBackoff");
      if (busyBackoff.isNegative() || busyBackoff.compareTo(Duration.ofSeconds(10)) > 0) {
        throw new IllegalArgumentException(
            "busyBackoff must be between 0 and 10 s: " + busyBackoff);
      }
      this.busyBackoff = busyBackoff;
      return this;
    }

    /**
     * Makes the client. Does no I/O.
     *
     * @return a new client
     * @throws IllegalStateException if no {@link #tokens(AccessTokenProvider) tokens} were given
     */
    public WeChatApi build() {
      if (tokens == null) {
        throw new IllegalStateException("WeChatApi.builder() needs tokens(AccessTokenProvider)");
      }
      return new ApiClient(this);
    }
  }
}

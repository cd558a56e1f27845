package io.github.wechatmp.token;

import io.github.wechatmp.internal.http.WeChatHttp;
import io.github.wechatmp.internal.refresh.RefreshOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * Gives out WeChat's global {@code access_token}: cached in memory, shared with every other
 * instance of the application through a {@link TokenStore}, refreshed before it expires, and
 * fetched from WeChat by exactly one caller at a time across threads, providers, processes and
 * hosts.
 *
 * <h2>How the token is kept fresh</h2>
 *
 * A token fetched with lifetime {@code expires_in} (7200 s) expires at receipt time plus that. From
 * {@code expiresAt - refreshMargin} (200 s by default) it is <em>due</em>: the first {@link #get()}
 * after that starts one refresh in the background and every caller goes on getting the still-valid
 * token at once. Only when no usable token exists (none yet, invalidated, or within {@code
 * expiryMargin}, 30 s by default, of expiry) do callers block, all on that same refresh, and share
 * its result or its error. Between processes the store's refresh lock makes it one fetch in all:
 * after taking it, the provider re-reads the store and adopts a token another instance fetched.
 *
 * <h2>Failures</h2>
 *
 * WeChat's "system busy" ({@code errcode -1}) and transport failures are retried with a short,
 * jittered backoff. Configuration errors (a wrong AppSecret, an IP not whitelisted, a used-up
 * quota) are not. After a failed refresh, further fetches are held off for a growing interval (1 s,
 * doubling, at most 2 minutes) so that a broken configuration cannot burn the daily quota of 2000
 * calls; during that interval callers get the still-valid token if there is one, else the last
 * error at once.
 *
 * <p>All methods are thread-safe. A provider owns a daemon thread for background refreshes; close
 * it when done with it. Instances are made by {@link #builder()}.
 */
public interface AccessTokenProvider extends AutoCloseable {

  /**
   * Returns a valid token: from memory when fresh (no lock, no I/O, no allocation), else from the
   * store, else from WeChat. Thread-safe; blocks only when no usable token is held.
   *
   * @return the token to use, never null
   * @throws io.github.wechatmp.WeChatApiException if WeChat refused to issue a token and none
   *     usable is held
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be reached and none
   *     usable is held
   * @throws TokenUnavailableException if another instance held the refresh lock too long, or the
   *     store failed, and no usable token is held
   * @throws IllegalStateException if the provider is closed
   */
  AccessToken get();

  /**
   * Returns what the provider knows about its token now, for a health check or a metrics gauge: its
   * state on the timeline, its expiry, the last successful refresh, and the failures since. Never
   * blocks, never asks WeChat or the store, never throws (also after {@link #close()}, when it
   * reports {@link TokenStatus.State#NONE}). Thread-safe.
   *
   * @return a snapshot taken now, by the provider's clock
   */
  TokenStatus status();

  /**
   * Returns a token newer than the one held now, fetched from WeChat unless another instance
   * already replaced it in the store (single-flight, through the store, like {@link #get()}). With
   * {@linkplain Builder#stableToken(boolean) stable tokens} this sends {@code force_refresh: true},
   * which voids the previous stable token and which WeChat limits to 20 calls a day, at least 30 s
   * apart: call it only when a token is known to be bad, and prefer {@link #invalidate(String)}.
   * Thread-safe; blocks until the new token is there or the refresh failed.
   *
   * @return the new token, never null
   * @throws io.github.wechatmp.WeChatException as {@link #get()} does, even if an older token is
   *     held
   * @throws IllegalStateException if the provider is closed
   */
  AccessToken refresh();

  /**
   * Reports that WeChat rejected {@code rejectedToken} (errcode 40001, 40014 or 42001 on an API
   * call). If it is the token held, it is dropped from memory, and from the store only if the store
   * still holds that very value (compare-and-invalidate), so an instance holding an old token never
   * wipes a newer one. The next {@link #get()} then fetches or adopts a new token. Reporting a
   * token that was already replaced does nothing. A store failure is logged, not thrown.
   * Thread-safe; never throws, and does no I/O but the store's compare-and-invalidate.
   *
   * @param rejectedToken the token value that WeChat rejected; null or blank is ignored
   */
  void invalidate(String rejectedToken);

  /**
   * Returns the AppID whose tokens this provider gives out. Thread-safe; never throws.
   *
   * @return the AppID, as given to the builder less surrounding white space
   */
  String appId();

  /**
   * Returns the base URL of WeChat's API this provider fetches tokens from, so that API calls made
   * with its tokens go to the same place (a stand-in or proxy set with {@link
   * Builder#apiBaseUrl(String)}). Thread-safe; never throws.
   *
   * @return the base URL, ending in {@code /}; {@code https://api.weixin.qq.com/} unless the
   *     builder was given another
   */
  default HttpUrl apiBaseUrl() {
    return HttpUrl.get("https://api.weixin.qq.com/");
  }

  /**
   * Stops the background refresh thread and the store subscription. Idempotent and thread-safe;
   * never throws. Afterwards {@link #get()} and {@link #refresh()} throw {@link
   * IllegalStateException}.
   */
  @Override
  void close();

  /**
   * Returns a builder with the defaults described on each of its methods.
   *
   * @return a new builder
   */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Configures an {@link AccessTokenProvider}. Not thread-safe; {@link #build()} may be called more
   * than once, each time making an independent provider.
   */
  final class Builder {
    String appId;
    String appSecret;
    HttpUrl apiBaseUrl = HttpUrl.get("https://api.weixin.qq.com/");
    boolean stableToken;
    OkHttpClient httpClient;
    final RefreshOptions options = new RefreshOptions();

    Builder() {}

    /**
     * The account's AppID. Required; checked by {@link #build()}.
     *
     * @param appId the AppID, such as {@code wx0123456789abcdef}
     * @return this builder
     */
    public Builder appId(String appId) {
      this.appId = appId;
      return this;
    }

    /**
     * The account's AppSecret. Required; checked by {@link #build()}. It is sent only to WeChat's
     * token endpoint and never logged.
     *
     * @param appSecret the AppSecret
     * @return this builder
     */
    public Builder appSecret(String appSecret) {
      this.appSecret = appSecret;
      return this;
    }

    /**
     * Where tokens are shared. Default: a new {@link InMemoryTokenStore} for this provider alone.
     *
     * @param store the store; the provider does not close it
     * @return this builder
     * @throws NullPointerException if {@code store} is null
     */
    public Builder store(TokenStore store) {
      options.store(store);
      return this;
    }

    /**
     * How long before expiry a token becomes due and a background refresh starts. Default 200 s.
     * For tokens that live less than twice this long, half their lifetime is used instead.
     *
     * @param refreshMargin between zero and one day
     * @return this builder
     * @throws NullPointerException if {@code refreshMargin} is null
     * @throws IllegalArgumentException if it is negative or longer than a day
     */
    public Builder refreshMargin(Duration refreshMargin) {
      options.refreshMargin(refreshMargin);
      return this;
    }

    /**
     * How long before expiry a token stops being served, so that callers block on a refresh rather
     * than send a token that expires in flight. Default 30 s. For tokens this provider fetched that
     * live less than four times this long, a quarter of their lifetime is used instead; but a token
     * read from the store, whose lifetime is unknown, is adopted only while more than this margin
     * of it remains. With tokens that live minutes rather than WeChat's two hours (a test
     * stand-in), set both margins to fit them, or instances sharing a store will each fetch their
     * own.
     *
     * @param expiryMargin between zero and one day
     * @return this builder
     * @throws NullPointerException if {@code expiryMargin} is null
     * @throws IllegalArgumentException if it is negative or longer than a day
     */
    public Builder expiryMargin(Duration expiryMargin) {
      options.expiryMargin(expiryMargin);
      return this;
    }

    /**
     * The base URL of WeChat's API, ending in {@code /}. Default {@code
     * https://api.weixin.qq.com/}; change it for a regional endpoint, a proxy, or a test server.
     *
     * @param apiBaseUrl an https URL (plain http only to a loopback address, since the AppSecret
     *     travels to it); a missing trailing {@code /} is added
     * @return this builder
     * @throws NullPointerException if {@code apiBaseUrl} is null
     * @throws IllegalArgumentException if it is not such a URL
     */
    public Builder apiBaseUrl(String apiBaseUrl) {
      this.apiBaseUrl = WeChatHttp.apiBaseUrl(apiBaseUrl);
      return this;
    }

    /**
     * Whether to use {@code cgi-bin/stable_token} (POST JSON, secret in the body) instead of {@code
     * cgi-bin/token}. Default false. The two are distinct credentials at WeChat and are stored
     * under distinct keys.
     *
     * @param stableToken true for {@code cgi-bin/stable_token}
     * @return this builder
     */
    public Builder stableToken(boolean stableToken) {
      this.stableToken = stableToken;
      return this;
    }

    /**
     * The client for WeChat's token endpoints. Default: a client with a 5 s connect, 10 s read and
     * 10 s call timeout. A client of the application's is used with redirects turned off (a
     * redirect would carry the AppSecret elsewhere) and is not closed by the provider. With the
     * classic endpoint the AppSecret is in the request URL, as WeChat defines it: keep logging
     * interceptors that print URLs off this client, or use {@linkplain #stableToken(boolean) stable
     * tokens}.
     *
     * @param httpClient the client to use
     * @return this builder
     * @throws NullPointerException if {@code httpClient} is null
     */
    public Builder httpClient(OkHttpClient httpClient) {
      this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
      return this;
    }

    /**
     * The clock that decides expiry. Default {@link Clock#systemUTC()}; tests inject their own.
     *
     * @param clock the clock
     * @return this builder
     * @throws NullPointerException if {@code clock} is null
     */
    public Builder clock(Clock clock) {
      options.clock(clock);
      return this;
    }

    /**
     * How long the store's refresh lock lasts if its holder never releases it (it crashed). Default
     * 10 s. A fetch that would outlast the lease is cut short, so that no two instances fetch at
     * once.
     *
     * @param lockLease positive, at most 10 minutes
     * @return this builder
     * @throws NullPointerException if {@code lockLease} is null
     * @throws IllegalArgumentException if it is not positive or longer than 10 minutes
     */
    public Builder lockLease(Duration lockLease) {
      options.lockLease(lockLease);
      return this;
    }

    /**
     * How long to wait for the refresh lock another instance holds. Default 12 s, longer than the
     * lease, so that a crashed holder is taken over within one wait. On timeout a still-valid token
     * is served; with none, {@link TokenUnavailableException} is thrown. The provider never fetches
     * without the lock.
     *
     * @param lockWait between zero and 10 minutes
     * @return this builder
     * @throws NullPointerException if {@code lockWait} is null
     * @throws IllegalArgumentException if it is negative or longer than 10 minutes
     */
    public Builder lockWait(Duration lockWait) {
      options.lockWait(lockWait);
      return this;
    }

    /**
     * How many times a fetch is retried after "system busy" or a transport failure. Default 2.
     *
     * @param maxRetries between 0 and 10
     * @return this builder
     * @throws IllegalArgumentException if it is negative or more than 10
     */
    public Builder maxRetries(int maxRetries) {
      options.maxRetries(maxRetries);
      return this;
    }

    /**
     * The first retry's pause; it doubles with each retry and is jittered. Default 200 ms.
     *
     * @param retryBackoff between zero and one minute
     * @return this builder
     * @throws NullPointerException if {@code retryBackoff} is null
     * @throws IllegalArgumentException if it is negative or longer than a minute
     */
    public Builder retryBackoff(Duration retryBackoff) {
      options.retryBackoff(retryBackoff);
      return this;
    }

    /**
     * The longest hold-off between failed refreshes (1 s after the first, doubling). Default 2 min.
     *
     * @param failureHoldOffMax positive, at most one day
     * @return this builder
     * @throws NullPointerException if {@code failureHoldOffMax} is null
     * @throws IllegalArgumentException if it is not positive or longer than a day
     */
    public Builder failureHoldOffMax(Duration failureHoldOffMax) {
      options.failureHoldOffMax(failureHoldOffMax);
      return this;
    }

    /**
     * Receives token events for logs and metrics. Default: none.
     *
     * @param listener the listener; see {@link TokenEventListener} for the threads it is called on
     * @return this builder
     * @throws NullPointerException if {@code listener} is null
     */
    public Builder eventListener(TokenEventListener listener) {
      options.listener(listener);
      return this;
    }

    /**
     * Makes the provider. Does no I/O: the first {@link AccessTokenProvider#get()} fetches.
     *
     * @return a new provider, which owns a daemon thread until it is closed
     * @throws IllegalArgumentException if the AppID or AppSecret is missing or blank, or the AppID
     *     is not of WeChat's form
     */
    public AccessTokenProvider build() {
      if (appId == null || appId.isBlank()) {
        throw new IllegalArgumentException(
            "appId is required: the AppID from the WeChat Official Account platform");
      }
      if (appSecret == null || appSecret.isBlank()) {
        throw new IllegalArgumentException(
            "appSecret is required: the AppSecret of app " + appId.strip());
      }
      TokenKey.of(appId.strip(), TokenKey.ACCESS_TOKEN); // rejects an AppID of the wrong form
      return new CachingAccessTokenProvider(this);
    }
  }
}

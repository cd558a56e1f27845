package io.github.wechatmp.jssdk;

import io.github.wechatmp.http.AccessTokenInterceptor;
import io.github.wechatmp.internal.http.WeChatHttp;
import io.github.wechatmp.internal.refresh.RefreshOptions;
import io.github.wechatmp.internal.refresh.RefreshingCache;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.TokenEventListener;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStatus;
import io.github.wechatmp.token.TokenStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * Gives out the JS-SDK {@code jsapi_ticket} ({@code cgi-bin/ticket/getticket?type=jsapi}), kept
 * exactly as {@link AccessTokenProvider} keeps the access token: by the same refresh engine, cached
 * in memory, shared through a {@link TokenStore} under its own key ({@code appId:jsapi_ticket}),
 * refreshed in the background before it expires, and fetched by one caller at a time across
 * threads, providers and (with a shared store) processes. WeChat limits getticket calls per day, so
 * the ticket must be cached; give this provider the same store as the access token provider so that
 * a cluster fetches one ticket, not one per instance.
 *
 * <p>The ticket is fetched with the access token of the given {@link AccessTokenProvider}. If
 * WeChat answers getticket with 40001, 40014 or 42001, that access token is {@linkplain
 * AccessTokenProvider#invalidate(String) invalidated} and getticket is asked once more with a fresh
 * one; a second rejection fails the refresh.
 *
 * <p>Failures, retries and hold-off are the access token provider's: see {@link
 * AccessTokenProvider}. All methods are thread-safe. The provider owns a daemon thread for
 * background refreshes; close it when done. Closing it does not close the access token provider.
 */
public final class JsapiTicketProvider implements AutoCloseable {
  private final String appId;
  private final RefreshingCache cache;
  private volatile JsapiTicket last;

  private JsapiTicketProvider(Builder b) {
    this.appId = b.tokens.appId();
    OkHttpClient client = WeChatHttp.credentialClient(b.httpClient);
    GetTicketEndpoint endpoint =
        new GetTicketEndpoint(client, b.apiBaseUrl, b.tokens, b.options.clock());
    this.cache =
        RefreshingCache.builder()
            .key(TokenKey.of(appId, TokenKey.JSAPI_TICKET))
            .fetcher(endpoint)
            .options(b.options)
            .build();
  }

  /**
   * Returns a builder; only {@link Builder#accessTokenProvider} is required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a valid ticket: from memory when fresh (no lock, no I/O), else from the store, else
   * from WeChat. Thread-safe; blocks only when no usable ticket is held.
   *
   * @return the ticket to sign with, never null
   * @throws io.github.wechatmp.WeChatApiException if WeChat refused to issue a ticket (or an access
   *     token) and no usable ticket is held
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be reached and no
   *     usable ticket is held
   * @throws io.github.wechatmp.token.TokenUnavailableException if the store failed or its lock was
   *     held too long, and no usable ticket is held
   * @throws IllegalStateException if the provider is closed
   */
  public JsapiTicket get() {
    return wrap(cache.get());
  }

  /**
   * Returns what the provider knows about its ticket now, for a health check or a metrics gauge.
   * Never blocks, never asks WeChat or the store, never throws (also after {@link #close()}, when
   * it reports {@link TokenStatus.State#NONE}). Thread-safe.
   *
   * @return a snapshot taken now, by the provider's clock
   */
  public TokenStatus status() {
    return cache.status();
  }

  /**
   * Returns a ticket newer than the one held now, fetched from WeChat unless another instance
   * already replaced it in the store. Call it only when a ticket is known to be bad; prefer {@link
   * #invalidate(String)}. Thread-safe; blocks until the new ticket is there or the refresh failed.
   *
   * @return the new ticket, never null
   * @throws io.github.wechatmp.WeChatException as {@link #get()} does, even if an older ticket is
   *     held
   * @throws IllegalStateException if the provider is closed
   */
  public JsapiTicket refresh() {
    return wrap(cache.refresh());
  }

  /**
   * Reports that {@code rejectedTicket} no longer works (pages signed with it fail {@code
   * wx.config} with "invalid signature" although the URL is right). If it is the ticket held, it is
   * dropped from memory and, if still there, from the store; the next {@link #get()} fetches or
   * adopts a new one. A store failure is logged, not thrown. Thread-safe; never throws.
   *
   * @param rejectedTicket the ticket value; null or blank is ignored
   */
  public void invalidate(String rejectedTicket) {
    cache.invalidate(rejectedTicket);
  }

  /**
   * Returns the AppID whose tickets this provider gives out. Never throws.
   *
   * @return the AppID of the access token provider
   */
  public String appId() {
    return appId;
  }

  /**
   * Stops the background refresh thread and the store subscription. Idempotent and thread-safe;
   * never throws. Afterwards {@link #get()} and {@link #refresh()} throw {@link
   * IllegalStateException}.
   */
  @Override
  public void close() {
    cache.close();
  }

  private JsapiTicket wrap(AccessToken credential) {
    JsapiTicket l = last;
    if (l != null && l.credential() == credential) {
      return l;
    }
    l = new JsapiTicket(credential);
    last = l;
    return l;
  }

  @Override
  public String toString() {
    return "JsapiTicketProvider{" + cache.key() + '}';
  }

  /**
   * Configures a {@link JsapiTicketProvider}; the defaults are those of {@link
   * AccessTokenProvider.Builder}. Not thread-safe; {@link #build()} may be called more than once,
   * each time making an independent provider.
   */
  public static final class Builder {
    AccessTokenProvider tokens;
    HttpUrl apiBaseUrl = HttpUrl.get("https://api.weixin.qq.com/");
    OkHttpClient httpClient;
    final RefreshOptions options = new RefreshOptions();

    Builder() {}

    /**
     * The provider of the access token getticket is called with. Required; not closed by this
     * provider.
     *
     * @param tokens the access token provider of the same account
     * @return this builder
     * @throws NullPointerException if {@code tokens} is null
     */
    public Builder accessTokenProvider(AccessTokenProvider tokens) {
      this.tokens = Objects.requireNonNull(tokens, "accessTokenProvider");
      return this;
    }

    /**
     * Where tickets are shared: pass the access token provider's store. Default: a new {@link
     * InMemoryTokenStore} for this provider alone.
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
     * The base URL of WeChat's API, ending in {@code /}. Default {@code
     * https://api.weixin.qq.com/}.
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
     * The client for getticket. Default: 5 s connect, 10 s read and call timeouts. An {@link
     * AccessTokenInterceptor} on it is left out for getticket, which carries its own token.
     *
     * @param httpClient the client to use; the provider does not close it
     * @return this builder
     * @throws NullPointerException if {@code httpClient} is null
     */
    public Builder httpClient(OkHttpClient httpClient) {
      this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
      return this;
    }

    /**
     * The clock that decides expiry. Default {@link Clock#systemUTC()}.
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
     * How long before expiry a background refresh starts. Default 200 s.
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
     * How long before expiry a ticket stops being served. Default 30 s.
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
     * The lease of the store's refresh lock. Default 10 s.
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
     * The longest wait for the refresh lock another instance holds. Default 12 s.
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
     * Retries after "system busy" or a transport failure. Default 2; at most 10.
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
     * The first retry's pause, doubling and jittered. Default 200 ms.
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
     * The longest hold-off between failed refreshes. Default 2 min.
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
     * Receives ticket events (with key kind {@code jsapi_ticket}). Default: none.
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
     * Makes the provider. Does no I/O.
     *
     * @return a new provider, which owns a daemon thread until it is closed
     * @throws IllegalArgumentException if no access token provider was given
     */
    public JsapiTicketProvider build() {
      if (tokens == null) {
        throw new IllegalArgumentException(
            "accessTokenProvider is required: getticket needs an access token");
      }
      return new JsapiTicketProvider(this);
    }
  }
}

package io.github.wechatmp.jssdk;

import io.github.wechatmp.internal.http.WeChatHttp;
import io.github.wechatmp.internal.refresh.CacheHolder;
import io.github.wechatmp.internal.refresh.RefreshingCache;
import io.github.wechatmp.internal.refresh.SharedFuture;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.ProviderBuilder;
import io.github.wechatmp.token.RefreshPolicy;
import io.github.wechatmp.token.TokenEventListener;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStatus;
import io.github.wechatmp.token.TokenStore;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
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
 * AccessTokenProvider}, and so are its threads: it owns none. All methods are thread-safe. Close it
 * when done; closing it does not close the access token provider.
 */
public final class JsapiTicketProvider implements AutoCloseable {
  private final String appId;
  private final TokenKey key;
  private final RefreshingCache cache;
  private volatile Wrapped last;

  /** The ticket made of the last credential handed out, and a shared future of it. */
  private static final class Wrapped {
    final AccessToken credential;
    final JsapiTicket ticket;
    final CompletableFuture<JsapiTicket> future;

    Wrapped(AccessToken credential) {
      this.credential = credential;
      this.ticket = new JsapiTicket(credential);
      this.future = SharedFuture.completed(ticket);
    }
  }

  private JsapiTicketProvider(Builder b) {
    this.appId = b.tokens.appId();
    // The access token provider's store and policy, and where it was pointed (a stand-in, a proxy,
    // a client of the application's), are this one's too, unless told otherwise.
    RefreshingCache parent =
        b.tokens instanceof CacheHolder ? ((CacheHolder) b.tokens).cache() : null;
    OkHttpClient client =
        WeChatHttp.credentialClient(
            b.httpClientGiven() != null
                ? b.httpClientGiven()
                : b.tokens instanceof CacheHolder ? ((CacheHolder) b.tokens).httpClient() : null);
    HttpUrl apiBaseUrl = b.apiBaseUrl != null ? b.apiBaseUrl : b.tokens.apiBaseUrl();
    this.key = TokenKey.of(appId, TokenKey.JSAPI_TICKET);
    this.cache =
        RefreshingCache.builder()
            .key(key)
            .fetcher(new GetTicketEndpoint(client, apiBaseUrl, b.tokens, b.clockGiven()))
            .store(b.store != null ? b.store : parent != null ? parent.store() : null)
            .policy(b.policyGivenOr(parent != null ? parent.policy() : RefreshPolicy.defaults()))
            .clock(b.clockGiven())
            .listener(b.listenerGiven())
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
   * Returns a ticket as {@link #get()} does, without ever blocking the calling thread. Whenever
   * {@code get()} would return at once, the future is already completed and shared (nothing is
   * allocated); otherwise it completes when the single-flight refresh does, with the ticket or with
   * the exception {@code get()} would throw as its cause. See {@link
   * AccessTokenProvider#getAsync()} for the threads dependent stages run on. Thread-safe; never
   * throws.
   *
   * @return a future of the ticket to sign with, never null
   */
  public CompletableFuture<JsapiTicket> getAsync() {
    CompletableFuture<AccessToken> f = cache.getAsync();
    if (f.isDone() && !f.isCompletedExceptionally()) {
      return wrapped(f.join()).future;
    }
    return f.thenApply(this::wrap);
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
   * Cancels the pending background refresh and stops the store subscription. Idempotent and
   * thread-safe; never throws. Afterwards {@link #get()} and {@link #refresh()} throw {@link
   * IllegalStateException}.
   */
  @Override
  public void close() {
    cache.close();
  }

  private JsapiTicket wrap(AccessToken credential) {
    return wrapped(credential).ticket;
  }

  private Wrapped wrapped(AccessToken credential) {
    Wrapped l = last;
    if (l != null && l.credential == credential) {
      return l;
    }
    l = new Wrapped(credential);
    last = l;
    return l;
  }

  @Override
  public String toString() {
    return "JsapiTicketProvider{" + key + '}';
  }

  /**
   * Configures a {@link JsapiTicketProvider}. Not thread-safe; {@link #build()} may be called more
   * than once, each time making an independent provider.
   *
   * <p>Defaults of the settings it shares with the other providers' builders ({@link
   * ProviderBuilder}): the access token provider's policy and HTTP client, if it is one the SDK
   * built (else {@link RefreshPolicy#defaults()} and the SDK's default client), so that a provider
   * pointed at a stand-in or a proxy takes its tickets from there too; {@link
   * java.time.Clock#systemUTC()}; no listener.
   */
  public static final class Builder extends ProviderBuilder<Builder> {
    AccessTokenProvider tokens;
    HttpUrl apiBaseUrl; // null: the access token provider's
    TokenStore store; // null: the access token provider's

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
     * Where tickets are shared. Default: the access token provider's store (if it is one the SDK
     * built), else a new {@link io.github.wechatmp.token.InMemoryTokenStore} for this provider
     * alone.
     *
     * @param store the store; the provider does not close it
     * @return this builder
     * @throws NullPointerException if {@code store} is null
     */
    public Builder store(TokenStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * The base URL of WeChat's API, ending in {@code /}. Default: the access token provider's
     * ({@link AccessTokenProvider#apiBaseUrl()}), so that a provider pointed at a stand-in or a
     * proxy takes its tickets from there too.
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

    // The outer class reads the shared settings through these: protected members of the base are
    // visible to this subclass, not to its enclosing class.
    OkHttpClient httpClientGiven() {
      return givenHttpClient();
    }

    Clock clockGiven() {
      return givenClock();
    }

    TokenEventListener listenerGiven() {
      return givenListener();
    }

    RefreshPolicy policyGivenOr(RefreshPolicy fallback) {
      return policyOr(fallback);
    }

    /**
     * Makes the provider. Does no I/O.
     *
     * @return a new provider
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

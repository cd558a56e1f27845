package io.github.wechatmp.token;

import java.time.Clock;
import java.util.Objects;
import okhttp3.OkHttpClient;

/**
 * The settings every credential provider's builder shares, set one way: the refresh policy, the
 * HTTP client, the clock and the event listener. {@link AccessTokenProvider.Builder}, {@link
 * TokenServiceProvider.Builder} and {@code JsapiTicketProvider.Builder} extend it; each says its
 * own defaults. Not thread-safe, as builders are not.
 *
 * @param <B> the builder itself, which every setter returns
 */
public abstract class ProviderBuilder<B extends ProviderBuilder<B>> {
  private RefreshPolicy policy; // null: the builder's own default
  private OkHttpClient httpClient; // null: the SDK's default client, or what the builder inherits
  private Clock clock = Clock.systemUTC();
  private TokenEventListener listener = TokenEventListener.NONE;

  /** For the SDK's builders. */
  protected ProviderBuilder() {}

  /**
   * How the credential is kept fresh: margins, the store's lock, retries and hold-off, all at once.
   * The last policy given wins; each setting has its one place there. The builder's Javadoc says
   * the default.
   *
   * @param refreshPolicy the policy
   * @return this builder
   * @throws NullPointerException if {@code refreshPolicy} is null
   */
  public B refreshPolicy(RefreshPolicy refreshPolicy) {
    this.policy = Objects.requireNonNull(refreshPolicy, "refreshPolicy");
    return self();
  }

  /**
   * The OkHttp client to share (its connection pool and dispatcher) for the credential's requests.
   * It is used with redirects turned off, since a redirect would carry a secret elsewhere, and it
   * is not closed by the provider. The builder's Javadoc says the default.
   *
   * @param httpClient the client
   * @return this builder
   * @throws NullPointerException if {@code httpClient} is null
   */
  public B httpClient(OkHttpClient httpClient) {
    this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
    return self();
  }

  /**
   * The clock that decides expiry. Default {@link Clock#systemUTC()}; tests inject their own. A
   * clock that is also a {@link java.util.concurrent.Flow.Publisher} of its moves, such as {@code
   * ManualClock} of module {@code wechat-test}, drives the provider's wake-ups: each move runs
   * every refresh due by then (the proactive refresh, the retry after a hold-off) before it
   * returns. Under any other clock but the system's, every {@code get()} reads the clock (a few
   * nanoseconds more), so that a credential it says has expired is never served.
   *
   * @param clock the clock
   * @return this builder
   * @throws NullPointerException if {@code clock} is null
   */
  public B clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return self();
  }

  /**
   * Receives the provider's events for logs and metrics. Default: none.
   *
   * @param listener the listener; see {@link TokenEventListener} for the threads it is called on
   * @return this builder
   * @throws NullPointerException if {@code listener} is null
   */
  public B eventListener(TokenEventListener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
    return self();
  }

  /**
   * Returns the policy given, or {@code fallback} if none was.
   *
   * @param fallback the builder's default
   * @return the policy to use
   */
  protected final RefreshPolicy policyOr(RefreshPolicy fallback) {
    return policy != null ? policy : fallback;
  }

  /**
   * Returns the HTTP client given, or null if none was.
   *
   * @return the client, or null
   */
  protected final OkHttpClient givenHttpClient() {
    return httpClient;
  }

  /**
   * Returns the clock to use.
   *
   * @return the clock
   */
  protected final Clock givenClock() {
    return clock;
  }

  /**
   * Returns the listener to use.
   *
   * @return the listener
   */
  protected final TokenEventListener givenListener() {
    return listener;
  }

  @SuppressWarnings("unchecked") // B is this builder's own class, by the type parameter's bound
  private B self() {
    return (B) this;
  }
}

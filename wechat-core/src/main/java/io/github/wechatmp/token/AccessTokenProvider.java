package io.github.wechatmp.token;

import io.github.wechatmp.internal.http.WeChatHttp;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import okhttp3.HttpUrl;

/**
 * Gives out WeChat's global {@code access_token}: cached in memory, shared with every other
 * instance of the application through a {@link TokenStore}, refreshed before it expires, and
 * fetched from WeChat by exactly one caller at a time across threads, providers, processes and
 * hosts.
 *
 * <h2>How the token is kept fresh</h2>
 *
 * A token fetched with lifetime {@code expires_in} (7200 s) expires at receipt time plus that. From
 * {@code expiresAt - refreshMargin} (200 s by default) it is <em>due</em>: at that instant the
 * provider starts one refresh in the background, whether or not anyone calls {@link #get()}, and
 * every caller goes on getting the still-valid token at once. Only when no usable token exists
 * (none yet, invalidated, or within {@code expiryMargin}, 30 s by default, of expiry) do callers
 * block, all on that same refresh, and share its result or its error. Between processes the store's
 * refresh lock makes it one fetch in all: after taking it, the provider re-reads the store and
 * adopts a token another instance fetched.
 *
 * <h2>Failures</h2>
 *
 * WeChat's "system busy" ({@code errcode -1}) and transport failures are retried with a short,
 * jittered backoff. Configuration errors (a wrong AppSecret, an IP not whitelisted, a used-up
 * quota) are not. After a failed refresh, further fetches are held off for a growing interval (1 s,
 * doubling, at most 2 minutes) so that a broken configuration cannot burn the daily quota of 2000
 * calls; during that interval callers get the still-valid token if there is one, else the last
 * error at once; when it ends a provider holding a token retries in the background. The settings
 * are a {@link RefreshPolicy}. {@link #status()} tells where the token stands without I/O.
 *
 * <h2>Threads</h2>
 *
 * A provider owns no thread. All providers of the JVM share one timer thread ({@code
 * wechat-token-timer}) and a pool of at most six refresh threads ({@code wechat-refresh-N}), all
 * daemons that end when idle; a refresh that hangs delays no other account's. All methods are
 * thread-safe. Close a provider when done with it, so that its pending wake-up and store
 * subscription end. Instances are made by {@link #builder()}.
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
   * Returns a token as {@link #get()} does, without ever blocking the calling thread: for reactive
   * stacks and event loops. Whenever {@code get()} would return at once (the token is fresh or
   * due), the future is already completed, and is one kept with the token: on that path nothing is
   * allocated. Otherwise it completes when the single-flight refresh does, with the token or with
   * the exception {@code get()} would throw ({@link io.github.wechatmp.WeChatApiException}, {@link
   * io.github.wechatmp.WeChatTransportException}, {@link TokenUnavailableException}, {@link
   * IllegalStateException} once closed) as its cause, within the same bound. Thread-safe; never
   * throws.
   *
   * <p>The future completed at once is shared by every caller: completing or cancelling it does
   * nothing, and {@code obtrudeValue}/{@code obtrudeException} throw. Stages that depend on a
   * future completed later run, unless given an executor, on the SDK's refresh thread: give
   * blocking work an executor of the application's.
   *
   * @return a future of the token to use, never null
   */
  CompletableFuture<AccessToken> getAsync();

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
   * token that was already replaced does nothing. Re-fetches are bounded: if the held token is the
   * one fetched or adopted after a rejection less than {@link
   * RefreshPolicy#rejectionRefetchInterval()} ago (30 s by default), by this instance or by another
   * sharing the store, it is kept and nothing is fetched: every instance together re-fetches at
   * most once per interval. A store failure is logged, not thrown. Thread-safe; never throws, and
   * does no I/O but the store's compare-and-invalidate.
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
    return WeChatHttp.DEFAULT_API_BASE_URL;
  }

  /**
   * Cancels the pending background refresh and stops the store subscription. Idempotent and
   * thread-safe; never throws. Afterwards {@link #get()} and {@link #refresh()} throw {@link
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
   *
   * <p>Defaults of the settings it shares with the other providers' builders ({@link
   * ProviderBuilder}): {@link RefreshPolicy#defaults()}; an HTTP client with a 5 s connect, 10 s
   * read and 10 s call timeout (with the classic endpoint the AppSecret is in the request URL, as
   * WeChat defines it: keep logging interceptors that print URLs off a client of yours, or use
   * {@linkplain #stableToken(boolean) stable tokens}); {@link java.time.Clock#systemUTC()}; no
   * listener.
   */
  final class Builder extends ProviderBuilder<Builder> {
    String appId;
    String appSecret;
    String apiBaseUrl = WeChatHttp.DEFAULT_API_BASE_URL.toString(); // canonical, checked
    boolean stableToken;
    boolean readOnly;
    TokenStore store;

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
      this.store = Objects.requireNonNull(store, "store");
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
      this.apiBaseUrl = WeChatHttp.canonicalText(apiBaseUrl, WeChatHttp.apiBaseUrl(apiBaseUrl));
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
     * Read-only: the provider only adopts tokens that another party (the central token service of
     * module {@code wechat-token-server}, or an ordinary provider elsewhere) saved in the {@link
     * #store(TokenStore) store}, and never asks WeChat: for hosts outside the IP whitelist, or
     * applications that must leave fetching to one service. No AppSecret is needed. With no usable
     * token in the store, {@link AccessTokenProvider#get()} throws {@link
     * TokenUnavailableException} (held off as any failed refresh, while the store is still looked
     * at every second); {@link AccessTokenProvider#invalidate(String)} still removes a rejected
     * token from the store (compare-and-delete), so that the writer replaces it. It still takes the
     * store's refresh lock briefly when it finds no usable token. Default false.
     *
     * @param readOnly true for a provider that never asks WeChat
     * @return this builder
     */
    public Builder readOnly(boolean readOnly) {
      this.readOnly = readOnly;
      return this;
    }

    /**
     * Makes the provider. Does no I/O: the first {@link AccessTokenProvider#get()} fetches.
     *
     * @return a new provider
     * @throws IllegalArgumentException if the AppID or (unless {@linkplain #readOnly read-only})
     *     the AppSecret is missing or blank, the AppID is not of WeChat's form, or a read-only
     *     provider was given no store
     */
    public AccessTokenProvider build() {
      if (appId == null || appId.isBlank()) {
        throw new IllegalArgumentException(
            "appId is required: the AppID from the WeChat Official Account platform");
      }
      if (readOnly && store == null) {
        throw new IllegalArgumentException(
            "a readOnly provider needs the shared store that another party writes tokens to");
      }
      if (!readOnly && (appSecret == null || appSecret.isBlank())) {
        throw new IllegalArgumentException(
            "appSecret is required: the AppSecret of app " + appId.strip());
      }
      TokenKey.of(appId.strip(), TokenKey.ACCESS_TOKEN); // rejects an AppID of the wrong form
      return new CachingAccessTokenProvider(this);
    }
  }
}

package io.github.wechatmp.token;

import java.time.Duration;
import java.util.Objects;

/**
 * How a provider keeps its credential fresh: the margins that make it due and stale, the store's
 * refresh lock, the retries of a fetch, and the hold-off after failures. One policy serves both
 * {@link AccessTokenProvider.Builder#refreshPolicy(RefreshPolicy)} and {@code
 * JsapiTicketProvider.Builder.refreshPolicy(RefreshPolicy)}; their setters of the same names are
 * shortcuts for single settings, and where both are given, the last call wins.
 *
 * <h2>The settings</h2>
 *
 * <dl>
 *   <dt>{@code refreshMargin}, default 200 s
 *   <dd>How long before expiry a token becomes due: the provider then refreshes it in the
 *       background, at that instant, whether or not anyone asks, while callers keep getting the
 *       valid token. For tokens that live less than twice this long, half their lifetime is used.
 *   <dt>{@code expiryMargin}, default 30 s
 *   <dd>How long before expiry a token stops being served at once (it is <em>stale</em>): callers
 *       then wait for the refresh, so that no token expires in flight. For tokens that live less
 *       than four times this long, a quarter of their lifetime is used: their real lifetime, from
 *       their {@linkplain AccessToken#issuedAt() issue time}, whether fetched or read from the
 *       store, so instances sharing short-lived tokens share them with the default margins. A token
 *       read from the store without an issue time (written by an older release or a store that does
 *       not keep it) is adopted, and served, only while more than this margin of it remains.
 *   <dt>{@code lockLease}, default 10 s
 *   <dd>How long the store's refresh lock lasts if its holder never releases it (it crashed). A
 *       fetch that would outlast the lease is cut short, so that no two instances fetch at once.
 *   <dt>{@code lockWait}, default 12 s
 *   <dd>How long to wait for the refresh lock another instance holds; longer than the lease, so
 *       that a crashed holder is taken over within one wait. On timeout a still-valid token is
 *       served, else {@link TokenUnavailableException}. While the store answers, the provider never
 *       fetches without the lock (only an unreachable store can make it; see {@code
 *       storeOutageFetchInterval}).
 *   <dt>{@code maxRetries}, default 2
 *   <dd>How many times a fetch is retried after WeChat's "system busy" or a transport failure.
 *       Configuration errors are never retried.
 *   <dt>{@code retryBackoff}, default 200 ms
 *   <dd>The first retry's pause; it doubles with each retry and is jittered.
 *   <dt>{@code failureHoldOffMax}, default 2 min
 *   <dd>After a failed refresh no new one starts for 1 s, doubling with each failure in a row, up
 *       to this; so a broken configuration cannot burn WeChat's daily quota. A store failure holds
 *       off for at most 5 s.
 *   <dt>{@code rejectionRefetchInterval}, default 30 s
 *   <dd>The least time between two re-fetches caused by WeChat rejecting the held token (errcode
 *       40001, 40014 or 42001 reported through {@code invalidate}, as {@code
 *       AccessTokenInterceptor} does). Within it a rejection of the token fetched after the last
 *       one changes nothing: the token stays held, and the interceptor fails the call with {@code
 *       AccessTokenRejectedException} at once instead of fetching. The cost: for up to this long
 *       after a token is really voided twice in a row (another party force-refreshing stable
 *       tokens, say), calls fail rather than fetch; the gain: a reset AppSecret, a stand-in or
 *       proxy that rejects every token, or a token war between two deployments costs at most one
 *       fetch per interval instead of one per API call. The bound is shared through the store: the
 *       instance that re-fetches removes the rejected token from it, and every instance that learns
 *       of the removal (from the store's change notifications, or from finding the replacement
 *       there after its own rejection) bounds its own rejections from then on, as if it had
 *       re-fetched; so all instances together re-fetch once per interval. With a store that sends
 *       no notifications, an instance that never saw the removal may re-fetch once more. Zero turns
 *       the bound off.
 *   <dt>{@code storeOutageFetchInterval}, default 60 s
 *   <dd>While the store is unreachable (it throws), a provider that holds no token it may serve
 *       (none, or one within the expiry margin) fetches one from WeChat without the store's lock,
 *       serves it, and saves it to the store, fenced, once the store answers again (a newer token
 *       found there then wins and is adopted instead). This bounds such fetches: at most one per
 *       provider (one key in one process) per interval; failed attempts follow the ordinary
 *       hold-off. Without it an outage of the store that outlasts the held token fails every call
 *       until the store returns. The cost, for classic tokens: every process fetches its own token,
 *       and each fetch voids the tokens the other processes hold five minutes later, so during a
 *       long outage N processes may fetch up to N tokens per five minutes (each one re-fetching
 *       after WeChat rejects its token); stable tokens ({@code stableToken(true)}) cost nothing,
 *       since WeChat returns the same token to repeated requests. Zero turns store-less fetching
 *       off: calls then fail, naming the store, once the held token expires.
 * </dl>
 *
 * <p>Immutable and thread-safe; its builder is not thread-safe.
 */
public final class RefreshPolicy {
  private static final RefreshPolicy DEFAULTS = new Builder().build();

  private final Duration refreshMargin;
  private final Duration expiryMargin;
  private final Duration lockLease;
  private final Duration lockWait;
  private final int maxRetries;
  private final Duration retryBackoff;
  private final Duration failureHoldOffMax;
  private final Duration rejectionRefetchInterval;
  private final Duration storeOutageFetchInterval;

  private RefreshPolicy(Builder b) {
    this.refreshMargin = b.refreshMargin;
    this.expiryMargin = b.expiryMargin;
    this.lockLease = b.lockLease;
    this.lockWait = b.lockWait;
    this.maxRetries = b.maxRetries;
    this.retryBackoff = b.retryBackoff;
    this.failureHoldOffMax = b.failureHoldOffMax;
    this.rejectionRefetchInterval = b.rejectionRefetchInterval;
    this.storeOutageFetchInterval = b.storeOutageFetchInterval;
  }

  /**
   * Returns the policy with every setting at its default.
   *
   * @return the default policy
   */
  public static RefreshPolicy defaults() {
    return DEFAULTS;
  }

  /**
   * Returns a builder with every setting at its default.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder holding this policy's settings, to change some of them.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.refreshMargin = refreshMargin;
    b.expiryMargin = expiryMargin;
    b.lockLease = lockLease;
    b.lockWait = lockWait;
    b.maxRetries = maxRetries;
    b.retryBackoff = retryBackoff;
    b.failureHoldOffMax = failureHoldOffMax;
    b.rejectionRefetchInterval = rejectionRefetchInterval;
    b.storeOutageFetchInterval = storeOutageFetchInterval;
    return b;
  }

  /**
   * Returns how long before expiry a token becomes due.
   *
   * @return the refresh margin
   */
  public Duration refreshMargin() {
    return refreshMargin;
  }

  /**
   * Returns how long before expiry a token stops being served at once.
   *
   * @return the expiry margin
   */
  public Duration expiryMargin() {
    return expiryMargin;
  }

  /**
   * Returns the lease of the store's refresh lock.
   *
   * @return the lease
   */
  public Duration lockLease() {
    return lockLease;
  }

  /**
   * Returns the longest wait for the refresh lock.
   *
   * @return the wait
   */
  public Duration lockWait() {
    return lockWait;
  }

  /**
   * Returns how many times a fetch is retried.
   *
   * @return the retries
   */
  public int maxRetries() {
    return maxRetries;
  }

  /**
   * Returns the first retry's pause.
   *
   * @return the backoff
   */
  public Duration retryBackoff() {
    return retryBackoff;
  }

  /**
   * Returns the longest hold-off after failed refreshes.
   *
   * @return the hold-off limit
   */
  public Duration failureHoldOffMax() {
    return failureHoldOffMax;
  }

  /**
   * Returns the least time between two re-fetches caused by rejected tokens.
   *
   * @return the interval; zero if unbounded
   */
  public Duration rejectionRefetchInterval() {
    return rejectionRefetchInterval;
  }

  /**
   * Returns the least time between two fetches a provider makes without the store while the store
   * is unreachable.
   *
   * @return the interval; zero if the provider never fetches without the store
   */
  public Duration storeOutageFetchInterval() {
    return storeOutageFetchInterval;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof RefreshPolicy)) {
      return false;
    }
    RefreshPolicy p = (RefreshPolicy) o;
    return maxRetries == p.maxRetries
        && refreshMargin.equals(p.refreshMargin)
        && expiryMargin.equals(p.expiryMargin)
        && lockLease.equals(p.lockLease)
        && lockWait.equals(p.lockWait)
        && retryBackoff.equals(p.retryBackoff)
        && failureHoldOffMax.equals(p.failureHoldOffMax)
        && rejectionRefetchInterval.equals(p.rejectionRefetchInterval)
        && storeOutageFetchInterval.equals(p.storeOutageFetchInterval);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        refreshMargin,
        expiryMargin,
        lockLease,
        lockWait,
        maxRetries,
        retryBackoff,
        failureHoldOffMax,
        rejectionRefetchInterval,
        storeOutageFetchInterval);
  }

  @Override
  public String toString() {
    return "RefreshPolicy{refreshMargin="
        + refreshMargin
        + ", expiryMargin="
        + expiryMargin
        + ", lockLease="
        + lockLease
        + ", lockWait="
        + lockWait
        + ", maxRetries="
        + maxRetries
        + ", retryBackoff="
        + retryBackoff
        + ", failureHoldOffMax="
        + failureHoldOffMax
        + ", rejectionRefetchInterval="
        + rejectionRefetchInterval
        + ", storeOutageFetchInterval="
        + storeOutageFetchInterval
        + '}';
  }

  /**
   * Builds a {@link RefreshPolicy}; each setter checks its value at once. Not thread-safe; {@link
   * #build()} may be called more than once.
   */
  public static final class Builder {
    Duration refreshMargin = Duration.ofSeconds(200);
    Duration expiryMargin = Duration.ofSeconds(30);
    Duration lockLease = Duration.ofSeconds(10);
    Duration lockWait = Duration.ofSeconds(12);
    int maxRetries = 2;
    Duration retryBackoff = Duration.ofMillis(200);
    Duration failureHoldOffMax = Duration.ofMinutes(2);
    Duration rejectionRefetchInterval = Duration.ofSeconds(30);
    Duration storeOutageFetchInterval = Duration.ofSeconds(60);

    Builder() {}

    /**
     * Sets how long before expiry a token becomes due and is refreshed in the background. Default
     * 200 s.
     *
     * @param refreshMargin between zero and one day
     * @return this builder
     * @throws NullPointerException if {@code refreshMargin} is null
     * @throws IllegalArgumentException if it is negative or longer than a day
     */
    public Builder refreshMargin(Duration refreshMargin) {
      this.refreshMargin = check(refreshMargin, "refreshMargin", true, Duration.ofDays(1));
      return this;
    }

    /**
     * Sets how long before expiry a token stops being served at once. Default 30 s.
     *
     * @param expiryMargin between zero and one day
     * @return this builder
     * @throws NullPointerException if {@code expiryMargin} is null
     * @throws IllegalArgumentException if it is negative or longer than a day
     */
    public Builder expiryMargin(Duration expiryMargin) {
      this.expiryMargin = check(expiryMargin, "expiryMargin", true, Duration.ofDays(1));
      return this;
    }

    /**
     * Sets the lease of the store's refresh lock. Default 10 s.
     *
     * @param lockLease positive, at most 10 minutes
     * @return this builder
     * @throws NullPointerException if {@code lockLease} is null
     * @throws IllegalArgumentException if it is not positive or longer than 10 minutes
     */
    public Builder lockLease(Duration lockLease) {
      this.lockLease = check(lockLease, "lockLease", false, Duration.ofMinutes(10));
      return this;
    }

    /**
     * Sets the longest wait for the refresh lock another instance holds. Default 12 s.
     *
     * @param lockWait between zero and 10 minutes
     * @return this builder
     * @throws NullPointerException if {@code lockWait} is null
     * @throws IllegalArgumentException if it is negative or longer than 10 minutes
     */
    public Builder lockWait(Duration lockWait) {
      this.lockWait = check(lockWait, "lockWait", true, Duration.ofMinutes(10));
      return this;
    }

    /**
     * Sets how many times a fetch is retried after "system busy" or a transport failure. Default 2.
     *
     * @param maxRetries between 0 and 10
     * @return this builder
     * @throws IllegalArgumentException if it is negative or more than 10
     */
    public Builder maxRetries(int maxRetries) {
      if (maxRetries < 0 || maxRetries > 10) {
        throw new IllegalArgumentException("maxRetries must be between 0 and 10");
      }
      this.maxRetries = maxRetries;
      return this;
    }

    /**
     * Sets the first retry's pause, which doubles with each retry and is jittered. Default 200 ms.
     *
     * @param retryBackoff between zero and one minute
     * @return this builder
     * @throws NullPointerException if {@code retryBackoff} is null
     * @throws IllegalArgumentException if it is negative or longer than a minute
     */
    public Builder retryBackoff(Duration retryBackoff) {
      this.retryBackoff = check(retryBackoff, "retryBackoff", true, Duration.ofMinutes(1));
      return this;
    }

    /**
     * Sets the longest hold-off between failed refreshes (1 s after the first, doubling). Default 2
     * min.
     *
     * @param failureHoldOffMax positive, at most one day
     * @return this builder
     * @throws NullPointerException if {@code failureHoldOffMax} is null
     * @throws IllegalArgumentException if it is not positive or longer than a day
     */
    public Builder failureHoldOffMax(Duration failureHoldOffMax) {
      this.failureHoldOffMax =
          check(failureHoldOffMax, "failureHoldOffMax", false, Duration.ofDays(1));
      return this;
    }

    /**
     * Sets the least time between two re-fetches caused by WeChat rejecting the held token; see the
     * class description for what it costs. Default 30 s.
     *
     * @param rejectionRefetchInterval between zero (no bound) and one day
     * @return this builder
     * @throws NullPointerException if {@code rejectionRefetchInterval} is null
     * @throws IllegalArgumentException if it is negative or longer than a day
     */
    public Builder rejectionRefetchInterval(Duration rejectionRefetchInterval) {
      this.rejectionRefetchInterval =
          check(rejectionRefetchInterval, "rejectionRefetchInterval", true, Duration.ofDays(1));
      return this;
    }

    /**
     * Sets the least time between two fetches a provider makes without the store while the store is
     * unreachable and no token it may serve is held; see the class description for what such a
     * fetch costs. Default 60 s.
     *
     * @param storeOutageFetchInterval between zero (never fetch without the store) and one day
     * @return this builder
     * @throws NullPointerException if {@code storeOutageFetchInterval} is null
     * @throws IllegalArgumentException if it is negative or longer than a day
     */
    public Builder storeOutageFetchInterval(Duration storeOutageFetchInterval) {
      this.storeOutageFetchInterval =
          check(storeOutageFetchInterval, "storeOutageFetchInterval", true, Duration.ofDays(1));
      return this;
    }

    /**
     * Makes the policy.
     *
     * @return a new, immutable policy
     */
    public RefreshPolicy build() {
      return new RefreshPolicy(this);
    }

    private static Duration check(Duration d, String name, boolean zeroAllowed, Duration max) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || (!zeroAllowed && d.isZero())) {
        throw new IllegalArgumentException(
            name + (zeroAllowed ? " must not be negative" : " must be positive"));
      }
      if (d.compareTo(max) > 0) {
        throw new IllegalArgumentException(name + " must be at most " + max);
      }
      return d;
    }
  }
}

package io.github.wechatmp.tokenserver;

import io.github.wechatmp.jssdk.JsapiTicket;
import io.github.wechatmp.jssdk.JsapiTicketProvider;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.RefreshPolicy;
import io.github.wechatmp.token.TokenStatus;
import io.github.wechatmp.token.TokenStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One account's credentials as the server holds them: the SDK's own providers over the configured
 * store, so that the refresh engine (single-flight across threads and, through the store, across
 * server instances; proactive refresh; failure hold-off) is the one every Java application uses.
 * Thread-safe.
 */
final class HeldAccount implements AutoCloseable {
  final String appId;
  final AccessTokenProvider tokens;

  /** Null when the account's jsapiTicket setting is off. */
  final JsapiTicketProvider tickets;

  private final Clock clock;
  private final long minRejectionIntervalMillis;

  HeldAccount(
      ServerConfig.Account config,
      TokenStore store,
      Clock clock,
      Metrics metrics,
      long minRejectionIntervalMillis) {
    this.appId = config.appId;
    this.clock = clock;
    this.minRejectionIntervalMillis = minRejectionIntervalMillis;
    // One setting for both bounds: were the provider's own re-fetch bound longer than the
    // server's interval, a report the server honours would be kept by the provider, and the
    // reporter answered with the very token it reported.
    RefreshPolicy policy =
        RefreshPolicy.builder()
            .rejectionRefetchInterval(Duration.ofMillis(minRejectionIntervalMillis))
            .build();
    AccessTokenProvider.Builder b =
        AccessTokenProvider.builder()
            .appId(config.appId)
            .appSecret(config.appSecret)
            .stableToken(config.stableToken)
            .store(store)
            .clock(clock)
            .refreshPolicy(policy)
            .eventListener(metrics);
    if (config.apiBaseUrl != null) {
      b.apiBaseUrl(config.apiBaseUrl);
    }
    this.tokens = b.build();
    if (config.jsapiTicket) {
      JsapiTicketProvider.Builder t =
          JsapiTicketProvider.builder()
              .accessTokenProvider(tokens)
              .store(store)
              .clock(clock)
              .refreshPolicy(policy)
              .eventListener(metrics);
      if (config.apiBaseUrl != null) {
        t.apiBaseUrl(config.apiBaseUrl);
      }
      this.tickets = t.build();
    } else {
      this.tickets = null;
    }
  }

  /** A passive refresh refused because the last one of this credential was too recent. */
  static final class TooSoon extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final long retryAfterSeconds;

    TooSoon(long retryAfterSeconds) {
      super(null, null, false, false);
      this.retryAfterSeconds = retryAfterSeconds;
    }
  }

  /**
   * Serializes the decision of each credential's passive refresh (not the fetch after it), so that
   * of many simultaneous reports of one token exactly one invalidates it.
   */
  private final ReentrantLock tokenRejection = new ReentrantLock();

  private final ReentrantLock ticketRejection = new ReentrantLock();
  private long lastTokenRejectionMillis = Long.MIN_VALUE / 2; // guarded by tokenRejection
  private long lastTicketRejectionMillis = Long.MIN_VALUE / 2; // guarded by ticketRejection

  /**
   * The passive refresh: if {@code rejected} is still the current token it is invalidated (in
   * memory and, compare-and-delete, in the store) and the next read fetches a new one, once, for
   * however many callers; a report of an older token changes nothing. Either way the caller gets
   * the token to use now.
   *
   * @throws TooSoon if the current token was reported less than the minimum interval after the last
   *     honoured report: a client that reports every token it gets must not spend the account's
   *     daily quota for everyone
   */
  AccessToken rejectToken(String rejected) {
    AccessToken current;
    tokenRejection.lock();
    try {
      current = tokens.get();
      if (!current.value().equals(rejected)) {
        return current;
      }
      checkInterval(lastTokenRejectionMillis);
      tokens.invalidate(rejected);
      // Taken after the provider's own record of the re-fetch, so that its bound never outlasts
      // ours.
      lastTokenRejectionMillis = clock.millis();
    } finally {
      tokenRejection.unlock();
    }
    AccessToken next = tokens.get();
    if (keptAfterInvalidation(
        rejected, current.value(), current.expiresAt(), next.value(), next.expiresAt())) {
      throw new TooSoon(intervalSeconds());
    }
    return next;
  }

  /** As {@link #rejectToken}, for the jsapi_ticket. */
  JsapiTicket rejectTicket(String rejected) {
    JsapiTicket current;
    ticketRejection.lock();
    try {
      current = tickets.get();
      if (!current.value().equals(rejected)) {
        return current;
      }
      checkInterval(lastTicketRejectionMillis);
      tickets.invalidate(rejected);
      lastTicketRejectionMillis = clock.millis();
    } finally {
      ticketRejection.unlock();
    }
    JsapiTicket next = tickets.get();
    if (keptAfterInvalidation(
        rejected, current.value(), current.expiresAt(), next.value(), next.expiresAt())) {
      throw new TooSoon(intervalSeconds());
    }
    return next;
  }

  /**
   * Whether the provider kept the reported credential: the same value with the same expiry, not a
   * new fetch (which WeChat may answer with the same stable token, but expiring later). The
   * provider's bound is shared through the store, so another server instance's recent re-fetch
   * makes it keep a credential this instance would have replaced: that report is refused too, never
   * answered with the value just reported.
   */
  private static boolean keptAfterInvalidation(
      String rejected, String before, Instant expiresBefore, String after, Instant expiresAfter) {
    return after.equals(rejected) && before.equals(after) && expiresBefore.equals(expiresAfter);
  }

  /** The whole interval, in seconds, at least 1: how long a kept credential is kept at most. */
  private long intervalSeconds() {
    return Math.max(1, (minRejectionIntervalMillis + 999) / 1000);
  }

  /** Throws {@link TooSoon} if {@code lastMillis} was too recent. */
  private void checkInterval(long lastMillis) {
    long now = clock.millis();
    long next = lastMillis + minRejectionIntervalMillis;
    if (now < next) {
      throw new TooSoon(Math.max(1, (next - now + 999) / 1000));
    }
  }

  TokenStatus tokenStatus() {
    return tokens.status();
  }

  TokenStatus ticketStatus() {
    return tickets == null ? null : tickets.status();
  }

  @Override
  public void close() {
    if (tickets != null) {
      tickets.close();
    }
    tokens.close();
  }
}

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

  HeldAccount(
      ServerConfig.Account config,
      TokenStore store,
      Clock clock,
      Metrics metrics,
      long minRejectionIntervalMillis) {
    this.appId = config.appId;
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
    this.tokenRejection =
        PassiveRefresh.of(
            tokens::get,
            tokens::invalidate,
            AccessToken::value,
            AccessToken::expiresAt,
            clock,
            minRejectionIntervalMillis);
    this.ticketRejection =
        tickets == null
            ? null
            : PassiveRefresh.of(
                tickets::get,
                tickets::invalidate,
                JsapiTicket::value,
                JsapiTicket::expiresAt,
                clock,
                minRejectionIntervalMillis);
  }

  private final PassiveRefresh<AccessToken> tokenRejection;

  /** Null when the account's jsapiTicket setting is off. */
  private final PassiveRefresh<JsapiTicket> ticketRejection;

  /**
   * The passive refresh of the access token; see {@link PassiveRefresh#reject}.
   *
   * @throws PassiveRefresh.TooSoon if the current token was replaced less than the minimum interval
   *     ago
   */
  AccessToken rejectToken(String rejected) {
    return tokenRejection.reject(rejected);
  }

  /** As {@link #rejectToken}, for the jsapi_ticket. */
  JsapiTicket rejectTicket(String rejected) {
    return ticketRejection.reject(rejected);
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

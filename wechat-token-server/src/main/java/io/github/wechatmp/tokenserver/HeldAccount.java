package io.github.wechatmp.tokenserver;

import io.github.wechatmp.jssdk.JsapiTicket;
import io.github.wechatmp.jssdk.JsapiTicketProvider;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.TokenStatus;
import io.github.wechatmp.token.TokenStore;
import java.time.Clock;

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

  HeldAccount(ServerConfig.Account config, TokenStore store, Clock clock, Metrics metrics) {
    this.appId = config.appId;
    AccessTokenProvider.Builder b =
        AccessTokenProvider.builder()
            .appId(config.appId)
            .appSecret(config.appSecret)
            .stableToken(config.stableToken)
            .store(store)
            .clock(clock)
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
              .eventListener(metrics);
      if (config.apiBaseUrl != null) {
        t.apiBaseUrl(config.apiBaseUrl);
      }
      this.tickets = t.build();
    } else {
      this.tickets = null;
    }
  }

  /**
   * The passive refresh: if {@code rejected} is still the current token it is invalidated (in
   * memory and, compare-and-delete, in the store) and the next read fetches a new one, once, for
   * however many callers; a report of an older token changes nothing. Either way the caller gets
   * the token to use now.
   */
  AccessToken rejectToken(String rejected) {
    tokens.invalidate(rejected);
    return tokens.get();
  }

  /** As {@link #rejectToken}, for the jsapi_ticket. */
  JsapiTicket rejectTicket(String rejected) {
    tickets.invalidate(rejected);
    return tickets.get();
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

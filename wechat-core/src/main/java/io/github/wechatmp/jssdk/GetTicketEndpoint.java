package io.github.wechatmp.jssdk;

import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.WeChatTransportException;
import io.github.wechatmp.http.AccessTokenRejectedException;
import io.github.wechatmp.internal.http.CredentialCall;
import io.github.wechatmp.internal.refresh.CredentialFetcher;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import java.time.Clock;
import java.time.Duration;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET cgi-bin/ticket/getticket?type=jsapi}, with the access token of an {@link
 * AccessTokenProvider}. If WeChat rejects that token, it is invalidated and the request is made
 * once more with a fresh one. Thread-safe.
 */
final class GetTicketEndpoint implements CredentialFetcher {
  private static final Logger log = LoggerFactory.getLogger(GetTicketEndpoint.class);

  private final OkHttpClient client;
  private final HttpUrl baseUrl;
  private final AccessTokenProvider tokens;
  private final Clock clock;
  private final String what;

  GetTicketEndpoint(OkHttpClient client, HttpUrl baseUrl, AccessTokenProvider tokens, Clock clock) {
    this.client = client;
    this.baseUrl = baseUrl;
    this.tokens = tokens;
    this.clock = clock;
    this.what = "jsapi_ticket of " + tokens.appId();
  }

  @Override
  public AccessToken fetch(boolean forceRefresh, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    AccessToken token =
        tokens.get(); // may wait on an access token refresh: the ticket lease runs meanwhile
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new WeChatTransportException(
          "No time left within the refresh lock's lease to ask WeChat for the "
              + what
              + " after waiting for the access token",
          null);
    }
    try {
      return call(token, Duration.ofNanos(left));
    } catch (WeChatApiException e) {
      if (!e.isTokenInvalid()) {
        throw e;
      }
      log.info(
          "WeChat rejected access token {} of {} (errcode {}) when asked for the jsapi_ticket; "
              + "invalidating it and asking once more",
          token.masked(),
          tokens.appId(),
          e.errorCode());
      tokens.invalidate(token.value());
    }
    AccessToken fresh = tokens.get();
    long remaining = deadline - System.nanoTime();
    if (remaining <= 0) {
      throw new WeChatTransportException(
          "No time left to ask WeChat once more for the "
              + what
              + " after its access token was rejected",
          null);
    }
    try {
      return call(fresh, Duration.ofNanos(remaining));
    } catch (WeChatApiException e) {
      if (e.isTokenInvalid()) {
        throw new AccessTokenRejectedException(
            e.errorCode(), e.errorMessage(), "cgi-bin/ticket/getticket (after one retry)");
      }
      throw e;
    }
  }

  private AccessToken call(AccessToken token, Duration timeout) {
    HttpUrl url =
        baseUrl
            .newBuilder()
            .addPathSegments("cgi-bin/ticket/getticket")
            .addQueryParameter("access_token", token.value())
            .addQueryParameter("type", "jsapi")
            .build();
    // The access token rides in the URL: keep it out of any message a failure produces.
    return CredentialCall.execute(
        client,
        new Request.Builder().url(url).get().build(),
        timeout,
        "ticket",
        what,
        clock,
        token.value(),
        false,
        AccessToken::of);
  }

  @Override
  public String toString() {
    return "GetTicketEndpoint{" + what + ", " + baseUrl + "}";
  }
}

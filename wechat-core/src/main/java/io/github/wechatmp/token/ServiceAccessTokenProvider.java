package io.github.wechatmp.token;

import io.github.wechatmp.internal.refresh.EngineBackedProvider;
import io.github.wechatmp.internal.refresh.RefreshingCache;

/** The {@link AccessTokenProvider} that {@link TokenServiceProvider.Builder#build()} makes. */
final class ServiceAccessTokenProvider extends EngineBackedProvider {
  private final TokenServiceEndpoint endpoint;

  ServiceAccessTokenProvider(TokenServiceProvider.Builder b) {
    this(
        b,
        new TokenServiceEndpoint(
            b.givenHttpClient(), b.url, b.apiKey, b.appId.strip(), b.givenClock()));
  }

  private ServiceAccessTokenProvider(
      TokenServiceProvider.Builder b, TokenServiceEndpoint endpoint) {
    super(
        RefreshingCache.builder()
            .key(TokenKey.of(b.appId.strip(), TokenKey.ACCESS_TOKEN))
            .fetcher(endpoint)
            .policy(b.policyOr(TokenServiceProvider.DEFAULT_POLICY))
            .clock(b.givenClock())
            .listener(b.givenListener())
            .build());
    this.endpoint = endpoint;
  }

  /**
   * {@inheritDoc}
   *
   * <p>If {@code rejectedToken} is the token held, the next fetch reports it to the service's
   * passive-refresh endpoint ({@code POST v1/accounts/{appId}/access_token/rejected}) and takes the
   * new token from its answer. Does no I/O itself.
   */
  @Override
  public void invalidate(String rejectedToken) {
    endpoint.reportRejected(rejectedToken);
    super.invalidate(rejectedToken);
  }

  @Override
  public String toString() {
    return "TokenServiceProvider{" + key() + '}'; // never the key
  }
}

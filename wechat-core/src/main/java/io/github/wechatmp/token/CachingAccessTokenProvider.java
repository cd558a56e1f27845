package io.github.wechatmp.token;

import io.github.wechatmp.internal.refresh.CredentialFetcher;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/** The {@link AccessTokenProvider} that {@link AccessTokenProvider.Builder#build()} makes. */
final class CachingAccessTokenProvider extends EngineBackedProvider {
  private final HttpUrl apiBaseUrl;
  private final OkHttpClient httpClient;

  CachingAccessTokenProvider(AccessTokenProvider.Builder b) {
    this(b, key(b));
  }

  private CachingAccessTokenProvider(AccessTokenProvider.Builder b, TokenKey key) {
    super(b.appId.strip(), key, fetcher(b, key), b.store, b.policy, b.clock, b.listener);
    this.apiBaseUrl = b.apiBaseUrl;
    this.httpClient = b.httpClient;
  }

  private static TokenKey key(AccessTokenProvider.Builder b) {
    return TokenKey.of(
        b.appId.strip(), b.stableToken ? TokenKey.STABLE_ACCESS_TOKEN : TokenKey.ACCESS_TOKEN);
  }

  private static CredentialFetcher<AccessToken> fetcher(
      AccessTokenProvider.Builder b, TokenKey key) {
    String appId = b.appId.strip();
    CredentialFetcher<AccessToken> fetcher =
        b.readOnly
            ? (force, timeout) -> {
              throw new TokenUnavailableException(
                  "The read-only provider of "
                      + key
                      + " found no usable token in the store; it never asks WeChat itself",
                  null);
            }
            : new TokenEndpoint(
                b.httpClient, b.apiBaseUrl, appId, b.appSecret.strip(), b.stableToken, b.clock);
    return fetcher;
  }

  @Override
  public HttpUrl apiBaseUrl() {
    return apiBaseUrl;
  }

  @Override
  public OkHttpClient httpClient() {
    return httpClient;
  }

  @Override
  public String toString() {
    return "AccessTokenProvider{" + key() + '}';
  }
}

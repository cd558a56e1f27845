package io.github.wechatmp.token;

import com.squareup.moshi.JsonWriter;
import io.github.wechatmp.internal.http.CredentialCall;
import io.github.wechatmp.internal.http.WeChatHttp;
import io.github.wechatmp.internal.refresh.CredentialFetcher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okio.Buffer;

/**
 * WeChat's access token endpoints: {@code GET cgi-bin/token} and {@code POST cgi-bin/stable_token}.
 * Thread-safe. Internal: not part of the SDK's API.
 */
final class TokenEndpoint implements CredentialFetcher {
  private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");

  private final OkHttpClient client;
  private final String baseUrl; // canonical text, parsed per request: see WeChatHttp.canonicalText
  private final String appId;
  private final String appSecret;
  private final boolean stable;
  private final Clock clock;

  /**
   * Creates the endpoint.
   *
   * @param client the HTTP client, or null for the SDK's default
   * @param baseUrl WeChat's API base URL, ending in {@code /}, as {@link WeChatHttp#canonicalText}
   *     gives it
   */
  public TokenEndpoint(
      OkHttpClient client,
      String baseUrl,
      String appId,
      String appSecret,
      boolean stable,
      Clock clock) {
    this.client = WeChatHttp.credentialClient(client);
    this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
    this.appId = Objects.requireNonNull(appId, "appId");
    this.appSecret = Objects.requireNonNull(appSecret, "appSecret");
    this.stable = stable;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public AccessToken fetch(boolean forceRefresh, Duration timeout) {
    Request request = stable ? stableRequest(forceRefresh) : classicRequest();
    return CredentialCall.execute(
        client, request, timeout, "access_token", what(), clock, appSecret, true, AccessToken::of);
  }

  private Request classicRequest() {
    HttpUrl url =
        WeChatHttp.parsed(baseUrl)
            .newBuilder()
            .addPathSegments("cgi-bin/token")
            .addQueryParameter("grant_type", "client_credential")
            .addQueryParameter("appid", appId)
            .addQueryParameter("secret", appSecret)
            .build();
    return new Request.Builder().url(url).get().build();
  }

  private Request stableRequest(boolean forceRefresh) {
    Buffer json = new Buffer();
    try (JsonWriter w = JsonWriter.of(json)) {
      w.beginObject()
          .name("grant_type")
          .value("client_credential")
          .name("appid")
          .value(appId)
          .name("secret")
          .value(appSecret)
          .name("force_refresh")
          .value(forceRefresh)
          .endObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a Buffer does not fail
    }
    HttpUrl url =
        WeChatHttp.parsed(baseUrl).newBuilder().addPathSegments("cgi-bin/stable_token").build();
    return new Request.Builder()
        .url(url)
        .post(RequestBody.create(json.readByteString(), JSON))
        .build();
  }

  /**
   * What is fetched, for messages. Not a field: 10,000 accounts in one JVM would each hold the text
   * for the rare failure.
   */
  private String what() {
    return (stable ? "stable access_token" : "access_token") + " of " + appId;
  }

  @Override
  public String toString() {
    return "TokenEndpoint{" + what() + ", " + baseUrl + "}"; // never the secret
  }
}

package io.github.wechatmp.open;

import com.squareup.moshi.JsonWriter;
import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.internal.http.CredentialCall;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okio.Buffer;

/**
 * The platform's calls to {@code cgi-bin/component/*}: a JSON body, WeChat's JSON answer, and the
 * {@code component_access_token} in the query where the endpoint needs it. A token WeChat rejects
 * (40001, 40014, 42001) is reported to its provider and the call made once more with a new one.
 * Thread-safe.
 */
final class ComponentCalls {
  private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final OkHttpClient client;
  private final HttpUrl apiBaseUrl;
  private final String componentAppSecret;

  ComponentCalls(OkHttpClient client, HttpUrl apiBaseUrl, String componentAppSecret) {
    this.client = client;
    this.apiBaseUrl = apiBaseUrl;
    this.componentAppSecret = componentAppSecret;
  }

  /** Builds the request for {@code endpoint} with {@code body} (strings and numbers only). */
  Request request(String endpoint, String componentAccessToken, Map<String, Object> body) {
    HttpUrl.Builder url = apiBaseUrl.newBuilder().addPathSegments("cgi-bin/component/" + endpoint);
    if (componentAccessToken != null) {
      url.addQueryParameter("component_access_token", componentAccessToken);
    }
    Buffer json = new Buffer();
    try (JsonWriter w = JsonWriter.of(json)) {
      w.beginObject();
      for (Map.Entry<String, Object> e : body.entrySet()) {
        w.name(e.getKey());
        if (e.getValue() instanceof Number n) {
          w.value(n);
        } else {
          w.value(String.valueOf(e.getValue()));
        }
      }
      w.endObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a Buffer does no I/O
    }
    return new Request.Builder()
        .url(url.build())
        .post(RequestBody.create(json.readByteString(), JSON))
        .build();
  }

  /**
   * Calls an endpoint that needs no component token ({@code api_start_push_ticket}).
   *
   * @param secrets values no message may show, besides the platform's secret
   */
  Map<String, Object> call(String endpoint, Map<String, Object> body, String... secrets) {
    return CredentialCall.executeObject(
        client, request(endpoint, null, body), TIMEOUT, what(endpoint), with(secrets, null));
  }

  /**
   * Calls an endpoint with the platform's current {@code component_access_token}, once more with a
   * new one if WeChat rejects it.
   */
  Map<String, Object> callWithToken(
      String endpoint,
      AccessTokenProvider componentToken,
      Map<String, Object> body,
      String... secrets) {
    AccessToken token = componentToken.get();
    try {
      return CredentialCall.executeObject(
          client,
          request(endpoint, token.value(), body),
          TIMEOUT,
          what(endpoint),
          with(secrets, token.value()));
    } catch (WeChatApiException e) {
      if (!isRejectedToken(e.errorCode())) {
        throw e;
      }
      componentToken.invalidate(token.value());
      AccessToken again = componentToken.get();
      return CredentialCall.executeObject(
          client,
          request(endpoint, again.value(), body),
          TIMEOUT,
          what(endpoint),
          with(secrets, again.value()));
    }
  }

  private String[] with(String[] secrets, String token) {
    String[] all = new String[secrets.length + 2];
    System.arraycopy(secrets, 0, all, 0, secrets.length);
    all[secrets.length] = componentAppSecret;
    all[secrets.length + 1] = token;
    return all;
  }

  private static String what(String endpoint) {
    return "platform's " + endpoint;
  }

  static boolean isRejectedToken(int errcode) {
    return errcode == WeChatApiException.INVALID_CREDENTIAL
        || errcode == WeChatApiException.INVALID_ACCESS_TOKEN
        || errcode == WeChatApiException.ACCESS_TOKEN_EXPIRED;
  }

  /** Reads a string member of WeChat's answer, or null. */
  static String string(Map<?, ?> answer, String name) {
    Object v = answer.get(name);
    return v instanceof String s && !s.isEmpty() ? s : null;
  }

  /** Reads a number member of WeChat's answer (Moshi reads numbers as doubles), or -1. */
  static long number(Map<?, ?> answer, String name) {
    Object v = answer.get(name);
    return v instanceof Number n ? n.longValue() : -1;
  }
}

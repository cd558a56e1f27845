package io.github.wechatmp.token;

import com.squareup.moshi.JsonReader;
import com.squareup.moshi.JsonWriter;
import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.WeChatTransportException;
import io.github.wechatmp.internal.http.WeChatHttp;
import io.github.wechatmp.internal.refresh.CredentialFetcher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Buffer;
import okio.BufferedSource;

/**
 * The central token service (module {@code wechat-token-server}) as a source of access tokens:
 * {@code GET v1/accounts/{appId}/access_token}, and, for a token reported as rejected, {@code POST
 * v1/accounts/{appId}/access_token/rejected}, which makes the service replace it (once, however
 * many clients report it). Thread-safe. Internal: not part of the SDK's API.
 */
final class TokenServiceEndpoint implements CredentialFetcher {
  private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
  private static final long MAX_BODY_BYTES = 16 * 1024;
  private static final long MAX_EXPIRES_IN_SECONDS = 86_400;

  private final OkHttpClient client;
  private final HttpUrl tokenUrl;
  private final HttpUrl rejectedUrl;
  private final String authorization;
  private final String apiKey;
  private final Clock clock;
  private final String what;

  /** The value last received from the service. */
  private final AtomicReference<String> lastIssued = new AtomicReference<>();

  /** A value reported as rejected that the service has not been told of yet. */
  private final AtomicReference<String> pendingRejected = new AtomicReference<>();

  /**
   * @param serviceUrl the service's base URL, ending in {@code /}
   */
  public TokenServiceEndpoint(
      OkHttpClient client, HttpUrl serviceUrl, String apiKey, String appId, Clock clock) {
    this.client = WeChatHttp.credentialClient(client);
    this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
    this.authorization = "Bearer " + apiKey;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.tokenUrl =
        serviceUrl
            .newBuilder()
            .addPathSegments("v1/accounts")
            .addPathSegment(appId)
            .addPathSegment("access_token")
            .build();
    this.rejectedUrl = tokenUrl.newBuilder().addPathSegment("rejected").build();
    this.what = "access_token of " + appId + " from the token service " + serviceUrl;
  }

  /**
   * Remembers that {@code rejected} was rejected by WeChat, so that the next fetch reports it to
   * the service; a value this endpoint did not last receive is ignored (the service has replaced it
   * already). Does no I/O.
   */
  public void reportRejected(String rejected) {
    if (rejected != null && rejected.equals(lastIssued.get())) {
      pendingRejected.set(rejected);
    }
  }

  @Override
  public AccessToken fetch(boolean forceRefresh, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String rejected = pendingRejected.getAndSet(null);
    if (rejected == null && forceRefresh) {
      rejected = lastIssued.get(); // refresh(): a token newer than the one held
    }
    AccessToken token = rejected != null ? reportOrRead(rejected, timeout) : call(get(), timeout);
    // Reported while this fetch was under way: the service must hear of it, or it hands it out
    // again.
    String late = pendingRejected.get();
    if (late != null && late.equals(token.value()) && pendingRejected.compareAndSet(late, null)) {
      token = reportOrRead(late, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
    }
    lastIssued.set(token.value());
    return token;
  }

  /**
   * Reports {@code rejected}; if the service refuses to replace it so soon after the last
   * replacement (429), takes the token it holds, which is all there is to have.
   */
  private AccessToken reportOrRead(String rejected, Duration timeout) {
    try {
      return call(reject(rejected), timeout);
    } catch (TooSoon e) {
      return call(get(), timeout);
    }
  }

  /** The service's 429 to a report that came too soon after the last replacement. */
  private static final class TooSoon extends TokenUnavailableException {
    private static final long serialVersionUID = 1L;

    TooSoon(String message) {
      super(message, null);
    }
  }

  private Request get() {
    return new Request.Builder().url(tokenUrl).header("Authorization", authorization).get().build();
  }

  private Request reject(String value) {
    Buffer json = new Buffer();
    try (JsonWriter w = JsonWriter.of(json)) {
      w.beginObject().name("access_token").value(value).endObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a Buffer does not fail
    }
    return new Request.Builder()
        .url(rejectedUrl)
        .header("Authorization", authorization)
        .post(RequestBody.create(json.readByteString(), JSON))
        .build();
  }

  private AccessToken call(Request request, Duration timeout) {
    Call call = client.newCall(request);
    call.timeout().timeout(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
    try (Response response = call.execute()) {
      Instant receivedAt = clock.instant();
      BufferedSource source = response.body().source();
      if (source.request(MAX_BODY_BYTES + 1)) {
        throw new WeChatTransportException(
            "The answer of the token service for the " + what + " is too large", response.code());
      }
      Buffer body = new Buffer();
      body.writeAll(source);
      Answer a = parse(body);
      if (response.code() == 200 && a.token != null) {
        if (a.expiresIn <= 0 || a.expiresIn > MAX_EXPIRES_IN_SECONDS) {
          throw new WeChatTransportException(
              "The token service answered " + what + " with expires_in " + a.expiresIn, null);
        }
        try {
          return AccessToken.of(a.token, receivedAt.plusSeconds(a.expiresIn));
        } catch (IllegalArgumentException e) {
          throw new WeChatTransportException(
              "The token service answered " + what + " with an invalid token: " + e.getMessage(),
              null);
        }
      }
      String detail =
          response.code()
              + (a.error == null ? "" : " " + a.error)
              + (a.message == null ? "" : ": " + safe(a.message));
      if (a.errcode != null) {
        // WeChat refused the service (a wrong AppSecret, an IP not whitelisted): pass it on.
        throw WeChatApiException.fromTokenEndpoint(
            a.errcode, a.message == null ? "" : safe(a.message));
      }
      if (response.code() >= 500) {
        throw new WeChatTransportException(
            "The token service failed to give the " + what + ": " + detail, response.code());
      }
      if (response.code() == 429) {
        throw new TooSoon("The token service refused to replace the " + what + ": " + detail);
      }
      // 401, 403, 404, 400: a configuration error on this side; retrying would not help.
      throw new TokenUnavailableException(
          "The token service refused to give the " + what + ": " + detail, null);
    } catch (IOException e) {
      throw new WeChatTransportException(
          "Could not reach the token service for the " + what + ": " + e.getMessage(), e);
    }
  }

  private String safe(String message) {
    return message.replace(apiKey, "***");
  }

  private static final class Answer {
    String token;
    long expiresIn;
    Integer errcode;
    String error;
    String message;
  }

  private Answer parse(Buffer body) {
    Answer a = new Answer();
    try (JsonReader r = JsonReader.of(body)) {
      if (r.peek() != JsonReader.Token.BEGIN_OBJECT) {
        return a;
      }
      r.beginObject();
      while (r.hasNext()) {
        String name = r.nextName();
        JsonReader.Token t = r.peek();
        if (name.equals("access_token") && t == JsonReader.Token.STRING) {
          a.token = r.nextString();
        } else if (name.equals("expires_in") && t == JsonReader.Token.NUMBER) {
          a.expiresIn = r.nextLong();
        } else if (name.equals("errcode") && t == JsonReader.Token.NUMBER) {
          a.errcode = r.nextInt();
        } else if (name.equals("error") && t == JsonReader.Token.STRING) {
          a.error = r.nextString();
        } else if (name.equals("message") && t == JsonReader.Token.STRING) {
          a.message = r.nextString();
        } else {
          r.skipValue();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not the service's JSON: the status code speaks alone
    }
    return a;
  }

  @Override
  public String toString() {
    return "TokenServiceEndpoint{" + what + "}"; // never the key
  }
}

package io.github.wechatmp.internal.http;

import com.squareup.moshi.JsonDataException;
import com.squareup.moshi.JsonEncodingException;
import com.squareup.moshi.JsonReader;
import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.WeChatTransportException;
import io.github.wechatmp.internal.Secrets;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;

/**
 * Performs one request to an endpoint of WeChat's that issues an expiring credential (the access
 * token endpoints, the jsapi ticket endpoint) and reads the answer: {@code {"<field>": "...",
 * "expires_in": 7200}} on success, {@code {"errcode": N, "errmsg": "..."}} on error. Internal: not
 * part of the SDK's API.
 */
public final class CredentialCall {
  /** WeChat's answers are a few hundred bytes; anything much larger is not WeChat's. */
  static final long MAX_BODY_BYTES = 64 * 1024;

  /** WeChat documents lifetimes of at most 7200 s; a day is a generous sanity bound. */
  static final long MAX_EXPIRES_IN_SECONDS = 86_400;

  private CredentialCall() {}

  /**
   * Executes {@code request} once and returns the credential in {@code valueField}, expiring {@code
   * expires_in} seconds after the answer was received.
   *
   * @param what a description for messages, such as {@code "access_token of wx123"}
   * @param secret a value that must never appear in an exception message (the AppSecret), or null
   * @param secretIsAppSecret whether {@code secret} is the AppSecret, so that this is a token
   *     endpoint, where errcode 40001 means a wrong AppSecret rather than a rejected access token
   * @param issued makes the credential of the API's type from what WeChat answered
   * @throws WeChatApiException if WeChat answered with a non-zero errcode
   * @throws WeChatTransportException for a failure to reach WeChat or to read its answer
   */
  public static <T> T execute(
      OkHttpClient client,
      Request request,
      Duration timeout,
      String valueField,
      String what,
      Clock clock,
      String secret,
      boolean secretIsAppSecret,
      Issued<T> issued) {
    return send(
        client,
        request,
        timeout,
        what,
        clock,
        new String[] {secret},
        (source, receivedAt) ->
            parse(source, valueField, what, receivedAt, secret, secretIsAppSecret, issued));
  }

  private static <T> T parse(
      BufferedSource source,
      String valueField,
      String what,
      Instant receivedAt,
      String secret,
      boolean secretIsAppSecret,
      Issued<T> issued)
      throws IOException {
    String value = null;
    long expiresIn = -1;
    long errcode = 0;
    String errmsg = null;
    try (JsonReader reader = JsonReader.of(source)) {
      reader.beginObject();
      while (reader.hasNext()) {
        String name = reader.nextName();
        if (name.equals(valueField)) {
          if (reader.peek() != JsonReader.Token.STRING) {
            throw new JsonDataException(valueField + " is not a string");
          }
          value = reader.nextString();
        } else if (name.equals("expires_in")) {
          expiresIn = reader.nextLong();
        } else if (reader.peek() == JsonReader.Token.NULL) {
          reader.nextNull(); // {"errmsg": null} and the like: as if absent
        } else if (name.equals("errcode")) {
          errcode = reader.nextLong();
        } else if (name.equals("errmsg")) {
          errmsg = reader.nextString();
        } else {
          reader.skipValue();
        }
      }
      reader.endObject();
      if (reader.peek() != JsonReader.Token.END_DOCUMENT) {
        throw new JsonEncodingException("trailing data after the JSON object");
      }
    } catch (IOException | JsonDataException | NumberFormatException e) {
      throw new WeChatTransportException(
          "WeChat's answer for the "
              + what
              + " is not the JSON WeChat documents: "
              + Secrets.scrub(e.getMessage(), secret),
          null);
    }
    if (errcode != 0) {
      int code = errcode > Integer.MAX_VALUE || errcode < Integer.MIN_VALUE ? -1 : (int) errcode;
      String scrubbed = Secrets.scrub(errmsg, secret);
      throw secretIsAppSecret
          ? WeChatApiException.fromTokenEndpoint(code, scrubbed)
          : new WeChatApiException(code, scrubbed);
    }
    if (value == null || value.isEmpty()) {
      throw new WeChatTransportException(
          "WeChat's answer for the " + what + " has no " + valueField, null);
    }
    if (expiresIn <= 0 || expiresIn > MAX_EXPIRES_IN_SECONDS) {
      throw new WeChatTransportException(
          "WeChat's answer for the " + what + " has no valid expires_in (got " + expiresIn + ")",
          null);
    }
    try {
      return issued.of(value, receivedAt, receivedAt.plusSeconds(expiresIn));
    } catch (IllegalArgumentException e) {
      throw new WeChatTransportException(
          "WeChat's answer for the "
              + what
              + " holds a malformed "
              + valueField
              + ": "
              + e.getMessage(),
          null);
    }
  }

  /**
   * Executes {@code request} once and returns WeChat's answer, a JSON object, as the map Moshi
   * reads (numbers as {@code Double}), after checking it carries no error: for the endpoints whose
   * answer has more than one field of interest (web authorization's token and user answers).
   *
   * @param what a description for messages, such as {@code "web access token of wx123"}
   * @param secrets values that must never appear in an exception message (the AppSecret, a code, a
   *     token); nulls are ignored
   * @throws WeChatApiException if WeChat answered with a non-zero errcode
   * @throws WeChatTransportException for a failure to reach WeChat or to read its answer
   */
  public static java.util.Map<String, Object> executeObject(
      OkHttpClient client, Request request, Duration timeout, String what, String... secrets) {
    // The answer carries no lifetime, so the instant it was received is not needed.
    return send(
        client,
        request,
        timeout,
        what,
        Clock.systemUTC(),
        secrets,
        (source, receivedAt) -> parseObject(source, what, secrets));
  }

  /**
   * Executes {@code request} once, within {@code timeout}, and hands a 200 answer's body to {@code
   * reader} once it is known to be neither empty nor larger than {@link #MAX_BODY_BYTES}.
   */
  private static <T> T send(
      OkHttpClient client,
      Request request,
      Duration timeout,
      String what,
      Clock clock,
      String[] secrets,
      AnswerReader<T> reader) {
    Call call = client.newCall(request);
    long timeoutMillis = Math.max(1, timeout.toMillis());
    call.timeout().timeout(timeoutMillis, TimeUnit.MILLISECONDS);
    try (Response response = call.execute()) {
      Instant receivedAt = clock.instant();
      if (response.code() != 200) {
        throw new WeChatTransportException(
            "WeChat answered HTTP " + response.code() + " when asked for the " + what,
            response.code());
      }
      return reader.read(boundedSource(response.body(), what), receivedAt);
    } catch (InterruptedIOException e) {
      throw new WeChatTransportException(
          "Timed out after " + timeoutMillis + " ms asking WeChat for the " + what,
          safeCause(e, secrets));
    } catch (IOException e) {
      throw new WeChatTransportException(
          "Could not reach WeChat for the " + what + ": " + scrubAll(e.getMessage(), secrets),
          safeCause(e, secrets));
    }
  }

  private static BufferedSource boundedSource(ResponseBody body, String what) throws IOException {
    BufferedSource source = body.source();
    if (source.request(MAX_BODY_BYTES + 1)) {
      throw new WeChatTransportException(
          "WeChat's answer for the " + what + " is larger than " + MAX_BODY_BYTES + " bytes", null);
    }
    if (source.exhausted()) {
      throw new WeChatTransportException("WeChat's answer for the " + what + " is empty", null);
    }
    return source;
  }

  private static java.util.Map<String, Object> parseObject(
      BufferedSource source, String what, String[] secrets) {
    Object value;
    try (JsonReader reader = JsonReader.of(source)) {
      if (reader.peek() != JsonReader.Token.BEGIN_OBJECT) {
        throw new JsonDataException("not a JSON object");
      }
      value = reader.readJsonValue();
      if (reader.peek() != JsonReader.Token.END_DOCUMENT) {
        throw new JsonEncodingException("trailing data after the JSON object");
      }
    } catch (IOException | JsonDataException e) {
      throw new WeChatTransportException(
          "WeChat's answer for the "
              + what
              + " is not the JSON WeChat documents: "
              + scrubAll(e.getMessage(), secrets),
          null);
    }
    @SuppressWarnings("unchecked") // readJsonValue reads an object as a Map with String keys
    java.util.Map<String, Object> map = (java.util.Map<String, Object>) value;
    Object errcode = map.get("errcode");
    if (errcode instanceof Number n && n.doubleValue() != 0) {
      double d = n.doubleValue();
      int code = d > Integer.MAX_VALUE || d < Integer.MIN_VALUE || d != Math.rint(d) ? -1 : (int) d;
      Object errmsg = map.get("errmsg");
      throw new WeChatApiException(code, scrubAll(errmsg instanceof String s ? s : null, secrets));
    }
    return map;
  }

  private static String scrubAll(String text, String[] secrets) {
    String out = String.valueOf(text);
    for (String secret : secrets) {
      out = Secrets.scrub(out, secret);
    }
    return out;
  }

  /** The cause, unless its message (or its cause's) would reveal one of the secrets. */
  private static Throwable safeCause(Throwable e, String[] secrets) {
    for (String secret : secrets) {
      if (safeCause(e, secret) == null) {
        return null;
      }
    }
    return e;
  }

  /** The cause, unless its message (or its cause's) would reveal the secret. */
  private static Throwable safeCause(Throwable e, String secret) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (secret != null && !secret.isEmpty() && m != null && m.contains(secret)) {
        return null;
      }
    }
    return e;
  }

  /** Reads a checked answer's body, received at {@code receivedAt}. */
  @FunctionalInterface
  private interface AnswerReader<T> {
    T read(BufferedSource source, Instant receivedAt) throws IOException;
  }

  /**
   * Makes a credential from WeChat's answer, throwing {@link IllegalArgumentException} for a value
   * it refuses. A function rather than the token type, so that this package depends on no API
   * package.
   */
  @FunctionalInterface
  public interface Issued<T> {
    /** Returns the credential {@code value}, issued and expiring at the instants given. */
    T of(String value, Instant issuedAt, Instant expiresAt);
  }
}

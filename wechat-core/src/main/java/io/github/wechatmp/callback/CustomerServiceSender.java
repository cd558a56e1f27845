package io.github.wechatmp.callback;

import com.squareup.moshi.JsonReader;
import com.squareup.moshi.JsonWriter;
import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.WeChatTransportException;
import io.github.wechatmp.callback.inbound.WeChatMessage;
import io.github.wechatmp.http.AccessTokenInterceptor;
import io.github.wechatmp.token.AccessTokenProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;

/**
 * A {@link LateReplySender} that sends late replies as customer service messages: a {@code POST} of
 * WeChat's JSON to {@code cgi-bin/message/custom/send} at the provider's {@linkplain
 * AccessTokenProvider#apiBaseUrl() API base URL} (so a stand-in or proxy configured there receives
 * it), with the provider's token added by an {@link AccessTokenInterceptor} (which renews a
 * rejected token and retries once). WeChat accepts a customer service message within 48 hours of
 * the user's last message, so a late reply always qualifies.
 *
 * <p>{@link Reply#transferToCustomerService()} cannot be sent this way and is logged and dropped by
 * {@link WeChatCallback}; news is sent as WeChat's {@code news} with its articles.
 *
 * <p>Thread-safe. {@link #send} blocks for the HTTP call (on the handler's thread) and throws on
 * failure: {@link WeChatApiException} with WeChat's errcode, {@link WeChatTransportException} when
 * WeChat could not be reached; the callback logs it. Tokens appear in logs only masked.
 */
public final class CustomerServiceSender implements LateReplySender {
  private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
  private static final OkHttpClient DEFAULT_CLIENT =
      new OkHttpClient.Builder()
          .connectTimeout(5, TimeUnit.SECONDS)
          .readTimeout(10, TimeUnit.SECONDS)
          .callTimeout(15, TimeUnit.SECONDS)
          .followRedirects(false)
          .followSslRedirects(false)
          .build();

  private final AccessTokenProvider tokens;
  private final HttpUrl endpoint;
  private final OkHttpClient client;

  /**
   * A sender with the SDK's default HTTP client (5 s to connect, 15 s in all, no redirects).
   *
   * @param tokens the account's token provider
   * @throws NullPointerException if {@code tokens} is null
   */
  public CustomerServiceSender(AccessTokenProvider tokens) {
    this(tokens, DEFAULT_CLIENT);
  }

  /**
   * A sender over {@code httpClient} (sharing its connection pool and dispatcher), to which an
   * {@link AccessTokenInterceptor} of {@code tokens} is added.
   *
   * @param tokens the account's token provider
   * @param httpClient the client to build on; must not have an {@link AccessTokenInterceptor} of
   *     its own
   * @throws NullPointerException if an argument is null
   */
  public CustomerServiceSender(AccessTokenProvider tokens, OkHttpClient httpClient) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    HttpUrl base = tokens.apiBaseUrl();
    this.endpoint = base.resolve("cgi-bin/message/custom/send");
    AccessTokenInterceptor.Builder interceptor = AccessTokenInterceptor.builder(tokens);
    if (!AccessTokenInterceptor.DEFAULT_HOSTS.contains(base.host())) {
      interceptor.addHost(base.host());
    }
    OkHttpClient.Builder b = Objects.requireNonNull(httpClient, "httpClient").newBuilder();
    b.interceptors().removeIf(i -> i instanceof AccessTokenInterceptor);
    this.client = b.addInterceptor(interceptor.build()).build();
  }

  /**
   * Sends {@code reply} to the sender of {@code message} as a customer service message.
   *
   * @param message the message the reply answers; its sender receives it
   * @param reply the reply
   * @throws WeChatApiException if WeChat refused it (its errcode and errmsg)
   * @throws WeChatTransportException if WeChat could not be reached or answered no JSON
   * @throws IllegalArgumentException if the reply is {@link Reply#none()} or a transfer to customer
   *     service, which cannot be sent
   */
  @Override
  public void send(WeChatMessage message, Reply reply) {
    String json = json(message.fromUser(), reply);
    Request request =
        new Request.Builder().url(endpoint).post(RequestBody.create(json, JSON)).build();
    try (Response response = client.newCall(request).execute()) {
      ResponseBody body = response.body();
      if (!response.isSuccessful()) {
        throw new WeChatTransportException(
            "cgi-bin/message/custom/send answered HTTP " + response.code(), response.code());
      }
      checkErrcode(body.string());
    } catch (IOException e) {
      throw new WeChatTransportException(
          "cgi-bin/message/custom/send could not be reached: " + e.getMessage(), e);
    }
  }

  private static void checkErrcode(String body) throws IOException {
    int errcode = 0;
    String errmsg = null;
    try (JsonReader r = JsonReader.of(new Buffer().writeUtf8(body))) {
      r.beginObject();
      while (r.hasNext()) {
        switch (r.nextName()) {
          case "errcode":
            errcode = r.nextInt();
            break;
          case "errmsg":
            errmsg = r.peek() == JsonReader.Token.NULL ? r.nextNull() : r.nextString();
            break;
          default:
            r.skipValue();
        }
      }
      r.endObject();
    } catch (com.squareup.moshi.JsonDataException | com.squareup.moshi.JsonEncodingException e) {
      throw new WeChatTransportException(
          "cgi-bin/message/custom/send answered something that is not WeChat's JSON", e);
    }
    if (errcode != 0) {
      throw new WeChatApiException(errcode, errmsg);
    }
  }

  /** WeChat's customer service message JSON for {@code reply}. */
  static String json(String toUser, Reply reply) {
    Buffer out = new Buffer();
    try (JsonWriter w = JsonWriter.of(out)) {
      w.beginObject().name("touser").value(toUser);
      String[] v = reply.values;
      switch (reply.kind) {
        case TEXT:
          w.name("msgtype").value("text").name("text").beginObject();
          w.name("content").value(v[0]).endObject();
          break;
        case IMAGE:
          w.name("msgtype").value("image").name("image").beginObject();
          w.name("media_id").value(v[0]).endObject();
          break;
        case VOICE:
          w.name("msgtype").value("voice").name("voice").beginObject();
          w.name("media_id").value(v[0]).endObject();
          break;
        case VIDEO:
          w.name("msgtype").value("video").name("video").beginObject();
          w.name("media_id").value(v[0]);
          optional(w, "title", v[1]);
          optional(w, "description", v[2]);
          w.endObject();
          break;
        case MUSIC:
          w.name("msgtype").value("music").name("music").beginObject();
          optional(w, "title", v[0]);
          optional(w, "description", v[1]);
          optional(w, "musicurl", v[2]);
          optional(w, "hqmusicurl", v[3]);
          w.name("thumb_media_id").value(v[4]).endObject();
          break;
        case NEWS:
          w.name("msgtype").value("news").name("news").beginObject();
          w.name("articles").beginArray();
          for (Reply.Article a : reply.articles) {
            w.beginObject().name("title").value(a.title());
            optional(w, "description", a.description());
            optional(w, "url", a.url());
            optional(w, "picurl", a.picUrl());
            w.endObject();
          }
          w.endArray().endObject();
          break;
        default:
          throw new IllegalArgumentException(
              reply + " cannot be sent as a customer service message");
      }
      w.endObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to a memory buffer failed", e);
    }
    return out.readUtf8();
  }

  private static void optional(JsonWriter w, String name, String value) throws IOException {
    if (value != null) {
      w.name(name).value(value);
    }
  }

  @Override
  public String toString() {
    return "CustomerServiceSender{" + endpoint + '}';
  }
}

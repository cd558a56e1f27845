package io.github.wechatmp.callback;

import com.squareup.moshi.JsonWriter;
import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.WeChatTransportException;
import io.github.wechatmp.api.WeChatApi;
import io.github.wechatmp.callback.inbound.WeChatMessage;
import io.github.wechatmp.token.AccessTokenProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import okhttp3.OkHttpClient;
import okio.Buffer;

/**
 * A {@link LateReplySender} that sends late replies as customer service messages through a {@link
 * WeChatApi}: a {@code POST} of WeChat's JSON to {@code cgi-bin/message/custom/send} at the API
 * base URL (by default the provider's {@linkplain AccessTokenProvider#apiBaseUrl() API base URL},
 * so a stand-in or proxy configured there receives it), with the token handled as {@link WeChatApi}
 * does (a rejected token renewed and the call retried once, {@code -1} retried). WeChat accepts a
 * customer service message within 48 hours of the user's last message, so a late reply always
 * qualifies.
 *
 * <p>{@link Reply#transferToCustomerService()} cannot be sent this way and is logged and dropped by
 * {@link WeChatCallback}; news is sent as WeChat's {@code news} with its articles.
 *
 * <p>Thread-safe. {@link #send} blocks for the HTTP call (on the handler's thread) and throws on
 * failure: {@link WeChatApiException} with WeChat's errcode, {@link WeChatTransportException} when
 * WeChat could not be reached; the callback logs it. Tokens appear in logs only masked.
 */
public final class CustomerServiceSender implements LateReplySender {
  private static final String PATH = "cgi-bin/message/custom/send";

  private final WeChatApi api;

  /**
   * A sender over {@code api}, the account's client.
   *
   * @param api the client to send through
   * @throws NullPointerException if {@code api} is null
   */
  public CustomerServiceSender(WeChatApi api) {
    this.api = Objects.requireNonNull(api, "api");
  }

  /**
   * A sender with a {@link WeChatApi} of its own over {@code tokens} and the SDK's default HTTP
   * client.
   *
   * @param tokens the account's token provider
   * @throws NullPointerException if {@code tokens} is null
   */
  public CustomerServiceSender(AccessTokenProvider tokens) {
    this(WeChatApi.builder().tokens(Objects.requireNonNull(tokens, "tokens")).build());
  }

  /**
   * A sender with a {@link WeChatApi} of its own over {@code tokens} and {@code httpClient}
   * (sharing its connection pool and dispatcher; its own token interceptor, if any, is replaced).
   *
   * @param tokens the account's token provider
   * @param httpClient the client to build on
   * @throws NullPointerException if an argument is null
   */
  public CustomerServiceSender(AccessTokenProvider tokens, OkHttpClient httpClient) {
    this(
        WeChatApi.builder()
            .tokens(Objects.requireNonNull(tokens, "tokens"))
            .httpClient(Objects.requireNonNull(httpClient, "httpClient"))
            .build());
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
    api.post(PATH, json(message.fromUser(), reply), String.class);
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
    return "CustomerServiceSender{" + PATH + " through " + api + '}';
  }
}

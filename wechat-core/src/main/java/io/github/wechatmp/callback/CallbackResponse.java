package io.github.wechatmp.callback;

import java.util.Map;

/**
 * The HTTP answer {@link WeChatCallback#handle} computed: write the status, the {@code
 * Content-Type}, the {@linkplain #headers() headers} and the body as they are. Immutable and
 * thread-safe; {@link #toString()} leaves the body out.
 */
public final class CallbackResponse {
  /** The content type of XML replies. */
  public static final String XML = "application/xml; charset=UTF-8";

  /** The content type of {@code echostr}, {@code success} and errors. */
  public static final String TEXT = "text/plain; charset=UTF-8";

  /**
   * The headers every answer carries, whoever makes it: {@code X-Content-Type-Options: nosniff}, so
   * that no browser reads an echoed {@code echostr} (which the signature does not cover) or an
   * error as HTML or script whatever it looks like. Unmodifiable.
   */
  public static final Map<String, String> HEADERS = Map.of("X-Content-Type-Options", "nosniff");

  static final CallbackResponse SUCCESS = new CallbackResponse(200, TEXT, "success");

  private final int status;
  private final String contentType;
  private final String body;

  private CallbackResponse(int status, String contentType, String body) {
    this.status = status;
    this.contentType = contentType;
    this.body = body;
  }

  static CallbackResponse xml(String body) {
    return new CallbackResponse(200, XML, body);
  }

  static CallbackResponse text(String body) {
    return new CallbackResponse(200, TEXT, body);
  }

  static CallbackResponse error(int status, String reason) {
    return new CallbackResponse(status, TEXT, reason);
  }

  /**
   * Returns the HTTP status: 200, or an error status as {@link WeChatCallback} documents.
   *
   * @return the status
   */
  public int status() {
    return status;
  }

  /**
   * Returns the {@code Content-Type}: {@value #XML} for a reply, {@value #TEXT} for everything
   * else.
   *
   * @return the content type
   */
  public String contentType() {
    return contentType;
  }

  /**
   * Returns the headers to write besides the {@code Content-Type}: {@link #HEADERS}.
   *
   * @return the headers, unmodifiable
   */
  public Map<String, String> headers() {
    return HEADERS;
  }

  /**
   * Returns the body, to be written as UTF-8.
   *
   * @return the body, never null
   */
  public String body() {
    return body;
  }

  @Override
  public String toString() {
    return "CallbackResponse{" + status + ", " + contentType + ", " + body.length() + " chars}";
  }
}

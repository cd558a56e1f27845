package io.github.wechatmp.callback;

import java.util.Map;
import java.util.Objects;

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

  /**
   * Returns a 200 answer in plain text, such as the {@code success} WeChat expects from an endpoint
   * that has nothing to reply (the third-party platform's event endpoint answers so).
   *
   * @param body the text
   * @return the answer
   */
  public static CallbackResponse text(String body) {
    return new CallbackResponse(200, TEXT, Objects.requireNonNull(body, "body"));
  }

  /**
   * Returns an error answer in plain text. WeChat retries a push that was not answered with 200.
   *
   * @param status the HTTP status, 400 to 599
   * @param reason a short reason, free of secrets
   * @return the answer
   * @throws IllegalArgumentException if {@code status} is not an error status
   */
  public static CallbackResponse error(int status, String reason) {
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("an error status is 400 to 599, not " + status);
    }
    return new CallbackResponse(status, TEXT, Objects.requireNonNull(reason, "reason"));
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

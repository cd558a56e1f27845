package io.github.wechatmp.test;

import java.time.Duration;
import java.util.Objects;

/**
 * A failure that a {@link WeChatStandIn} plays instead of (or before) its normal answer, scripted
 * with {@link WeChatStandIn#failNext(int, Fault)} or {@link WeChatStandIn#failFor(Duration,
 * Fault)}: an HTTP error status, an errcode, a slow answer, a connection closed unanswered, a
 * verbatim answer (malformed JSON, an empty body, any content type) or a redirect. By default a
 * fault hits every endpoint; {@link #at(String)} narrows it to one. Immutable and thread-safe.
 */
public final class Fault {
  enum Kind {
    HTTP_STATUS,
    ERRCODE,
    SLOW,
    DROP,
    BODY,
    REDIRECT
  }

  final Kind kind;
  final int code;
  final String errmsg;
  final Duration delay;
  final String path;
  final String contentType;
  final String body;
  final String location;

  private Fault(Kind kind, int code, String errmsg, Duration delay, String path) {
    this(kind, code, errmsg, delay, path, null, null, null);
  }

  private Fault(
      Kind kind,
      int code,
      String errmsg,
      Duration delay,
      String path,
      String contentType,
      String body,
      String location) {
    this.kind = kind;
    this.code = code;
    this.errmsg = errmsg;
    this.delay = delay;
    this.path = path;
    this.contentType = contentType;
    this.body = body;
    this.location = location;
  }

  /**
   * An HTTP error status with a short text body, as a failing gateway in front of WeChat answers.
   *
   * @param status the status, 400 to 599
   * @return the fault
   * @throws IllegalArgumentException if {@code status} is not an error status
   */
  public static Fault httpStatus(int status) {
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status must be 400 to 599: " + status);
    }
    return new Fault(Kind.HTTP_STATUS, status, null, null, null);
  }

  /**
   * WeChat's "system busy": HTTP 200 with {@code {"errcode":-1,"errmsg":"system error"}}.
   *
   * @return the fault
   */
  public static Fault systemBusy() {
    return errcode(-1, "system error");
  }

  /**
   * HTTP 200 with {@code {"errcode":code,"errmsg":errmsg}}, for any error WeChat may answer.
   *
   * @param code the errcode, not 0
   * @param errmsg the errmsg
   * @return the fault
   * @throws IllegalArgumentException if {@code code} is 0
   * @throws NullPointerException if {@code errmsg} is null
   */
  public static Fault errcode(int code, String errmsg) {
    if (code == 0) {
      throw new IllegalArgumentException("errcode 0 is success, not a fault");
    }
    return new Fault(Kind.ERRCODE, code, Objects.requireNonNull(errmsg, "errmsg"), null, null);
  }

  /**
   * A slow answer: the normal answer, sent after {@code delay} of real time (a client's read
   * timeout shorter than that sees a timeout). Slow answers are served concurrently.
   *
   * @param delay how long to wait before answering; positive
   * @return the fault
   * @throws IllegalArgumentException if {@code delay} is not positive
   * @throws NullPointerException if {@code delay} is null
   */
  public static Fault slow(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative() || delay.isZero()) {
      throw new IllegalArgumentException("delay must be positive");
    }
    return new Fault(Kind.SLOW, 0, null, delay, null);
  }

  /**
   * The connection closed with no answer at all, after the request was read: the client sees an
   * unexpected end of stream, and cannot know whether WeChat acted on the request.
   *
   * @return the fault
   */
  public static Fault connectionClosed() {
    return new Fault(Kind.DROP, 0, null, null, null);
  }

  /**
   * An answer given verbatim: any status and body, such as malformed JSON, an empty body, a token
   * answer with an unusual {@code expires_in}, or a binary download whose bytes look like an error.
   * Nothing is checked or issued: the request is answered with exactly this, as a misbehaving
   * WeChat or proxy would.
   *
   * @param status the HTTP status, 200 to 599
   * @param contentType the {@code Content-Type} header, such as {@code application/json}
   * @param body the body, sent as UTF-8 (may be empty)
   * @return the fault
   * @throws IllegalArgumentException if {@code status} is not 200 to 599, or {@code contentType} is
   *     blank or spans lines
   * @throws NullPointerException if {@code contentType} or {@code body} is null
   */
  public static Fault body(int status, String contentType, String body) {
    if (status < 200 || status > 599) {
      throw new IllegalArgumentException("status must be 200 to 599: " + status);
    }
    oneLine(contentType, "contentType");
    Objects.requireNonNull(body, "body");
    return new Fault(Kind.BODY, status, null, null, null, contentType, body, null);
  }

  /**
   * A redirect, as a misconfigured proxy in front of WeChat may answer: the status with a {@code
   * Location} header and an empty body. A client that follows it would send the request, AppSecret
   * and all, to {@code location}.
   *
   * @param status the status, 300 to 399
   * @param location the {@code Location} header's value
   * @return the fault
   * @throws IllegalArgumentException if {@code status} is not a redirect status, or {@code
   *     location} is blank or spans lines
   * @throws NullPointerException if {@code location} is null
   */
  public static Fault redirect(int status, String location) {
    if (status < 300 || status > 399) {
      throw new IllegalArgumentException("status must be 300 to 399: " + status);
    }
    return new Fault(
        Kind.REDIRECT, status, null, null, null, "text/plain", "", oneLine(location, "location"));
  }

  private static String oneLine(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isBlank() || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
      throw new IllegalArgumentException(name + " must be one non-blank line");
    }
    return value;
  }

  /**
   * HTTP 200 with a JSON content type and {@code body} verbatim, valid JSON or not: shorthand for
   * {@link #body(int, String, String) body(200, "application/json; encoding=utf-8", body)}.
   *
   * @param body the body (may be empty or malformed)
   * @return the fault
   * @throws NullPointerException if {@code body} is null
   */
  public static Fault json(String body) {
    return body(200, "application/json; encoding=utf-8", body);
  }

  /**
   * Returns this fault limited to one endpoint.
   *
   * @param endpointPath the path, such as {@code cgi-bin/token} (a leading {@code /} is optional)
   * @return a fault that hits only requests to that path
   * @throws NullPointerException if {@code endpointPath} is null
   */
  public Fault at(String endpointPath) {
    return new Fault(
        kind,
        code,
        errmsg,
        delay,
        WeChatStandIn.normalisePath(endpointPath),
        contentType,
        body,
        location);
  }

  boolean hits(String requestPath) {
    return path == null || path.equals(requestPath);
  }

  /**
   * Describes the fault.
   *
   * @return its kind, parameters and endpoint
   */
  @Override
  public String toString() {
    String what =
        switch (kind) {
          case HTTP_STATUS -> "HTTP " + code;
          case ERRCODE -> "errcode " + code;
          case SLOW -> "slow " + delay;
          case DROP -> "connection closed";
          case BODY -> "HTTP " + code + " " + contentType + " (" + body.length() + " chars)";
          case REDIRECT -> "HTTP " + code + " to " + location;
        };
    return "Fault{" + what + (path == null ? "" : " at " + path) + '}';
  }
}

package io.github.wechatmp.test;

import java.time.Duration;
import java.util.Objects;

/**
 * A failure that a {@link WeChatStandIn} plays instead of (or before) its normal answer, scripted
 * with {@link WeChatStandIn#failNext(int, Fault)} or {@link WeChatStandIn#failFor(Duration,
 * Fault)}. By default a fault hits every endpoint; {@link #at(String)} narrows it to one. Immutable
 * and thread-safe.
 */
public final class Fault {
  enum Kind {
    HTTP_STATUS,
    ERRCODE,
    SLOW,
    DROP
  }

  final Kind kind;
  final int code;
  final String errmsg;
  final Duration delay;
  final String path;

  private Fault(Kind kind, int code, String errmsg, Duration delay, String path) {
    this.kind = kind;
    this.code = code;
    this.errmsg = errmsg;
    this.delay = delay;
    this.path = path;
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
   * Returns this fault limited to one endpoint.
   *
   * @param endpointPath the path, such as {@code cgi-bin/token} (a leading {@code /} is optional)
   * @return a fault that hits only requests to that path
   * @throws NullPointerException if {@code endpointPath} is null
   */
  public Fault at(String endpointPath) {
    return new Fault(kind, code, errmsg, delay, WeChatStandIn.normalisePath(endpointPath));
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
        };
    return "Fault{" + what + (path == null ? "" : " at " + path) + '}';
  }
}

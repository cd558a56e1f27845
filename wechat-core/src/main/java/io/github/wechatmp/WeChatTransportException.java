package io.github.wechatmp;

/**
 * WeChat could not be asked, or its answer could not be read: a connection failure, a timeout, an
 * HTTP status other than 200, an empty or oversized body, or JSON that is malformed or lacks the
 * fields WeChat documents. Transport failures are generally worth retrying after a pause.
 *
 * <p>Instances are immutable and may be shared between threads.
 */
public class WeChatTransportException extends WeChatException {
  private static final long serialVersionUID = 1L;

  /** The HTTP status received, or 0. */
  private final int httpStatus;

  /**
   * Creates an exception for a failure with no HTTP status (connection, timeout, unreadable body).
   *
   * @param message what went wrong, free of secrets
   * @param cause the underlying failure, or {@code null}; it must not carry secrets in its message
   */
  public WeChatTransportException(String message, Throwable cause) {
    super(message, cause);
    this.httpStatus = 0;
  }

  /**
   * Creates an exception for an HTTP status WeChat's side should not have answered with.
   *
   * @param message what went wrong, free of secrets
   * @param httpStatus the HTTP status received
   */
  public WeChatTransportException(String message, int httpStatus) {
    super(message);
    this.httpStatus = httpStatus;
  }

  private WeChatTransportException(WeChatTransportException original) {
    super(original.getMessage(), original);
    this.httpStatus = original.httpStatus;
  }

  /**
   * Returns a {@code WeChatTransportException} of the same message and HTTP status, made on the
   * calling thread and caused by this one; see {@link WeChatException#onCallersStack()}.
   *
   * @return a new exception, whose cause is this one
   */
  @Override
  public WeChatTransportException onCallersStack() {
    return new WeChatTransportException(this);
  }

  /**
   * Returns the HTTP status that was received.
   *
   * @return the status, or 0 when none was received (the failure came before it, or was in reading
   *     the body)
   */
  public int httpStatus() {
    return httpStatus;
  }
}

package io.github.wechatmp.test;

/**
 * A callback call that failed as WeChat would see it fail: no answer in time (after every try), a
 * status other than 200, or an encrypted reply that does not verify or decrypt.
 */
public final class CallbackException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The HTTP status answered, or 0 if there was no answer. */
  private final int status;

  /** The body answered, or empty. */
  private final String body;

  CallbackException(String message, int status, String body, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.body = body == null ? "" : body;
  }

  /**
   * Returns the HTTP status the callback answered.
   *
   * @return the status, or 0 if it gave no answer
   */
  public int status() {
    return status;
  }

  /**
   * Returns the body the callback answered.
   *
   * @return the body, or empty if none
   */
  public String body() {
    return body;
  }
}

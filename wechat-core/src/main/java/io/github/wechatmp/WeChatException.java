package io.github.wechatmp;

/**
 * The root of every exception this SDK throws for a failure outside the caller's control: WeChat
 * answered with an error, WeChat could not be reached, or the shared token store failed.
 *
 * <p>All subclasses are unchecked. No message of any of them contains the AppSecret, and an access
 * token appears in a message only masked. Instances are immutable and may be shared between
 * threads.
 */
public class WeChatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message and an optional cause.
   *
   * @param message what went wrong, free of secrets
   * @param cause the underlying failure, or {@code null}
   */
  public WeChatException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Creates an exception with a message.
   *
   * @param message what went wrong, free of secrets
   */
  public WeChatException(String message) {
    super(message);
  }

  /**
   * Returns an exception of this one's kind, with its message and details, made on the calling
   * thread and caused by this one: what a caller gets when the failure happened on another thread
   * (a refresh that ran on the SDK's refresh thread), so that its stack trace shows the caller's
   * own call, and the cause shows where the failure happened. The subclasses that providers throw
   * return their own type; this one returns a plain {@code WeChatException}.
   *
   * @return a new exception, whose cause is this one
   */
  public WeChatException onCallersStack() {
    return new WeChatException(getMessage(), this);
  }
}

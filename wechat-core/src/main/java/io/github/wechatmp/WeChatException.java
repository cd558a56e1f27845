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
}

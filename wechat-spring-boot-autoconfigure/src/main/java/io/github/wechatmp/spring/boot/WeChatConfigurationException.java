package io.github.wechatmp.spring.boot;

/**
 * A {@code wechat.mp.*} setting that cannot work, found at start-up: a missing AppSecret, a
 * malformed EncodingAESKey, a file store path that is a directory or cannot be written, an unknown
 * store type. {@link WeChatFailureAnalyzer} turns it into Spring Boot's start-up failure report.
 * The message names the property and never holds a secret.
 */
public class WeChatConfigurationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What to do about it, for the failure report. */
  private final String action;

  /**
   * Creates the exception.
   *
   * @param description what is wrong, naming the property (never its value if secret)
   * @param action what to change
   */
  public WeChatConfigurationException(String description, String action) {
    super(description);
    this.action = action;
  }

  /**
   * Creates the exception with a cause.
   *
   * @param description what is wrong, naming the property (never its value if secret)
   * @param action what to change
   * @param cause the failure that showed it
   */
  public WeChatConfigurationException(String description, String action, Throwable cause) {
    super(description, cause);
    this.action = action;
  }

  /**
   * Returns what to change.
   *
   * @return the action, for the failure report
   */
  public String getAction() {
    return action;
  }
}

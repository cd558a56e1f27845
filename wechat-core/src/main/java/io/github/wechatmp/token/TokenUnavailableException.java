package io.github.wechatmp.token;

import io.github.wechatmp.WeChatException;

/**
 * No usable token could be had in time, for a reason other than an error from WeChat: another
 * instance held the refresh lock for longer than this one may wait, the shared store failed while
 * no token was held in memory, or the waiting thread was interrupted. The message says which.
 * Immutable; may be shared between threads.
 */
public class TokenUnavailableException extends WeChatException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message why no token could be had, free of secrets
   * @param cause the underlying failure, or {@code null}
   */
  public TokenUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Returns a {@code TokenUnavailableException} of the same message, made on the calling thread and
   * caused by this one; see {@link io.github.wechatmp.WeChatException#onCallersStack()}.
   *
   * @return a new exception, whose cause is this one
   */
  @Override
  public TokenUnavailableException onCallersStack() {
    return new TokenUnavailableException(getMessage(), this);
  }
}

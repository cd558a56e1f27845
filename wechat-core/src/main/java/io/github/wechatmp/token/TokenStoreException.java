package io.github.wechatmp.token;

import io.github.wechatmp.WeChatException;

/**
 * The shared {@link TokenStore} could not do what was asked: Redis unreachable, a file that cannot
 * be written, and the like. The message names the store and what it was doing (a path, a Redis
 * address), never a whole token. Immutable; may be shared between threads.
 */
public class TokenStoreException extends WeChatException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what failed, naming the store
   * @param cause the underlying failure, or {@code null}
   */
  public TokenStoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Returns a {@code TokenStoreException} of the same message, made on the calling thread and
   * caused by this one; see {@link io.github.wechatmp.WeChatException#onCallersStack()}.
   *
   * @return a new exception, whose cause is this one
   */
  @Override
  public TokenStoreException onCallersStack() {
    return new TokenStoreException(getMessage(), this);
  }
}

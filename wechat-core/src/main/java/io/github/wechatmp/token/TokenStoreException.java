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
}

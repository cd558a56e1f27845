package io.github.wechatmp.open;

import io.github.wechatmp.WeChatException;

/**
 * An {@link AuthorizationStore} could not read or write its storage: the database or the disk is
 * unreachable or full, or a stored record is damaged. The message names the store and, where there
 * is one, the account, and never holds a refresh token.
 */
public class AuthorizationStoreException extends WeChatException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what failed, free of secrets
   * @param cause the underlying failure, or {@code null}; its message must hold no secret
   */
  public AuthorizationStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}

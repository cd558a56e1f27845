package io.github.wechatmp.open;

import io.github.wechatmp.WeChatException;

/**
 * An official account's token was asked for, but the platform may not fetch one: the account never
 * authorized the platform, cancelled ({@link Authorization.State#REVOKED}), or its refresh token
 * was refused and could not be recovered ({@link Authorization.State#NEEDS_REAUTHORIZATION}: the
 * merchant must authorize again). The message names the account and the state, never a token.
 */
public class NotAuthorizedException extends WeChatException {
  private static final long serialVersionUID = 1L;

  /** The account's state, or null if it never authorized the platform. */
  private final Authorization.State state;

  /**
   * Creates the exception.
   *
   * @param message what happened, free of secrets
   * @param state the account's state, or null if no authorization is stored
   */
  public NotAuthorizedException(String message, Authorization.State state) {
    super(message);
    this.state = state;
  }

  private NotAuthorizedException(NotAuthorizedException cause) {
    super(cause.getMessage(), cause);
    this.state = cause.state;
  }

  /**
   * Returns a copy thrown on the caller's stack, caused by this one (thrown on a refresh thread).
   *
   * @return the copy, of this type and state
   */
  @Override
  public NotAuthorizedException onCallersStack() {
    return new NotAuthorizedException(this);
  }

  /**
   * Returns the account's state.
   *
   * @return the state, or null if the account never authorized the platform
   */
  public Authorization.State state() {
    return state;
  }
}

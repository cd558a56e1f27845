package io.github.wechatmp.http;

import io.github.wechatmp.WeChatApiException;

/**
 * WeChat rejected an access token (errcode 40001, 40014 or 42001) on an ordinary API call, after
 * the rejected token had been invalidated and the call retried once with a fresh one, or when a
 * retry was impossible. Thrown by {@link AccessTokenInterceptor} and by the JS-SDK ticket provider.
 *
 * <p>It is a {@link WeChatApiException} whose message speaks of the API call; a plain {@code
 * WeChatApiException} with code 40001 would suggest a wrong AppSecret, which is what 40001 means on
 * the token endpoint only. Persisting errors of this kind usually mean that another system fetches
 * tokens for the same AppID with the same AppSecret and so keeps voiding this one's (only one token
 * is valid at a time). Immutable; may be shared between threads.
 */
public class AccessTokenRejectedException extends WeChatApiException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param errorCode WeChat's errcode: 40001, 40014 or 42001
   * @param errorMessage WeChat's errmsg, free of secrets; null is kept as ""
   * @param what the call that was refused, such as {@code "cgi-bin/menu/get"}, free of secrets
   */
  public AccessTokenRejectedException(int errorCode, String errorMessage, String what) {
    super(
        errorCode,
        errorMessage,
        "WeChat rejected the access token on "
            + what
            + " with errcode "
            + errorCode
            + (errorMessage == null || errorMessage.isEmpty() ? "" : ": " + errorMessage)
            + " (the rejected token was invalidated; is another system fetching tokens for the same AppID?)");
  }

  private AccessTokenRejectedException(AccessTokenRejectedException original) {
    super(original.errorCode(), original.errorMessage(), original.getMessage());
    initCause(original);
  }

  /**
   * Returns an {@code AccessTokenRejectedException} of the same code and message, made on the
   * calling thread and caused by this one; see {@link
   * io.github.wechatmp.WeChatException#onCallersStack()}.
   *
   * @return a new exception, whose cause is this one
   */
  @Override
  public AccessTokenRejectedException onCallersStack() {
    return new AccessTokenRejectedException(this);
  }
}

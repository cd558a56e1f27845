package io.github.wechatmp.callback;

import io.github.wechatmp.callback.inbound.WeChatMessage;

/**
 * Delivers a reply that the handler produced after the callback's {@linkplain
 * WeChatCallback.Builder#replyDeadline reply deadline}, once WeChat has already been answered
 * {@code success}: typically through the customer service API ({@link CustomerServiceSender}).
 *
 * <p>Called on the handler's thread, once per late reply that is not {@link Reply#none()}; must be
 * thread-safe. An exception thrown is logged (with the message's type and ID) and the reply is
 * dropped.
 */
@FunctionalInterface
public interface LateReplySender {
  /**
   * Sends {@code reply} to the sender of {@code message}.
   *
   * @param message the message the reply answers
   * @param reply the late reply, never {@link Reply#none()}
   */
  void send(WeChatMessage message, Reply reply);
}

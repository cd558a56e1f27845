package io.github.wechatmp.callback;

import io.github.wechatmp.callback.inbound.WeChatMessage;

/**
 * Answers the messages and events WeChat pushes; given to {@link WeChatCallback.Builder#handler}.
 * {@link MessageRouter} builds one from rules.
 *
 * <p>Called on one of the callback's handler threads, possibly on several at once for different
 * messages, so an implementation must be thread-safe. A retry of a message being handled or already
 * handled is not passed again (see {@link MessageDeduplicator}). An exception thrown makes the
 * callback answer HTTP 500, so that WeChat retries, and releases the message so that the retry runs
 * the handler again.
 */
@FunctionalInterface
public interface MessageHandler {
  /**
   * Answers one message.
   *
   * @param message the message, verified and parsed
   * @return the reply; null means {@link Reply#none()}
   */
  Reply handle(WeChatMessage message);
}

package io.github.wechatmp.spring.boot;

import io.github.wechatmp.callback.LateReplySender;
import io.github.wechatmp.callback.MessageDeduplicator;
import io.github.wechatmp.callback.MessageHandler;
import io.github.wechatmp.token.TokenEventListener;

/**
 * What watches an account's providers and callback (the Micrometer meters when Micrometer is
 * there); kept apart so that nothing else loads a Micrometer class. Implementations are
 * thread-safe.
 */
interface AccountObserver {
  /** Watches nothing. */
  AccountObserver NONE = new AccountObserver() {};

  /** Returns the listener for the account's token and ticket providers. */
  default TokenEventListener tokenListener(String account) {
    return TokenEventListener.NONE;
  }

  /** Wraps the application's handler to count messages. */
  default MessageHandler handler(String account, MessageHandler handler) {
    return handler;
  }

  /** Wraps the deduplicator to count duplicates. */
  default MessageDeduplicator deduplicator(String account, MessageDeduplicator deduplicator) {
    return deduplicator;
  }

  /** Wraps the late reply sender to count late replies. */
  default LateReplySender lateReplies(String account, LateReplySender sender) {
    return sender;
  }

  /** Called once the account is built (for gauges). */
  default void added(WeChatAccount account) {}

  /** Called once the account is removed and closed. */
  default void removed(WeChatAccount account) {}
}

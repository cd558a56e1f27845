package io.github.wechatmp.open;

import io.github.wechatmp.callback.Reply;
import io.github.wechatmp.callback.inbound.WeChatMessage;

/**
 * Answers the messages of every authorized account, told which account each was sent to: the
 * message's {@code ToUserName} is the account's original ID ({@code gh_...}), not its AppID.
 */
@FunctionalInterface
public interface AuthorizerMessageHandler {
  /**
   * Answers one message.
   *
   * @param authorizerAppId the AppID of the account the message was sent to
   * @param message the message or event
   * @return the reply, or {@link Reply#none()}
   */
  Reply handle(String authorizerAppId, WeChatMessage message);
}

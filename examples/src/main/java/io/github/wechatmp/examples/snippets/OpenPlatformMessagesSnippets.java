package io.github.wechatmp.examples.snippets;

import io.github.wechatmp.callback.CallbackResponse;
import io.github.wechatmp.callback.Reply;
import io.github.wechatmp.callback.inbound.TextMessage;
import io.github.wechatmp.open.AuthorizerMessages;
import io.github.wechatmp.open.OpenPlatform;
import java.util.Map;

/**
 * docs/third-party-platform.md snippets: the message endpoint of every authorized account. Main
 * code so that the page quotes compiled code.
 */
final class OpenPlatformMessagesSnippets {
  private OpenPlatformMessagesSnippets() {}

  static CallbackResponse onMessage(
      OpenPlatform platform,
      String appIdFromPath,
      String method,
      Map<String, String> query,
      String body) {
    // snippet:start open-messages-endpoint
    AuthorizerMessages messages =
        platform.messages(
            (authorizerAppId, message) ->
                message instanceof TextMessage text
                    ? Reply.text(authorizerAppId + " heard: " + text.content())
                    : Reply.none());
    // Served at /wechat/{appId}: WeChat puts the authorizer's AppID in the path.
    CallbackResponse answer = messages.handle(appIdFromPath, method, query, body);
    // snippet:end
    return answer;
  }
}

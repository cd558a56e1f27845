package io.github.wechatmp.api;

import io.github.wechatmp.WeChatTransportException;
import java.util.Map;
import java.util.Objects;

/**
 * Template messages ({@code cgi-bin/message/template/send}) and subscribe messages ({@code
 * cgi-bin/message/subscribe/bizsend}). Made by {@link WeChatApi#templates()}; thread-safe.
 */
public final class TemplateMessages {
  private final WeChatApi api;

  TemplateMessages(WeChatApi api) {
    this.api = Objects.requireNonNull(api, "api");
  }

  /**
   * Sends a template message. Give it a {@link TemplateMessage#withClientMsgId client_msg_id} to
   * have WeChat send it once however many times it is sent (within 10 minutes).
   *
   * @param message the message
   * @return WeChat's {@code msgid}, which the {@code TEMPLATESENDJOBFINISH} event names
   * @throws io.github.wechatmp.WeChatApiException if WeChat refused it (43004: the user does not
   *     follow the account; 40037: unknown template)
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be reached
   */
  public long send(TemplateMessage message) {
    Objects.requireNonNull(message, "message");
    Map<?, ?> answer = api.post("cgi-bin/message/template/send", message, Map.class);
    if (!(answer.get("msgid") instanceof Number msgId)) {
      throw new WeChatTransportException(
          "cgi-bin/message/template/send answered without a msgid", 200);
    }
    return msgId.longValue();
  }

  /**
   * Sends a subscribe message to a user who subscribed to its template.
   *
   * @param message the message
   * @throws io.github.wechatmp.WeChatApiException if WeChat refused it (43101: the user has not
   *     subscribed, or used up the subscription)
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be reached
   */
  public void send(SubscribeMessage message) {
    Objects.requireNonNull(message, "message");
    api.post("cgi-bin/message/subscribe/bizsend", message, Map.class);
  }
}

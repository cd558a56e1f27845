package io.github.wechatmp.callback.inbound;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An event about subscription messages: the user answered the subscription pop-up ({@code Event}
 * {@code subscribe_msg_popup_event}), changed a subscription in the settings ({@code
 * subscribe_msg_change_event}), or WeChat reports the outcome of sending one ({@code
 * subscribe_msg_sent_event}). Each {@code List} element of the event becomes one {@link
 * Subscription}.
 *
 * <p>Immutable; {@link #toString()} names the type and IDs, never the content.
 *
 * @param toUser the account that received it ({@code ToUserName})
 * @param fromUser the user's OpenID ({@code FromUserName})
 * @param createTime when WeChat created it ({@code CreateTime}, whole seconds)
 * @param event which of the three events it is
 * @param subscriptions the templates concerned, in order
 * @param fields every top-level field as received; see {@link WeChatMessage#fields()}
 */
public record SubscribeMessageEvent(
    String toUser,
    String fromUser,
    Instant createTime,
    String event,
    List<Subscription> subscriptions,
    Map<String, String> fields)
    implements WeChatEvent {

  /** The {@code Event} of the pop-up answer. */
  public static final String POPUP = "subscribe_msg_popup_event";

  /** The {@code Event} of a change in the settings. */
  public static final String CHANGE = "subscribe_msg_change_event";

  /** The {@code Event} of a send's outcome. */
  public static final String SENT = "subscribe_msg_sent_event";

  /**
   * Checks the fields every message has and makes {@code fields} unmodifiable.
   *
   * @param toUser the account that received it ({@code ToUserName})
   * @param fromUser the user's OpenID ({@code FromUserName})
   * @param createTime when WeChat created it ({@code CreateTime}, whole seconds)
   * @param event which of the three events it is
   * @param subscriptions the templates concerned, in order
   * @param fields every top-level field as received; see {@link WeChatMessage#fields()}
   * @throws NullPointerException if {@code toUser}, {@code fromUser}, {@code createTime} or {@code
   *     fields} is null
   */
  public SubscribeMessageEvent {
    fields = Records.checked(toUser, fromUser, createTime, fields);
    subscriptions = List.copyOf(subscriptions);
  }

  /**
   * One template of a subscription event; which values are set depends on the event.
   *
   * @param templateId the template's ID ({@code TemplateId})
   * @param status {@code accept} or {@code reject} ({@code SubscribeStatusString}) for the pop-up
   *     and change events, else null
   * @param popupScene where the pop-up was shown ({@code PopupScene}), or null
   * @param msgId the sent message's ID ({@code MsgID}) for the sent event, else null
   * @param errorCode {@code 0} on success ({@code ErrorCode}) for the sent event, else null
   * @param errorStatus {@code success} or why it failed ({@code ErrorStatus}) for the sent event,
   *     else null
   */
  public record Subscription(
      String templateId,
      String status,
      String popupScene,
      String msgId,
      String errorCode,
      String errorStatus) {}

  @Override
  public String toString() {
    return Records.describe(this);
  }
}

package io.github.wechatmp.callback.inbound;

/**
 * An event WeChat pushed ({@code MsgType} {@code event}): a follow, a menu click, the outcome of a
 * job, and so on. Immutable and thread-safe, like every {@link WeChatMessage}.
 */
public sealed interface WeChatEvent extends WeChatMessage
    permits SubscribeEvent,
        UnsubscribeEvent,
        ScanEvent,
        LocationEvent,
        ClickEvent,
        ViewEvent,
        ViewMiniprogramEvent,
        ScanCodeEvent,
        PicEvent,
        LocationSelectEvent,
        TemplateSendJobFinishEvent,
        MassSendJobFinishEvent,
        PublishJobFinishEvent,
        SubscribeMessageEvent,
        UnknownEvent {

  /**
   * Returns the event's name as WeChat sent it ({@code Event}), such as {@code subscribe} or {@code
   * CLICK}.
   *
   * @return the name, never null for a parsed event
   */
  default String event() {
    return fields().get("Event");
  }

  /**
   * Returns the event's {@code EventKey} as WeChat sent it, or null when it has none.
   *
   * @return the key, or null
   */
  default String eventKey() {
    return fields().get("EventKey");
  }
}

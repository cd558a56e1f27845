package io.github.wechatmp.callback.inbound;

import java.time.Instant;
import java.util.Map;

/**
 * The outcome of sending a template message ({@code Event} {@code TEMPLATESENDJOBFINISH}).
 *
 * <p>Immutable; {@link #toString()} names the type and IDs, never the content.
 *
 * @param toUser the account that received it ({@code ToUserName}, its original ID {@code gh_...})
 * @param fromUser the sender's OpenID ({@code FromUserName})
 * @param createTime when WeChat created it ({@code CreateTime}, whole seconds)
 * @param msgId the template message's ID ({@code MsgID})
 * @param status {@code success}, {@code failed:user block} or {@code failed: system failed} ({@code
 *     Status})
 * @param fields every top-level field as received; see {@link WeChatMessage#fields()}
 */
public record TemplateSendJobFinishEvent(
    String toUser,
    String fromUser,
    Instant createTime,
    String msgId,
    String status,
    Map<String, String> fields)
    implements WeChatEvent {
  /**
   * Checks the fields every message has and makes {@code fields} unmodifiable.
   *
   * @param toUser the account that received it ({@code ToUserName}, its original ID {@code gh_...})
   * @param fromUser the sender's OpenID ({@code FromUserName})
   * @param createTime when WeChat created it ({@code CreateTime}, whole seconds)
   * @param msgId the template message's ID ({@code MsgID})
   * @param status {@code success}, {@code failed:user block} or {@code failed: system failed}
   *     ({@code Status})
   * @param fields every top-level field as received; see {@link WeChatMessage#fields()}
   * @throws NullPointerException if {@code toUser}, {@code fromUser}, {@code createTime} or {@code
   *     fields} is null
   */
  public TemplateSendJobFinishEvent {
    fields = Records.checked(toUser, fromUser, createTime, fields);
  }

  @Override
  public String toString() {
    return Records.describe(this);
  }
}

package io.github.wechatmp.callback.inbound;

import java.time.Instant;
import java.util.Map;

/**
 * A link the user shared ({@code MsgType} {@code link}).
 *
 * <p>Immutable; {@link #toString()} names the type and IDs, never the content.
 *
 * @param toUser the account that received it ({@code ToUserName}, its original ID {@code gh_...})
 * @param fromUser the sender's OpenID ({@code FromUserName})
 * @param createTime when WeChat created it ({@code CreateTime}, whole seconds)
 * @param title the title ({@code Title})
 * @param description the description ({@code Description})
 * @param url the link ({@code Url})
 * @param msgId WeChat's ID of the message ({@code MsgId}), the key retries are recognised by
 * @param fields every top-level field as received; see {@link WeChatMessage#fields()}
 */
public record LinkMessage(
    String toUser,
    String fromUser,
    Instant createTime,
    String title,
    String description,
    String url,
    String msgId,
    Map<String, String> fields)
    implements WeChatMessage {
  /**
   * Checks the fields every message has and makes {@code fields} unmodifiable.
   *
   * @param toUser the account that received it ({@code ToUserName}, its original ID {@code gh_...})
   * @param fromUser the sender's OpenID ({@code FromUserName})
   * @param createTime when WeChat created it ({@code CreateTime}, whole seconds)
   * @param title the title ({@code Title})
   * @param description the description ({@code Description})
   * @param url the link ({@code Url})
   * @param msgId WeChat's ID of the message ({@code MsgId}), the key retries are recognised by
   * @param fields every top-level field as received; see {@link WeChatMessage#fields()}
   * @throws NullPointerException if {@code toUser}, {@code fromUser}, {@code createTime} or {@code
   *     fields} is null
   */
  public LinkMessage {
    fields = Records.checked(toUser, fromUser, createTime, fields);
  }

  @Override
  public String toString() {
    return Records.describe(this);
  }
}

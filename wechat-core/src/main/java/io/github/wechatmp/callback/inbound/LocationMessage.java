package io.github.wechatmp.callback.inbound;

import java.time.Instant;
import java.util.Map;

/**
 * A location the user sent ({@code MsgType} {@code location}).
 *
 * <p>Immutable; {@link #toString()} names the type and IDs, never the content.
 *
 * @param toUser the account that received it ({@code ToUserName}, its original ID {@code gh_...})
 * @param fromUser the sender's OpenID ({@code FromUserName})
 * @param createTime when WeChat created it ({@code CreateTime}, whole seconds)
 * @param latitude the latitude ({@code Location_X})
 * @param longitude the longitude ({@code Location_Y})
 * @param scale the map's zoom level ({@code Scale})
 * @param label a description of the place ({@code Label})
 * @param msgId WeChat's ID of the message ({@code MsgId}), the key retries are recognised by
 * @param fields every top-level field as received; see {@link WeChatMessage#fields()}
 */
public record LocationMessage(
    String toUser,
    String fromUser,
    Instant createTime,
    double latitude,
    double longitude,
    int scale,
    String label,
    String msgId,
    Map<String, String> fields)
    implements WeChatMessage {
  /**
   * Checks the fields every message has and makes {@code fields} unmodifiable.
   *
   * @param toUser the account that received it ({@code ToUserName}, its original ID {@code gh_...})
   * @param fromUser the sender's OpenID ({@code FromUserName})
   * @param createTime when WeChat created it ({@code CreateTime}, whole seconds)
   * @param latitude the latitude ({@code Location_X})
   * @param longitude the longitude ({@code Location_Y})
   * @param scale the map's zoom level ({@code Scale})
   * @param label a description of the place ({@code Label})
   * @param msgId WeChat's ID of the message ({@code MsgId}), the key retries are recognised by
   * @param fields every top-level field as received; see {@link WeChatMessage#fields()}
   * @throws NullPointerException if {@code toUser}, {@code fromUser}, {@code createTime} or {@code
   *     fields} is null
   */
  public LocationMessage {
    fields = Records.checked(toUser, fromUser, createTime, fields);
  }

  @Override
  public String toString() {
    return Records.describe(this);
  }
}

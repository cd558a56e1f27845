package io.github.wechatmp.callback.inbound;

import java.time.Instant;
import java.util.Map;

/**
 * The user's location, reported on entering the conversation when the account asks for it ({@code
 * Event} {@code LOCATION}).
 *
 * <p>Immutable; {@link #toString()} names the type and IDs, never the content.
 *
 * @param toUser the account that received it ({@code ToUserName}, its original ID {@code gh_...})
 * @param fromUser the sender's OpenID ({@code FromUserName})
 * @param createTime when WeChat created it ({@code CreateTime}, whole seconds)
 * @param latitude the latitude ({@code Latitude})
 * @param longitude the longitude ({@code Longitude})
 * @param precision the precision ({@code Precision})
 * @param fields every top-level field as received; see {@link WeChatMessage#fields()}
 */
public record LocationEvent(
    String toUser,
    String fromUser,
    Instant createTime,
    double latitude,
    double longitude,
    double precision,
    Map<String, String> fields)
    implements WeChatEvent {
  /**
   * Checks the fields every message has and makes {@code fields} unmodifiable.
   *
   * @param toUser the account that received it ({@code ToUserName}, its original ID {@code gh_...})
   * @param fromUser the sender's OpenID ({@code FromUserName})
   * @param createTime when WeChat created it ({@code CreateTime}, whole seconds)
   * @param latitude the latitude ({@code Latitude})
   * @param longitude the longitude ({@code Longitude})
   * @param precision the precision ({@code Precision})
   * @param fields every top-level field as received; see {@link WeChatMessage#fields()}
   * @throws NullPointerException if {@code toUser}, {@code fromUser}, {@code createTime} or {@code
   *     fields} is null
   */
  public LocationEvent {
    fields = Records.checked(toUser, fromUser, createTime, fields);
  }

  @Override
  public String toString() {
    return Records.describe(this);
  }
}

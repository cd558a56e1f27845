package io.github.wechatmp.callback.inbound;

import java.time.Instant;
import java.util.Map;

/**
 * A menu button that sends a location ({@code Event} {@code location_select}).
 *
 * <p>Immutable; {@link #toString()} names the type and IDs, never the content.
 *
 * @param toUser the account that received it ({@code ToUserName}, its original ID {@code gh_...})
 * @param fromUser the sender's OpenID ({@code FromUserName})
 * @param createTime when WeChat created it ({@code CreateTime}, whole seconds)
 * @param key the button's key ({@code EventKey})
 * @param latitude the latitude ({@code SendLocationInfo/Location_X})
 * @param longitude the longitude ({@code SendLocationInfo/Location_Y})
 * @param scale the zoom level ({@code SendLocationInfo/Scale})
 * @param label the place's description ({@code SendLocationInfo/Label})
 * @param poiName the point of interest's name ({@code SendLocationInfo/Poiname}), or null
 * @param fields every top-level field as received; see {@link WeChatMessage#fields()}
 */
public record LocationSelectEvent(
    String toUser,
    String fromUser,
    Instant createTime,
    String key,
    double latitude,
    double longitude,
    int scale,
    String label,
    String poiName,
    Map<String, String> fields)
    implements WeChatEvent {
  /**
   * Checks the fields every message has and makes {@code fields} unmodifiable.
   *
   * @param toUser the account that received it ({@code ToUserName}, its original ID {@code gh_...})
   * @param fromUser the sender's OpenID ({@code FromUserName})
   * @param createTime when WeChat created it ({@code CreateTime}, whole seconds)
   * @param key the button's key ({@code EventKey})
   * @param latitude the latitude ({@code SendLocationInfo/Location_X})
   * @param longitude the longitude ({@code SendLocationInfo/Location_Y})
   * @param scale the zoom level ({@code SendLocationInfo/Scale})
   * @param label the place's description ({@code SendLocationInfo/Label})
   * @param poiName the point of interest's name ({@code SendLocationInfo/Poiname}), or null
   * @param fields every top-level field as received; see {@link WeChatMessage#fields()}
   * @throws NullPointerException if {@code toUser}, {@code fromUser}, {@code createTime} or {@code
   *     fields} is null
   */
  public LocationSelectEvent {
    fields = Records.checked(toUser, fromUser, createTime, fields);
  }

  @Override
  public String toString() {
    return Records.describe(this);
  }
}

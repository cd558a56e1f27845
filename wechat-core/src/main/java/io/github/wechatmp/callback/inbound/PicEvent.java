package io.github.wechatmp.callback.inbound;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A menu button that sends pictures ({@code Event} {@code pic_sysphoto}, {@code pic_photo_or_album}
 * or {@code pic_weixin}).
 *
 * <p>Immutable; {@link #toString()} names the type and IDs, never the content.
 *
 * @param toUser the account that received it ({@code ToUserName}, its original ID {@code gh_...})
 * @param fromUser the sender's OpenID ({@code FromUserName})
 * @param createTime when WeChat created it ({@code CreateTime}, whole seconds)
 * @param event which of the three
 * @param key the button's key ({@code EventKey})
 * @param count how many pictures were sent ({@code SendPicsInfo/Count})
 * @param picMd5Sums the pictures' MD5 sums, in order ({@code SendPicsInfo/PicList/item/PicMd5Sum})
 * @param fields every top-level field as received; see {@link WeChatMessage#fields()}
 */
public record PicEvent(
    String toUser,
    String fromUser,
    Instant createTime,
    String event,
    String key,
    int count,
    List<String> picMd5Sums,
    Map<String, String> fields)
    implements WeChatEvent {
  /**
   * Checks the fields every message has and makes {@code fields} unmodifiable.
   *
   * @param toUser the account that received it ({@code ToUserName}, its original ID {@code gh_...})
   * @param fromUser the sender's OpenID ({@code FromUserName})
   * @param createTime when WeChat created it ({@code CreateTime}, whole seconds)
   * @param event which of the three
   * @param key the button's key ({@code EventKey})
   * @param count how many pictures were sent ({@code SendPicsInfo/Count})
   * @param picMd5Sums the pictures' MD5 sums, in order ({@code
   *     SendPicsInfo/PicList/item/PicMd5Sum})
   * @param fields every top-level field as received; see {@link WeChatMessage#fields()}
   * @throws NullPointerException if {@code toUser}, {@code fromUser}, {@code createTime} or {@code
   *     fields} is null
   */
  public PicEvent {
    fields = Records.checked(toUser, fromUser, createTime, fields);
    picMd5Sums = List.copyOf(picMd5Sums);
  }

  @Override
  public String toString() {
    return Records.describe(this);
  }
}

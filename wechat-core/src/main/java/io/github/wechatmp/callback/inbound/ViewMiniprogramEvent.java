package io.github.wechatmp.callback.inbound;

import java.time.Instant;
import java.util.Map;

/**
 * A click on a menu button that opens a mini program ({@code Event} {@code view_miniprogram}).
 *
 * <p>Immutable; {@link #toString()} names the type and IDs, never the content.
 *
 * @param toUser the account that received it ({@code ToUserName}, its original ID {@code gh_...})
 * @param fromUser the sender's OpenID ({@code FromUserName})
 * @param createTime when WeChat created it ({@code CreateTime}, whole seconds)
 * @param pagePath the mini program page ({@code EventKey})
 * @param menuId the menu's ID ({@code MenuId}), or null
 * @param fields every top-level field as received; see {@link WeChatMessage#fields()}
 */
public record ViewMiniprogramEvent(
    String toUser,
    String fromUser,
    Instant createTime,
    String pagePath,
    String menuId,
    Map<String, String> fields)
    implements WeChatEvent {
  /**
   * Checks the fields every message has and makes {@code fields} unmodifiable.
   *
   * @param toUser the account that received it ({@code ToUserName}, its original ID {@code gh_...})
   * @param fromUser the sender's OpenID ({@code FromUserName})
   * @param createTime when WeChat created it ({@code CreateTime}, whole seconds)
   * @param pagePath the mini program page ({@code EventKey})
   * @param menuId the menu's ID ({@code MenuId}), or null
   * @param fields every top-level field as received; see {@link WeChatMessage#fields()}
   * @throws NullPointerException if {@code toUser}, {@code fromUser}, {@code createTime} or {@code
   *     fields} is null
   */
  public ViewMiniprogramEvent {
    fields = Records.checked(toUser, fromUser, createTime, fields);
  }

  @Override
  public String toString() {
    return Records.describe(this);
  }
}

package io.github.wechatmp.callback.inbound;

import java.time.Instant;
import java.util.Map;

/**
 * A follower scanned a parametric QR code ({@code Event} {@code SCAN}).
 *
 * <p>Immutable; {@link #toString()} names the type and IDs, never the content.
 *
 * @param toUser the account that received it ({@code ToUserName}, its original ID {@code gh_...})
 * @param fromUser the sender's OpenID ({@code FromUserName})
 * @param createTime when WeChat created it ({@code CreateTime}, whole seconds)
 * @param scene the QR code's scene value ({@code EventKey})
 * @param ticket the QR code's ticket ({@code Ticket})
 * @param fields every top-level field as received; see {@link WeChatMessage#fields()}
 */
public record ScanEvent(
    String toUser,
    String fromUser,
    Instant createTime,
    String scene,
    String ticket,
    Map<String, String> fields)
    implements WeChatEvent {
  /**
   * Checks the fields every message has and makes {@code fields} unmodifiable.
   *
   * @param toUser the account that received it ({@code ToUserName}, its original ID {@code gh_...})
   * @param fromUser the sender's OpenID ({@code FromUserName})
   * @param createTime when WeChat created it ({@code CreateTime}, whole seconds)
   * @param scene the QR code's scene value ({@code EventKey})
   * @param ticket the QR code's ticket ({@code Ticket})
   * @param fields every top-level field as received; see {@link WeChatMessage#fields()}
   * @throws NullPointerException if {@code toUser}, {@code fromUser}, {@code createTime} or {@code
   *     fields} is null
   */
  public ScanEvent {
    fields = Records.checked(toUser, fromUser, createTime, fields);
  }

  @Override
  public String toString() {
    return Records.describe(this);
  }
}

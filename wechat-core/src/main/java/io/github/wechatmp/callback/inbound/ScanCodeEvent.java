package io.github.wechatmp.callback.inbound;

import java.time.Instant;
import java.util.Map;

/**
 * A menu button that scans a code ({@code Event} {@code scancode_push} or {@code
 * scancode_waitmsg}).
 *
 * <p>Immutable; {@link #toString()} names the type and IDs, never the content.
 *
 * @param toUser the account that received it ({@code ToUserName}, its original ID {@code gh_...})
 * @param fromUser the sender's OpenID ({@code FromUserName})
 * @param createTime when WeChat created it ({@code CreateTime}, whole seconds)
 * @param event {@code scancode_push} or {@code scancode_waitmsg}
 * @param key the button's key ({@code EventKey})
 * @param scanType the kind of code, such as {@code qrcode} ({@code ScanCodeInfo/ScanType})
 * @param scanResult what the code holds ({@code ScanCodeInfo/ScanResult})
 * @param fields every top-level field as received; see {@link WeChatMessage#fields()}
 */
public record ScanCodeEvent(
    String toUser,
    String fromUser,
    Instant createTime,
    String event,
    String key,
    String scanType,
    String scanResult,
    Map<String, String> fields)
    implements WeChatEvent {
  /**
   * Checks the fields every message has and makes {@code fields} unmodifiable.
   *
   * @param toUser the account that received it ({@code ToUserName}, its original ID {@code gh_...})
   * @param fromUser the sender's OpenID ({@code FromUserName})
   * @param createTime when WeChat created it ({@code CreateTime}, whole seconds)
   * @param event {@code scancode_push} or {@code scancode_waitmsg}
   * @param key the button's key ({@code EventKey})
   * @param scanType the kind of code, such as {@code qrcode} ({@code ScanCodeInfo/ScanType})
   * @param scanResult what the code holds ({@code ScanCodeInfo/ScanResult})
   * @param fields every top-level field as received; see {@link WeChatMessage#fields()}
   * @throws NullPointerException if {@code toUser}, {@code fromUser}, {@code createTime} or {@code
   *     fields} is null
   */
  public ScanCodeEvent {
    fields = Records.checked(toUser, fromUser, createTime, fields);
  }

  @Override
  public String toString() {
    return Records.describe(this);
  }
}

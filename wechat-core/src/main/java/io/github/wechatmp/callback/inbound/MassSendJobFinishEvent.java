package io.github.wechatmp.callback.inbound;

import java.time.Instant;
import java.util.Map;

/**
 * The outcome of a mass send ({@code Event} {@code MASSSENDJOBFINISH}).
 *
 * <p>Immutable; {@link #toString()} names the type and IDs, never the content.
 *
 * @param toUser the account that received it ({@code ToUserName}, its original ID {@code gh_...})
 * @param fromUser the sender's OpenID ({@code FromUserName})
 * @param createTime when WeChat created it ({@code CreateTime}, whole seconds)
 * @param msgId the mass message's ID ({@code MsgID})
 * @param status such as {@code send success} ({@code Status})
 * @param totalCount followers targeted ({@code TotalCount})
 * @param filterCount followers it was meant for after filtering ({@code FilterCount})
 * @param sentCount sent successfully ({@code SentCount})
 * @param errorCount failed ({@code ErrorCount})
 * @param fields every top-level field as received; see {@link WeChatMessage#fields()}
 */
public record MassSendJobFinishEvent(
    String toUser,
    String fromUser,
    Instant createTime,
    String msgId,
    String status,
    int totalCount,
    int filterCount,
    int sentCount,
    int errorCount,
    Map<String, String> fields)
    implements WeChatEvent {
  /**
   * Checks the fields every message has and makes {@code fields} unmodifiable.
   *
   * @param toUser the account that received it ({@code ToUserName}, its original ID {@code gh_...})
   * @param fromUser the sender's OpenID ({@code FromUserName})
   * @param createTime when WeChat created it ({@code CreateTime}, whole seconds)
   * @param msgId the mass message's ID ({@code MsgID})
   * @param status such as {@code send success} ({@code Status})
   * @param totalCount followers targeted ({@code TotalCount})
   * @param filterCount followers it was meant for after filtering ({@code FilterCount})
   * @param sentCount sent successfully ({@code SentCount})
   * @param errorCount failed ({@code ErrorCount})
   * @param fields every top-level field as received; see {@link WeChatMessage#fields()}
   * @throws NullPointerException if {@code toUser}, {@code fromUser}, {@code createTime} or {@code
   *     fields} is null
   */
  public MassSendJobFinishEvent {
    fields = Records.checked(toUser, fromUser, createTime, fields);
  }

  @Override
  public String toString() {
    return Records.describe(this);
  }
}

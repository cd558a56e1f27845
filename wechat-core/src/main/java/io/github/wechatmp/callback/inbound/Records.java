package io.github.wechatmp.callback.inbound;

import io.github.wechatmp.internal.callback.Fields;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/** The records' shared checks and their {@code toString()}. */
final class Records {
  private Records() {}

  static Map<String, String> checked(
      String toUser, String fromUser, Instant createTime, Map<String, String> fields) {
    Objects.requireNonNull(toUser, "toUser");
    Objects.requireNonNull(fromUser, "fromUser");
    Objects.requireNonNull(createTime, "createTime");
    Objects.requireNonNull(fields, "fields");
    return Fields.copyOf(fields);
  }

  /** The record's simple name with its IDs; never content. */
  static String describe(WeChatMessage m) {
    StringBuilder sb = new StringBuilder(m.getClass().getSimpleName()).append("{toUser=");
    sb.append(m.toUser()).append(", fromUser=").append(m.fromUser());
    sb.append(", createTime=").append(m.createTime().getEpochSecond());
    String msgId = m.fields().get("MsgId");
    if (msgId != null) {
      sb.append(", msgId=").append(msgId);
    }
    if (m instanceof WeChatEvent e) {
      sb.append(", event=").append(e.event());
    } else if (m instanceof UnknownMessage u) {
      sb.append(", msgType=").append(u.msgType());
    }
    return sb.append('}').toString();
  }
}

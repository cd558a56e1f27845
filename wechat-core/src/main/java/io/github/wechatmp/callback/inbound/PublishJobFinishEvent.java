package io.github.wechatmp.callback.inbound;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The outcome of publishing an article ({@code Event} {@code PUBLISHJOBFINISH}).
 *
 * <p>Immutable; {@link #toString()} names the type and IDs, never the content.
 *
 * @param toUser the account that received it ({@code ToUserName}, its original ID {@code gh_...})
 * @param fromUser the sender's OpenID ({@code FromUserName})
 * @param createTime when WeChat created it ({@code CreateTime}, whole seconds)
 * @param publishId the publish task's ID ({@code PublishEventInfo/publish_id})
 * @param publishStatus 0 for success, other values as WeChat documents ({@code
 *     PublishEventInfo/publish_status})
 * @param articleId the published article's ID ({@code PublishEventInfo/article_id}), or null when
 *     it failed
 * @param articleUrls the published articles' links ({@code
 *     PublishEventInfo/article_detail/item/article_url}), in order
 * @param fields every top-level field as received; see {@link WeChatMessage#fields()}
 */
public record PublishJobFinishEvent(
    String toUser,
    String fromUser,
    Instant createTime,
    String publishId,
    int publishStatus,
    String articleId,
    List<String> articleUrls,
    Map<String, String> fields)
    implements WeChatEvent {
  /**
   * Checks the fields every message has and makes {@code fields} unmodifiable.
   *
   * @param toUser the account that received it ({@code ToUserName}, its original ID {@code gh_...})
   * @param fromUser the sender's OpenID ({@code FromUserName})
   * @param createTime when WeChat created it ({@code CreateTime}, whole seconds)
   * @param publishId the publish task's ID ({@code PublishEventInfo/publish_id})
   * @param publishStatus 0 for success, other values as WeChat documents ({@code
   *     PublishEventInfo/publish_status})
   * @param articleId the published article's ID ({@code PublishEventInfo/article_id}), or null when
   *     it failed
   * @param articleUrls the published articles' links ({@code
   *     PublishEventInfo/article_detail/item/article_url}), in order
   * @param fields every top-level field as received; see {@link WeChatMessage#fields()}
   * @throws NullPointerException if {@code toUser}, {@code fromUser}, {@code createTime} or {@code
   *     fields} is null
   */
  public PublishJobFinishEvent {
    fields = Records.checked(toUser, fromUser, createTime, fields);
    articleUrls = List.copyOf(articleUrls);
  }

  @Override
  public String toString() {
    return Records.describe(this);
  }
}

package io.github.wechatmp.api;

import io.github.wechatmp.WeChatTransportException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** User tags ({@code cgi-bin/tags/*}). Made by {@link WeChatApi#tags()}; thread-safe. */
public final class Tags {
  /** The most users one tagging call takes, as WeChat documents. */
  public static final int MAX_USERS_PER_CALL = 50;

  private final WeChatApi api;

  Tags(WeChatApi api) {
    this.api = Objects.requireNonNull(api, "api");
  }

  /**
   * Creates a tag.
   *
   * @param name 1 to 30 characters
   * @return the new tag
   * @throws IllegalArgumentException if the name is blank or too long
   * @throws io.github.wechatmp.WeChatApiException if WeChat refused (45157: the name exists)
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be reached
   */
  public Tag create(String name) {
    if (name == null || name.isBlank() || name.length() > 30) {
      throw new IllegalArgumentException("a tag's name has 1 to 30 characters: " + name);
    }
    Answer answer =
        api.post("cgi-bin/tags/create", Map.of("tag", Map.of("name", name)), Answer.class);
    if (answer.tag() == null) {
      throw new WeChatTransportException("cgi-bin/tags/create answered without a tag", 200);
    }
    return answer.tag();
  }

  /**
   * Lists the account's tags.
   *
   * @return the tags with their user counts
   * @throws io.github.wechatmp.WeChatApiException if WeChat refused
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be reached
   */
  public List<Tag> list() {
    Answer answer = api.get("cgi-bin/tags/get", Map.of(), Answer.class);
    return answer.tags() == null ? List.of() : List.copyOf(answer.tags());
  }

  /**
   * Deletes a tag.
   *
   * @param tagId the tag's ID
   * @throws io.github.wechatmp.WeChatApiException if WeChat refused
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be reached
   */
  public void delete(int tagId) {
    api.post("cgi-bin/tags/delete", Map.of("tag", Map.of("id", tagId)), Map.class);
  }

  /**
   * Tags users.
   *
   * @param tagId the tag's ID
   * @param openIds 1 to {@value #MAX_USERS_PER_CALL} OpenIDs
   * @throws IllegalArgumentException if there are none or too many
   * @throws io.github.wechatmp.WeChatApiException if WeChat refused
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be reached
   */
  public void tag(int tagId, List<String> openIds) {
    api.post("cgi-bin/tags/members/batchtagging", members(tagId, openIds), Map.class);
  }

  /**
   * Untags users.
   *
   * @param tagId the tag's ID
   * @param openIds 1 to {@value #MAX_USERS_PER_CALL} OpenIDs
   * @throws IllegalArgumentException if there are none or too many
   * @throws io.github.wechatmp.WeChatApiException if WeChat refused
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be reached
   */
  public void untag(int tagId, List<String> openIds) {
    api.post("cgi-bin/tags/members/batchuntagging", members(tagId, openIds), Map.class);
  }

  /**
   * Returns the IDs of a user's tags.
   *
   * @param openId the user's OpenID
   * @return the tag IDs
   * @throws io.github.wechatmp.WeChatApiException if WeChat refused
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be reached
   */
  public List<Integer> tagsOf(String openId) {
    if (openId == null || openId.isBlank()) {
      throw new IllegalArgumentException("an OpenID must not be blank");
    }
    Map<?, ?> answer = api.post("cgi-bin/tags/getidlist", Map.of("openid", openId), Map.class);
    List<Integer> out = new ArrayList<>();
    if (answer.get("tagid_list") instanceof List<?> ids) {
      for (Object id : ids) {
        if (id instanceof Number n) {
          out.add(n.intValue());
        }
      }
    }
    return List.copyOf(out);
  }

  private static Map<String, Object> members(int tagId, List<String> openIds) {
    Objects.requireNonNull(openIds, "openIds");
    if (openIds.isEmpty() || openIds.size() > MAX_USERS_PER_CALL) {
      throw new IllegalArgumentException(
          "1 to " + MAX_USERS_PER_CALL + " users per call, not " + openIds.size());
    }
    return Map.of("openid_list", List.copyOf(openIds), "tagid", tagId);
  }

  /**
   * A tag.
   *
   * @param id its ID
   * @param name its name
   * @param count how many users carry it (in lists), else null
   */
  public record Tag(int id, String name, Long count) {}

  /**
   * The tag endpoints' answers.
   *
   * @param tag the tag created
   * @param tags the tags listed
   */
  public record Answer(Tag tag, List<Tag> tags) {}
}

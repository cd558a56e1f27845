package io.github.wechatmp.api;

import com.squareup.moshi.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * Users: information ({@code cgi-bin/user/info}, {@code cgi-bin/user/info/batchget}) and the
 * follower list ({@code cgi-bin/user/get}). Made by {@link WeChatApi#users()}; thread-safe.
 */
public final class Users {
  /** The most OpenIDs one batch of {@link #info(List)} takes, as WeChat documents. */
  public static final int MAX_BATCH = 100;

  private final WeChatApi api;

  Users(WeChatApi api) {
    this.api = Objects.requireNonNull(api, "api");
  }

  /**
   * Reads one user's information, in simplified Chinese.
   *
   * @param openId the user's OpenID
   * @return what WeChat tells; {@code subscribe} 0 means the user does not follow the account
   * @throws io.github.wechatmp.WeChatApiException if WeChat refused (40003: unknown OpenID)
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be reached
   */
  public UserInfo info(String openId) {
    return api.get(
        "cgi-bin/user/info", Map.of("openid", requireId(openId), "lang", "zh_CN"), UserInfo.class);
  }

  /**
   * Reads several users' information in one call.
   *
   * @param openIds 1 to {@value #MAX_BATCH} OpenIDs
   * @return their information, in WeChat's order
   * @throws IllegalArgumentException if there are none or more than {@value #MAX_BATCH}
   * @throws io.github.wechatmp.WeChatApiException if WeChat refused
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be reached
   */
  public List<UserInfo> info(List<String> openIds) {
    Objects.requireNonNull(openIds, "openIds");
    if (openIds.isEmpty() || openIds.size() > MAX_BATCH) {
      throw new IllegalArgumentException(
          "a batch has 1 to " + MAX_BATCH + " OpenIDs, not " + openIds.size());
    }
    List<Map<String, String>> list = new ArrayList<>(openIds.size());
    for (String id : openIds) {
      list.add(Map.of("openid", requireId(id), "lang", "zh_CN"));
    }
    BatchInfo answer =
        api.post("cgi-bin/user/info/batchget", Map.of("user_list", list), BatchInfo.class);
    return answer.users() == null ? List.of() : List.copyOf(answer.users());
  }

  /**
   * Returns the account's followers' OpenIDs, read lazily: each iterator asks WeChat for a page of
   * up to 10,000 OpenIDs when it needs one, and stops when it has given out as many as WeChat's
   * {@code total}, or WeChat answers an empty page.
   *
   * @return an iterable whose every iterator starts from the first follower
   */
  public Iterable<String> followers() {
    return () -> new FollowerIterator(api);
  }

  private static String requireId(String openId) {
    if (openId == null || openId.isBlank()) {
      throw new IllegalArgumentException("an OpenID must not be blank");
    }
    return openId;
  }

  /**
   * A user's information, as {@code cgi-bin/user/info} answers.
   *
   * @param subscribe 1 if the user follows the account, 0 if not (then little else is given)
   * @param openId the OpenID
   * @param language the user's language, such as {@code zh_CN}
   * @param subscribeTime when the user last followed, in seconds since the epoch
   * @param unionId the UnionID, if the account is bound to an Open Platform account
   * @param remark the account's remark on the user
   * @param tagIds the user's tags
   * @param subscribeScene how the user came, such as {@code ADD_SCENE_QR_CODE}
   * @param qrScene the QR code's scene ID, if by a QR code
   * @param qrSceneStr the QR code's scene string, if by a QR code
   */
  public record UserInfo(
      Integer subscribe,
      @Json(name = "openid") String openId,
      String language,
      @Json(name = "subscribe_time") Long subscribeTime,
      @Json(name = "unionid") String unionId,
      String remark,
      @Json(name = "tagid_list") List<Integer> tagIds,
      @Json(name = "subscribe_scene") String subscribeScene,
      @Json(name = "qr_scene") Long qrScene,
      @Json(name = "qr_scene_str") String qrSceneStr) {

    /**
     * Returns whether the user follows the account.
     *
     * @return true if {@code subscribe} is 1
     */
    public boolean follows() {
      return subscribe != null && subscribe == 1;
    }
  }

  /**
   * {@code cgi-bin/user/info/batchget}'s answer.
   *
   * @param users the users
   */
  public record BatchInfo(@Json(name = "user_info_list") List<UserInfo> users) {}

  /**
   * A page of {@code cgi-bin/user/get}.
   *
   * @param total how many followers the account has
   * @param count how many OpenIDs this page holds
   * @param data the OpenIDs
   * @param nextOpenId where the next page starts
   */
  public record FollowerPage(
      long total, long count, Data data, @Json(name = "next_openid") String nextOpenId) {
    /**
     * The OpenIDs of a page.
     *
     * @param openIds the OpenIDs
     */
    public record Data(@Json(name = "openid") List<String> openIds) {}
  }

  /** Pages through {@code next_openid} only when the previous page is used up. */
  private static final class FollowerIterator implements Iterator<String> {
    private final WeChatApi api;
    private List<String> page = List.of();
    private int index;
    private long given;
    private long total = -1;
    private String next = "";
    private boolean done;

    FollowerIterator(WeChatApi api) {
      this.api = api;
    }

    @Override
    public boolean hasNext() {
      while (index >= page.size()) {
        if (done) {
          return false;
        }
        fetch();
      }
      return true;
    }

    @Override
    public String next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      given++;
      return page.get(index++);
    }

    private void fetch() {
      Map<String, ?> query = next.isEmpty() ? Map.of() : Map.of("next_openid", next);
      FollowerPage p = api.get("cgi-bin/user/get", query, FollowerPage.class);
      List<String> ids =
          p.data() == null || p.data().openIds() == null ? List.of() : p.data().openIds();
      total = p.total();
      page = ids;
      index = 0;
      next = p.nextOpenId() == null ? "" : p.nextOpenId();
      // The last page is the one that reaches the total; WeChat's answer after it would be empty.
      done = ids.isEmpty() || next.isEmpty() || given + ids.size() >= total;
    }
  }
}

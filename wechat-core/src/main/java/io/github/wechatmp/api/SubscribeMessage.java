package io.github.wechatmp.api;

import com.squareup.moshi.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A subscribe message: WeChat's JSON for {@code cgi-bin/message/subscribe/bizsend}. Immutable.
 *
 * @param toUser the recipient's OpenID
 * @param templateId the subscribed template's ID
 * @param page the page it opens, or null
 * @param miniProgram the Mini Program page it opens, or null
 * @param data the template's fields by key
 */
public record SubscribeMessage(
    @Json(name = "touser") String toUser,
    @Json(name = "template_id") String templateId,
    String page,
    @Json(name = "miniprogram") MiniProgram miniProgram,
    Map<String, Value> data) {

  /**
   * Checks the message and copies {@code data}.
   *
   * @param toUser the recipient's OpenID
   * @param templateId the template's ID
   * @param page the page, or null
   * @param miniProgram the Mini Program page, or null
   * @param data the fields by key
   * @throws IllegalArgumentException if the recipient or template is blank or {@code data} empty
   */
  public SubscribeMessage {
    if (toUser == null || toUser.isBlank()) {
      throw new IllegalArgumentException("a subscribe message needs the recipient's OpenID");
    }
    if (templateId == null || templateId.isBlank()) {
      throw new IllegalArgumentException("a subscribe message needs a template ID");
    }
    if (data == null || data.isEmpty()) {
      throw new IllegalArgumentException("a subscribe message needs data");
    }
    data = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(data));
  }

  /**
   * A message with plain values and no page.
   *
   * @param toUser the recipient's OpenID
   * @param templateId the template's ID
   * @param values the fields' values by key
   * @return the message
   */
  public static SubscribeMessage of(String toUser, String templateId, Map<String, String> values) {
    if (values == null) {
      throw new IllegalArgumentException("a subscribe message needs data");
    }
    Map<String, Value> data = new LinkedHashMap<>();
    values.forEach((k, v) -> data.put(k, new Value(v)));
    return new SubscribeMessage(toUser, templateId, null, null, data);
  }

  /**
   * One field's value.
   *
   * @param value the text
   */
  public record Value(String value) {
    /**
     * Checks the value.
     *
     * @param value the text
     * @throws IllegalArgumentException if it is null
     */
    public Value {
      if (value == null) {
        throw new IllegalArgumentException("a subscribe message field's value must not be null");
      }
    }
  }
}

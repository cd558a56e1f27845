package io.github.wechatmp.api;

import com.squareup.moshi.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A template message: WeChat's JSON for {@code cgi-bin/message/template/send}. Immutable; the
 * {@code with} methods return copies.
 *
 * @param toUser the recipient's OpenID
 * @param templateId the template's ID
 * @param url the page the message opens, or null
 * @param miniProgram the Mini Program page it opens instead of {@code url}, or null
 * @param clientMsgId an ID of the caller's, up to 64 characters, with which WeChat sends a message
 *     to a user only once in 10 minutes; or null
 * @param data the template's fields by key
 */
public record TemplateMessage(
    @Json(name = "touser") String toUser,
    @Json(name = "template_id") String templateId,
    String url,
    @Json(name = "miniprogram") MiniProgram miniProgram,
    @Json(name = "client_msg_id") String clientMsgId,
    Map<String, Value> data) {

  /**
   * Checks the message and copies {@code data}.
   *
   * @param toUser the recipient's OpenID
   * @param templateId the template's ID
   * @param url the page, or null
   * @param miniProgram the Mini Program page, or null
   * @param clientMsgId the de-duplication ID, or null
   * @param data the fields by key
   * @throws IllegalArgumentException if the recipient or template is blank, {@code data} is null or
   *     empty, or {@code clientMsgId} is longer than 64 characters
   */
  public TemplateMessage {
    if (toUser == null || toUser.isBlank()) {
      throw new IllegalArgumentException("a template message needs the recipient's OpenID");
    }
    if (templateId == null || templateId.isBlank()) {
      throw new IllegalArgumentException("a template message needs a template ID");
    }
    if (data == null || data.isEmpty()) {
      throw new IllegalArgumentException("a template message needs data");
    }
    if (clientMsgId != null && (clientMsgId.isEmpty() || clientMsgId.length() > 64)) {
      throw new IllegalArgumentException("client_msg_id must have 1 to 64 characters");
    }
    data = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(data));
  }

  /**
   * A message whose fields are plain values.
   *
   * @param toUser the recipient's OpenID
   * @param templateId the template's ID
   * @param values the fields' values by key, such as {@code Map.of("thing1", "Order 42")}
   * @return the message
   * @throws IllegalArgumentException as the constructor does
   */
  public static TemplateMessage of(String toUser, String templateId, Map<String, String> values) {
    if (values == null) {
      throw new IllegalArgumentException("a template message needs data");
    }
    Map<String, Value> data = new LinkedHashMap<>();
    values.forEach((k, v) -> data.put(k, new Value(v, null)));
    return new TemplateMessage(toUser, templateId, null, null, null, data);
  }

  /**
   * Returns a copy that opens {@code url}.
   *
   * @param url the page's URL
   * @return the copy
   */
  public TemplateMessage withUrl(String url) {
    return new TemplateMessage(toUser, templateId, url, miniProgram, clientMsgId, data);
  }

  /**
   * Returns a copy that opens a Mini Program page.
   *
   * @param miniProgram the page
   * @return the copy
   */
  public TemplateMessage withMiniProgram(MiniProgram miniProgram) {
    return new TemplateMessage(toUser, templateId, url, miniProgram, clientMsgId, data);
  }

  /**
   * Returns a copy with WeChat's de-duplication ID.
   *
   * @param clientMsgId 1 to 64 characters
   * @return the copy
   * @throws IllegalArgumentException if it is longer
   */
  public TemplateMessage withClientMsgId(String clientMsgId) {
    return new TemplateMessage(toUser, templateId, url, miniProgram, clientMsgId, data);
  }

  /**
   * One field's value.
   *
   * @param value the text
   * @param color its color, such as {@code #173177}, or null (WeChat ignores it in new templates)
   */
  public record Value(String value, String color) {
    /**
     * Checks the value.
     *
     * @param value the text
     * @param color the color, or null
     * @throws IllegalArgumentException if {@code value} is null
     */
    public Value {
      if (value == null) {
        throw new IllegalArgumentException("a template field's value must not be null");
      }
    }
  }
}

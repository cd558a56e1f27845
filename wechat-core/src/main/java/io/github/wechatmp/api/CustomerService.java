package io.github.wechatmp.api;

import java.util.Map;
import java.util.Objects;

/**
 * Customer service messages ({@code cgi-bin/message/custom/send}) and the typing status ({@code
 * cgi-bin/message/custom/typing}). WeChat accepts them only within 48 hours of the user's last
 * message ({@link io.github.wechatmp.WeChatApiException#CUSTOMER_SERVICE_WINDOW_CLOSED 45015} after
 * it) and at most 20 between two of the user's messages ({@link
 * io.github.wechatmp.WeChatApiException#CUSTOMER_SERVICE_MESSAGE_LIMIT 45047}); neither is retried.
 * Made by {@link WeChatApi#customerService()}; thread-safe.
 */
public final class CustomerService {
  private final WeChatApi api;

  CustomerService(WeChatApi api) {
    this.api = Objects.requireNonNull(api, "api");
  }

  /**
   * Sends a customer service message.
   *
   * @param message the message
   * @throws io.github.wechatmp.WeChatApiException if WeChat refused it (45015, 45047...)
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be reached
   */
  public void send(CustomerServiceMessage message) {
    api.post(
        "cgi-bin/message/custom/send",
        Objects.requireNonNull(message, "message").toJson(),
        Map.class);
  }

  /**
   * Shows or hides "typing..." to a user, for up to 15 seconds.
   *
   * @param openId the user's OpenID
   * @param typing true to show it, false to hide it
   * @throws io.github.wechatmp.WeChatApiException if WeChat refused
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be reached
   */
  public void typing(String openId, boolean typing) {
    if (openId == null || openId.isBlank()) {
      throw new IllegalArgumentException("an OpenID must not be blank");
    }
    api.post(
        "cgi-bin/message/custom/typing",
        Map.of("touser", openId, "command", typing ? "Typing" : "CancelTyping"),
        Map.class);
  }
}

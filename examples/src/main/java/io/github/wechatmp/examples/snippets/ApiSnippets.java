package io.github.wechatmp.examples.snippets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.squareup.moshi.Json;
import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.api.CustomerServiceMessage;
import io.github.wechatmp.api.Media;
import io.github.wechatmp.api.MediaFile;
import io.github.wechatmp.api.MediaKind;
import io.github.wechatmp.api.Menu;
import io.github.wechatmp.api.MenuButton;
import io.github.wechatmp.api.QrCodes;
import io.github.wechatmp.api.TemplateMessage;
import io.github.wechatmp.api.Users;
import io.github.wechatmp.api.WeChatApi;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessTokenProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * docs/api-client.md's snippets: WeChatApi's generic and typed calls, errors, async, and a user's
 * test against the stand-in. {@code ApiSnippetsTest} runs them against the stand-in.
 */
final class ApiSnippets {
  private ApiSnippets() {}

  static WeChatApi build(AccessTokenProvider tokens) {
    // snippet:start api-build
    WeChatApi api = WeChatApi.builder().tokens(tokens).build(); // one per account, thread-safe
    // snippet:end
    return api;
  }

  // snippet:start api-generic-record
  /** Any answer, read into a record of one's own. */
  record UserSummary(@Json(name = "openid") String openId, String remark) {}

  // snippet:end

  static void generic(WeChatApi api, String openId) {
    // snippet:start api-generic
    // Any endpoint: the token is added, an errcode other than 0 is thrown.
    UserSummary user =
        api.get("cgi-bin/user/info", Map.of("openid", openId, "lang", "zh_CN"), UserSummary.class);
    Map<?, ?> ips = api.get("/cgi-bin/get_api_domain_ip", Map.of(), Map.class);
    String raw =
        api.post(
            "cgi-bin/user/info/updateremark",
            Map.of("openid", openId, "remark", "VIP"),
            String.class);
    // snippet:end
    assertEquals(openId, user.openId());
    assertTrue(ips.containsKey("ip_list") && raw.contains("errcode"));
  }

  static long template(WeChatApi api, String openId, String orderId) {
    // snippet:start api-template
    long msgId =
        api.templates()
            .send(
                TemplateMessage.of(openId, "TEMPLATE_ID", Map.of("thing1", "Order " + orderId))
                    .withUrl("https://example.com/orders/" + orderId)
                    .withClientMsgId("order-" + orderId)); // WeChat sends it once
    // snippet:end
    return msgId;
  }

  static void menu(WeChatApi api) {
    // snippet:start api-menu
    api.menus()
        .create(
            Menu.of(
                MenuButton.click("Today", "TODAY"),
                MenuButton.parent(
                    "More",
                    MenuButton.view("Website", "https://example.com/"),
                    MenuButton.click("Contact", "CONTACT"))));
    // snippet:end
  }

  static int users(WeChatApi api) {
    // snippet:start api-users
    int followers = 0;
    for (String openId : api.users().followers()) { // pages of 10,000, fetched as needed
      followers++;
    }
    Users.UserInfo first = api.users().info(api.users().followers().iterator().next());
    // snippet:end
    assertTrue(first.follows());
    return followers;
  }

  static long qrCode(WeChatApi api, Path target) {
    // snippet:start api-qrcode
    QrCodes.QrCodeTicket ticket = api.qrCodes().temporary(Duration.ofDays(7), "invite-42");
    String imageUrl = api.qrCodes().imageUrl(ticket); // or download it:
    long bytes = api.qrCodes().downloadImage(ticket, target);
    // snippet:end
    assertTrue(imageUrl.contains("ticket="));
    return bytes;
  }

  static void customerService(WeChatApi api, String openId) {
    // snippet:start api-customer-service
    api.customerService().typing(openId, true);
    try {
      api.customerService().send(CustomerServiceMessage.text(openId, "Your order has shipped."));
    } catch (WeChatApiException e) {
      if (e.errorCode() != WeChatApiException.CUSTOMER_SERVICE_WINDOW_CLOSED) {
        throw e;
      }
      // more than 48 hours since the user wrote: send a template message instead
    }
    // snippet:end
  }

  static Media.UploadedMedia media(WeChatApi api, Path photo, Path target) {
    // snippet:start api-media
    // Checked first: 10 MB and png/jpeg/jpg/gif for an image, 64 KB jpg for a thumb...
    Media.UploadedMedia image = api.media().upload(MediaKind.IMAGE, MediaFile.of(photo));
    api.media().download(image.mediaId(), target); // streamed, never held whole in memory
    // snippet:end
    return image;
  }

  static CompletableFuture<Long> async(WeChatApi api, TemplateMessage message) {
    // snippet:start api-async
    CompletableFuture<Long> msgId =
        api.postAsync("cgi-bin/message/template/send", message, Map.class)
            .thenApply(answer -> ((Number) answer.get("msgid")).longValue());
    // snippet:end
    return msgId;
  }

  /** A user's test of their own code against the stand-in; {@code ApiSnippetsTest} runs it. */
  static void userTest() {
    // snippet:start api-testing
    try (WeChatStandIn wechat = WeChatStandIn.start();
        AccessTokenProvider tokens =
            AccessTokenProvider.builder()
                .appId("wx0123456789abcdef")
                .appSecret("test-secret")
                .apiBaseUrl(wechat.baseUrl()) // the WeChatApi follows the provider
                .build()) {
      WeChatApi api = WeChatApi.builder().tokens(tokens).build();
      List<String> followers = wechat.addFollowers(3);

      ApiSnippets.template(api, followers.get(0), "42"); // the code under test

      List<String> sent = wechat.templateMessagesSent();
      assertEquals(1, sent.size());
      assertTrue(sent.get(0).contains("\"client_msg_id\":\"order-42\""));
    }
    // snippet:end
  }
}

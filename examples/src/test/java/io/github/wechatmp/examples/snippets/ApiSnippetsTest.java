package io.github.wechatmp.examples.snippets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.api.TemplateMessage;
import io.github.wechatmp.api.WeChatApi;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessTokenProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/api-client.md's snippets do what the page says, against the stand-in. */
class ApiSnippetsTest {
  @TempDir Path dir;

  @Test
  void everyApiSnippetWorksAgainstTheStandIn() throws Exception {
    try (WeChatStandIn wechat = WeChatStandIn.start();
        AccessTokenProvider tokens =
            AccessTokenProvider.builder()
                .appId("wx0123456789abcdef")
                .appSecret("s")
                .apiBaseUrl(wechat.baseUrl())
                .build()) {
      wechat.addEndpoint("cgi-bin/user/info/updateremark", "{\"errcode\":0,\"errmsg\":\"ok\"}");
      WeChatApi api = WeChatApi.builder().tokens(tokens).imageBaseUrl(wechat.baseUrl()).build();
      List<String> users = wechat.addFollowers(3);
      ApiSnippets.generic(ApiSnippets.build(tokens), users.get(0));
      assertTrue(ApiSnippets.template(api, users.get(0), "7") > 0);
      ApiSnippets.menu(api);
      assertTrue(wechat.currentMenu().contains("CONTACT"));
      assertEquals(3, ApiSnippets.users(api));
      assertTrue(ApiSnippets.qrCode(api, dir.resolve("qr.jpg")) > 0);
      wechat.userMessaged(users.get(1));
      ApiSnippets.customerService(api, users.get(1));
      assertEquals(1, wechat.sentMessages().size());
      Path photo = dir.resolve("photo.jpg");
      Files.write(photo, new byte[1000]);
      ApiSnippets.media(api, photo, dir.resolve("back.jpg"));
      assertEquals(1000, Files.size(dir.resolve("back.jpg")));
      long msgId =
          ApiSnippets.async(api, TemplateMessage.of(users.get(2), "T", Map.of("a", "b")))
              .get(10, TimeUnit.SECONDS);
      assertTrue(msgId > 0);
    }
    ApiSnippets.userTest();
  }
}

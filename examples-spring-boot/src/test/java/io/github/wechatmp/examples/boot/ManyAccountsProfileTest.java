package io.github.wechatmp.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wechatmp.spring.boot.WeChatAccounts;
import io.github.wechatmp.test.CallbackClient;
import io.github.wechatmp.test.WeChatStandIn;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The many-accounts YAML of docs/spring-boot.md (profile "many"), as the example application loads
 * it.
 */
class ManyAccountsProfileTest {
  @Test
  void bothAccountsAreServedAtTheirOwnPaths() {
    try (WeChatStandIn wechat = WeChatStandIn.start();
        ConfigurableApplicationContext context =
            new SpringApplication(ExampleApplication.class)
                .run(
                    "--spring.profiles.active=many",
                    "--server.port=0",
                    "--wechat.mp.api-base-url=" + wechat.baseUrl(),
                    "--WECHAT_SHOP_APP_ID=wxshop0000000000",
                    "--WECHAT_SHOP_APP_SECRET=s1",
                    "--WECHAT_SHOP_TOKEN=shopToken",
                    "--WECHAT_NEWS_APP_ID=wxnews0000000000",
                    "--WECHAT_NEWS_APP_SECRET=s2",
                    "--WECHAT_NEWS_TOKEN=newsToken",
                    "--WECHAT_NEWS_ENCODING_AES_KEY=" + DemoMode.AES_KEY)) {
      WeChatAccounts accounts = context.getBean(WeChatAccounts.class);
      assertThat(accounts.get("shop").appId()).isEqualTo("wxshop0000000000");
      assertThat(accounts.get("wxnews0000000000").name()).isEqualTo("news");
      assertThat(accounts.get("news").crypto()).isPresent();
      String base = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
      CallbackClient shop =
          CallbackClient.builder().url(base + "/wechat/shop").token("shopToken").build();
      assertThat(shop.verify()).isEqualTo(shop.lastEchostr());
      CallbackClient news =
          CallbackClient.builder()
              .url(base + "/wechat/news")
              .token("newsToken")
              .encodingAesKey(DemoMode.AES_KEY)
              .appId("wxnews0000000000")
              .build();
      long now = System.currentTimeMillis() / 1000;
      assertThat(
              news.send(
                  "<xml><ToUserName>gh_news</ToUserName><FromUserName>oU</FromUserName><CreateTime>"
                      + now
                      + "</CreateTime><MsgType>text</MsgType><Content>hi</Content><MsgId>9</MsgId></xml>"))
          .contains("You said: hi");
      assertThat(accounts.get("news").tokens().get().value()).isNotBlank();
      assertThat(wechat.requests(WeChatStandIn.STABLE_TOKEN_PATH)).isEqualTo(1);
    }
  }
}

package io.github.wechatmp.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wechatmp.api.WeChatApi;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessTokenProvider;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** A WeChatApi per account, built on the account's provider, over real HTTP to the stand-in. */
class WeChatApiAutoConfigurationTest {
  static final String APP_ID = "wx0123456789abcdef";
  static WeChatStandIn wechat;

  @BeforeAll
  static void startWeChat() {
    wechat = WeChatStandIn.start();
  }

  @AfterAll
  static void stopWeChat() {
    wechat.close();
  }

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  WeChatAutoConfiguration.class, WeChatApiAutoConfiguration.class));

  @Test
  void theSingleAccountGetsAWeChatApiOnItsProviderThatCallsTheStandIn() {
    runner
        .withPropertyValues(
            "wechat.mp.app-id=" + APP_ID,
            "wechat.mp.app-secret=the-secret",
            "wechat.mp.api-base-url=" + wechat.baseUrl())
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(WeChatApi.class);
              WeChatApi api = context.getBean(WeChatApi.class);
              Map<?, ?> ips = api.get("cgi-bin/get_api_domain_ip", Map.of(), Map.class);
              assertThat(ips.containsKey("ip_list")).isTrue();
              assertThat(context.getBean(WeChatApis.class).get(APP_ID)).isNotNull();
            });
  }

  @Test
  void eachNamedAccountGetsAWeChatApiByQualifierAndByAppId() {
    runner
        .withPropertyValues(
            "wechat.mp.accounts.shop.app-id=" + APP_ID,
            "wechat.mp.accounts.shop.app-secret=s1",
            "wechat.mp.accounts.shop.api-base-url=" + wechat.baseUrl(),
            "wechat.mp.accounts.news.app-id=wxnews0123456789",
            "wechat.mp.accounts.news.app-secret=s2",
            "wechat.mp.accounts.news.api-base-url=" + wechat.baseUrl())
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              WeChatApi shop = context.getBean("shopWeChatApi", WeChatApi.class);
              assertThat(context.getBean("newsWeChatApi", WeChatApi.class)).isNotSameAs(shop);
              WeChatApis apis = context.getBean(WeChatApis.class);
              assertThat(apis.get(APP_ID)).isSameAs(shop);
              assertThat(apis.get("shop")).isSameAs(shop);
              Map<?, ?> ips = shop.get("cgi-bin/get_api_domain_ip", Map.of(), Map.class);
              assertThat(ips.containsKey("ip_list")).isTrue();
            });
  }

  @Test
  void anApplicationsOwnWeChatApiWins() {
    try (AccessTokenProvider tokens =
        AccessTokenProvider.builder()
            .appId(APP_ID)
            .appSecret("own")
            .apiBaseUrl(wechat.baseUrl())
            .build()) {
      WeChatApi own = WeChatApi.builder().tokens(tokens).build();
      runner
          .withPropertyValues(
              "wechat.mp.app-id=" + APP_ID,
              "wechat.mp.app-secret=the-secret",
              "wechat.mp.api-base-url=" + wechat.baseUrl())
          .withBean(WeChatApi.class, () -> own)
          .run(context -> assertThat(context.getBean(WeChatApi.class)).isSameAs(own));
    }
  }
}

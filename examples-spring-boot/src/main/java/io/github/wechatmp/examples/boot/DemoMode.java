package io.github.wechatmp.examples.boot;

import io.github.wechatmp.test.CallbackClient;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessTokenProvider;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Demo mode: when no AppID is configured, starts the stand-in WeChat of {@code wechat-test} and
 * points the account at it (demo AppID, secret, Token and EncodingAESKey; tokens living 2 minutes,
 * so refreshes happen while you watch; its authorize page signs in the user {@code oDemoUser},
 * nickname {@code Demo User}, for {@code /me}), and once the application is up sends its own {@code
 * /wechat} a subscribe event and a text message as WeChat would, logging the replies. The stand-in
 * is a bean, so it stops with the application, and also when the start fails.
 */
final class DemoMode implements ApplicationContextInitializer<ConfigurableApplicationContext> {
  private static final Logger log = LoggerFactory.getLogger(DemoMode.class);

  static final String APP_ID = "wxdemo0000000000";
  static final String TOKEN = "demoToken";
  static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

  @Override
  public void initialize(ConfigurableApplicationContext context) {
    ConfigurableEnvironment env = context.getEnvironment();
    String appId = env.getProperty("wechat.mp.app-id");
    if (appId != null && !appId.isBlank()) {
      return;
    }
    WeChatStandIn wechat =
        WeChatStandIn.builder()
            .appId(APP_ID)
            .appSecret("demo-secret")
            .expiresIn(Duration.ofMinutes(2))
            .start()
            .webUser("oDemoUser", "Demo User", null);
    env.getPropertySources()
        .addFirst(
            new MapPropertySource(
                "wechat-demo",
                Map.of(
                    "wechat.mp.app-id",
                    APP_ID,
                    "wechat.mp.app-secret",
                    "demo-secret",
                    "wechat.mp.token",
                    TOKEN,
                    "wechat.mp.encoding-aes-key",
                    AES_KEY,
                    "wechat.mp.api-base-url",
                    wechat.baseUrl(),
                    "wechat.mp.oauth.authorize-base-url",
                    wechat.baseUrl(),
                    "wechat.mp.refresh-margin",
                    "40s",
                    "wechat.mp.expiry-margin",
                    "10s")));
    log.info(
        "Demo mode: no WECHAT_APP_ID, so the account talks to a stand-in WeChat at {}",
        wechat.baseUrl());
    // A bean, not a ContextClosedEvent listener: a context whose start fails is never closed, only
    // its beans are destroyed, and the stand-in's non-daemon thread would keep the JVM alive after
    // the failure report. Registered before any other bean, it is destroyed last.
    DefaultListableBeanFactory beans = (DefaultListableBeanFactory) context.getBeanFactory();
    beans.registerSingleton("wechatDemoStandIn", wechat);
    beans.registerDisposableBean("wechatDemoStandIn", wechat::close);
    context.addApplicationListener(
        (ApplicationListener<ApplicationReadyEvent>)
            e -> {
              if (env.getProperty("demo.send", Boolean.class, true)) {
                log.info(
                    "Demo: the access token, as the API client would get it: {}",
                    e.getApplicationContext().getBean(AccessTokenProvider.class).get());
                sendAsWeChat(env);
              }
            });
  }

  private static void sendAsWeChat(ConfigurableEnvironment env) {
    String url = "http://127.0.0.1:" + env.getProperty("local.server.port", "8080") + "/wechat";
    CallbackClient wechat =
        CallbackClient.builder()
            .url(url)
            .token(TOKEN)
            .encodingAesKey(AES_KEY)
            .appId(APP_ID)
            .build();
    try {
      log.info("Demo: WeChat checks the server URL {}: {}", url, wechat.verify());
      long now = System.currentTimeMillis() / 1000;
      log.info(
          "Demo: a user follows the account; reply: {}",
          wechat.send(
              "<xml><ToUserName>gh_demo</ToUserName><FromUserName>oDemoUser</FromUserName>"
                  + "<CreateTime>"
                  + now
                  + "</CreateTime><MsgType>event</MsgType><Event>subscribe</Event></xml>"));
      log.info(
          "Demo: the user sends \"hello\"; reply: {}",
          wechat.send(
              "<xml><ToUserName>gh_demo</ToUserName><FromUserName>oDemoUser</FromUserName>"
                  + "<CreateTime>"
                  + now
                  + "</CreateTime><MsgType>text</MsgType><Content>hello</Content>"
                  + "<MsgId>1</MsgId></xml>"));
      log.info(
          "Demo: see {} and {}, and sign in with WeChat at {}",
          url.replace("/wechat", "/actuator/health/wechat"),
          url.replace("/wechat", "/actuator/metrics/wechat.callback.messages"),
          url.replace("/wechat", "/me"));
    } catch (RuntimeException ex) {
      log.warn("Demo: calling {} as WeChat failed: {}", url, ex.toString());
    }
  }
}

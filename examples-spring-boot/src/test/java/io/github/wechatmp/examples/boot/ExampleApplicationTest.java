package io.github.wechatmp.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wechatmp.spring.boot.WeChatAccounts;
import io.github.wechatmp.test.CallbackClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The example as it runs: demo mode on the stand-in, application.yml as docs/spring-boot.md quotes
 * it, the router answering a text and a subscribe event through the encrypted server URL.
 */
class ExampleApplicationTest {

  private static ConfigurableApplicationContext start() {
    SpringApplication app = new SpringApplication(ExampleApplication.class);
    app.addInitializers(new DemoMode());
    app.setWebApplicationType(WebApplicationType.SERVLET);
    return app.run("--server.port=0", "--demo.send=false");
  }

  @Test
  void inDemoModeTheRouterAnswersTextAndSubscribeEvents() throws Exception {
    try (ConfigurableApplicationContext context = start()) {
      String url = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
      CallbackClient wechat =
          CallbackClient.builder()
              .url(url + "/wechat")
              .token(DemoMode.TOKEN)
              .encodingAesKey(DemoMode.AES_KEY)
              .appId(DemoMode.APP_ID)
              .build();
      assertThat(wechat.verify()).isEqualTo(wechat.lastEchostr());
      long now = System.currentTimeMillis() / 1000;
      assertThat(
              wechat.send(
                  "<xml><ToUserName>gh_demo</ToUserName><FromUserName>oU</FromUserName><CreateTime>"
                      + now
                      + "</CreateTime><MsgType>text</MsgType><Content>hi</Content><MsgId>7</MsgId></xml>"))
          .contains("You said: hi");
      assertThat(
              wechat.send(
                  "<xml><ToUserName>gh_demo</ToUserName><FromUserName>oU</FromUserName><CreateTime>"
                      + now
                      + "</CreateTime><MsgType>event</MsgType><Event>subscribe</Event></xml>"))
          .contains("Thanks for following!");
      WeChatAccounts accounts = context.getBean(WeChatAccounts.class);
      assertThat(accounts.get("default").tokens().get().value()).isNotBlank();
      HttpResponse<String> health =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url + "/actuator/health/wechat")).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(health.body()).contains("\"status\":\"UP\"").contains("FRESH");
    }
  }
}

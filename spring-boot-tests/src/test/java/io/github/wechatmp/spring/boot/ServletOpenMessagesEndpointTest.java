package io.github.wechatmp.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wechatmp.callback.Reply;
import io.github.wechatmp.open.AuthorizerMessageHandler;
import io.github.wechatmp.open.OpenPlatform;
import io.github.wechatmp.test.CallbackClient;
import io.github.wechatmp.test.ReceivedRequest;
import io.github.wechatmp.test.StandInPlatform;
import io.github.wechatmp.test.WeChatStandIn;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/** The platform's endpoints on Spring MVC. */
class ServletOpenMessagesEndpointTest extends OpenMessagesEndpointContract {
  @Override
  WebApplicationType stack() {
    return WebApplicationType.SERVLET;
  }

  /** On one stack: which handler is chosen does not depend on it. */
  @Test
  void anApplicationWithOnlyAMessageRouterAnswersMerchantsWithIt() {
    try (WeChatStandIn ownApi = WeChatStandIn.start();
        ConfigurableApplicationContext app = application(RouterApp.class, ownApi)) {
      StandInPlatform own = platformFor(ownApi, app);
      own.pushTicket();
      own.authorize("wxmerchant0000006", List.of(1));

      assertThat(wechatFor(app, "wxmerchant0000006").send(text("hi", 7)))
          .contains("<![CDATA[echo: hi]]>");
    }
  }

  /**
   * On MVC only, where reading the body holds a thread: WebFlux reads it without one and screens
   * once it is in.
   */
  @Test
  void anUnsignedMessageIsRefusedWithoutWaitingForTheBodyItAnnounced() throws Exception {
    String merchant = "wxmerchant0000007";
    wechat.authorize(merchant, List.of(1));
    try (Socket socket =
        new Socket(
            InetAddress.getLoopbackAddress(),
            Integer.parseInt(context.getEnvironment().getProperty("local.server.port")))) {
      // Far longer than any answer takes, far shorter than the server's wait for a body.
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("POST /platform/messages/"
                      + merchant
                      + "?signature=forged&timestamp=1700000000&nonce=n HTTP/1.1\r\n"
                      + "Host: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: 1000\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      String statusLine =
          new BufferedReader(
                  new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
              .readLine();
      assertThat(statusLine).startsWith("HTTP/1.1 403");
    }
    assertThat(heard()).doesNotContain(merchant);
  }

  /** On one stack: the deadline is the endpoint's, whichever adapter serves it. */
  @Test
  @Tag("slow") // waits out a real 200 ms reply deadline
  void aReplyAfterTheConfiguredDeadlineGoesOutAsACustomerServiceMessage() throws Exception {
    try (WeChatStandIn ownApi = WeChatStandIn.start();
        ConfigurableApplicationContext app =
            application(SlowApp.class, ownApi, "wechat.open.messages.reply-deadline=200ms")) {
      StandInPlatform own = platformFor(ownApi, app);
      own.pushTicket();
      own.authorize("wxmerchant0000008", List.of(1));

      // Under the default 4 s deadline this client would give up: the configured one applies.
      CallbackClient impatient =
          CallbackClient.builder()
              .url(url(app, "/platform/messages/wxmerchant0000008"))
              .token(TOKEN)
              .encodingAesKey(AES_KEY)
              .appId(COMPONENT_APP_ID)
              .wechatRetries(false)
              .answerTimeout(Duration.ofMillis(2500))
              .build();
      String answered = impatient.send(text("take your time", 8));
      assertThat(answered).isEqualTo("success");
      app.getBean(CountDownLatch.class).countDown();

      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (ownApi.received("cgi-bin/message/custom/send").isEmpty()
          && System.nanoTime() < until) {
        Thread.sleep(20);
      }
      ReceivedRequest sent = ownApi.received("cgi-bin/message/custom/send").get(0);
      assertThat(sent.body()).contains("late, for wxmerchant0000008");
      assertThat(sent.queryParameter("access_token"))
          .isEqualTo(app.getBean(OpenPlatform.class).authorizer("wxmerchant0000008").get().value());
    }
  }

  /** An application whose handler answers only once the test lets it. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class SlowApp {
    @Bean
    CountDownLatch release() {
      return new CountDownLatch(1);
    }

    @Bean
    AuthorizerMessageHandler slowMessages(CountDownLatch release) {
      return (appId, message) -> {
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return Reply.text("late, for " + appId);
      };
    }
  }
}

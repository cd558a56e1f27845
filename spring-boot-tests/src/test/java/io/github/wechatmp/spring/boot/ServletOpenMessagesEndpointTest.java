package io.github.wechatmp.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wechatmp.test.StandInPlatform;
import io.github.wechatmp.test.WeChatStandIn;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

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
}

package io.github.wechatmp.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wechatmp.test.StandInPlatform;
import io.github.wechatmp.test.WeChatStandIn;
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
}

package io.github.wechatmp.examples.boot;

import io.github.wechatmp.callback.MessageRouter;
import io.github.wechatmp.callback.Reply;
import io.github.wechatmp.callback.inbound.SubscribeEvent;
import io.github.wechatmp.callback.inbound.TextMessage;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot application on {@code wechat-spring-boot-starter}: the router below is all the
 * WeChat code it has; the starter serves {@code /wechat}, keeps the token, and adds the {@code
 * wechat} health indicator and meters. Without {@code WECHAT_APP_ID} it runs in demo mode on a
 * stand-in WeChat ({@link DemoMode}).
 */
@SpringBootApplication
public class ExampleApplication {

  /**
   * Starts the application.
   *
   * @param args Spring Boot's arguments, such as {@code --server.port=8081}
   */
  public static void main(String[] args) {
    SpringApplication app = new SpringApplication(ExampleApplication.class);
    app.addInitializers(new DemoMode());
    app.run(args);
  }

  // snippet:start spring-boot-router
  @Bean
  MessageRouter router() {
    return MessageRouter.builder()
        .on(TextMessage.class, m -> Reply.text("You said: " + m.content()))
        .on(SubscribeEvent.class, e -> Reply.text("Thanks for following!"))
        .onClick("HELP", e -> Reply.text("Send any text and it comes back."))
        .build();
  }
  // snippet:end
}

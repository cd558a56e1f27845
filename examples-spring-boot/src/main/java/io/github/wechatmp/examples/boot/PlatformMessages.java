package io.github.wechatmp.examples.boot;

import io.github.wechatmp.callback.Reply;
import io.github.wechatmp.callback.inbound.TextMessage;
import io.github.wechatmp.open.AuthorizerMessageHandler;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The messages of the official accounts that authorized the platform (profile {@code open}): the
 * starter serves them at {@code wechat.open.messages.path}/{AppID} with this handler. Without
 * {@code wechat.open.component-app-id} the bean is unused.
 */
@Configuration(proxyBeanMethods = false)
public class PlatformMessages {

  /** Created by Spring. */
  public PlatformMessages() {}

  // snippet:start open-spring-boot-handler
  @Bean
  AuthorizerMessageHandler merchantMessages() {
    return (authorizerAppId, message) ->
        message instanceof TextMessage text
            ? Reply.text("Account " + authorizerAppId + " heard: " + text.content())
            : Reply.none();
  }
  // snippet:end
}

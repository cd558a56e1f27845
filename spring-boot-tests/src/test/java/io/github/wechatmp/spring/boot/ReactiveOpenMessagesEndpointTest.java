package io.github.wechatmp.spring.boot;

import org.springframework.boot.WebApplicationType;

/** The platform's endpoints on WebFlux. */
class ReactiveOpenMessagesEndpointTest extends OpenMessagesEndpointContract {
  @Override
  WebApplicationType stack() {
    return WebApplicationType.REACTIVE;
  }
}

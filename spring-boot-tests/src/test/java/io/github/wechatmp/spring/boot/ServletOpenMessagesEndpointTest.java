package io.github.wechatmp.spring.boot;

import org.springframework.boot.WebApplicationType;

/** The platform's endpoints on Spring MVC. */
class ServletOpenMessagesEndpointTest extends OpenMessagesEndpointContract {
  @Override
  WebApplicationType stack() {
    return WebApplicationType.SERVLET;
  }
}

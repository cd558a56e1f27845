package io.github.wechatmp.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.web.context.WebApplicationContext;

/** The callback endpoint on WebFlux, on a random port. */
@SpringBootTest(
    classes = CallbackEndpointContract.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "spring.main.web-application-type=reactive")
class ReactiveCallbackEndpointTest extends CallbackEndpointContract {
  @Autowired ApplicationContext context;

  @Test
  void itRunsOnTheReactiveStack() {
    assertThat(context).isNotInstanceOf(WebApplicationContext.class);
    assertThat(context.getBeanNamesForType(
            org.springframework.web.reactive.function.server.RouterFunction.class))
        .contains("wechatReactiveCallbackRoutes");
  }
}

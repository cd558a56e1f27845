package io.github.wechatmp.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.web.context.WebApplicationContext;

/** The callback endpoint on Spring MVC (the servlet stack), on a random port. */
@SpringBootTest(
    classes = CallbackEndpointContract.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ServletCallbackEndpointTest extends CallbackEndpointContract {
  @Autowired ApplicationContext context;

  @Test
  void itRunsOnTheServletStack() {
    assertThat(context).isInstanceOf(WebApplicationContext.class);
  }
}

package io.github.wechatmp.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

/** The example's "sign in with WeChat" page in demo mode, with a browser that keeps cookies. */
class SignInWithWeChatTest {

  @Test
  void theMePageSignsTheDemoUserInAndShowsTheOpenIdAndNickname() throws Exception {
    SpringApplication app = new SpringApplication(ExampleApplication.class);
    app.addInitializers(new DemoMode());
    app.setWebApplicationType(WebApplicationType.SERVLET);
    try (ConfigurableApplicationContext context = app.run("--server.port=0", "--demo.send=false")) {
      String base = "http://localhost:" + context.getEnvironment().getProperty("local.server.port");
      HttpClient browser =
          HttpClient.newBuilder()
              .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
              .followRedirects(HttpClient.Redirect.NEVER)
              .build();
      URI uri = URI.create(base + "/me");
      HttpResponse<String> page = null;
      for (int hop = 0; hop < 10; hop++) {
        String s = uri.toString();
        URI request = s.contains("#") ? URI.create(s.substring(0, s.indexOf('#'))) : uri;
        page =
            browser.send(
                HttpRequest.newBuilder(request).build(), HttpResponse.BodyHandlers.ofString());
        if (page.statusCode() / 100 != 3) {
          break;
        }
        uri = uri.resolve(page.headers().firstValue("Location").orElseThrow());
      }
      assertThat(uri.getPath()).isEqualTo("/me");
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body())
          .contains("Signed in with WeChat")
          .contains("OpenID: oDemoUser")
          .contains("Nickname: Demo User");
    }
  }
}

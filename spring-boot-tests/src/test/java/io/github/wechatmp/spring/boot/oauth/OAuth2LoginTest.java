package io.github.wechatmp.spring.boot.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wechatmp.spring.boot.WeChatOAuth2Login;
import io.github.wechatmp.test.ReceivedRequest;
import io.github.wechatmp.test.WeChatStandIn;
import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.core.user.OAuth2User;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * An application whose only sign-in code is {@code http.oauth2Login(Customizer.withDefaults())}
 * signs WeChat users in against the stand-in, over real HTTP with a browser that keeps cookies.
 */
@Tag("oauth2-login")
class OAuth2LoginTest {
  static final String APP_ID = "wx0123456789abcdef";
  static final String SECRET = "s3cr3t-0123456789abcdef0123456789";

  private WeChatStandIn wechat;
  private final List<ConfigurableApplicationContext> apps = new ArrayList<>();

  /** The application: a page that shows who is signed in, and Spring Security's defaults. */
  @SpringBootApplication(proxyBeanMethods = false)
  @RestController
  static class App {
    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
      http.authorizeHttpRequests(a -> a.anyRequest().authenticated())
          .oauth2Login(Customizer.withDefaults());
      return http.build();
    }

    @GetMapping("/")
    String home() {
      return "home";
    }

    @GetMapping("/me")
    String me(@AuthenticationPrincipal OAuth2User user) {
      return "name="
          + user.getName()
          + ";nickname="
          + user.getAttribute("nickname")
          + ";attributes="
          + user.getAttributes().keySet();
    }
  }

  @BeforeEach
  void startWeChat() {
    wechat = WeChatStandIn.builder().appId(APP_ID).appSecret(SECRET).start();
  }

  @AfterEach
  void stop() {
    apps.forEach(ConfigurableApplicationContext::close);
    wechat.close();
  }

  private String start(String... more) {
    List<String> properties =
        new ArrayList<>(
            List.of(
                "server.port=0",
                "wechat.mp.store.type=memory",
                "wechat.mp.app-id=" + APP_ID,
                "wechat.mp.app-secret=" + SECRET,
                "wechat.mp.api-base-url=" + wechat.baseUrl(),
                "wechat.mp.oauth.enabled=true",
                "wechat.mp.oauth.authorize-base-url=" + wechat.baseUrl()));
    properties.addAll(List.of(more));
    ConfigurableApplicationContext app =
        new SpringApplicationBuilder(App.class).properties(properties.toArray(String[]::new)).run();
    apps.add(app);
    // The property both Boot generations set, where the server's type moved between them.
    String port = app.getEnvironment().getProperty("local.server.port");
    return "http://localhost:" + port + "/";
  }

  @Test
  void aUserinfoSignInNamesTheUserByOpenIdWithTheProfileAttributes() throws Exception {
    String app = start();
    wechat.webUser("oAlice", "Alice", "uAlice");
    Browser browser = new Browser();
    Browser.Page page = browser.open(app + "me");
    assertThat(page.status()).as(page.body()).isEqualTo(200);
    assertThat(page.body())
        .isEqualTo("name=oAlice;nickname=Alice;attributes=[openid, nickname, headimgurl, unionid]");
    String authorize = page.hops().get(2).toString();
    assertThat(authorize)
        .startsWith(
            wechat.baseUrl()
                + "connect/oauth2/authorize?appid="
                + APP_ID
                + "&redirect_uri="
                + "http%3A%2F%2Flocalhost%3A")
        .contains("%2Flogin%2Foauth2%2Fcode%2Fwechat&response_type=code&scope=snsapi_userinfo&state=")
        .endsWith("#wechat_redirect");
    assertThat(wechat.requests("sns/oauth2/access_token")).isEqualTo(1);
  }

  @Test
  void aBaseSignInCarriesTheOpenIdAloneAndNeverAsksForTheProfile() throws Exception {
    String app = start("wechat.mp.oauth.scope=base");
    wechat.webUser("oBob", "Bob", "uBob");
    Browser.Page page = new Browser().open(app + "me");
    assertThat(page.body()).isEqualTo("name=oBob;nickname=null;attributes=[openid]");
    assertThat(wechat.requests("sns/userinfo")).isZero();
  }

  @Test
  void wechatsDoubleRedirectSignsInOnceAndTheBrowsersSecondRequestStillLandsSignedIn()
      throws Exception {
    String app = start();
    wechat.webUser("oCarol", "Carol", null).deliverRedirectTwice(true);
    Browser browser = new Browser();
    Browser.Page page = browser.open(app + "me");
    assertThat(page.body()).startsWith("name=oCarol;");
    // The in-app browser requesting the same redirect once more, with its cookies:
    String callback = page.hops().get(3).toString();
    assertThat(callback).contains("/login/oauth2/code/wechat?code=");
    Browser.Page again = browser.open(callback);
    assertThat(again.uri().getPath()).isEqualTo("/"); // not /login?error
    assertThat(again.body()).isEqualTo("home");
    assertThat(browser.open(app + "me").body()).startsWith("name=oCarol;");
    assertThat(wechat.requests("sns/oauth2/access_token")).isEqualTo(1);
    assertThat(wechat.received("sns/oauth2/access_token"))
        .allSatisfy(r -> assertThat(r.errcode()).isZero());
  }

  @Test
  @ExtendWith(OutputCaptureExtension.class)
  void noSecretCodeOrTokenIsWholeInAnyLogLine(CapturedOutput output) throws Exception {
    String app = start();
    wechat.webUser("oDave", "Dave", "uDave").deliverRedirectTwice(true);
    assertThat(new Browser().open(app + "me").body()).startsWith("name=oDave;");
    List<String> secrets = new ArrayList<>(List.of(SECRET));
    for (ReceivedRequest r : wechat.received("sns/oauth2/access_token")) {
      secrets.add(r.queryParameter("code"));
    }
    for (ReceivedRequest r : wechat.received("sns/userinfo")) {
      secrets.add(r.queryParameter("access_token"));
    }
    assertThat(secrets).hasSizeGreaterThan(2);
    for (String s : secrets) {
      assertThat(output.getAll()).doesNotContain(s);
    }
  }

  @Test
  void aSnapshotPageUserIsNotSignedInAndLandsOnTheLoginErrorPage() throws Exception {
    String app = start();
    wechat.webSnapshotUser("oVirtual");
    Browser browser = new Browser();
    Browser.Page page = browser.open(app + "me");
    assertThat(page.uri().getPath()).isEqualTo("/login");
    assertThat(page.uri().getQuery()).isEqualTo("error");
    assertThat(wechat.requests("sns/userinfo")).isZero();
    assertThat(WeChatOAuth2Login.SNAPSHOT_USER_ERROR).isEqualTo("wechat_snapshot_user");
  }

  @Test
  void aCallbackWithAForgedStateIsRefusedWithoutExchangingTheCode() throws Exception {
    String app = start();
    Browser.Page page =
        new Browser().open(app + "login/oauth2/code/wechat?code=0123456789abcdef&state=abc123");
    assertThat(page.uri().getPath()).isEqualTo("/login");
    assertThat(page.uri().getQuery()).isEqualTo("error");
    assertThat(wechat.requests("sns/oauth2/access_token")).isZero();
  }

  @Test
  void everyOAuthKeyIsInTheGeneratedMetadata() throws Exception {
    String json;
    try (java.io.InputStream in =
        WeChatOAuth2Login.class.getResourceAsStream(
            "/META-INF/spring-configuration-metadata.json")) {
      json =
          new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
              .replaceAll("\\s", "");
    }
    for (String key :
        List.of(
            "enabled",
            "account",
            "scope",
            "redirect-uri",
            "authorize-base-url",
            "state-key",
            "stateless-state")) {
      assertThat(json).contains("\"name\":\"wechat.mp.oauth." + key + "\"");
    }
  }

  /** A browser: follows redirects itself and keeps cookies. */
  static final class Browser {
    private final HttpClient http =
        HttpClient.newBuilder()
            .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    record Page(int status, String body, URI uri, List<URI> hops) {}

    Page open(String url) throws IOException, InterruptedException {
      List<URI> hops = new ArrayList<>();
      URI uri = URI.create(url);
      for (int i = 0; i < 10; i++) {
        hops.add(uri);
        String s = uri.toString();
        URI request = s.contains("#") ? URI.create(s.substring(0, s.indexOf('#'))) : uri;
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(request).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        String location = r.headers().firstValue("Location").orElse(null);
        if (r.statusCode() / 100 != 3 || location == null) {
          return new Page(r.statusCode(), r.body(), uri, hops);
        }
        uri = uri.resolve(location);
      }
      throw new IOException("more than ten redirects from " + url);
    }
  }
}

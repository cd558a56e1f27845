package io.github.wechatmp.examples.boot;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.core.user.OAuth2User;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/**
 * "Sign in with WeChat": {@code /me} needs a signed-in user, and {@code oauth2Login()} signs WeChat
 * users in with the starter's {@code wechat} registration (web authorization). In demo mode the
 * stand-in WeChat signs in a demo user at once.
 */
@Configuration(proxyBeanMethods = false)
@RestController
class SignInWithWeChat {

  // snippet:start oauth-spring-security
  @Bean
  SecurityFilterChain security(HttpSecurity http) throws Exception {
    http.authorizeHttpRequests(
            a -> a.requestMatchers("/me").authenticated().anyRequest().permitAll())
        .oauth2Login(Customizer.withDefaults())
        // WeChat's POSTs to the server URL carry no CSRF token; their signature protects them.
        .csrf(c -> c.ignoringRequestMatchers("/wechat/**"));
    return http.build();
  }

  @GetMapping(value = "/me", produces = "text/html;charset=UTF-8")
  String me(@AuthenticationPrincipal OAuth2User user) {
    return "<h1>Signed in with WeChat</h1><p>OpenID: "
        + HtmlUtils.htmlEscape(user.getName())
        + "</p><p>Nickname: "
        + HtmlUtils.htmlEscape(String.valueOf(user.getAttributes().getOrDefault("nickname", "")))
        + "</p>";
  }
  // snippet:end
}

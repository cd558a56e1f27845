package io.github.wechatmp.spring.boot;

import io.github.wechatmp.oauth.Scope;
import io.github.wechatmp.oauth.StateCodec;
import io.github.wechatmp.oauth.WebAuthorization;
import io.github.wechatmp.token.TokenStore;
import java.util.Base64;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.client.endpoint.OAuth2AccessTokenResponseClient;
import org.springframework.security.oauth2.client.endpoint.OAuth2AuthorizationCodeGrantRequest;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.InMemoryClientRegistrationRepository;
import org.springframework.security.oauth2.client.userinfo.OAuth2UserRequest;
import org.springframework.security.oauth2.client.userinfo.OAuth2UserService;
import org.springframework.security.oauth2.client.web.AuthorizationRequestRepository;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestRedirectFilter;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.client.web.OAuth2LoginAuthenticationFilter;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.user.OAuth2User;

/**
 * Signs WeChat users in through Spring Security's {@code http.oauth2Login(withDefaults())}, with
 * {@code spring-boot-starter-oauth2-client} on the class path and {@code
 * wechat.mp.oauth.enabled=true}: the {@value WeChatOAuth2Login#REGISTRATION_ID} client registration
 * of the {@linkplain WeChatOAuthProperties#getAccount() account}, and the resolver, token client
 * and user service of {@link WeChatOAuth2Login}, which {@code oauth2Login()} finds as beans. Each
 * backs off when the application has its own bean of the type.
 *
 * <p>WeChat's authorization requests are kept in their signed state, not in the session ({@code
 * wechat.mp.oauth.stateless-state}, true by default): the configuration sets that repository on the
 * filters {@code oauth2Login()} builds, as it builds them, since Spring Security looks up no such
 * bean. Other registrations keep the session. The code exchange shares its idempotency through the
 * SDK's {@link TokenStore}, so WeChat's double redirect reaches the application as one sign-in on
 * every instance.
 *
 * <p>Runs after Spring Boot's OAuth 2 client configuration: an application that configures other
 * providers under {@code spring.security.oauth2.client} has Boot's repository, which this one does
 * not replace; such an application adds {@link WeChatOAuth2Login#clientRegistration} to its own.
 */
@AutoConfiguration(
    after = WeChatAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.autoconfigure.security.oauth2.client.servlet.OAuth2ClientAutoConfiguration",
      "org.springframework.boot.security.oauth2.client.autoconfigure.OAuth2ClientAutoConfiguration"
    })
@ConditionalOnClass({ClientRegistrationRepository.class, OAuth2LoginAuthenticationFilter.class})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnBooleanProperty("wechat.mp.oauth.enabled")
@EnableConfigurationProperties({WeChatProperties.class, WeChatOAuthProperties.class})
public class WeChatOAuth2LoginConfiguration {

  /** Created by Spring. */
  public WeChatOAuth2LoginConfiguration() {}

  /**
   * The account's web authorization, sharing the code exchange through the SDK's token store.
   *
   * @param properties the SDK's settings
   * @param oauth the sign-in settings
   * @param store the SDK's token store, if any
   * @return the web authorization
   */
  @Bean
  @ConditionalOnMissingBean
  public WebAuthorization wechatWebAuthorization(
      WeChatProperties properties, WeChatOAuthProperties oauth, ObjectProvider<TokenStore> store) {
    AccountProperties account = account(properties, oauth);
    WebAuthorization.Builder b;
    try {
      b = WebAuthorization.builder().appId(account.getAppId()).appSecret(account.getAppSecret());
      String api = apiBaseUrl(properties, account);
      if (api != null) {
        b.apiBaseUrl(api);
      }
      if (oauth.getAuthorizeBaseUrl() != null && !oauth.getAuthorizeBaseUrl().isBlank()) {
        b.authorizeBaseUrl(oauth.getAuthorizeBaseUrl());
      }
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new WeChatConfigurationException(
          "The WeChat sign-in (wechat.mp.oauth) cannot use account '"
              + oauth.getAccount()
              + "': "
              + e.getMessage(),
          "Set the account's app-id and app-secret (and a valid api-base-url, authorize-base-url)",
          e);
    }
    store.ifAvailable(b::store);
    return b.build();
  }

  /**
   * The state codec, keyed by {@code wechat.mp.oauth.state-key} or else by a key derived from the
   * AppSecret, recording used states in the SDK's token store.
   *
   * @param properties the SDK's settings
   * @param oauth the sign-in settings
   * @param store the SDK's token store, if any
   * @return the codec
   */
  @Bean
  @ConditionalOnMissingBean
  public StateCodec wechatStateCodec(
      WeChatProperties properties, WeChatOAuthProperties oauth, ObjectProvider<TokenStore> store) {
    AccountProperties account = account(properties, oauth);
    StateCodec.Builder b = StateCodec.builder().appId(account.getAppId());
    String key = oauth.getStateKey();
    try {
      if (key != null && !key.isBlank()) {
        b.key(Base64.getDecoder().decode(key.strip()));
      } else {
        b.keyFromAppSecret(account.getAppSecret());
      }
    } catch (IllegalArgumentException e) {
      throw new WeChatConfigurationException(
          "wechat.mp.oauth.state-key is not at least 32 bytes in Base64",
          "Set it to 32 random bytes in Base64 (openssl rand -base64 32), or leave it unset",
          null);
    }
    store.ifAvailable(b::store);
    return b.build();
  }

  /**
   * The {@value WeChatOAuth2Login#REGISTRATION_ID} registration, when the application has no
   * repository of its own (nor Boot one from {@code spring.security.oauth2.client}).
   *
   * @param auth the web authorization
   * @param properties the SDK's settings
   * @param oauth the sign-in settings
   * @return the repository
   */
  @Bean
  @ConditionalOnMissingBean
  public ClientRegistrationRepository wechatClientRegistrationRepository(
      WebAuthorization auth, WeChatProperties properties, WeChatOAuthProperties oauth) {
    String api = apiBaseUrl(properties, account(properties, oauth));
    return new InMemoryClientRegistrationRepository(
        WeChatOAuth2Login.clientRegistration(
            auth,
            scope(oauth),
            oauth.getRedirectUri(),
            withSlash(
                oauth.getAuthorizeBaseUrl() == null || oauth.getAuthorizeBaseUrl().isBlank()
                    ? WebAuthorization.DEFAULT_AUTHORIZE_BASE_URL
                    : oauth.getAuthorizeBaseUrl()),
            withSlash(api == null ? "https://api.weixin.qq.com/" : api)));
  }

  /**
   * The authorization request resolver {@code oauth2Login()} finds.
   *
   * @param registrations the registrations
   * @param auth the web authorization
   * @param states the state codec
   * @return the resolver
   */
  @Bean
  @ConditionalOnMissingBean
  public OAuth2AuthorizationRequestResolver wechatAuthorizationRequestResolver(
      ClientRegistrationRepository registrations, WebAuthorization auth, StateCodec states) {
    return WeChatOAuth2Login.authorizationRequestResolver(registrations, auth, states);
  }

  /**
   * The token client {@code oauth2Login()} finds.
   *
   * @param auth the web authorization
   * @return the client
   */
  @Bean
  @ConditionalOnMissingBean
  public OAuth2AccessTokenResponseClient<OAuth2AuthorizationCodeGrantRequest>
      wechatAccessTokenResponseClient(WebAuthorization auth) {
    return WeChatOAuth2Login.tokenResponseClient(auth);
  }

  /**
   * The user service {@code oauth2Login()} finds.
   *
   * @param auth the web authorization
   * @return the service
   */
  @Bean
  @ConditionalOnMissingBean
  public OAuth2UserService<OAuth2UserRequest, OAuth2User> wechatOAuth2UserService(
      WebAuthorization auth) {
    return WeChatOAuth2Login.userService(auth);
  }

  /**
   * Sets the stateless repository on the filters {@code oauth2Login()} builds (Spring Security
   * passes them through the context's post-processors as it builds them).
   *
   * @param registrations the registrations, looked up when the first filter is built
   * @param states the state codec, likewise
   * @return the post-processor
   */
  @Bean
  @ConditionalOnBooleanProperty(name = "wechat.mp.oauth.stateless-state", matchIfMissing = true)
  public static BeanPostProcessor wechatStatelessAuthorizationRequests(
      ObjectProvider<ClientRegistrationRepository> registrations,
      ObjectProvider<StateCodec> states) {
    return new BeanPostProcessor() {
      private AuthorizationRequestRepository<OAuth2AuthorizationRequest> repository;

      @Override
      public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof OAuth2AuthorizationRequestRedirectFilter f) {
          f.setAuthorizationRequestRepository(repository());
        } else if (bean instanceof OAuth2LoginAuthenticationFilter f) {
          f.setAuthorizationRequestRepository(repository());
        }
        return bean;
      }

      private synchronized AuthorizationRequestRepository<OAuth2AuthorizationRequest> repository() {
        if (repository == null) {
          repository =
              WeChatOAuth2Login.authorizationRequestRepository(
                  registrations.getObject(), states.getObject());
        }
        return repository;
      }
    };
  }

  private static AccountProperties account(WeChatProperties properties, WeChatOAuthProperties o) {
    String name = o.getAccount() == null ? WeChatAccounts.DEFAULT_NAME : o.getAccount();
    AccountProperties account =
        name.equals(WeChatAccounts.DEFAULT_NAME) && hasText(properties.getAppId())
            ? properties
            : properties.getAccounts().get(name);
    if (account == null || !hasText(account.getAppId()) || !hasText(account.getAppSecret())) {
      throw new WeChatConfigurationException(
          "The WeChat sign-in (wechat.mp.oauth.enabled=true) names account '"
              + name
              + "', which has no app-id and app-secret",
          "Set wechat.mp.app-id and wechat.mp.app-secret, or wechat.mp.oauth.account to a key of"
              + " wechat.mp.accounts");
    }
    return account;
  }

  private static String apiBaseUrl(WeChatProperties properties, AccountProperties account) {
    String api = account.getApiBaseUrl();
    return api != null && !api.isBlank() ? api : properties.getApiBaseUrl();
  }

  private static Scope scope(WeChatOAuthProperties oauth) {
    String s = oauth.getScope() == null ? "userinfo" : oauth.getScope().strip();
    switch (s) {
      case "userinfo":
      case "snsapi_userinfo":
        return Scope.USERINFO;
      case "base":
      case "snsapi_base":
        return Scope.BASE;
      default:
        throw new WeChatConfigurationException(
            "wechat.mp.oauth.scope is '" + s + "'",
            "Set it to userinfo (the profile, after consent) or base (the OpenID only)");
    }
  }

  private static boolean hasText(String s) {
    return s != null && !s.isBlank();
  }

  private static String withSlash(String url) {
    return url.endsWith("/") ? url : url + "/";
  }
}

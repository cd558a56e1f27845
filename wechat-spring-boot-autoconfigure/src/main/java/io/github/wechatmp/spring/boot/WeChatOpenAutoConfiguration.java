package io.github.wechatmp.spring.boot;

import io.github.wechatmp.message.MessageCryptoException;
import io.github.wechatmp.open.AuthorizationStore;
import io.github.wechatmp.open.OpenPlatform;
import io.github.wechatmp.token.TokenStore;
import java.util.Map;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the third-party platform (开放平台) from {@code wechat.open.*} when {@code
 * io.github.wechatmp:wechat-open} is on the class path and {@code wechat.open.component-app-id} is
 * set: the {@link AuthorizationStore} ({@code jdbc} on the application's {@code DataSource}, the
 * default when there is one; {@code file}; {@code memory}), the {@link OpenPlatform} on the
 * starter's {@link TokenStore} (so its component and authorizer tokens are shared as the accounts'
 * are), its authorization-event endpoint on Spring MVC, and the {@code wechatOpen} health indicator
 * with the count of authorizations in each state. Beans back off when the application defines its
 * own. Bad settings fail the start-up with a {@link WeChatConfigurationException} naming the
 * property.
 */
@AutoConfiguration(
    after = WeChatAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration"
    })
@ConditionalOnClass(OpenPlatform.class)
@ConditionalOnProperty(prefix = "wechat.open", name = "component-app-id")
@EnableConfigurationProperties(WeChatOpenProperties.class)
public class WeChatOpenAutoConfiguration {

  /** Created by Spring. */
  public WeChatOpenAutoConfiguration() {}

  /**
   * The authorization store of {@code wechat.open.store.type}.
   *
   * @param properties the settings
   * @param beans the bean factory, for the application's DataSource
   * @return the store
   */
  @Bean
  @ConditionalOnMissingBean
  public AuthorizationStore wechatAuthorizationStore(
      WeChatOpenProperties properties, ListableBeanFactory beans) {
    return OpenStores.authorizationStore(properties, beans);
  }

  /**
   * The platform, on the starter's token store; closed with the context.
   *
   * @param properties the settings
   * @param store where the component and authorizer tokens and the ticket are shared
   * @param authorizations where the authorizations are kept
   * @return the platform
   */
  @Bean
  @ConditionalOnMissingBean
  public OpenPlatform wechatOpenPlatform(
      WeChatOpenProperties properties, TokenStore store, AuthorizationStore authorizations) {
    if (nullToEmpty(properties.getComponentAppId()).isBlank()) {
      // @ConditionalOnProperty counts ${WECHAT_COMPONENT_APP_ID:} left empty as set.
      throw new WeChatConfigurationException(
          "wechat.open.component-app-id is set but blank.",
          "Set wechat.open.component-app-id to the platform's AppID, or remove it to turn the"
              + " platform off.");
    }
    Map<String, String> required =
        Map.of(
            "component-app-secret", nullToEmpty(properties.getComponentAppSecret()),
            "token", nullToEmpty(properties.getToken()),
            "encoding-aes-key", nullToEmpty(properties.getEncodingAesKey()));
    for (String key : new String[] {"component-app-secret", "token", "encoding-aes-key"}) {
      if (required.get(key).isBlank()) {
        throw new WeChatConfigurationException(
            "wechat.open.component-app-id is set but wechat.open." + key + " is missing.",
            "Set wechat.open."
                + key
                + " to the value on the platform's page of open.weixin.qq.com, or remove"
                + " wechat.open.component-app-id.");
      }
    }
    try {
      OpenPlatform.Builder b = OpenPlatform.builder();
      String base = properties.getApiBaseUrl();
      if (base != null && !base.isBlank()) {
        b.apiBaseUrl(base.strip());
      }
      return b.componentAppId(properties.getComponentAppId().strip())
          .componentAppSecret(properties.getComponentAppSecret().strip())
          .token(properties.getToken().strip())
          .encodingAesKey(properties.getEncodingAesKey().strip())
          .store(store)
          .authorizations(authorizations)
          .build();
    } catch (MessageCryptoException e) {
      throw new WeChatConfigurationException(
          "wechat.open.encoding-aes-key is not a valid EncodingAESKey (43 characters of base64).",
          "Copy wechat.open.encoding-aes-key from the platform's page of open.weixin.qq.com.",
          e);
    } catch (IllegalArgumentException e) {
      // The builder's messages name the setting, never its value.
      throw new WeChatConfigurationException(
          "wechat.open.* cannot make a platform: " + e.getMessage(),
          "Copy wechat.open.component-app-id and wechat.open.encoding-aes-key (43 characters) from"
              + " the platform's page of open.weixin.qq.com.",
          e);
    }
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  /** The authorization-event endpoint on Spring MVC. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(name = "org.springframework.web.servlet.function.RouterFunction")
  static class ServletEndpointConfiguration {
    @Bean
    org.springframework.web.servlet.function.RouterFunction<
            org.springframework.web.servlet.function.ServerResponse>
        wechatOpenEventRoutes(OpenPlatform platform, WeChatOpenProperties properties) {
      return ServletAuthorizationEventEndpoint.routes(
          platform.callback(), OpenStores.path(properties));
    }
  }

  /** The health indicator on Spring Boot 3's health API. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.health.CompositeHealthContributor")
  static class Boot3HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "wechatOpenHealthContributor")
    org.springframework.boot.actuate.health.HealthIndicator wechatOpenHealthContributor(
        AuthorizationStore authorizations) {
      return () -> {
        AuthorizationHealth h = AuthorizationHealth.of(authorizations);
        return (h.up
                ? org.springframework.boot.actuate.health.Health.up()
                : org.springframework.boot.actuate.health.Health.down())
            .withDetails(h.details)
            .build();
      };
    }
  }

  /** The health indicator on Spring Boot 4's health API. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = "org.springframework.boot.health.contributor.CompositeHealthContributor")
  static class Boot4HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "wechatOpenHealthContributor")
    org.springframework.boot.health.contributor.HealthIndicator wechatOpenHealthContributor(
        AuthorizationStore authorizations) {
      return () -> {
        AuthorizationHealth h = AuthorizationHealth.of(authorizations);
        return (h.up
                ? org.springframework.boot.health.contributor.Health.up()
                : org.springframework.boot.health.contributor.Health.down())
            .withDetails(h.details)
            .build();
      };
    }
  }
}

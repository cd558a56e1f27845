package io.github.wechatmp.spring.boot;

import io.github.wechatmp.callback.MessageDeduplicator;
import io.github.wechatmp.callback.MessageHandler;
import io.github.wechatmp.message.MessageCryptoException;
import io.github.wechatmp.open.AuthorizationStore;
import io.github.wechatmp.open.AuthorizerMessageHandler;
import io.github.wechatmp.open.AuthorizerMessages;
import io.github.wechatmp.open.OpenPlatform;
import io.github.wechatmp.token.TokenStore;
import java.time.Duration;
import java.util.Map;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the third-party platform (开放平台) from {@code wechat.open.*} when {@code
 * io.github.wechatmp:wechat-open} is on the class path and {@code wechat.open.component-app-id} is
 * set: the {@link AuthorizationStore} ({@code jdbc} on the application's {@code DataSource}, the
 * default when there is one; {@code file}; {@code memory}), the {@link OpenPlatform} on the
 * starter's {@link TokenStore} (so its component and authorizer tokens are shared as the accounts'
 * are), its authorization-event endpoint, the authorized accounts' message endpoint ({@link
 * AuthorizerMessages}, when the application has an {@link AuthorizerMessageHandler} or {@link
 * MessageHandler} bean) on Spring MVC or WebFlux, and the {@code wechatOpen} health indicator with
 * the count of authorizations in each state. Beans back off when the application defines its own.
 * Bad settings fail the start-up with a {@link WeChatConfigurationException} naming the property.
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

  /**
   * The authorized accounts' message endpoint, on the application's {@link
   * AuthorizerMessageHandler} (or, without one, its {@link MessageHandler}, such as a {@code
   * MessageRouter}) and the starter's {@link MessageDeduplicator}, so that WeChat's retries are
   * answered once across the fleet when that is in Redis.
   *
   * @param platform the platform
   * @param properties the settings
   * @param handlers the application's authorizer message handlers
   * @param plainHandlers the application's message handlers, used when it has no authorizer one
   * @param deduplicator the starter's deduplicator
   * @return the endpoint
   */
  @Bean
  @ConditionalOnMissingBean
  @Conditional(OnMessageHandler.class)
  @ConditionalOnProperty(prefix = "wechat.open.messages", name = "enabled", matchIfMissing = true)
  public AuthorizerMessages wechatAuthorizerMessages(
      OpenPlatform platform,
      WeChatOpenProperties properties,
      ObjectProvider<AuthorizerMessageHandler> handlers,
      ObjectProvider<MessageHandler> plainHandlers,
      ObjectProvider<MessageDeduplicator> deduplicator) {
    AuthorizerMessages.Builder b = platform.messagesBuilder(handler(handlers, plainHandlers));
    MessageDeduplicator d = deduplicator.getIfUnique();
    if (d != null) {
      b.deduplicator(d);
    }
    Duration deadline = properties.getMessages().getReplyDeadline();
    if (deadline != null) {
      try {
        b.replyDeadline(deadline);
      } catch (IllegalArgumentException e) {
        throw new WeChatConfigurationException(
            "wechat.open.messages.reply-deadline is not valid: " + e.getMessage(),
            "Set wechat.open.messages.reply-deadline to less than 5s, such as 4s.",
            e);
      }
    }
    return b.build();
  }

  /** The application's one authorizer handler, else its one message handler. */
  private static AuthorizerMessageHandler handler(
      ObjectProvider<AuthorizerMessageHandler> handlers,
      ObjectProvider<MessageHandler> plainHandlers) {
    AuthorizerMessageHandler h = handlers.getIfUnique();
    if (h != null) {
      return h;
    }
    if (handlers.stream().limit(2).count() > 1) {
      throw new WeChatConfigurationException(
          "The application has several AuthorizerMessageHandler beans and none is @Primary, so"
              + " the authorizers' message endpoint (wechat.open.messages) cannot tell which to"
              + " call.",
          "Mark one of them @Primary, or set wechat.open.messages.enabled to false.");
    }
    MessageHandler plain = plainHandlers.getIfUnique();
    if (plain == null) {
      // OnMessageHandler matched on several of them.
      throw new WeChatConfigurationException(
          "The application has several MessageHandler (or MessageRouter) beans and none is"
              + " @Primary, so the authorizers' message endpoint (wechat.open.messages) cannot"
              + " tell which to call.",
          "Mark one of them @Primary, define an AuthorizerMessageHandler bean, or set"
              + " wechat.open.messages.enabled to false.");
    }
    return (appId, message) -> plain.handle(message);
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  /**
   * Matches when the application has something to answer the authorizers' messages with: an {@link
   * AuthorizerMessageHandler} or {@link MessageHandler} bean, or its own {@link
   * AuthorizerMessages}.
   */
  static final class OnMessageHandler extends AnyNestedCondition {
    OnMessageHandler() {
      super(ConfigurationPhase.REGISTER_BEAN);
    }

    @ConditionalOnBean(AuthorizerMessageHandler.class)
    static final class AuthorizerHandler {}

    @ConditionalOnBean(MessageHandler.class)
    static final class PlainHandler {}

    @ConditionalOnBean(AuthorizerMessages.class)
    static final class OwnEndpoint {}
  }

  /** The platform's endpoints on Spring MVC. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(name = "org.springframework.web.servlet.function.RouterFunction")
  static class ServletEndpointConfiguration {
    @Bean
    org.springframework.web.servlet.function.RouterFunction<
            org.springframework.web.servlet.function.ServerResponse>
        wechatOpenEventRoutes(OpenPlatform platform, WeChatOpenProperties properties) {
      return ServletOpenEndpoints.events(platform.callback(), OpenStores.path(properties));
    }

    @Bean
    @Conditional(OnMessageHandler.class)
    @ConditionalOnProperty(prefix = "wechat.open.messages", name = "enabled", matchIfMissing = true)
    org.springframework.web.servlet.function.RouterFunction<
            org.springframework.web.servlet.function.ServerResponse>
        wechatOpenMessageRoutes(AuthorizerMessages messages, WeChatOpenProperties properties) {
      return ServletOpenEndpoints.messages(messages, OpenStores.messagesPattern(properties));
    }
  }

  /** The platform's endpoints on WebFlux. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
  @ConditionalOnClass(name = "org.springframework.web.reactive.function.server.RouterFunction")
  static class ReactiveEndpointConfiguration {
    @Bean
    org.springframework.web.reactive.function.server.RouterFunction<
            org.springframework.web.reactive.function.server.ServerResponse>
        wechatReactiveOpenEventRoutes(OpenPlatform platform, WeChatOpenProperties properties) {
      return ReactiveOpenEndpoints.events(platform.callback(), OpenStores.path(properties));
    }

    @Bean
    @Conditional(OnMessageHandler.class)
    @ConditionalOnProperty(prefix = "wechat.open.messages", name = "enabled", matchIfMissing = true)
    org.springframework.web.reactive.function.server.RouterFunction<
            org.springframework.web.reactive.function.server.ServerResponse>
        wechatReactiveOpenMessageRoutes(
            AuthorizerMessages messages, WeChatOpenProperties properties) {
      return ReactiveOpenEndpoints.messages(messages, OpenStores.messagesPattern(properties));
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

package io.github.wechatmp.spring.boot;

import io.github.wechatmp.callback.MessageDeduplicator;
import io.github.wechatmp.callback.MessageHandler;
import io.github.wechatmp.callback.WeChatCallback;
import io.github.wechatmp.jssdk.JsapiTicketProvider;
import io.github.wechatmp.message.MessageCrypto;
import io.github.wechatmp.signature.SignatureVerifier;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.TokenStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the SDK into a Spring Boot 3.5 or 4.0 application from {@code wechat.mp.*}: the {@link
 * TokenStore} and {@link MessageDeduplicator} ({@code memory}, {@code file}, or {@code redis} on
 * the application's own Spring Data Redis), {@link WeChatAccounts}, and for the single account of
 * {@code wechat.mp.app-id} the {@link AccessTokenProvider}, {@link JsapiTicketProvider}, {@link
 * SignatureVerifier}, {@link MessageCrypto}, {@link WeChatCallback} and an {@link OkHttpClient}
 * carrying the {@code AccessTokenInterceptor}. Every bean backs off when the application defines
 * its own. The callback endpoint is registered for Spring MVC or WebFlux, the {@code wechat} health
 * indicator when Actuator is there (Boot 3's or Boot 4's health API, whichever is on the class
 * path) and the meters when Micrometer is.
 *
 * <p>Bad settings fail the start-up with a {@link WeChatConfigurationException}, which {@link
 * WeChatFailureAnalyzer} reports.
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration",
      "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration"
    })
@EnableConfigurationProperties(WeChatProperties.class)
public class WeChatAutoConfiguration {

  /** Created by Spring. */
  public WeChatAutoConfiguration() {}

  /**
   * The token store of {@code wechat.mp.store.type}.
   *
   * @param properties the settings
   * @param beans the bean factory, for the application's RedisConnectionFactory
   * @return the store
   */
  @Bean
  @ConditionalOnMissingBean
  public TokenStore wechatTokenStore(WeChatProperties properties, ListableBeanFactory beans) {
    return Stores.tokenStore(properties, beans);
  }

  /**
   * The callback's deduplicator: in Redis with the redis store, else in memory.
   *
   * @param properties the settings
   * @param beans the bean factory, for the application's RedisConnectionFactory
   * @return the deduplicator
   */
  @Bean
  @ConditionalOnMissingBean
  public MessageDeduplicator wechatMessageDeduplicator(
      WeChatProperties properties, ListableBeanFactory beans) {
    return Stores.deduplicator(properties, beans);
  }

  @Bean
  AccountFactory wechatAccountFactory(
      WeChatProperties properties,
      ListableBeanFactory beans,
      TokenStore store,
      MessageDeduplicator deduplicator,
      ObjectProvider<MessageHandler> handler,
      ObjectProvider<AccountObserver> observer) {
    Stores.type(properties, beans); // an unknown type fails even when the store is the app's own
    MessageHandler theHandler = handler.getIfUnique();
    if (theHandler == null && handler.stream().limit(2).count() > 1) {
      throw new WeChatConfigurationException(
          "The application has several MessageHandler (or MessageRouter) beans and none is"
              + " @Primary, so the WeChat callback cannot tell which to call.",
          "Mark one of them @Primary, or combine them in one MessageRouter.");
    }
    OkHttpClient http =
        new OkHttpClient.Builder()
            .connectTimeout(Duration.ofSeconds(5))
            .readTimeout(Duration.ofSeconds(10))
            .callTimeout(Duration.ofSeconds(10))
            // API calls carry the token in the URL: never let a redirect take it elsewhere.
            .followRedirects(false)
            .followSslRedirects(false)
            .build();
    return new AccountFactory(
        store,
        deduplicator,
        theHandler,
        http,
        properties.getCallback().getReplyDeadline(),
        observer.getIfAvailable(() -> AccountObserver.NONE));
  }

  /**
   * Every account: the single one of {@code wechat.mp.*} as {@value WeChatAccounts#DEFAULT_NAME}
   * (built from the beans below, or the application's own), and those of {@code
   * wechat.mp.accounts}.
   *
   * @param properties the settings
   * @param factory builds accounts
   * @param tokens the single account's provider, if any
   * @param tickets the single account's ticket provider, if any
   * @param verifier the single account's verifier, if any
   * @param crypto the single account's crypto, if any
   * @param callback the single account's callback, if any
   * @return the accounts, closed with the context
   */
  @Bean
  @ConditionalOnMissingBean
  public WeChatAccounts wechatAccounts(
      WeChatProperties properties,
      AccountFactory factory,
      ObjectProvider<AccessTokenProvider> tokens,
      ObjectProvider<JsapiTicketProvider> tickets,
      ObjectProvider<SignatureVerifier> verifier,
      ObjectProvider<MessageCrypto> crypto,
      ObjectProvider<WeChatCallback> callback) {
    WeChatAccounts accounts = new WeChatAccounts(factory);
    try {
      AccessTokenProvider single = tokens.getIfUnique();
      if (single != null) {
        JsapiTicketProvider t = tickets.getIfUnique();
        boolean ownTickets = t == null;
        if (ownTickets) {
          t = factory.tickets(WeChatAccounts.DEFAULT_NAME, single);
        }
        accounts.register(
            new WeChatAccount(
                WeChatAccounts.DEFAULT_NAME,
                single,
                t,
                verifier.getIfUnique(),
                crypto.getIfUnique(),
                callback.getIfUnique(),
                factory.apiClient(single),
                false,
                // The application's own provider may be either; ours follows the setting.
                Boolean.TRUE.equals(properties.getStableToken())));
        if (ownTickets) {
          JsapiTicketProvider built = t;
          // Not a bean, so the context would not close it: WeChatAccounts does.
          accounts.closeWithThis(built);
        }
      }
      for (Map.Entry<String, AccountProperties> e : properties.getAccounts().entrySet()) {
        String name = e.getKey();
        String prefix = AccountFactory.prefix(name, false);
        try {
          WeChatAccounts.checkName(name);
        } catch (IllegalArgumentException ex) {
          throw new WeChatConfigurationException(
              "wechat.mp.accounts." + name + " has a name that cannot be used: " + ex.getMessage(),
              "Rename the account under wechat.mp.accounts.");
        }
        AccountProperties p = e.getValue().copy();
        p.inheritFrom(properties);
        if (accounts.byAppId(p.getAppId()).isPresent()) {
          throw new WeChatConfigurationException(
              prefix + "app-id " + p.getAppId() + " is the AppID of another account.",
              "Give every account under wechat.mp its own AppID.");
        }
        if (accounts.byName(name).isPresent()) {
          throw new WeChatConfigurationException(
              "wechat.mp.accounts." + name + " has the name of the account of wechat.mp.app-id.",
              "Rename the account under wechat.mp.accounts, or move wechat.mp.app-id and its"
                  + " settings under it.");
        }
        accounts.register(factory.build(name, prefix, p, null));
      }
    } catch (RuntimeException e) {
      accounts.close();
      throw e;
    }
    return accounts;
  }

  /**
   * Fetches each account's first token in the background at start-up, and closes the accounts and
   * the store's notifications in order when the context closes; see {@link WeChatLifecycle}.
   */
  @Bean
  WeChatLifecycle wechatLifecycle(
      ApplicationContext context,
      WeChatProperties properties,
      WeChatAccounts accounts,
      ObjectProvider<TokenStore> store,
      ListableBeanFactory beans) {
    return new WeChatLifecycle(context, accounts, store, beans, properties.isFetchAtStartup());
  }

  /** The single account of {@code wechat.mp.app-id}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnSetting("app-id")
  static class SingleAccountConfiguration {

    @Bean
    @ConditionalOnMissingBean
    AccessTokenProvider wechatAccessTokenProvider(
        WeChatProperties properties, AccountFactory factory) {
      return factory.tokens(WeChatAccounts.DEFAULT_NAME, "wechat.mp.", properties);
    }

    @Bean
    @ConditionalOnMissingBean
    JsapiTicketProvider wechatJsapiTicketProvider(
        AccountFactory factory, AccessTokenProvider tokens) {
      return factory.tickets(WeChatAccounts.DEFAULT_NAME, tokens);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnSetting("token")
    SignatureVerifier wechatSignatureVerifier(WeChatProperties properties) {
      return AccountFactory.verifier(properties);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnSetting("encoding-aes-key")
    MessageCrypto wechatMessageCrypto(WeChatProperties properties) {
      AccountFactory.check("wechat.mp.", properties);
      return AccountFactory.crypto(properties);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnSetting("token")
    WeChatCallback wechatCallback(
        WeChatProperties properties, AccountFactory factory, AccessTokenProvider tokens) {
      AccountFactory.check("wechat.mp.", properties);
      return factory.callback(WeChatAccounts.DEFAULT_NAME, properties, tokens, null);
    }

    @Bean
    @ConditionalOnMissingBean
    OkHttpClient wechatApiClient(AccountFactory factory, AccessTokenProvider tokens) {
      return factory.apiClient(tokens);
    }
  }

  /** The endpoint on Spring MVC. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(name = "org.springframework.web.servlet.function.RouterFunction")
  static class ServletEndpointConfiguration {
    @Bean
    org.springframework.web.servlet.function.RouterFunction<
            org.springframework.web.servlet.function.ServerResponse>
        wechatCallbackRoutes(WeChatAccounts accounts, WeChatProperties properties) {
      return ServletCallbackEndpoint.routes(accounts, CallbackRoutes.path(properties));
    }
  }

  /** The endpoint on WebFlux. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
  @ConditionalOnClass(name = "org.springframework.web.reactive.function.server.RouterFunction")
  static class ReactiveEndpointConfiguration {
    @Bean
    org.springframework.web.reactive.function.server.RouterFunction<
            org.springframework.web.reactive.function.server.ServerResponse>
        wechatReactiveCallbackRoutes(WeChatAccounts accounts, WeChatProperties properties) {
      return ReactiveCallbackEndpoint.routes(accounts, CallbackRoutes.path(properties));
    }
  }

  /** The health indicator on Spring Boot 3's health API. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.health.CompositeHealthContributor")
  static class Boot3HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "wechatHealthContributor")
    WeChatHealthContributor wechatHealthContributor(WeChatAccounts accounts) {
      return new WeChatHealthContributor(accounts);
    }
  }

  /** The health indicator on Spring Boot 4's health API. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = "org.springframework.boot.health.contributor.CompositeHealthContributor")
  static class Boot4HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "wechatHealthContributor")
    WeChatBoot4HealthContributor wechatHealthContributor(WeChatAccounts accounts) {
      return new WeChatBoot4HealthContributor(accounts);
    }
  }

  /** The meters, when Micrometer is on the class path. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
  static class MicrometerConfiguration {
    @Bean
    AccountObserver wechatMeters(ObjectProvider<MeterRegistry> registry) {
      MeterRegistry r = registry.getIfAvailable();
      return r == null ? AccountObserver.NONE : new MicrometerObserver(r, Clock.systemUTC());
    }
  }
}

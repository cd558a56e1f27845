package io.github.wechatmp.spring.boot;

import io.github.wechatmp.api.WeChatApi;
import io.github.wechatmp.token.AccessTokenProvider;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * A {@link WeChatApi} per account: {@link WeChatApis} for all of them by name or AppID; for the
 * single account of {@code wechat.mp.*}, a {@code WeChatApi} bean on its provider and HTTP client;
 * for each account {@code wechat.mp.accounts.<name>}, a {@code WeChatApi} bean named {@code
 * <name>WeChatApi} with qualifier {@code <name>}. Each only if the application has no bean of its
 * own (of that type, or of that name).
 */
@AutoConfiguration(after = WeChatAutoConfiguration.class)
@ConditionalOnBean(WeChatAccounts.class)
public class WeChatApiAutoConfiguration {

  /** Created by Spring. */
  public WeChatApiAutoConfiguration() {}

  /**
   * Every account's client, by name or AppID.
   *
   * @param accounts the accounts
   * @return the clients
   */
  @Bean
  @ConditionalOnMissingBean
  public WeChatApis wechatApis(WeChatAccounts accounts) {
    return new WeChatApis(accounts);
  }

  /**
   * The single account's client, on its provider and HTTP client.
   *
   * @param tokens the single account's provider
   * @param httpClient the single account's API client, if any
   * @return the client
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBean(AccessTokenProvider.class)
  public WeChatApi wechatApi(AccessTokenProvider tokens, ObjectProvider<OkHttpClient> httpClient) {
    WeChatApi.Builder b = WeChatApi.builder().tokens(tokens);
    OkHttpClient client = httpClient.getIfUnique();
    if (client != null) {
      b.httpClient(client);
    }
    return b.build();
  }

  /**
   * Registers a {@code WeChatApi} bean for each account under {@code wechat.mp.accounts}.
   *
   * @return the registrar
   */
  @Bean
  public static BeanDefinitionRegistryPostProcessor wechatApiPerAccount() {
    return new PerAccount();
  }

  /** Reads the accounts' names from the settings and registers a bean for each. */
  static final class PerAccount implements BeanDefinitionRegistryPostProcessor, EnvironmentAware {
    private Environment environment;

    @Override
    public void setEnvironment(Environment environment) {
      this.environment = environment;
    }

    @Override
    public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
      Map<String, Object> accounts =
          Binder.get(environment)
              .bind("wechat.mp.accounts", Bindable.mapOf(String.class, Object.class))
              .orElse(Map.of());
      BeanFactory beans = (BeanFactory) registry;
      for (String name : accounts.keySet()) {
        String bean = name + "WeChatApi";
        if (registry.containsBeanDefinition(bean)) {
          continue; // the application's own
        }
        RootBeanDefinition definition =
            new RootBeanDefinition(
                WeChatApi.class, () -> beans.getBean(WeChatApis.class).get(name));
        definition.addQualifier(new AutowireCandidateQualifier(Qualifier.class, name));
        // Several of them: injecting a WeChatApi by type alone means the single account's.
        definition.setDefaultCandidate(false);
        registry.registerBeanDefinition(bean, definition);
      }
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {}
  }
}

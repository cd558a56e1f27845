package io.github.wechatmp.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wechatmp.callback.InMemoryMessageDeduplicator;
import io.github.wechatmp.callback.MessageDeduplicator;
import io.github.wechatmp.callback.Reply;
import io.github.wechatmp.open.Authorization;
import io.github.wechatmp.open.AuthorizationStore;
import io.github.wechatmp.open.AuthorizationStoreException;
import io.github.wechatmp.open.AuthorizerMessageHandler;
import io.github.wechatmp.open.AuthorizerMessages;
import io.github.wechatmp.open.FileAuthorizationStore;
import io.github.wechatmp.open.InMemoryAuthorizationStore;
import io.github.wechatmp.open.JdbcAuthorizationStore;
import io.github.wechatmp.open.OpenPlatform;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** The third-party platform's auto-configuration, on ApplicationContextRunner. */
class WeChatOpenAutoConfigurationTest {
  static final String COMPONENT_APP_ID = "wxcomponent000001";
  static final String SECRET = "component-secret-0123456789abcdef";
  static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

  @TempDir Path dir;

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  WeChatAutoConfiguration.class, WeChatOpenAutoConfiguration.class))
          .withPropertyValues("wechat.mp.store.type=memory");

  private ApplicationContextRunner platform() {
    return runner.withPropertyValues(
        "wechat.open.component-app-id=" + COMPONENT_APP_ID,
        "wechat.open.component-app-secret=" + SECRET,
        "wechat.open.token=platformtoken",
        "wechat.open.encoding-aes-key=" + AES_KEY);
  }

  private static FailureAnalysis analysis(AssertableApplicationContext context) {
    assertThat(context).hasFailed();
    FailureAnalysis a = new WeChatFailureAnalyzer().analyze(context.getStartupFailure());
    assertThat(a).as("analysed as a WeChat configuration failure").isNotNull();
    assertThat(a.getDescription()).doesNotContain(SECRET).doesNotContain(AES_KEY);
    assertThat(a.getAction()).doesNotContain(SECRET).doesNotContain(AES_KEY);
    return a;
  }

  @Test
  void withoutAComponentAppIdThereIsNoPlatform() {
    runner.run(
        c -> {
          assertThat(c).hasNotFailed();
          assertThat(c).doesNotHaveBean(OpenPlatform.class);
          assertThat(c).doesNotHaveBean(AuthorizationStore.class);
        });
  }

  @Test
  void withoutWeChatOpenOnTheClassPathThereIsNoPlatform() {
    platform()
        .withClassLoader(new FilteredClassLoader(OpenPlatform.class))
        .run(
            c -> {
              assertThat(c).hasNotFailed();
              assertThat(c).doesNotHaveBean(WeChatOpenAutoConfiguration.class);
            });
  }

  @Test
  void withoutADataSourceTheAuthorizationsAreKeptInMemoryAndThePlatformIsABean() {
    platform()
        .run(
            c -> {
              assertThat(c).hasNotFailed();
              assertThat(c).getBean(AuthorizationStore.class).isInstanceOf(InMemoryAuthorizationStore.class);
              assertThat(c.getBean(OpenPlatform.class).componentAppId())
                  .isEqualTo(COMPONENT_APP_ID);
              assertThat(c.getBean(OpenPlatform.class).toString()).doesNotContain(SECRET);
              assertThat(c.getBean(WeChatOpenProperties.class).toString())
                  .doesNotContain(SECRET)
                  .doesNotContain(AES_KEY);
            });
  }

  @Test
  void withADataSourceTheAuthorizationsAreKeptInItsTableByDefault() {
    platform()
        .withUserConfiguration(WithDataSource.class)
        .withPropertyValues("wechat.open.store.jdbc.table=platform_authorizations")
        .run(
            c -> {
              assertThat(c).hasNotFailed();
              AuthorizationStore store = c.getBean(AuthorizationStore.class);
              assertThat(store).isInstanceOf(JdbcAuthorizationStore.class);
              store.save(
                  Authorization.authorized(
                      "wxmerchant0000001", "refresh-token-1", List.of(1), Instant.now()));
              try (Connection connection = c.getBean(DataSource.class).getConnection();
                  ResultSet rows =
                      connection
                          .createStatement()
                          .executeQuery(
                              "SELECT refresh_token FROM platform_authorizations"
                                  + " WHERE authorizer_app_id = 'wxmerchant0000001'")) {
                assertThat(rows.next()).as("the row in the application's database").isTrue();
                assertThat(rows.getString(1)).isEqualTo("refresh-token-1");
              }
              assertThat(health(c)[1].toString()).contains("AUTHORIZED=1");
            });
  }

  @Test
  void memoryCanBeChosenOverTheDataSource() {
    platform()
        .withUserConfiguration(WithDataSource.class)
        .withPropertyValues("wechat.open.store.type=memory")
        .run(
            c ->
                assertThat(c)
                    .getBean(AuthorizationStore.class)
                    .isInstanceOf(InMemoryAuthorizationStore.class));
  }

  @Test
  void aTableNameThatIsNotAnIdentifierFailsNamingTheProperty() {
    platform()
        .withUserConfiguration(WithDataSource.class)
        .withPropertyValues("wechat.open.store.jdbc.table=drop table x;")
        .run(c -> assertThat(analysis(c).getDescription()).contains("wechat.open.store.jdbc.table"));
  }

  @Test
  void jdbcWithoutADataSourceFailsNamingTheProperty() {
    platform()
        .withPropertyValues("wechat.open.store.type=jdbc")
        .run(
            c ->
                assertThat(analysis(c).getDescription())
                    .contains("wechat.open.store.type")
                    .contains("DataSource"));
  }

  @Test
  void anUnknownStoreTypeFailsNamingIt() {
    platform()
        .withPropertyValues("wechat.open.store.type=redis")
        .run(
            c ->
                assertThat(analysis(c).getDescription())
                    .contains("wechat.open.store.type")
                    .contains("'redis'"));
  }

  @Test
  void theFileStoreKeepsAuthorizationsInTheDirectory() {
    Path authorizations = dir.resolve("authorizations");
    platform()
        .withPropertyValues(
            "wechat.open.store.type=file", "wechat.open.store.file.path=" + authorizations)
        .run(
            c -> {
              assertThat(c).hasNotFailed();
              AuthorizationStore store = c.getBean(AuthorizationStore.class);
              assertThat(store).isInstanceOf(FileAuthorizationStore.class);
              store.save(
                  Authorization.authorized(
                      "wxmerchant0000001", "refresh-token-1", List.of(1), Instant.now()));
              assertThat(authorizations.resolve("wxmerchant0000001.json")).exists();
            });
  }

  @Test
  void theFileStoreWithoutAPathFailsNamingIt() {
    platform()
        .withPropertyValues("wechat.open.store.type=file")
        .run(c -> assertThat(analysis(c).getDescription()).contains("wechat.open.store.file.path"));
  }

  @Test
  void theFileStoreOnAFileFailsNamingIt() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    platform()
        .withPropertyValues("wechat.open.store.type=file", "wechat.open.store.file.path=" + file)
        .run(
            c ->
                assertThat(analysis(c).getDescription())
                    .contains("wechat.open.store.file.path")
                    .contains("not a directory"));
  }

  @Test
  void theFileStoreUnderAMissingParentFailsNamingIt() {
    platform()
        .withPropertyValues(
            "wechat.open.store.type=file",
            "wechat.open.store.file.path=" + dir.resolve("absent/authorizations"))
        .run(
            c ->
                assertThat(analysis(c).getDescription())
                    .contains("wechat.open.store.file.path")
                    .contains("does not exist"));
  }

  @Test
  void theFileStoreOnADirectoryOthersMayWriteFailsNamingIt() throws Exception {
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Files.setPosixFilePermissions(
        shared, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    platform()
        .withPropertyValues("wechat.open.store.type=file", "wechat.open.store.file.path=" + shared)
        .run(
            c ->
                assertThat(analysis(c).getDescription())
                    .contains("wechat.open.store.file.path")
                    .contains("0700"));
  }

  @Test
  void eachMissingRequiredPropertyFailsTheStartNamingIt() {
    for (String key : List.of("component-app-secret", "token", "encoding-aes-key")) {
      platform()
          .withPropertyValues("wechat.open." + key + "=")
          .run(
              c ->
                  assertThat(analysis(c).getDescription())
                      .contains("wechat.open." + key + " is missing"));
    }
  }

  @Test
  void aBlankComponentAppIdFailsTheStartNamingIt() {
    platform()
        .withPropertyValues("wechat.open.component-app-id= ")
        .run(
            c ->
                assertThat(analysis(c).getDescription())
                    .contains("wechat.open.component-app-id is set but blank"));
  }

  @Test
  void aMalformedEncodingAesKeyFailsTheStartWithoutShowingIt() {
    platform()
        .withPropertyValues("wechat.open.encoding-aes-key=" + AES_KEY.substring(1))
        .run(
            c ->
                assertThat(analysis(c).getDescription())
                    .contains("wechat.open.encoding-aes-key"));
  }

  @Test
  void theApplicationsOwnAuthorizationStoreAndPlatformAreKept() {
    platform()
        .withUserConfiguration(OwnStore.class)
        .run(
            c -> {
              assertThat(c).hasNotFailed();
              assertThat(c.getBean(AuthorizationStore.class)).isSameAs(OwnStore.STORE);
            });
  }

  @Test
  void healthCountsTheAuthorizationsInEachState() throws Exception {
    platform()
        .run(
            c -> {
              AuthorizationStore store = c.getBean(AuthorizationStore.class);
              Instant now = Instant.now();
              store.save(Authorization.authorized("wxmerchant0000001", "rt-1", List.of(1), now));
              store.save(Authorization.authorized("wxmerchant0000002", "rt-2", List.of(1), now));
              store.save(
                  Authorization.authorized("wxmerchant0000003", "rt-3", List.of(1), now)
                      .withState(Authorization.State.REVOKED, now.plusSeconds(1)));
              Object[] health = health(c);
              assertThat(health[0]).isEqualTo("UP");
              @SuppressWarnings("unchecked")
              Map<String, Object> details = (Map<String, Object>) health[1];
              assertThat(details).containsEntry("AUTHORIZED", 2L).containsEntry("REVOKED", 1L);
              for (Authorization.State s : Authorization.State.values()) {
                assertThat(details).containsKey(s.name());
              }
              assertThat(details.toString()).doesNotContain("rt-1");
            });
  }

  @Test
  void healthIsDownWhenTheStoreFails() throws Exception {
    platform()
        .withUserConfiguration(FailingStore.class)
        .run(
            c -> {
              Object[] health = health(c);
              assertThat(health[0]).isEqualTo("DOWN");
              assertThat(health[1].toString()).contains("the database is down");
            });
  }

  @Test
  void withoutAMessageHandlerThereIsNoAuthorizersMessageEndpoint() {
    platform()
        .run(
            c -> {
              assertThat(c).hasNotFailed();
              assertThat(c).doesNotHaveBean(AuthorizerMessages.class);
            });
  }

  @Test
  void anAuthorizerMessageHandlerGetsTheEndpointOnTheApplicationsDeduplicator() {
    platform()
        .withUserConfiguration(OneAuthorizerHandler.class, OwnDeduplicator.class)
        .run(
            c -> {
              assertThat(c).hasNotFailed();
              assertThat(c.getBean(AuthorizerMessages.class).toString())
                  .contains(OwnDeduplicator.NAME);
            });
  }

  @Test
  void twoAuthorizerHandlersWithoutAPrimaryFailTheStartNamingTheWayOut() {
    platform()
        .withUserConfiguration(TwoAuthorizerHandlers.class)
        .run(
            c -> {
              FailureAnalysis a = analysis(c);
              assertThat(a.getDescription()).contains("several AuthorizerMessageHandler beans");
              assertThat(a.getAction())
                  .contains("@Primary")
                  .contains("wechat.open.messages.enabled");
            });
  }

  @Test
  void theMessageEndpointCanBeTurnedOff() {
    platform()
        .withUserConfiguration(OneAuthorizerHandler.class)
        .withPropertyValues("wechat.open.messages.enabled=false")
        .run(
            c -> {
              assertThat(c).hasNotFailed();
              assertThat(c).doesNotHaveBean(AuthorizerMessages.class);
            });
  }

  @Test
  void aReplyDeadlineOfFiveSecondsFailsTheStartNamingIt() {
    platform()
        .withUserConfiguration(OneAuthorizerHandler.class)
        .withPropertyValues("wechat.open.messages.reply-deadline=5s")
        .run(
            c ->
                assertThat(analysis(c).getDescription())
                    .contains("wechat.open.messages.reply-deadline"));
  }

  @Test
  void theMessagePathEndsWithTheAppIdSegmentWhateverItsSlashes() {
    WeChatOpenProperties p = new WeChatOpenProperties();
    assertThat(OpenStores.messagesPattern(p)).isEqualTo("/wechat/open/messages/{appId}");
    p.getMessages().setPath(" platform/messages/ ");
    assertThat(OpenStores.messagesPattern(p)).isEqualTo("/platform/messages/{appId}");
    p.getMessages().setPath("/");
    assertThat(OpenStores.messagesPattern(p)).isEqualTo("/{appId}");
    p.getMessages().setPath("");
    assertThat(OpenStores.messagesPattern(p)).isEqualTo("/wechat/open/messages/{appId}");
  }

  /** The wechatOpen indicator's status code and details, on either Boot generation's API. */
  private static Object[] health(AssertableApplicationContext c) throws Exception {
    Object indicator = c.getBean("wechatOpenHealthContributor");
    Method healthMethod = null;
    for (Class<?> i : indicator.getClass().getInterfaces()) {
      if (i.getSimpleName().equals("HealthIndicator")) {
        healthMethod = i.getMethod("health");
      }
    }
    assertThat(healthMethod).as("a HealthIndicator").isNotNull();
    Object health = healthMethod.invoke(indicator);
    Object status = health.getClass().getMethod("getStatus").invoke(health);
    String code = (String) status.getClass().getMethod("getCode").invoke(status);
    Object details = health.getClass().getMethod("getDetails").invoke(health);
    return new Object[] {code, details};
  }

  @Configuration(proxyBeanMethods = false)
  static class WithDataSource {
    @Bean
    DataSource dataSource() {
      JdbcDataSource ds = new JdbcDataSource();
      ds.setURL("jdbc:h2:mem:open" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
      return ds;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OneAuthorizerHandler {
    @Bean
    AuthorizerMessageHandler merchantMessages() {
      return (appId, message) -> Reply.text("for " + appId);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @Import(OneAuthorizerHandler.class)
  static class TwoAuthorizerHandlers {
    @Bean
    AuthorizerMessageHandler otherMerchantMessages() {
      return (appId, message) -> Reply.none();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnDeduplicator {
    static final String NAME = "the application's own deduplicator";

    @Bean
    MessageDeduplicator ownDeduplicator() {
      MessageDeduplicator inner = new InMemoryMessageDeduplicator();
      return new MessageDeduplicator() {
        @Override
        public MessageDeduplicator.Claim claim(String key) {
          return inner.claim(key);
        }

        @Override
        public void complete(MessageDeduplicator.Claim claim, String reply) {
          inner.complete(claim, reply);
        }

        @Override
        public void release(MessageDeduplicator.Claim claim) {
          inner.release(claim);
        }

        @Override
        public MessageDeduplicator.Claim await(String key, java.time.Duration maxWait)
            throws InterruptedException {
          return inner.await(key, maxWait);
        }

        @Override
        public Optional<java.time.Duration> lifetime() {
          return inner.lifetime();
        }

        @Override
        public String toString() {
          return NAME;
        }
      };
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnStore {
    static final AuthorizationStore STORE = new InMemoryAuthorizationStore();

    @Bean
    AuthorizationStore ownAuthorizationStore() {
      return STORE;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class FailingStore {
    @Bean
    AuthorizationStore failingAuthorizationStore() {
      return new AuthorizationStore() {
        @Override
        public Optional<Authorization> find(String authorizerAppId) {
          throw down();
        }

        @Override
        public boolean save(Authorization authorization) {
          throw down();
        }

        @Override
        public List<Authorization> list(String afterAuthorizerAppId, int limit) {
          throw down();
        }

        @Override
        public Map<Authorization.State, Long> countByState() {
          throw down();
        }

        private AuthorizationStoreException down() {
          return new AuthorizationStoreException("the database is down", null);
        }
      };
    }
  }
}

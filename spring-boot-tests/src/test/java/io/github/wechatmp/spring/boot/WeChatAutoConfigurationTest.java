package io.github.wechatmp.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wechatmp.callback.InMemoryMessageDeduplicator;
import io.github.wechatmp.callback.MessageDeduplicator;
import io.github.wechatmp.callback.MessageHandler;
import io.github.wechatmp.callback.WeChatCallback;
import io.github.wechatmp.jssdk.JsapiTicketProvider;
import io.github.wechatmp.message.MessageCrypto;
import io.github.wechatmp.signature.SignatureVerifier;
import io.github.wechatmp.store.file.FileTokenStore;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.TokenStatus;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import io.github.wechatmp.token.TokenStoreException;
import io.github.wechatmp.token.TokenUnavailableException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** Every branch of the auto-configuration, on ApplicationContextRunner. */
class WeChatAutoConfigurationTest {
  static final String APP_ID = "wx0123456789abcdef";
  static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

  static WeChatStandIn wechat;

  @TempDir Path dir;

  @BeforeAll
  static void startWeChat() {
    wechat = WeChatStandIn.start();
  }

  @AfterAll
  static void stopWeChat() {
    wechat.close();
  }

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(WeChatAutoConfiguration.class));

  private ApplicationContextRunner oneAccount() {
    return runner.withPropertyValues(
        "wechat.mp.app-id=" + APP_ID,
        "wechat.mp.app-secret=the-secret",
        "wechat.mp.api-base-url=" + wechat.baseUrl());
  }

  private static FailureAnalysis analysis(AssertableApplicationContext context) {
    assertThat(context).hasFailed();
    FailureAnalysis a = new WeChatFailureAnalyzer().analyze(context.getStartupFailure());
    assertThat(a).as("analysed as a WeChat configuration failure").isNotNull();
    assertThat(a.getDescription()).doesNotContain("the-secret");
    return a;
  }

  @Test
  void oneAccountGetsEveryBeanAndAMemoryStoreWithoutRedis() {
    oneAccount()
        .withPropertyValues("wechat.mp.token=tok", "wechat.mp.encoding-aes-key=" + AES_KEY)
        .withBean(MessageHandler.class, Router::router)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBean(TokenStore.class)).isInstanceOf(InMemoryTokenStore.class);
              assertThat(context.getBean(MessageDeduplicator.class))
                  .isInstanceOf(InMemoryMessageDeduplicator.class);
              assertThat(context)
                  .hasSingleBean(AccessTokenProvider.class)
                  .hasSingleBean(JsapiTicketProvider.class)
                  .hasSingleBean(SignatureVerifier.class)
                  .hasSingleBean(MessageCrypto.class)
                  .hasSingleBean(WeChatCallback.class)
                  .hasSingleBean(OkHttpClient.class);
              WeChatAccounts accounts = context.getBean(WeChatAccounts.class);
              WeChatAccount account = accounts.get(WeChatAccounts.DEFAULT_NAME);
              assertThat(account.tokens()).isSameAs(context.getBean(AccessTokenProvider.class));
              assertThat(accounts.get(APP_ID)).isSameAs(account);
              assertThat(account.callback()).containsSame(context.getBean(WeChatCallback.class));
              assertThat(account.crypto()).isPresent();
            });
  }

  @Test
  void withoutATokenThereIsNoVerifierCryptoOrCallback() {
    oneAccount()
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context)
                  .hasSingleBean(AccessTokenProvider.class)
                  .doesNotHaveBean(SignatureVerifier.class)
                  .doesNotHaveBean(MessageCrypto.class)
                  .doesNotHaveBean(WeChatCallback.class);
              assertThat(context.getBean(WeChatAccounts.class).get("default").callback()).isEmpty();
            });
  }

  @Test
  void noAppIdMeansNoAccountAndNoProvider() {
    runner.run(
        context -> {
          assertThat(context).hasNotFailed().doesNotHaveBean(AccessTokenProvider.class);
          assertThat(context.getBean(WeChatAccounts.class).size()).isZero();
        });
  }

  @Test
  void theOkHttpClientCarriesTheTokenToWeChatsApi() {
    oneAccount()
        .run(
            context -> {
              OkHttpClient client = context.getBean(OkHttpClient.class);
              okhttp3.Request request =
                  new okhttp3.Request.Builder()
                      .url(wechat.baseUrl() + "cgi-bin/get_api_domain_ip")
                      .build();
              try (okhttp3.Response response = client.newCall(request).execute()) {
                assertThat(response.body().string()).contains("ip_list");
              }
              assertThat(wechat.received("cgi-bin/get_api_domain_ip")).isNotEmpty();
            });
  }

  @Test
  void aRedisConnectionFactoryMakesRedisTheDefaultStore() {
    TestRedis redis = TestRedis.get();
    oneAccount()
        .withUserConfiguration(LettuceConfig.class)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBean(TokenStore.class))
                  .isInstanceOf(SpringDataRedisTokenStore.class);
              assertThat(context.getBean(MessageDeduplicator.class))
                  .isInstanceOf(SpringDataRedisMessageDeduplicator.class);
            });
    assertThat(redis.port).isPositive();
  }

  @Test
  void memoryCanBeChosenDespiteRedis() {
    oneAccount()
        .withUserConfiguration(LettuceConfig.class)
        .withPropertyValues("wechat.mp.store.type=memory")
        .run(
            context ->
                assertThat(context.getBean(TokenStore.class))
                    .isInstanceOf(InMemoryTokenStore.class));
  }

  @Test
  void theFileStoreUsesTheGivenPath() {
    Path file = dir.resolve("tokens");
    oneAccount()
        .withPropertyValues("wechat.mp.store.type=file", "wechat.mp.store.file.path=" + file)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              TokenStore store = context.getBean(TokenStore.class);
              assertThat(store).isInstanceOf(FileTokenStore.class);
              assertThat(((FileTokenStore) store).path()).isEqualTo(dir.toRealPath().resolve("tokens"));
            });
  }

  @Test
  void aFileStorePathThatIsADirectoryFailsAtStartUp() {
    oneAccount()
        .withPropertyValues("wechat.mp.store.type=file", "wechat.mp.store.file.path=" + dir)
        .run(
            context -> {
              FailureAnalysis a = analysis(context);
              assertThat(a.getDescription())
                  .isEqualTo(
                      "wechat.mp.store.file.path '"
                          + dir.toAbsolutePath().normalize()
                          + "' is a directory; the file store needs a file.");
              assertThat(a.getAction()).contains("Set wechat.mp.store.file.path to a file");
            });
  }

  @Test
  void aFileStorePathThatCannotBeWrittenFailsAtStartUp() throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
    Path file = notADirectory.resolve("tokens");
    oneAccount()
        .withPropertyValues("wechat.mp.store.type=file", "wechat.mp.store.file.path=" + file)
        .run(
            context ->
                assertThat(analysis(context).getDescription())
                    .isEqualTo(
                        "wechat.mp.store.file.path '"
                            + file.toAbsolutePath().normalize()
                            + "' cannot be written: its directory "
                            + notADirectory.toAbsolutePath().normalize()
                            + " does not exist."));
  }

  @Test
  void aFileStoreInADirectoryOthersCanWriteToFailsAtStartUp() throws Exception {
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path file = shared.resolve("tokens");
    oneAccount()
        .withPropertyValues("wechat.mp.store.type=file", "wechat.mp.store.file.path=" + file)
        .run(
            context -> {
              FailureAnalysis a = analysis(context);
              assertThat(a.getDescription())
                  .startsWith("wechat.mp.store.file.path '" + file + "' cannot hold the token file")
                  .contains("can be written by other users (mode 0777");
              assertThat(a.getAction()).contains("only the application's user can write to");
            });
  }

  @Test
  void theFileStoreNeedsAPath() {
    oneAccount()
        .withPropertyValues("wechat.mp.store.type=file")
        .run(
            context ->
                assertThat(analysis(context).getDescription())
                    .isEqualTo("wechat.mp.store.type is file but wechat.mp.store.file.path is missing."));
  }

  @Test
  void anUnknownStoreTypeFailsAtStartUp() {
    oneAccount()
        .withPropertyValues("wechat.mp.store.type=mongo")
        .run(
            context -> {
              FailureAnalysis a = analysis(context);
              assertThat(a.getDescription())
                  .isEqualTo("wechat.mp.store.type is 'mongo', which is not a store type.");
              assertThat(a.getAction()).startsWith("Set wechat.mp.store.type to memory, file or redis");
            });
  }

  @Test
  void anUnknownStoreTypeFailsEvenWithTheApplicationsOwnStore() {
    oneAccount()
        .withPropertyValues("wechat.mp.store.type=mongo")
        .withBean(TokenStore.class, InMemoryTokenStore::new)
        .run(context -> assertThat(analysis(context).getDescription()).contains("'mongo'"));
  }

  @Test
  void theRedisStoreWithoutAConnectionFactoryFailsAtStartUp() {
    oneAccount()
        .withPropertyValues("wechat.mp.store.type=redis")
        .run(
            context ->
                assertThat(analysis(context).getDescription())
                    .isEqualTo(
                        "wechat.mp.store.type is redis but the application has no Spring Data"
                            + " Redis RedisConnectionFactory bean."));
  }

  @Test
  void aMissingSecretFailsAtStartUpNamingTheProperty() {
    runner
        .withPropertyValues("wechat.mp.app-id=" + APP_ID)
        .run(
            context -> {
              FailureAnalysis a = analysis(context);
              assertThat(a.getDescription())
                  .isEqualTo("wechat.mp.app-secret is missing for the AppID " + APP_ID + '.');
              assertThat(a.getAction()).startsWith("Set wechat.mp.app-secret");
            });
  }

  @Test
  void anInvalidAppIdFailsAtStartUpNamingThePropertyWithoutRepeatingTheValue() {
    runner
        .withPropertyValues("wechat.mp.app-id=wx0123 pasted:secret", "wechat.mp.app-secret=s")
        .run(
            context -> {
              FailureAnalysis a = analysis(context);
              assertThat(a.getDescription())
                  .isEqualTo(
                      "wechat.mp.app-id is not an AppID: an AppID is 1 to 64 letters, digits, _"
                          + " or -.")
                  .doesNotContain("pasted");
              assertThat(a.getAction()).startsWith("Set wechat.mp.app-id to the AppID");
            });
  }

  @Test
  void anInvalidAppIdOfOneOfManyAccountsNamesThatAccount() {
    runner
        .withPropertyValues(
            "wechat.mp.accounts.shop.app-id=wx/shop", "wechat.mp.accounts.shop.app-secret=s")
        .run(
            context ->
                assertThat(analysis(context).getDescription())
                    .startsWith("wechat.mp.accounts.shop.app-id is not an AppID"));
  }

  @Test
  void aMissingSecretOfOneOfManyAccountsNamesThatAccount() {
    runner
        .withPropertyValues(
            "wechat.mp.accounts.shop.app-id=" + APP_ID, "wechat.mp.accounts.news.app-id=wxnews")
        .run(
            context ->
                assertThat(analysis(context).getDescription())
                    .startsWith("wechat.mp.accounts.")
                    .contains(".app-secret is missing for the AppID "));
  }

  @Test
  void aMalformedEncodingAesKeyFailsAtStartUpWithoutRepeatingIt() {
    oneAccount()
        .withPropertyValues("wechat.mp.token=tok", "wechat.mp.encoding-aes-key=tooShort")
        .run(
            context -> {
              FailureAnalysis a = analysis(context);
              assertThat(a.getDescription())
                  .startsWith("wechat.mp.encoding-aes-key is malformed: ")
                  .contains("43 characters")
                  .doesNotContain("tooShort");
            });
  }

  @Test
  void aMalformedKeyOfOneOfManyAccountsNamesThatAccount() {
    runner
        .withPropertyValues(
            "wechat.mp.accounts.shop.app-id=" + APP_ID,
            "wechat.mp.accounts.shop.app-secret=the-secret",
            "wechat.mp.accounts.shop.token=tok",
            "wechat.mp.accounts.shop.encoding-aes-key=" + AES_KEY.substring(1) + "!")
        .run(
            context ->
                assertThat(analysis(context).getDescription())
                    .startsWith("wechat.mp.accounts.shop.encoding-aes-key is malformed: "));
  }

  @Test
  void manyAccountsEachGetTheirOwnPartsAndShareTheDefaults() {
    runner
        .withPropertyValues(
            "wechat.mp.api-base-url=" + wechat.baseUrl(),
            "wechat.mp.accounts.shop.app-id=wxshop",
            "wechat.mp.accounts.shop.app-secret=s1",
            "wechat.mp.accounts.shop.token=tok1",
            "wechat.mp.accounts.news.app-id=wxnews",
            "wechat.mp.accounts.news.app-secret=s2",
            "wechat.mp.accounts.news.token=tok2",
            "wechat.mp.accounts.news.encoding-aes-key=" + AES_KEY)
        .withBean(MessageHandler.class, Router::router)
        .run(
            context -> {
              assertThat(context).hasNotFailed().doesNotHaveBean(AccessTokenProvider.class);
              WeChatAccounts accounts = context.getBean(WeChatAccounts.class);
              assertThat(accounts.size()).isEqualTo(2);
              WeChatAccount shop = accounts.get("shop");
              WeChatAccount news = accounts.get("wxnews");
              assertThat(news.name()).isEqualTo("news");
              assertThat(shop.tokens()).isNotSameAs(news.tokens());
              assertThat(shop.tickets()).isNotSameAs(news.tickets());
              assertThat(shop.callback().get()).isNotSameAs(news.callback().get());
              assertThat(shop.crypto()).isEmpty();
              assertThat(news.crypto()).isPresent();
              assertThat(shop.tokens().apiBaseUrl().toString()).isEqualTo(wechat.baseUrl());
              assertThat(shop.tokens().get().value()).isNotEqualTo(news.tokens().get().value());
            });
  }

  @Test
  void accountsCanBeAddedAndRemovedAtRunTime() {
    runner.run(
        context -> {
          WeChatAccounts accounts = context.getBean(WeChatAccounts.class);
          AccountProperties p = new AccountProperties();
          p.setAppId("wxadded");
          p.setAppSecret("s");
          p.setToken("tok");
          p.setApiBaseUrl(wechat.baseUrl());
          WeChatAccount added = accounts.add("added", p);
          assertThat(accounts.byAppId("wxadded")).containsSame(added);
          assertThat(added.tokens().get().value()).isNotBlank();
          assertThatThrownBy(() -> accounts.add("added", p))
              .isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining("already a WeChat account named added");
          AccountProperties noSecret = new AccountProperties();
          noSecret.setAppId("wxother");
          assertThatThrownBy(() -> accounts.add("other", noSecret))
              .isInstanceOf(WeChatConfigurationException.class)
              .hasMessageContaining("app-secret is missing");
          assertThat(accounts.remove("added")).isTrue();
          assertThat(accounts.find("added")).isEmpty();
          assertThatThrownBy(() -> added.tokens().get()).isInstanceOf(IllegalStateException.class);
          assertThat(accounts.remove("added")).isFalse();
        });
  }

  @Test
  void providersAreClosedWithTheContext() {
    AccessTokenProvider[] held = new AccessTokenProvider[2];
    runner
        .withPropertyValues(
            "wechat.mp.app-id=" + APP_ID,
            "wechat.mp.app-secret=the-secret",
            "wechat.mp.api-base-url=" + wechat.baseUrl(),
            "wechat.mp.accounts.shop.app-id=wxshop",
            "wechat.mp.accounts.shop.app-secret=s1")
        .run(
            context -> {
              held[0] = context.getBean(AccessTokenProvider.class);
              held[1] = context.getBean(WeChatAccounts.class).get("shop").tokens();
              assertThat(held[0].get().value()).isNotBlank();
            });
    assertThatThrownBy(() -> held[0].get()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> held[1].get()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theApplicationsOwnBeansWin() {
    TokenStore store = new InMemoryTokenStore();
    MessageDeduplicator dedup = new InMemoryMessageDeduplicator();
    OkHttpClient http = new OkHttpClient();
    AccessTokenProvider own =
        AccessTokenProvider.builder()
            .appId("wxown")
            .appSecret("s")
            .apiBaseUrl(wechat.baseUrl())
            .build();
    SignatureVerifier verifier = SignatureVerifier.of("mine");
    oneAccount()
        .withPropertyValues("wechat.mp.token=tok")
        .withBean(TokenStore.class, () -> store)
        .withBean(MessageDeduplicator.class, () -> dedup)
        .withBean(OkHttpClient.class, () -> http)
        .withBean(AccessTokenProvider.class, () -> own)
        .withBean(SignatureVerifier.class, () -> verifier)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBean(TokenStore.class)).isSameAs(store);
              assertThat(context.getBean(MessageDeduplicator.class)).isSameAs(dedup);
              assertThat(context.getBean(OkHttpClient.class)).isSameAs(http);
              assertThat(context.getBean(AccessTokenProvider.class)).isSameAs(own);
              assertThat(context.getBean(SignatureVerifier.class)).isSameAs(verifier);
              WeChatAccount account = context.getBean(WeChatAccounts.class).get("default");
              assertThat(account.tokens()).isSameAs(own);
              assertThat(account.appId()).isEqualTo("wxown");
              assertThat(account.verifier()).containsSame(verifier);
            });
  }

  @Test
  void withoutActuatorThereIsNoHealthIndicatorAndTheRestWorks() {
    oneAccount()
        .withClassLoader(
            new FilteredClassLoader(
                "org.springframework.boot.actuate.health", "org.springframework.boot.health"))
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(AccessTokenProvider.class);
              assertThat(context).doesNotHaveBean("wechatHealthContributor");
            });
  }

  @Test
  void withActuatorThereIsTheWeChatHealthIndicator() {
    oneAccount().run(context -> assertThat(context).hasBean("wechatHealthContributor"));
  }

  @Test
  void withoutMicrometerTheRestWorks() {
    oneAccount()
        .withClassLoader(new FilteredClassLoader("io.micrometer.core"))
        .run(
            context -> {
              assertThat(context).hasNotFailed().doesNotHaveBean(AccountObserver.class);
              assertThat(context.getBean(AccessTokenProvider.class).get().value()).isNotBlank();
            });
  }

  @Test
  void withAMeterRegistryTheTokenMetersCount() {
    oneAccount()
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .run(
            context -> {
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              AccessToken token = context.getBean(AccessTokenProvider.class).get();
              assertThat(token.value()).isNotBlank();
              assertThat(
                      registry
                          .get("wechat.token.fetches")
                          .tags("account", "default", "kind", "access_token", "outcome", "fetched")
                          .counter()
                          .count())
                  .isEqualTo(1.0);
              assertThat(registry.get("wechat.token.fetch.latency").timer().count()).isEqualTo(1);
              assertThat(
                      registry
                          .get("wechat.token.expires.in")
                          .tags("account", "default", "kind", "access_token")
                          .gauge()
                          .value())
                  .isGreaterThan(7000);
            });
  }

  @Test
  void stableTokensAreMeteredUnderTheirOwnKind() {
    oneAccount()
        .withPropertyValues("wechat.mp.stable-token=true")
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .run(
            context -> {
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              assertThat(context.getBean(AccessTokenProvider.class).get().value()).isNotBlank();
              assertThat(
                      registry
                          .get("wechat.token.fetches")
                          .tags("kind", "stable_access_token", "outcome", "fetched")
                          .counter()
                          .count())
                  .isEqualTo(1.0);
              assertThat(
                      registry
                          .get("wechat.token.expires.in")
                          .tags("kind", "stable_access_token")
                          .gauge()
                          .value())
                  .isGreaterThan(7000);
            });
  }

  @Test
  void healthIsDownOnceNoTokenCanBeHadAndShowsNoSecret() {
    try (WeChatStandIn strict =
        WeChatStandIn.builder().appId(APP_ID).appSecret("the-right-secret").start()) {
      runner
          .withPropertyValues(
              "wechat.mp.app-id=" + APP_ID,
              "wechat.mp.app-secret=the-wrong-secret",
              "wechat.mp.api-base-url=" + strict.baseUrl(),
              "wechat.mp.fetch-at-startup=false")
          .run(
              context -> {
                WeChatAccount account = context.getBean(WeChatAccounts.class).get("default");
                HealthReport before = HealthReport.of(account);
                assertThat(before.up).as("nothing asked yet").isTrue();
                AccessTokenProvider tokens = context.getBean(AccessTokenProvider.class);
                assertThatThrownBy(tokens::get).isInstanceOf(RuntimeException.class);
                assertThat(tokens.status().state()).isEqualTo(TokenStatus.State.NONE);
                HealthReport after = HealthReport.of(account);
                assertThat(after.up).isFalse();
                Map<String, Object> d = after.details;
                assertThat(d).containsEntry("state", "NONE").containsEntry("consecutiveFailures", 1);
                assertThat(d.get("lastError").toString()).contains("40001");
                assertThat(after.details.toString()).doesNotContain("secret");
              });
    }
  }

  @Test
  void aNamedAccountCalledDefaultBesideTheSingleOneFailsAtStartUp() {
    oneAccount()
        .withPropertyValues(
            "wechat.mp.accounts.default.app-id=wxother", "wechat.mp.accounts.default.app-secret=s")
        .run(
            context ->
                assertThat(analysis(context).getDescription())
                    .isEqualTo(
                        "wechat.mp.accounts.default has the name of the account of"
                            + " wechat.mp.app-id."));
  }

  @Test
  void twoHandlersWithoutAPrimaryFailAtStartUp() {
    oneAccount()
        .withPropertyValues("wechat.mp.token=tok")
        .withBean("one", MessageHandler.class, Router::router)
        .withBean("two", MessageHandler.class, Router::router)
        .run(
            context ->
                assertThat(analysis(context).getDescription())
                    .startsWith("The application has several MessageHandler"));
  }

  @Test
  void withoutSpringDataRedisTheDefaultStoreIsMemory() {
    oneAccount()
        .withClassLoader(new FilteredClassLoader("org.springframework.data.redis"))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBean(TokenStore.class)).isInstanceOf(InMemoryTokenStore.class);
            });
  }

  @Test
  void theFileStoreWithoutItsJarFailsAtStartUpNamingTheDependency() {
    oneAccount()
        .withClassLoader(new FilteredClassLoader(FileTokenStore.class))
        .withPropertyValues("wechat.mp.store.type=file", "wechat.mp.store.file.path=" + dir.resolve("t"))
        .run(
            context ->
                assertThat(analysis(context).getDescription())
                    .isEqualTo(
                        "wechat.mp.store.type is file but io.github.wechatmp:wechat-token-store-file"
                            + " is not on the class path."));
  }

  @Test
  void withoutTheFileStoreJarTheMemoryStoreWorks() {
    oneAccount()
        .withClassLoader(new FilteredClassLoader(FileTokenStore.class))
        .run(
            context ->
                assertThat(context.getBean(TokenStore.class))
                    .isInstanceOf(InMemoryTokenStore.class));
  }

  @Test
  @org.junit.jupiter.api.Tag("slow")
  void aLateReplyGoesThroughTheCustomerServiceApiAndIsCounted() {
    java.util.concurrent.CountDownLatch answered = new java.util.concurrent.CountDownLatch(1);
    MessageHandler slow =
        message -> {
          try {
            answered.await(10, java.util.concurrent.TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return io.github.wechatmp.callback.Reply.text("late but here");
        };
    oneAccount()
        .withPropertyValues("wechat.mp.token=tok", "wechat.mp.callback.reply-deadline=200ms")
        .withBean(MessageHandler.class, () -> slow)
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .run(
            context -> {
              int sentBefore = wechat.sentMessages().size();
              WeChatCallback callback = context.getBean(WeChatCallback.class);
              SignatureVerifier signer = context.getBean(SignatureVerifier.class);
              String timestamp = Long.toString(System.currentTimeMillis() / 1000);
              Map<String, String> query =
                  Map.of(
                      "signature", signer.sign(timestamp, "n1"),
                      "timestamp", timestamp,
                      "nonce", "n1");
              var response =
                  callback.handle(
                      "POST", query, Router.text("gh_account", "slow", System.nanoTime()));
              assertThat(response.body()).isEqualTo("success");
              answered.countDown();
              long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
              while (wechat.sentMessages().size() == sentBefore && System.nanoTime() < deadline) {
                Thread.sleep(20);
              }
              assertThat(wechat.sentMessages().subList(sentBefore, wechat.sentMessages().size()))
                  .anySatisfy(m -> assertThat(m).contains("late but here"));
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              assertThat(registry.get("wechat.callback.late.replies").counter().count())
                  .isEqualTo(1.0);
              assertThat(
                      registry
                          .get("wechat.callback.messages")
                          .tags("type", "text", "outcome", "replied")
                          .counter()
                          .count())
                  .isEqualTo(1.0);
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class LettuceConfig {
    @Bean
    RedisConnectionFactory redisConnectionFactory() {
      TestRedis redis = TestRedis.get();
      return new LettuceConnectionFactory(new RedisStandaloneConfiguration(redis.host, redis.port));
    }
  }

  @Test
  void aStoreOutageFetchesFromWeChatByDefaultAndNeverWhenTheIntervalIsZero() {
    int before = wechat.tokenRequests();
    oneAccount()
        .withBean(TokenStore.class, UnreachableStore::new)
        .run(
            context ->
                assertThat(context.getBean(AccessTokenProvider.class).get().value())
                    .as("fetched without the store")
                    .isNotBlank());
    assertThat(wechat.tokenRequests() - before).isEqualTo(1);

    int between = wechat.tokenRequests();
    oneAccount()
        .withBean(TokenStore.class, UnreachableStore::new)
        .withPropertyValues("wechat.mp.store-outage-fetch-interval=0s")
        .run(
            context ->
                assertThatThrownBy(() -> context.getBean(AccessTokenProvider.class).get())
                    .isInstanceOf(TokenUnavailableException.class)
                    .hasMessageContaining(UnreachableStore.MESSAGE));
    assertThat(wechat.tokenRequests()).as("nothing fetched").isEqualTo(between);
  }

  /** A token store whose server cannot be reached. */
  static final class UnreachableStore implements TokenStore {
    static final String MESSAGE = "test store at 127.0.0.1:1 is unreachable";

    @Override
    public Optional<AccessToken> load(TokenKey key) {
      throw new TokenStoreException(MESSAGE, null);
    }

    @Override
    public void save(TokenKey key, AccessToken token) {
      throw new TokenStoreException(MESSAGE, null);
    }

    @Override
    public boolean deleteIfValue(TokenKey key, String expectedValue) {
      throw new TokenStoreException(MESSAGE, null);
    }

    @Override
    public Optional<RefreshLock> tryLock(TokenKey key, Duration lease, Duration maxWait) {
      throw new TokenStoreException(MESSAGE, null);
    }
  }
}

package io.github.wechatmp.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wechatmp.test.Fault;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.TokenStatus;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Protocol;

/**
 * Issue 21 items 6 and 8, on a whole Spring Boot application: a context on the Spring Data Redis
 * store closes without a WARN, and each account asks for its first token in the background at
 * start-up, so that a wrong AppSecret shows in health without anyone asking for a token.
 */
class StartAndCloseTest {
  static final String APP_ID = "wxstart0123456789";

  @BeforeEach
  void emptyRedis() {
    TestRedis.get().flush(); // no token left by another test
  }

  private static ConfigurableApplicationContext node(WeChatStandIn wechat, String... more) {
    TestRedis redis = TestRedis.get();
    return new SpringApplicationBuilder(Node.class)
        .web(WebApplicationType.NONE)
        .properties(
            "wechat.mp.app-id=" + APP_ID,
            "wechat.mp.app-secret=the-secret",
            "wechat.mp.api-base-url=" + wechat.baseUrl(),
            "spring.data.redis.host=" + redis.host,
            "spring.data.redis.port=" + redis.port)
        .properties(more)
        .run();
  }

  @Test
  @Tag("slow")
  void aContextOnTheSpringDataRedisStoreClosesWithoutAWarning() throws Exception {
    try (WeChatStandIn wechat = WeChatStandIn.builder().appId(APP_ID).start()) {
      ConfigurableApplicationContext context = node(wechat);
      CapturedLog log;
      try {
        assertThat(context.getBean(io.github.wechatmp.token.TokenStore.class))
            .isInstanceOf(SpringDataRedisTokenStore.class);
        // A token makes the provider watch its key: the store's listener container subscribes.
        assertThat(context.getBean(AccessTokenProvider.class).get().value()).isNotBlank();
        awaitTrue(() -> patternSubscriptions() > 0, "the store's subscription is open");
        log = CapturedLog.start();
        LoggerFactory.getLogger(StartAndCloseTest.class).warn("probe: the capture works");
      } catch (RuntimeException | Error e) {
        context.close();
        throw e;
      }
      context.close();
      log.close();
      assertThat(log.warnings())
          .as("WARN or ERROR logged while closing")
          .isEqualTo("WARN " + StartAndCloseTest.class.getName() + ": probe: the capture works");
    }
  }

  @Test
  void aWrongSecretTurnsHealthDownSoonAfterStartWithoutAnyoneAskingForAToken() throws Exception {
    try (WeChatStandIn wechat =
            WeChatStandIn.builder().appId(APP_ID).appSecret("the-right-secret").start();
        ConfigurableApplicationContext context = node(wechat)) {
      WeChatAccount account = context.getBean(WeChatAccounts.class).get("default");
      awaitTrue(() -> !HealthReport.of(account).up, "health is DOWN");
      HealthReport down = HealthReport.of(account);
      assertThat(down.details.get("lastError").toString()).contains("40001");
      assertThat(down.details.toString()).doesNotContain("secret");
      assertThat(wechat.tokenRequests()).isEqualTo(1);
    }
  }

  @Test
  void theStartUpFetchDoesNotHoldUpTheStart() throws Exception {
    try (WeChatStandIn wechat = WeChatStandIn.builder().appId(APP_ID).start()) {
      wechat.failNext(1, Fault.slow(Duration.ofSeconds(10)));
      try (ConfigurableApplicationContext context = node(wechat)) {
        // Started while WeChat still holds the token answer: the fetch runs in the background.
        awaitTrue(() -> wechat.tokenRequests() == 1, "the start-up fetch reached WeChat");
        AccessTokenProvider tokens = context.getBean(AccessTokenProvider.class);
        assertThat(tokens.status().state()).isEqualTo(TokenStatus.State.NONE);
        assertThat(tokens.status().consecutiveFailures()).isZero();
      }
    }
  }

  @Test
  void withFetchAtStartupOffNothingIsAskedUntilATokenIsNeeded() throws Exception {
    try (WeChatStandIn wechat = WeChatStandIn.builder().appId(APP_ID).start();
        ConfigurableApplicationContext context =
            node(wechat, "wechat.mp.fetch-at-startup=false")) {
      Thread.sleep(500); // what a background fetch would need to reach the stand-in
      assertThat(wechat.tokenRequests()).isZero();
      assertThat(context.getBean(AccessTokenProvider.class).get().value()).isNotBlank();
      assertThat(wechat.tokenRequests()).isEqualTo(1);
    }
  }

  private static long patternSubscriptions() {
    try (JedisPooled jedis = TestRedis.get().jedis()) {
      return (Long) jedis.sendCommand(Protocol.Command.PUBSUB, "NUMPAT");
    }
  }

  private static void awaitTrue(BooleanSupplier condition, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }

  /** Nothing but the auto-configuration. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class Node {}

}

package io.github.wechatmp.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.github.wechatmp.message.MessageCrypto;
import io.github.wechatmp.store.redis.RedisTokenStore;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.providers.PooledConnectionProvider;
import redis.embedded.RedisServer;

/**
 * What breaks when an application's dependency management (Spring Boot's, here) picks other
 * versions of Jedis, Kotlin, OkHttp or Moshi than the SDK was built with: a real token fetch
 * through OkHttp, a security-mode round trip, and two providers sharing a real Redis through
 * {@link RedisTokenStore}. The same source runs under each Spring Boot generation's BOM.
 */
class DependencyManagementCompatTest {
  private static final String APP_ID = "wx0123456789abcdef";
  private static final String SECRET = "compat-secret-0123456789abcdef";

  private static HttpServer wechat;
  private static final AtomicInteger tokenRequests = new AtomicInteger();
  private static RedisServer redis;
  private static int redisPort;

  @BeforeAll
  static void start() throws IOException {
    wechat = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    wechat.createContext(
        "/cgi-bin/token",
        exchange -> {
          int n = tokenRequests.incrementAndGet();
          try {
            Thread.sleep(200); // slow enough that a herd would be seen
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] body =
              ("{\"access_token\":\"COMPAT_TOKEN_" + n + "_0123456789\",\"expires_in\":7200}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    wechat.setExecutor(Executors.newFixedThreadPool(4));
    wechat.start();
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      redisPort = s.getLocalPort();
    }
    redis = RedisServer.newRedisServer().bind("127.0.0.1").port(redisPort).build();
    redis.start();
  }

  @AfterAll
  static void stop() throws IOException {
    if (wechat != null) {
      wechat.stop(0);
    }
    if (redis != null) {
      redis.stop();
    }
  }

  private static String baseUrl() {
    return "http://127.0.0.1:" + wechat.getAddress().getPort();
  }

  @Test
  void aTokenIsFetchedThroughOkHttpUnderThisDependencyManagement() {
    int before = tokenRequests.get();
    try (AccessTokenProvider provider =
        AccessTokenProvider.builder()
            .appId(APP_ID)
            .appSecret(SECRET)
            .apiBaseUrl(baseUrl())
            .build()) {
      AccessToken token = provider.get();
      assertTrue(token.value().startsWith("COMPAT_TOKEN_"), token.masked());
    }
    assertEquals(1, tokenRequests.get() - before);
  }

  @Test
  void aSecurityModeMessageDecryptsUnderThisDependencyManagement() {
    MessageCrypto crypto =
        new MessageCrypto("compat-token", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", APP_ID);
    String xml = "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Content>hi</Content></xml>";
    String envelope = crypto.encrypt(xml, "1700000000", "nonce1");
    String encrypted = between(envelope, "<Encrypt><![CDATA[", "]]></Encrypt>");
    String signature = between(envelope, "<MsgSignature><![CDATA[", "]]></MsgSignature>");
    assertEquals(xml, crypto.decrypt(signature, "1700000000", "nonce1", encrypted));
  }

  @Test
  void twoProvidersSharingRedisMakeExactlyOneFetchUnderThisDependencyManagement()
      throws Exception {
    int before = tokenRequests.get();
    List<UnifiedJedis> clients = new ArrayList<>();
    List<AccessTokenProvider> providers = new ArrayList<>();
    ExecutorService callers = Executors.newFixedThreadPool(8);
    try {
      for (int i = 0; i < 2; i++) {
        UnifiedJedis jedis =
            new UnifiedJedis(
                new PooledConnectionProvider(
                    new HostAndPort("127.0.0.1", redisPort),
                    DefaultJedisClientConfig.builder().build()));
        clients.add(jedis);
        providers.add(
            AccessTokenProvider.builder()
                .appId(APP_ID)
                .appSecret(SECRET)
                .apiBaseUrl(baseUrl())
                .store(RedisTokenStore.builder(jedis).keyPrefix("compat-herd").build())
                .build());
      }
      CountDownLatch go = new CountDownLatch(1);
      List<Future<AccessToken>> got = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        AccessTokenProvider p = providers.get(i % 2);
        got.add(
            callers.submit(
                () -> {
                  go.await();
                  return p.get();
                }));
      }
      go.countDown();
      String first = got.get(0).get().value();
      for (Future<AccessToken> f : got) {
        assertEquals(first, f.get().value(), "every caller gets the one token");
      }
      assertEquals(1, tokenRequests.get() - before, "one fetch between both providers");
    } finally {
      callers.shutdownNow();
      providers.forEach(AccessTokenProvider::close);
      clients.forEach(UnifiedJedis::close);
    }
  }

  private static String between(String s, String start, String end) {
    int i = s.indexOf(start) + start.length();
    return s.substring(i, s.indexOf(end, i));
  }
}

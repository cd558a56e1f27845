package io.github.wechatmp.open.it;

import static io.github.wechatmp.open.testing.TestPlatform.AES_KEY;
import static io.github.wechatmp.open.testing.TestPlatform.COMPONENT_APP_ID;
import static io.github.wechatmp.open.testing.TestPlatform.SECRET;
import static io.github.wechatmp.open.testing.TestPlatform.TOKEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.open.JdbcAuthorizationStore;
import io.github.wechatmp.open.OpenPlatform;
import io.github.wechatmp.open.testing.ApiProbe;
import io.github.wechatmp.open.testing.EndpointServer;
import io.github.wechatmp.open.testing.TestPlatform;
import io.github.wechatmp.store.redis.RedisTokenStore;
import io.github.wechatmp.store.tck.TestPostgres;
import io.github.wechatmp.test.StandInPlatform;
import io.github.wechatmp.test.WeChatStandIn;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisPooled;
import redis.embedded.RedisServer;

/**
 * Four platforms over one real Redis ({@code RedisTokenStore}) and one real PostgreSQL ({@code
 * JdbcAuthorizationStore}), WeChat (the stand-in) pushing the ticket to one instance and the
 * authorizations to another, every instance asked for tokens from many threads at once.
 */
@Tag("slow")
class OpenPlatformClusterTest {
  private static final List<String> MERCHANTS = List.of("wxmerchant0000001", "wxmerchant0000002");

  private final List<AutoCloseable> closing = new ArrayList<>();
  private final List<OpenPlatform> platforms = new ArrayList<>();
  private final List<EndpointServer> servers = new ArrayList<>();
  private WeChatStandIn standIn;
  private StandInPlatform wechat;

  @BeforeEach
  void start() throws Exception {
    int port = ClusterFixture.freePort();
    RedisServer redis = ClusterFixture.redis(port);
    closing.add(redis::stop);
    TestPostgres pg = TestPostgres.start();
    closing.add(pg);
    standIn = WeChatStandIn.start();
    closing.add(standIn);
    for (int i = 0; i < 4; i++) {
      JedisPooled jedis = new JedisPooled("127.0.0.1", port);
      closing.add(jedis);
      OpenPlatform p =
          TestPlatform.builder(standIn.baseUrl())
              .store(RedisTokenStore.builder(jedis).build())
              .authorizations(new JdbcAuthorizationStore(pg.dataSource()))
              .build();
      closing.add(p);
      platforms.add(p);
      EndpointServer server = ClusterFixture.serve(p);
      closing.add(server);
      servers.add(server);
    }
    wechat = standIn.openPlatform().credentials(COMPONENT_APP_ID, SECRET);
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  @Test
  void fourInstancesFetchTheComponentTokenOnceAndEachAuthorizerTokenAtMostOncePerLifetime()
      throws Exception {
    wechat.pushTo(servers.get(0).url(), TOKEN, AES_KEY).pushTicket();
    wechat.pushTo(servers.get(1).url(), TOKEN, AES_KEY);
    for (String m : MERCHANTS) {
      wechat.authorize(m, List.of(1));
    }

    Set<String> componentTokens = ConcurrentHashMap.newKeySet();
    List<Set<String>> authorizerTokens =
        List.of(ConcurrentHashMap.newKeySet(), ConcurrentHashMap.newKeySet());
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> work = new ArrayList<>();
    try {
      for (int t = 0; t < 16; t++) {
        OpenPlatform p = platforms.get(t % 4);
        work.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < 50; i++) {
                    componentTokens.add(p.componentAccessToken().get().value());
                    for (int m = 0; m < MERCHANTS.size(); m++) {
                      authorizerTokens.get(m).add(p.authorizer(MERCHANTS.get(m)).get().value());
                    }
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : work) {
        f.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }

    assertEquals(1, standIn.requests("cgi-bin/component/api_component_token"));
    assertTrue(
        standIn.requests("cgi-bin/component/api_authorizer_token") <= MERCHANTS.size(),
        "at most one api_authorizer_token per authorizer in a token lifetime");
    assertEquals(1, componentTokens.size(), "every instance served the one component token");
    for (int m = 0; m < MERCHANTS.size(); m++) {
      assertEquals(1, authorizerTokens.get(m).size(), "one token of " + MERCHANTS.get(m));
      String token = authorizerTokens.get(m).iterator().next();
      assertEquals(0, ApiProbe.errcode(standIn.baseUrl(), token));
    }
  }
}

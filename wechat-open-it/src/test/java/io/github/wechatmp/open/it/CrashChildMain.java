package io.github.wechatmp.open.it;

import io.github.wechatmp.open.Authorization;
import io.github.wechatmp.open.AuthorizationStore;
import io.github.wechatmp.open.JdbcAuthorizationStore;
import io.github.wechatmp.open.OpenPlatform;
import io.github.wechatmp.open.testing.DelegatingAuthorizationStore;
import io.github.wechatmp.open.testing.EndpointServer;
import io.github.wechatmp.open.testing.TestPlatform;
import io.github.wechatmp.store.redis.RedisTokenStore;
import org.postgresql.ds.PGSimpleDataSource;
import redis.clients.jedis.JedisPooled;

/**
 * A child JVM for {@link OpenPlatformCrashTest}: an {@link OpenPlatform} over the test's Redis and
 * PostgreSQL whose authorization store, asked to save an authorization, prints {@code SAVING} and
 * blocks (until the parent kills it): the moment between WeChat's answer to {@code api_query_auth}
 * and the save. Prints {@code URL <event url>} once it serves.
 *
 * <p>Arguments: the Redis port, the PostgreSQL port, the stand-in's base URL.
 */
public final class CrashChildMain {
  private CrashChildMain() {}

  public static void main(String[] args) throws Exception {
    int redisPort = Integer.parseInt(args[0]);
    int pgPort = Integer.parseInt(args[1]);
    String baseUrl = args[2];
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setServerNames(new String[] {"127.0.0.1"});
    ds.setPortNumbers(new int[] {pgPort});
    ds.setDatabaseName("postgres");
    ds.setUser("postgres");
    JdbcAuthorizationStore jdbc = new JdbcAuthorizationStore(ds);
    AuthorizationStore blocking =
        new DelegatingAuthorizationStore(jdbc) {
          @Override
          public boolean save(Authorization authorization) {
            System.out.println("SAVING " + authorization.authorizerAppId());
            System.out.flush();
            try {
              Thread.sleep(Long.MAX_VALUE); // the parent SIGKILLs us here
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("not reached");
          }
        };
    OpenPlatform platform =
        TestPlatform.builder(baseUrl)
            .store(RedisTokenStore.builder(new JedisPooled("127.0.0.1", redisPort)).build())
            .authorizations(blocking)
            .build();
    EndpointServer server = ClusterFixture.serve(platform);
    System.out.println("URL " + server.url());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}

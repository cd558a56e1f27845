package io.github.wechatmp.store.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.providers.ConnectionProvider;
import redis.clients.jedis.providers.PooledConnectionProvider;
import redis.clients.jedis.providers.SentineledConnectionProvider;
import redis.embedded.Redis;
import redis.embedded.RedisSentinel;
import redis.embedded.RedisServer;
import redis.embedded.RedisShardedCluster;

/**
 * A real Redis for tests: the server named by the environment variable {@code REDIS_URL} when set
 * (for {@link #standalone()}), else a {@code redis-server} from the embedded-redis jar started on a
 * free loopback port. Embedded servers are stopped by {@link #close()} and, should a test run die
 * before that, by a shutdown hook, so no server outlives the test JVM. Clients made by {@link
 * #newClient()} are closed with it. Not thread-safe; use from the test thread.
 */
final class TestRedis implements AutoCloseable {
  static final String REDIS_URL = System.getenv("REDIS_URL");

  private static final Set<Redis> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  for (Redis r : RUNNING) {
                    try {
                      r.stop();
                    } catch (Exception e) {
                      // best effort at exit
                    }
                  }
                },
                "test-redis-reaper"));
  }

  private final URI externalUrl;
  private final RedisServer server;
  private final RedisShardedCluster cluster;
  private final List<HostAndPort> nodes;
  private final List<UnifiedJedis> clients = new ArrayList<>();
  private RedisSentinel sentinel;
  private HostAndPort sentinelAddress;
  static final String MASTER_NAME = "wechat-master";

  private TestRedis(
      URI externalUrl, RedisServer server, RedisShardedCluster cluster, List<HostAndPort> nodes) {
    this.externalUrl = externalUrl;
    this.server = server;
    this.cluster = cluster;
    this.nodes = nodes;
  }

  /**
   * A new embedded server behind one embedded Sentinel that monitors it as {@value #MASTER_NAME}.
   */
  static TestRedis sentineled() throws IOException {
    TestRedis r = embedded();
    try {
      int port = freePort(false);
      r.sentinel =
          RedisSentinel.newRedisSentinel()
              .bind("127.0.0.1")
              .port(port)
              .masterName(MASTER_NAME)
              .masterPort(r.address().getPort())
              .quorumSize(1)
              .build();
      RUNNING.add(r.sentinel);
      r.sentinel.start();
      r.sentinelAddress = new HostAndPort("127.0.0.1", port);
    } catch (IOException | RuntimeException e) {
      r.close();
      throw e;
    }
    return r;
  }

  /** {@code REDIS_URL}'s server if set, else a new embedded one. */
  static TestRedis standalone() throws IOException {
    if (REDIS_URL != null && !REDIS_URL.isBlank()) {
      URI uri = URI.create(REDIS_URL.strip());
      return new TestRedis(uri, null, null, List.of(new HostAndPort(uri.getHost(), uri.getPort())));
    }
    return embedded();
  }

  /**
   * A new embedded server that the test controls (stop, start), whatever {@code REDIS_URL} says.
   */
  static TestRedis embedded() throws IOException {
    int port = freePort(false);
    RedisServer server =
        RedisServer.newRedisServer()
            .bind("127.0.0.1")
            .port(port)
            .setting("save \"\"")
            .setting("appendonly no")
            .build();
    TestRedis r = new TestRedis(null, server, null, List.of(new HostAndPort("127.0.0.1", port)));
    r.start();
    return r;
  }

  /** A new embedded Redis Cluster of three primaries without replicas. */
  static TestRedis cluster() throws IOException {
    List<Integer> ports = new ArrayList<>();
    Set<Integer> taken = new HashSet<>();
    while (ports.size() < 3) {
      int p = freePort(true);
      if (taken.add(p)) {
        ports.add(p);
      }
    }
    RedisShardedCluster cluster =
        RedisShardedCluster.newRedisCluster()
            .withServerBuilder(
                RedisServer.newRedisServer()
                    .bind("127.0.0.1")
                    .setting("save \"\"")
                    .setting("appendonly no"))
            .serverPorts(ports)
            .shard("a", 0)
            .shard("b", 0)
            .shard("c", 0)
            .initializationTimeout(Duration.ofSeconds(30))
            .build();
    List<HostAndPort> nodes = new ArrayList<>();
    for (int p : ports) {
      nodes.add(new HostAndPort("127.0.0.1", p));
    }
    RUNNING.add(cluster);
    try {
      cluster.start();
    } catch (IOException | RuntimeException e) {
      stopQuietly(cluster);
      throw e;
    }
    return new TestRedis(null, null, cluster, nodes);
  }

  boolean isEmbedded() {
    return externalUrl == null;
  }

  boolean isCluster() {
    return cluster != null;
  }

  /** The first node's address. */
  HostAndPort address() {
    return nodes.get(0);
  }

  /**
   * A new client as one host of an application would have: its own pool, short timeouts (1 s
   * connect, 2 s read, 2 s pool wait), as the store's Javadoc recommends.
   */
  UnifiedJedis newClient() {
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setMaxTotal(16);
    pool.setMaxWait(Duration.ofSeconds(2));
    UnifiedJedis client;
    if (cluster != null) {
      client = new JedisCluster(new HashSet<>(nodes), clientConfig(), 3, pool);
    } else if (sentinel != null) {
      client =
          portable(
              new SentineledConnectionProvider(
                  MASTER_NAME, clientConfig(), pool, Set.of(sentinelAddress), clientConfig()));
    } else if (externalUrl != null) {
      client =
          portable(
              new PooledConnectionProvider(
                  new HostAndPort(externalUrl.getHost(), externalUrl.getPort()),
                  DefaultJedisClientConfig.builder()
                      .connectionTimeoutMillis(1000)
                      .socketTimeoutMillis(2000)
                      .password(password(externalUrl))
                      .build(),
                  pool));
    } else {
      client = portable(new PooledConnectionProvider(address(), clientConfig(), pool));
    }
    clients.add(client);
    return client;
  }

  /**
   * A client over {@code provider} as {@code JedisPooled} or {@code JedisSentineled} would build it
   * (one attempt per command), on every supported Jedis: those classes and the public {@code
   * UnifiedJedis(ConnectionProvider)} constructor are gone in Jedis 8, whose {@code RedisClient}
   * builder takes the provider instead.
   */
  static UnifiedJedis portable(ConnectionProvider provider) {
    try {
      try {
        return UnifiedJedis.class.getConstructor(ConnectionProvider.class).newInstance(provider);
      } catch (NoSuchMethodException jedis8) {
        Object builder =
            Class.forName("redis.clients.jedis.RedisClient").getMethod("builder").invoke(null);
        builder
            .getClass()
            .getMethod("connectionProvider", ConnectionProvider.class)
            .invoke(builder, provider);
        return (UnifiedJedis) builder.getClass().getMethod("build").invoke(builder);
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("this Jedis builds no client over a ConnectionProvider", e);
    }
  }

  private static String password(URI url) {
    String info = url.getUserInfo();
    return info == null ? null : info.substring(info.indexOf(':') + 1);
  }

  private static JedisClientConfig clientConfig() {
    return DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(1000)
        .socketTimeoutMillis(2000)
        .build();
  }

  /** Stops the embedded standalone server, dropping its data. */
  void stop() throws IOException {
    requireControllable();
    server.stop();
    RUNNING.remove(server);
  }

  /** Starts the embedded standalone server again on the same port, empty. */
  void start() throws IOException {
    requireControllable();
    RUNNING.add(server);
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      stopQuietly(server);
      throw e;
    }
  }

  private void requireControllable() {
    if (server == null) {
      throw new IllegalStateException(
          "only an embedded standalone server can be stopped and started");
    }
  }

  @Override
  public void close() {
    for (UnifiedJedis c : clients) {
      try {
        c.close();
      } catch (RuntimeException e) {
        // the server may be gone already
      }
    }
    clients.clear();
    if (sentinel != null) {
      stopQuietly(sentinel);
    }
    if (server != null) {
      stopQuietly(server);
    }
    if (cluster != null) {
      stopQuietly(cluster);
    }
  }

  @Override
  public String toString() {
    return externalUrl != null
        ? "REDIS_URL server " + address()
        : cluster != null
            ? "embedded cluster " + nodes
            : sentinel != null
                ? "embedded server " + address() + " behind Sentinel " + sentinelAddress
                : "embedded server " + address();
  }

  private static void stopQuietly(Redis r) {
    try {
      r.stop();
    } catch (IOException | RuntimeException e) {
      // it is being torn down anyway
    } finally {
      RUNNING.remove(r);
    }
  }

  /**
   * A loopback port nobody listens on; with {@code clusterBus}, also port + 10000, which a cluster
   * node uses for its bus.
   */
  static int freePort(boolean clusterBus) {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = clusterBus ? ThreadLocalRandom.current().nextInt(20_000, 30_000) : 0;
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      } catch (IOException e) {
        continue;
      }
      if (!clusterBus) {
        return port;
      }
      try (ServerSocket bus =
          new ServerSocket(port + 10_000, 1, InetAddress.getLoopbackAddress())) {
        return port;
      } catch (IOException e) {
        // taken: try another
      }
    }
    throw new UncheckedIOException(new IOException("no free loopback port found"));
  }
}

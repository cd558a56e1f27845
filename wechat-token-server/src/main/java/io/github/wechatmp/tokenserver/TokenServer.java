package io.github.wechatmp.tokenserver;

import io.github.wechatmp.store.file.FileTokenStore;
import io.github.wechatmp.store.redis.RedisTokenStore;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.TokenStatus;
import io.github.wechatmp.token.TokenStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.JedisPooled;

/**
 * The central token service (WeChat's 中控服务器): one server that alone fetches and refreshes the
 * access tokens and jsapi tickets of one or many accounts, and hands them to every other service,
 * in any language, over a small authenticated HTTP API. Run it as
 *
 * <pre>{@code
 * java -jar wechat-token-server.jar --config tokens.yml
 * }</pre>
 *
 * or with the configuration in the environment: {@code WECHAT_TOKEN_SERVER_CONFIG} (a file path) or
 * {@code WECHAT_TOKEN_SERVER_CONFIG_YAML} (the YAML itself). Secrets in the configuration are given
 * as {@code ${ENV_VAR}} references. {@code --hash-key} reads an API key on standard input and
 * prints its SHA-256, for the {@code keySha256} setting. A bad configuration stops the start with
 * one line on standard error and exit status 2.
 *
 * <h2>HTTP API</h2>
 *
 * <ul>
 *   <li>{@code GET /v1/accounts/{appId}/access_token}: {@code {"access_token": ..., "expires_in":
 *       <seconds left>, "expires_at": <epoch seconds>}}.
 *   <li>{@code GET /v1/accounts/{appId}/jsapi_ticket}: the same with {@code "ticket"}.
 *   <li>{@code POST /v1/accounts/{appId}/access_token/rejected} with {@code {"access_token":
 *       "<value>"}} (and {@code .../jsapi_ticket/rejected} with {@code {"ticket": ...}}): the
 *       passive refresh. Only if the value is still the current one is a new one fetched, once
 *       however many clients report it; every caller gets the token to use now. A server replaces a
 *       credential at most once per {@code rejectedMinIntervalSeconds} (60 s): a sooner report of
 *       the current value gets 429 with {@code Retry-After}.
 *   <li>With a {@code platform} section, the same two {@code access_token} paths for every account
 *       that authorized the third-party platform ({@code /v1/accounts/{authorizerAppId}/...}; 404
 *       {@code unknown_account}, {@code authorization_revoked} or {@code needs_reauthorization} for
 *       one whose authorization is not in force), {@code GET
 *       /v1/accounts/{componentAppId}/component_access_token} (and its {@code /rejected}) for the
 *       platform's own token, and, with {@code receiveEvents}, {@code POST /v1/platform/events}:
 *       WeChat's ticket and authorization pushes, checked by their signature.
 *   <li>{@code GET /v1/health}: 200 or 503; with a valid key, the state of each account it may
 *       read.
 *   <li>{@code GET /v1/metrics}: Prometheus text, for a valid key.
 * </ul>
 *
 * Every request but an anonymous health check needs {@code Authorization: Bearer <key>}: 401 for a
 * missing or wrong key (saying nothing about accounts), 404 for an account the server does not
 * hold, 403 for one the key may not read or an address outside the allow list, 405 for a wrong
 * method, 413 for a body over the limit (4 KiB by default). Errors are JSON: {@code {"error":
 * <code>, "message": ...}}.
 *
 * <p>Thread-safe. Each connection has its own thread (a virtual one on JDK 21 and later); a
 * connection that does not send a whole request within {@code requestTimeoutSeconds} is closed, and
 * connections are limited in all and per client address. API keys, AppSecrets and tokens never
 * appear in its log.
 */
public final class TokenServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TokenServer.class);

  /** Exit status for a configuration the server refuses. */
  static final int EXIT_CONFIG = 2;

  /** Exit status when the server could not start (the port is taken, say). */
  static final int EXIT_START = 1;

  private final HttpFront http;
  private final ApiHandler handler;
  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final ScheduledExecutorService keepFresh;
  private final List<HeldAccount> held;

  /** Null when no platform is configured. */
  private final HeldPlatform platform;

  private final JedisPooled jedis;
  private final String scheme;

  private TokenServer(
      HttpFront http,
      ApiHandler handler,
      ScheduledExecutorService keepFresh,
      List<HeldAccount> held,
      HeldPlatform platform,
      JedisPooled jedis,
      String scheme) {
    this.http = http;
    this.handler = handler;
    this.keepFresh = keepFresh;
    this.held = held;
    this.platform = platform;
    this.jedis = jedis;
    this.scheme = scheme;
  }

  /**
   * Starts the server as the command line asks; see the class description.
   *
   * @param args {@code --config <file>}, {@code --hash-key} or {@code --help}
   */
  public static void main(String[] args) {
    int status = run(args, System.getenv()::get, System.in, System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  /** The command line without exiting: 0 while the server runs, else the exit status. */
  static int run(
      String[] args,
      Function<String, String> env,
      InputStream in,
      PrintStream out,
      PrintStream err) {
    String configFile = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        out.println(
            "usage: java -jar wechat-token-server.jar --config tokens.yml\n"
                + "       (or set WECHAT_TOKEN_SERVER_CONFIG to a file, or WECHAT_TOKEN_SERVER_CONFIG_YAML)\n"
                + "       java -jar wechat-token-server.jar --hash-key < key.txt");
        return 0;
      } else if (a.equals("--hash-key")) {
        try {
          String key = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
          if (key.length() < ConfigLoader.MIN_KEY_LENGTH) {
            err.println(
                "wechat-token-server: an API key needs at least "
                    + ConfigLoader.MIN_KEY_LENGTH
                    + " characters");
            return EXIT_CONFIG;
          }
          out.println(new String(ConfigLoader.hexOf(ConfigLoader.sha256(key))));
          return 0;
        } catch (IOException e) {
          err.println("wechat-token-server: cannot read the key: " + e.getMessage());
          return EXIT_START;
        }
      } else if (a.equals("--config") && i + 1 < args.length) {
        configFile = args[++i];
      } else if (a.startsWith("--config=")) {
        configFile = a.substring("--config=".length());
      } else {
        err.println("wechat-token-server: unknown argument " + a + " (try --help)");
        return EXIT_CONFIG;
      }
    }
    ConfigLoader loader = new ConfigLoader(env);
    ServerConfig config;
    try {
      if (configFile == null) {
        configFile = env.apply("WECHAT_TOKEN_SERVER_CONFIG");
      }
      String inline = env.apply("WECHAT_TOKEN_SERVER_CONFIG_YAML");
      if (configFile != null) {
        config = loader.load(Paths.get(configFile));
      } else if (inline != null) {
        config = loader.parse(inline, "WECHAT_TOKEN_SERVER_CONFIG_YAML");
      } else {
        throw new ConfigException(
            "no configuration: give --config tokens.yml, or set WECHAT_TOKEN_SERVER_CONFIG or "
                + "WECHAT_TOKEN_SERVER_CONFIG_YAML");
      }
    } catch (ConfigException e) {
      err.println("wechat-token-server: configuration error: " + e.getMessage());
      return EXIT_CONFIG;
    }
    for (String w : loader.warnings()) {
      log.warn("{}", w);
    }
    try {
      TokenServer server = start(config, Clock.systemUTC(), 1000);
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "token-server-shutdown"));
      return 0;
    } catch (ConfigException e) {
      err.println("wechat-token-server: configuration error: " + e.getMessage());
      return EXIT_CONFIG;
    } catch (IOException | RuntimeException e) {
      err.println("wechat-token-server: cannot start: " + e);
      return EXIT_START;
    }
  }

  /**
   * Starts a server.
   *
   * @param keepFreshMillis how often each account's credentials are looked at and, when missing or
   *     not fresh, fetched without waiting for a reader; 0 for never (tests that drive reads)
   */
  static TokenServer start(ServerConfig config, Clock clock, long keepFreshMillis)
      throws IOException {
    JedisPooled jedis = null;
    TokenStore store;
    switch (config.store.type) {
      case REDIS:
        jedis = RedisUrls.client(config.store.redisUrl, config.store.caFile);
        RedisTokenStore.Builder rb = RedisTokenStore.builder(jedis).clock(clock);
        if (config.store.keyPrefix != null) {
          rb.keyPrefix(config.store.keyPrefix);
        }
        store = rb.build();
        break;
      case FILE:
        store = new FileTokenStore(config.store.file);
        break;
      default:
        store = new InMemoryTokenStore();
    }
    Metrics metrics = new Metrics();
    Map<String, HeldAccount> accounts = new LinkedHashMap<>();
    List<HeldAccount> held = new ArrayList<>();
    HttpFront http = null;
    ScheduledExecutorService keepFresh = null;
    HeldPlatform platform = null;
    try {
      for (ServerConfig.Account a : config.accounts) {
        HeldAccount h =
            new HeldAccount(a, store, clock, metrics, config.rejectedMinIntervalSeconds * 1000L);
        held.add(h);
        accounts.put(a.appId, h);
      }
      if (config.platform != null) {
        platform =
            new HeldPlatform(
                config.platform, store, clock, config.rejectedMinIntervalSeconds * 1000L);
      }
      ApiHandler handler =
          new ApiHandler(
              accounts,
              new ApiKeys(config.clients),
              config.allow,
              config.maxBodyBytes,
              clock,
              metrics,
              platform);
      String scheme = config.tls != null ? "https" : "http";
      http =
          new HttpFront(
              config.listen,
              config.tls != null ? sslContext(config.tls) : null,
              config.allow,
              config.maxBodyBytes,
              config.threads,
              config.limits,
              handler);
      keepFresh =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "token-server-keep-fresh");
                t.setDaemon(true);
                return t;
              });
      if (keepFreshMillis > 0) {
        HeldPlatform p = platform;
        keepFresh.scheduleWithFixedDelay(
            () -> {
              keepFresh(held);
              if (p != null) {
                p.keepFresh();
              }
            },
            0,
            keepFreshMillis,
            TimeUnit.MILLISECONDS);
      }
      TokenServer server = new TokenServer(http, handler, keepFresh, held, platform, jedis, scheme);
      log.info(
          "wechat-token-server listening on {} ({}); store: {}; accounts: {}{}; clients: {}; {}",
          server.baseUrl(),
          config.tls != null ? "TLS" : "plain HTTP",
          config.store,
          accounts.keySet(),
          config.platform != null ? "; platform: " + config.platform : "",
          config.clients.size(),
          (http.virtualThreads() ? "virtual" : "platform")
              + " threads, "
              + config.threads
              + " answering at once");
      return server;
    } catch (IOException | RuntimeException e) {
      for (HeldAccount h : held) {
        h.close();
      }
      if (platform != null) {
        platform.close();
      }
      if (http != null) {
        http.close();
      }
      if (keepFresh != null) {
        keepFresh.shutdownNow();
      }
      if (jedis != null) {
        jedis.close();
      }
      throw e;
    }
  }

  /**
   * Fetches what no reader asked for yet. The providers refresh a held token by themselves when it
   * comes due; this covers what they leave to the next reader: the first fetch at start-up, and a
   * new token after an invalidation (a passive refresh, or a compare-and-delete by a read-only
   * provider elsewhere), so that readers rarely wait.
   */
  private static void keepFresh(List<HeldAccount> held) {
    for (HeldAccount h : held) {
      try {
        if (h.tokenStatus().state() != TokenStatus.State.FRESH) {
          h.tokens.get();
        }
        if (h.tickets != null && h.ticketStatus().state() != TokenStatus.State.FRESH) {
          h.tickets.get();
        }
      } catch (RuntimeException e) {
        // The provider logged the failure and holds further attempts off; readers get the error.
        log.debug("Keeping {} fresh failed: {}", h.appId, e.getMessage());
      }
    }
  }

  private static SSLContext sslContext(ServerConfig.Tls tls) {
    try (InputStream in = Files.newInputStream(tls.keystore)) {
      KeyStore ks = KeyStore.getInstance(tls.type);
      ks.load(in, tls.password);
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, tls.password);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      // Neither names the password; a wrong one reads "keystore password was incorrect".
      throw new ConfigException(
          "tls.keystore: cannot load " + tls.keystore + " as " + tls.type + ": " + e.getMessage());
    }
  }

  /** The address the server listens on; its port is the real one when 0 was configured. */
  InetSocketAddress address() {
    return http.address();
  }

  /** The base URL, such as {@code http://127.0.0.1:8700}. */
  String baseUrl() {
    InetSocketAddress a = address();
    String host = a.getAddress().getHostAddress();
    if (host.indexOf(':') >= 0) {
      host = '[' + host + ']';
    }
    return scheme + "://" + host + ":" + a.getPort();
  }

  /** Connections open now; for tests. */
  int openConnections() {
    return http.openConnections();
  }

  /** The held account of {@code appId}; for tests. */
  HeldAccount account(String appId) {
    for (HeldAccount h : held) {
      if (h.appId.equals(appId)) {
        return h;
      }
    }
    throw new IllegalArgumentException("no account " + appId);
  }

  /**
   * Stops accepting requests, lets those in flight finish for up to a second, and closes the
   * providers and the Redis client. Idempotent; never throws.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    handler.drain(1000);
    http.close();
    keepFresh.shutdownNow();
    for (HeldAccount h : held) {
      h.close();
    }
    if (platform != null) {
      platform.close();
    }
    if (jedis != null) {
      try {
        jedis.close();
      } catch (RuntimeException e) {
        log.debug("Closing the Redis client failed", e);
      }
    }
  }

  /** Returns the base URL. */
  @Override
  public String toString() {
    return "TokenServer{" + baseUrl() + '}';
  }
}

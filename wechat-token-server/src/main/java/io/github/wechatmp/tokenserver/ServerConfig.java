package io.github.wechatmp.tokenserver;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * A checked, immutable server configuration, as {@link ConfigLoader} reads it. Secrets it holds
 * (AppSecrets, the keystore password) never appear in {@link #toString()}, and API keys are held
 * only as their SHA-256.
 */
final class ServerConfig {
  /** The largest request body accepted; larger ones get 413. */
  static final int DEFAULT_MAX_BODY_BYTES = 4096;

  /**
   * The default least interval between honoured passive refreshes of one credential: at most 1440
   * fetches a day from reports, within the 2000 a day that {@code cgi-bin/token} allows.
   */
  static final int DEFAULT_REJECTED_MIN_INTERVAL_SECONDS = 60;

  final InetSocketAddress listen;
  final boolean allowPlainHttpOnNonLoopback;

  /** Empty means every address may connect (the API key is still required). */
  final List<Cidr> allow;

  final Tls tls;
  final Store store;
  final List<Account> accounts;
  final List<Client> clients;
  final int maxBodyBytes;

  /** How many requests are answered at once (others wait, whole, for their turn). */
  final int threads;

  /** The connection limits and timeouts. */
  final Limits limits;

  /** The least time between two honoured passive refreshes of one credential. */
  final int rejectedMinIntervalSeconds;

  /** The third-party platform whose authorizers' tokens are served; null for none. */
  final Platform platform;

  ServerConfig(
      InetSocketAddress listen,
      boolean allowPlainHttpOnNonLoopback,
      List<Cidr> allow,
      Tls tls,
      Store store,
      List<Account> accounts,
      List<Client> clients,
      int maxBodyBytes,
      int threads,
      int rejectedMinIntervalSeconds,
      Limits limits,
      Platform platform) {
    this.listen = listen;
    this.allowPlainHttpOnNonLoopback = allowPlainHttpOnNonLoopback;
    this.allow = List.copyOf(allow);
    this.tls = tls;
    this.store = store;
    this.accounts = List.copyOf(accounts);
    this.clients = List.copyOf(clients);
    this.maxBodyBytes = maxBodyBytes;
    this.threads = threads;
    this.rejectedMinIntervalSeconds = rejectedMinIntervalSeconds;
    this.limits = limits;
    this.platform = platform;
  }

  @Override
  public String toString() {
    return "ServerConfig{listen="
        + listen
        + ", tls="
        + (tls != null)
        + ", store="
        + store
        + ", accounts="
        + accounts.size()
        + ", clients="
        + clients.size()
        + (platform != null ? ", platform=" + platform : "")
        + '}';
  }

  /**
   * A third-party platform (开放平台) whose authorized accounts' access tokens the server serves, on
   * {@code OpenPlatform}. Its secret, message token and key never appear in {@link #toString()}.
   */
  static final class Platform {
    /** Where the platform's authorization-event URL is served when {@link #receiveEvents} is on. */
    static final String EVENTS_PATH = "/v1/platform/events";

    static final int DEFAULT_AUTHORIZATION_CHECK_SECONDS = 5;

    final String componentAppId;
    final String componentAppSecret;
    final String token;
    final String encodingAesKey;

    /** Null for WeChat's own. */
    final String apiBaseUrl;

    final Authorizations authorizations;

    /** Whether {@link #EVENTS_PATH} answers WeChat's ticket and authorization pushes. */
    final boolean receiveEvents;

    /**
     * How long an authorizer's state, read from the authorization store, is taken as current before
     * it is read again (and kept, through a store outage, until it can be).
     */
    final long authorizationCheckMillis;

    Platform(
        String componentAppId,
        String componentAppSecret,
        String token,
        String encodingAesKey,
        String apiBaseUrl,
        Authorizations authorizations,
        boolean receiveEvents,
        long authorizationCheckMillis) {
      this.componentAppId = componentAppId;
      this.componentAppSecret = componentAppSecret;
      this.token = token;
      this.encodingAesKey = encodingAesKey;
      this.apiBaseUrl = apiBaseUrl;
      this.authorizations = authorizations;
      this.receiveEvents = receiveEvents;
      this.authorizationCheckMillis = authorizationCheckMillis;
    }

    @Override
    public String toString() {
      return "Platform{"
          + componentAppId
          + ", authorizations: "
          + authorizations
          + (receiveEvents ? ", events at " + EVENTS_PATH : "")
          + '}';
    }
  }

  /** Where the platform's authorizations (with their refresh tokens) are kept. */
  static final class Authorizations {
    enum Type {
      FILE,
      JDBC
    }

    final Type type;
    final Path directory;
    final String jdbcUrl;

    /** Null when the URL (or the driver's defaults) says who connects. */
    final String user;

    /** Null for none. */
    final String password;

    final String table;

    Authorizations(
        Type type, Path directory, String jdbcUrl, String user, String password, String table) {
      this.type = type;
      this.directory = directory;
      this.jdbcUrl = jdbcUrl;
      this.user = user;
      this.password = password;
      this.table = table;
    }

    /** The URL up to its parameters, which may carry a password. */
    @Override
    public String toString() {
      if (type == Type.FILE) {
        return "file " + directory;
      }
      int q = jdbcUrl.indexOf('?');
      int semi = jdbcUrl.indexOf(';'); // SQL Server's and H2's parameters
      int cut = q < 0 ? semi : semi < 0 ? q : Math.min(q, semi);
      String shown = (cut < 0 ? jdbcUrl : jdbcUrl.substring(0, cut)).replaceAll("//[^/@]*@", "//");
      return "jdbc " + shown + (user != null ? " as " + user : "") + ", table " + table;
    }
  }

  /** A WeChat account whose credentials the server holds. */
  static final class Account {
    final String appId;
    final String appSecret;
    final boolean stableToken;
    final boolean jsapiTicket;
    final String apiBaseUrl;

    Account(
        String appId,
        String appSecret,
        boolean stableToken,
        boolean jsapiTicket,
        String apiBaseUrl) {
      this.appId = appId;
      this.appSecret = appSecret;
      this.stableToken = stableToken;
      this.jsapiTicket = jsapiTicket;
      this.apiBaseUrl = apiBaseUrl;
    }

    @Override
    public String toString() {
      return "Account{" + appId + (stableToken ? ", stable" : "") + '}';
    }
  }

  /** A client of the server: the SHA-256 of its API key and the accounts it may read. */
  static final class Client {
    final String name;
    final byte[] keySha256;

    /** The AppIDs it may read; {@code *} in the configuration is every account. */
    final Set<String> accounts;

    final boolean allAccounts;

    Client(String name, byte[] keySha256, Set<String> accounts, boolean allAccounts) {
      this.name = name;
      this.keySha256 = keySha256.clone();
      this.accounts = Set.copyOf(accounts);
      this.allAccounts = allAccounts;
    }

    boolean mayRead(String appId) {
      return allAccounts || accounts.contains(appId);
    }

    @Override
    public String toString() {
      return "Client{" + name + '}';
    }
  }

  /**
   * What a connection may hold, and for how long: so that connections sending part of a request and
   * stalling cost the server nothing but themselves (issue 21, item 12).
   */
  static final class Limits {
    static final int DEFAULT_MAX_CONNECTIONS = 2048;
    static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 128;
    static final int DEFAULT_REQUEST_TIMEOUT_SECONDS = 10;
    static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 30;

    /** Connections open at once, from everywhere. */
    final int maxConnections;

    /** Connections open at once from one client address. */
    final int maxConnectionsPerAddress;

    /**
     * How long a TLS handshake, and a request's head and body, may take from their first byte; and
     * how long a new connection may wait before sending its first request.
     */
    final int requestTimeoutMillis;

    /** How long a kept-alive connection may wait for its next request. */
    final int idleTimeoutMillis;

    Limits(
        int maxConnections,
        int maxConnectionsPerAddress,
        int requestTimeoutMillis,
        int idleTimeoutMillis) {
      this.maxConnections = maxConnections;
      this.maxConnectionsPerAddress = maxConnectionsPerAddress;
      this.requestTimeoutMillis = requestTimeoutMillis;
      this.idleTimeoutMillis = idleTimeoutMillis;
    }

    static Limits defaults() {
      return new Limits(
          DEFAULT_MAX_CONNECTIONS,
          DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
          DEFAULT_REQUEST_TIMEOUT_SECONDS * 1000,
          DEFAULT_IDLE_TIMEOUT_SECONDS * 1000);
    }
  }

  /** Where tokens are kept: this process's memory, a file, or Redis. */
  static final class Store {
    enum Type {
      MEMORY,
      FILE,
      REDIS
    }

    final Type type;
    final Path file;
    final String redisUrl;
    final String keyPrefix;

    /**
     * PEM certificates of the CAs a {@code rediss://} server's certificate must chain to; null for
     * the JDK's.
     */
    final Path caFile;

    Store(Type type, Path file, String redisUrl, String keyPrefix) {
      this(type, file, redisUrl, keyPrefix, null);
    }

    Store(Type type, Path file, String redisUrl, String keyPrefix, Path caFile) {
      this.type = type;
      this.file = file;
      this.redisUrl = redisUrl;
      this.keyPrefix = keyPrefix;
      this.caFile = caFile;
    }

    @Override
    public String toString() {
      switch (type) {
        case FILE:
          return "file " + file;
        case REDIS:
          return "redis " + RedisUrls.withoutCredentials(redisUrl);
        default:
          return "memory";
      }
    }
  }

  /** The keystore HTTPS is served with. */
  static final class Tls {
    final Path keystore;
    final String type;
    final char[] password;

    Tls(Path keystore, String type, char[] password) {
      this.keystore = keystore;
      this.type = type;
      this.password = password.clone();
    }
  }
}

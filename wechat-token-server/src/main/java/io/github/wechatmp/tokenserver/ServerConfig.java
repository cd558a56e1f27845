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
      Limits limits) {
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
        + '}';
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

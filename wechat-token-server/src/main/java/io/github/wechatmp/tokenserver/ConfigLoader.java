package io.github.wechatmp.tokenserver;

import io.github.wechatmp.open.Authorization;
import io.github.wechatmp.open.JdbcAuthorizationStore;
import io.github.wechatmp.open.OpenPlatform;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.TokenKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads the server's YAML configuration, strictly: an unknown setting, a value of the wrong type, a
 * missing environment variable, or a contradiction is a {@link ConfigException} naming the setting,
 * so that a typo never starts a server that does something else. A string value of the form {@code
 * ${NAME}} is replaced by the environment variable {@code NAME} (the way to give secrets). Not
 * thread-safe; one loader reads one configuration.
 */
final class ConfigLoader {
  static final int DEFAULT_PORT = 8700;
  static final int MIN_KEY_LENGTH = 16;

  private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
  private static final Pattern HEX_64 = Pattern.compile("[0-9a-fA-F]{64}");

  /** Keys whose digests are refused: sample and default values, guessed first. */
  private static final List<String> WEAK_KEYS =
      List.of(
          "",
          "test",
          "testing",
          "password",
          "secret",
          "changeme",
          "admin",
          "key",
          "apikey",
          "token",
          "123456",
          "12345678",
          "example");

  private static final Pattern CLIENT_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private final Function<String, String> env;
  private final List<String> warnings = new ArrayList<>();

  ConfigLoader(Function<String, String> env) {
    this.env = env;
  }

  /** Warnings about a configuration that was accepted (an inline secret, say). */
  List<String> warnings() {
    return List.copyOf(warnings);
  }

  ServerConfig load(Path file) {
    String text;
    try {
      if (Files.size(file) > 1 << 20) {
        throw new ConfigException(file + ": larger than 1 MiB; this is not a configuration file");
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new ConfigException("cannot read the configuration file " + file + ": " + e);
    }
    return parse(text, file.toString());
  }

  ServerConfig parse(String yamlText, String source) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(10);
    options.setAllowRecursiveKeys(false);
    options.setCodePointLimit(1 << 20);
    Object root;
    try {
      root = new Yaml(new SafeConstructor(options)).load(yamlText);
    } catch (MarkedYAMLException e) {
      String problem = e.getProblem() == null ? "invalid YAML" : e.getProblem();
      throw new ConfigException(
          source
              + ": invalid YAML at line "
              + (e.getProblemMark() == null ? "?" : e.getProblemMark().getLine() + 1)
              + ": "
              + oneLine(problem));
    } catch (YAMLException e) {
      throw new ConfigException(
          source + ": invalid YAML: " + oneLine(String.valueOf(e.getMessage())));
    }
    if (root == null) {
      throw new ConfigException(source + ": the configuration is empty");
    }
    Node top = new Node("", root).map();
    top.allowOnly(
        "listen",
        "allow",
        "allowPlainHttpOnNonLoopback",
        "tls",
        "store",
        "accounts",
        "clients",
        "maxBodyBytes",
        "threads",
        "rejectedMinIntervalSeconds",
        "platform",
        "maxConnections",
        "maxConnectionsPerAddress",
        "requestTimeoutSeconds",
        "idleTimeoutSeconds");

    InetSocketAddress listen = listen(top.get("listen"));
    List<Cidr> allow = allow(top.get("allow"));
    boolean plainOk = top.get("allowPlainHttpOnNonLoopback").bool(false);
    ServerConfig.Tls tls = tls(top.get("tls"));
    ServerConfig.Store store = store(top.get("store"));
    ServerConfig.Platform platform = platform(top.get("platform"));
    List<ServerConfig.Account> accounts = accounts(top.get("accounts"), platform != null);
    if (platform != null) {
      for (ServerConfig.Account a : accounts) {
        if (a.appId.equals(platform.componentAppId)) {
          throw new ConfigException(
              "platform.componentAppId: "
                  + a.appId
                  + " is also among the accounts; a platform's AppID is not an official account's");
        }
      }
    }
    List<ServerConfig.Client> clients = clients(top.get("clients"), accounts, platform);
    int maxBody = top.get("maxBodyBytes").integer(ServerConfig.DEFAULT_MAX_BODY_BYTES, 256, 65536);
    int threads =
        top.get("threads")
            .integer(Math.max(8, 4 * Runtime.getRuntime().availableProcessors()), 1, 1024);

    int rejectedInterval =
        top.get("rejectedMinIntervalSeconds")
            .integer(ServerConfig.DEFAULT_REJECTED_MIN_INTERVAL_SECONDS, 0, 3600);
    int maxConnections =
        top.get("maxConnections")
            .integer(ServerConfig.Limits.DEFAULT_MAX_CONNECTIONS, 1, 1_000_000);
    int perAddress =
        top.get("maxConnectionsPerAddress")
            .integer(
                Math.min(maxConnections, ServerConfig.Limits.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS),
                1,
                maxConnections);
    int requestTimeout =
        top.get("requestTimeoutSeconds")
            .integer(ServerConfig.Limits.DEFAULT_REQUEST_TIMEOUT_SECONDS, 1, 300);
    int idleTimeout =
        top.get("idleTimeoutSeconds")
            .integer(ServerConfig.Limits.DEFAULT_IDLE_TIMEOUT_SECONDS, 1, 3600);
    ServerConfig.Limits limits =
        new ServerConfig.Limits(
            maxConnections, perAddress, requestTimeout * 1000, idleTimeout * 1000);
    if (tls == null && !listen.getAddress().isLoopbackAddress() && !plainOk) {
      throw new ConfigException(
          "listen: "
              + listen.getAddress().getHostAddress()
              + " is not a loopback address, and plain HTTP would carry API keys and tokens in the "
              + "clear: configure tls, or set allowPlainHttpOnNonLoopback: true (behind a TLS proxy)");
    }
    return new ServerConfig(
        listen,
        plainOk,
        allow,
        tls,
        store,
        accounts,
        clients,
        maxBody,
        threads,
        rejectedInterval,
        limits,
        platform);
  }

  private static InetSocketAddress listen(Node n) {
    if (n.missing()) {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), DEFAULT_PORT);
    }
    n.map().allowOnly("address", "port");
    String address = n.get("address").string("127.0.0.1");
    int port = n.get("port").integer(DEFAULT_PORT, 0, 65535);
    if (!Pattern.matches("[0-9.]+|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*|localhost", address)) {
      throw new ConfigException(
          n.path + ".address: '" + address + "' must be an IP address (or localhost)");
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(address), port);
    } catch (UnknownHostException e) {
      throw new ConfigException(n.path + ".address: '" + address + "' is not an IP address");
    }
  }

  private static List<Cidr> allow(Node n) {
    List<Cidr> out = new ArrayList<>();
    if (n.missing()) {
      return out;
    }
    List<Node> items = n.value instanceof String ? List.of(n) : n.list();
    if (items.isEmpty()) {
      throw new ConfigException(
          n.path
              + ": an empty allow list would refuse everyone; leave it out to allow every address");
    }
    for (Node item : items) {
      String s = item.string(null);
      if (s.equalsIgnoreCase("loopback")) {
        out.add(Cidr.IPV4_LOOPBACK);
        out.add(Cidr.IPV6_LOOPBACK);
        continue;
      }
      try {
        out.add(Cidr.parse(s));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(item.path + ": " + e.getMessage());
      }
    }
    return out;
  }

  private ServerConfig.Tls tls(Node n) {
    if (n.missing()) {
      return null;
    }
    n.map().allowOnly("keystore", "password", "type");
    Path keystore = Paths.get(n.get("keystore").string(null));
    if (!Files.isReadable(keystore)) {
      throw new ConfigException(n.path + ".keystore: cannot read " + keystore);
    }
    String password =
        secret(
            n.get("password"),
            "the keystore password",
            "refer to an environment variable instead, such as ${KEYSTORE_PASSWORD}");
    String type = n.get("type").string("PKCS12");
    return new ServerConfig.Tls(keystore, type, password.toCharArray());
  }

  private ServerConfig.Store store(Node n) {
    if (n.missing()) {
      return new ServerConfig.Store(ServerConfig.Store.Type.MEMORY, null, null, null);
    }
    n.map();
    String type = n.get("type").string(null).toLowerCase(Locale.ROOT);
    switch (type) {
      case "memory":
        n.allowOnly("type");
        return new ServerConfig.Store(ServerConfig.Store.Type.MEMORY, null, null, null);
      case "file":
        n.allowOnly("type", "path");
        {
          Path p = Paths.get(n.get("path").string(null));
          Path dir = p.toAbsolutePath().getParent();
          if (dir == null || !Files.isDirectory(dir)) {
            throw new ConfigException(n.path + ".path: the directory of " + p + " does not exist");
          }
          return new ServerConfig.Store(ServerConfig.Store.Type.FILE, p, null, null);
        }
      case "redis":
        n.allowOnly("type", "url", "keyPrefix", "caFile");
        {
          Node urlNode = n.get("url");
          String url = resolve(urlNode, urlNode.string(null));
          try {
            RedisUrls.parse(url);
          } catch (IllegalArgumentException e) {
            throw new ConfigException(urlNode.path + ": " + e.getMessage());
          }
          String prefix = n.get("keyPrefix").optionalString();
          if (prefix != null && (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0)) {
            throw new ConfigException(n.path + ".keyPrefix: must not hold '{' or '}'");
          }
          Node caNode = n.get("caFile");
          Path caFile = null;
          if (!caNode.missing()) {
            if (!url.strip().startsWith("rediss://")) {
              throw new ConfigException(
                  caNode.path + ": applies to a rediss:// (TLS) URL only; the url is not one");
            }
            caFile = Paths.get(caNode.string(null));
            try {
              RedisUrls.trusting(caFile);
            } catch (IllegalArgumentException e) {
              throw new ConfigException(caNode.path + ": " + e.getMessage());
            }
          }
          return new ServerConfig.Store(ServerConfig.Store.Type.REDIS, null, url, prefix, caFile);
        }
      default:
        throw new ConfigException(
            n.path + ".type: '" + type + "' is not one of memory, file, redis");
    }
  }

  private List<ServerConfig.Account> accounts(Node n, boolean platform) {
    if (n.missing()) {
      if (platform) {
        return List.of(); // the platform's authorizers are the accounts
      }
      throw new ConfigException(
          "accounts: at least one account is required (or a platform section)");
    }
    List<ServerConfig.Account> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Node a : n.list()) {
      a.map().allowOnly("appId", "appSecret", "stableToken", "jsapiTicket", "apiBaseUrl");
      String appId = a.get("appId").string(null);
      try {
        TokenKey.of(appId, TokenKey.ACCESS_TOKEN);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(a.path + ".appId: " + e.getMessage());
      }
      if (!seen.add(appId)) {
        throw new ConfigException(a.path + ".appId: " + appId + " is listed twice");
      }
      String secret =
          secret(
              a.get("appSecret"),
              "the AppSecret of " + appId,
              "refer to an environment variable instead, such as ${WECHAT_SECRET}");
      boolean stable = a.get("stableToken").bool(false);
      boolean ticket = a.get("jsapiTicket").bool(true);
      Node baseNode = a.get("apiBaseUrl");
      String base = baseNode.missing() ? null : resolve(baseNode, baseNode.string(null));
      if (base != null) {
        try {
          AccessTokenProvider.builder().apiBaseUrl(base);
        } catch (IllegalArgumentException e) {
          throw new ConfigException(a.path + ".apiBaseUrl: " + e.getMessage());
        }
      }
      out.add(new ServerConfig.Account(appId, secret, stable, ticket, base));
    }
    if (out.isEmpty()) {
      throw new ConfigException(n.path + ": at least one account is required");
    }
    return out;
  }

  private List<ServerConfig.Client> clients(
      Node n, List<ServerConfig.Account> accounts, ServerConfig.Platform platform) {
    if (n.missing()) {
      throw new ConfigException(
          "clients: at least one client with an API key is required; nobody could read a token");
    }
    Set<String> known = new HashSet<>();
    for (ServerConfig.Account a : accounts) {
      known.add(a.appId);
    }
    List<ServerConfig.Client> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<String> digests = new HashSet<>();
    for (Node c : n.list()) {
      c.map().allowOnly("name", "key", "keySha256", "accounts");
      String name = c.get("name").string(null);
      if (!CLIENT_NAME.matcher(name).matches()) {
        throw new ConfigException(c.path + ".name: must be 1 to 64 characters of [A-Za-z0-9_.-]");
      }
      if (!names.add(name)) {
        throw new ConfigException(c.path + ".name: " + name + " is listed twice");
      }
      Node keyNode = c.get("key");
      Node hashNode = c.get("keySha256");
      byte[] digest;
      if (keyNode.missing() == hashNode.missing()) {
        throw new ConfigException(
            c.path + ": give exactly one of key (as ${ENV_VAR}) or keySha256 (64 hex digits)");
      }
      if (!keyNode.missing()) {
        String key =
            secret(
                keyNode,
                "the API key of client " + name,
                "give keySha256 instead (the key's SHA-256, printed by --hash-key), or refer to an "
                    + "environment variable, such as ${"
                    + envName(name)
                    + "_KEY}");
        if (key.length() < MIN_KEY_LENGTH) {
          throw new ConfigException(
              keyNode.path
                  + ": an API key needs at least "
                  + MIN_KEY_LENGTH
                  + " characters (make one with: openssl rand -hex 32)");
        }
        digest = sha256(key);
      } else {
        String hex = resolve(hashNode, hashNode.string(null));
        if (!HEX_64.matcher(hex).matches()) {
          throw new ConfigException(hashNode.path + ": must be the 64 hex digits of a SHA-256");
        }
        digest = hexToBytes(hex);
        for (String weak : WEAK_KEYS) {
          if (java.security.MessageDigest.isEqual(digest, sha256(weak))) {
            // An earlier sample configuration held the digest of "test": copied, it granted that
            // key every account.
            throw new ConfigException(
                hashNode.path
                    + ": is the SHA-256 of a well-known word, which anyone could send; make a key "
                    + "with openssl rand -hex 32 and give its --hash-key digest");
          }
        }
      }
      if (!digests.add(new String(hexOf(digest)))) {
        throw new ConfigException(c.path + ": client " + name + " has the same key as another");
      }
      Node accountsNode = c.get("accounts");
      Set<String> allowed = new LinkedHashSet<>();
      boolean all = false;
      List<Node> items =
          accountsNode.value instanceof String ? List.of(accountsNode) : accountsNode.list();
      for (Node item : items) {
        String appId = item.string(null);
        if (appId.equals("*")) {
          all = true;
        } else if (platform != null && !known.contains(appId)) {
          // An authorizer of the platform: which accounts authorized it is the authorization
          // store's to say, at run time; only the form is checked here.
          try {
            Authorization.checkAppId(appId);
          } catch (IllegalArgumentException e) {
            throw new ConfigException(item.path + ": " + e.getMessage());
          }
          allowed.add(appId);
        } else if (!known.contains(appId)) {
          throw new ConfigException(item.path + ": " + appId + " is not among the accounts");
        } else {
          allowed.add(appId);
        }
      }
      if (!all && allowed.isEmpty()) {
        throw new ConfigException(accountsNode.path + ": the client may read no account");
      }
      out.add(new ServerConfig.Client(name, digest, allowed, all));
    }
    if (out.isEmpty()) {
      throw new ConfigException(n.path + ": at least one client is required");
    }
    return out;
  }

  private static final Pattern AES_KEY = Pattern.compile("[A-Za-z0-9+/]{43}");

  private ServerConfig.Platform platform(Node n) {
    if (n.missing()) {
      return null;
    }
    n.map()
        .allowOnly(
            "componentAppId",
            "componentAppSecret",
            "token",
            "encodingAesKey",
            "apiBaseUrl",
            "authorizations",
            "receiveEvents",
            "authorizationCheckSeconds");
    Node idNode = n.get("componentAppId");
    String appId = resolve(idNode, idNode.string(null));
    try {
      Authorization.checkAppId(appId);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(idNode.path + ": " + e.getMessage());
    }
    String secret =
        secret(
            n.get("componentAppSecret"),
            "the platform's AppSecret",
            "refer to an environment variable instead, such as ${WECHAT_COMPONENT_SECRET}");
    String token =
        secret(
            n.get("token"),
            "the platform's message token",
            "refer to an environment variable instead, such as ${WECHAT_COMPONENT_TOKEN}");
    Node keyNode = n.get("encodingAesKey");
    String key =
        secret(
            keyNode,
            "the platform's EncodingAESKey",
            "refer to an environment variable instead, such as ${WECHAT_COMPONENT_AES_KEY}");
    if (!AES_KEY.matcher(key).matches()) {
      throw new ConfigException(
          keyNode.path
              + ": an EncodingAESKey is 43 characters of [A-Za-z0-9+/] (this one has "
              + key.length()
              + ")");
    }
    Node baseNode = n.get("apiBaseUrl");
    String base = baseNode.missing() ? null : resolve(baseNode, baseNode.string(null));
    if (base != null) {
      try {
        OpenPlatform.builder().apiBaseUrl(base);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(baseNode.path + ": " + e.getMessage());
      }
    }
    ServerConfig.Authorizations authorizations = authorizations(n.get("authorizations"));
    boolean events = n.get("receiveEvents").bool(false);
    int check =
        n.get("authorizationCheckSeconds")
            .integer(ServerConfig.Platform.DEFAULT_AUTHORIZATION_CHECK_SECONDS, 0, 3600);
    return new ServerConfig.Platform(
        appId, secret, token, key, base, authorizations, events, check * 1000L);
  }

  private ServerConfig.Authorizations authorizations(Node n) {
    if (n.missing()) {
      throw new ConfigException(
          n.path
              + ": is required: where the authorizations and their refresh tokens are kept, "
              + "{type: jdbc, url: ..., user: ..., password: ...} or {type: file, path: ...}");
    }
    n.map();
    String type = n.get("type").string(null).toLowerCase(Locale.ROOT);
    switch (type) {
      case "file":
        {
          n.allowOnly("type", "path");
          Node pathNode = n.get("path");
          Path dir = Paths.get(resolve(pathNode, pathNode.string(null)));
          Path parent = dir.toAbsolutePath().getParent();
          if (parent == null || !Files.isDirectory(parent)) {
            throw new ConfigException(
                pathNode.path + ": the directory that would hold " + dir + " does not exist");
          }
          return new ServerConfig.Authorizations(
              ServerConfig.Authorizations.Type.FILE, dir, null, null, null, null);
        }
      case "jdbc":
        {
          n.allowOnly("type", "url", "user", "password", "table");
          Node urlNode = n.get("url");
          String url = resolve(urlNode, urlNode.string(null));
          if (!url.startsWith("jdbc:")) {
            throw new ConfigException(
                urlNode.path + ": must be a JDBC URL, such as jdbc:postgresql://host:5432/db");
          }
          Node userNode = n.get("user");
          String user = userNode.missing() ? null : resolve(userNode, userNode.string(null));
          Node passwordNode = n.get("password");
          String password =
              passwordNode.missing()
                  ? null
                  : secret(
                      passwordNode,
                      "the database password",
                      "refer to an environment variable instead, such as ${WECHAT_DB_PASSWORD}");
          Node tableNode = n.get("table");
          String table = tableNode.string(JdbcAuthorizationStore.DEFAULT_TABLE);
          if (!Pattern.matches("[A-Za-z_][A-Za-z0-9_]{0,62}", table)) {
            throw new ConfigException(
                tableNode.path
                    + ": must be a plain SQL identifier ([A-Za-z_][A-Za-z0-9_]{0,62}), not '"
                    + table
                    + "'");
          }
          return new ServerConfig.Authorizations(
              ServerConfig.Authorizations.Type.JDBC, null, url, user, password, table);
        }
      default:
        throw new ConfigException(n.path + ".type: '" + type + "' is not one of jdbc, file");
    }
  }

  /**
   * A secret setting: from {@code ${ENV}} preferably; an inline value is accepted with a warning.
   */
  private String secret(Node n, String what, String instead) {
    String raw = n.string(null);
    String value = resolve(n, raw);
    if (value.isBlank()) {
      throw new ConfigException(n.path + ": " + what + " is empty");
    }
    if (!ENV_REF.matcher(raw.strip()).matches()) {
      warnings.add(n.path + ": " + what + " is written in the configuration file; " + instead);
    }
    return value;
  }

  /**
   * A client's name as an environment variable's: {@code php-frontend} gives {@code PHP_FRONTEND}.
   */
  private static String envName(String clientName) {
    return clientName.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
  }

  /** Replaces a whole-value {@code ${NAME}} with the environment variable. */
  private String resolve(Node n, String raw) {
    Matcher m = ENV_REF.matcher(raw.strip());
    if (!m.matches()) {
      if (raw.contains("${")) {
        throw new ConfigException(
            n.path
                + ": a reference to an environment variable must be the whole value, as ${NAME}");
      }
      return raw;
    }
    String value = env.apply(m.group(1));
    if (value == null) {
      throw new ConfigException(
          n.path + ": the environment variable " + m.group(1) + " is not set");
    }
    return value.strip();
  }

  static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  static char[] hexOf(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = Character.forDigit((bytes[i] >> 4) & 0xf, 16);
      out[2 * i + 1] = Character.forDigit(bytes[i] & 0xf, 16);
    }
    return out;
  }

  private static byte[] hexToBytes(String hex) {
    byte[] out = new byte[hex.length() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
    }
    return out;
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\s+", " ").strip();
  }

  /** A value of the parsed YAML and where it is, for messages such as {@code accounts[1].appId}. */
  private static final class Node {
    final String path;
    final Object value;

    Node(String path, Object value) {
      this.path = path;
      this.value = value;
    }

    boolean missing() {
      return value == null;
    }

    Node map() {
      if (!(value instanceof Map)) {
        throw new ConfigException(
            (path.isEmpty() ? "the configuration" : path) + ": must be a mapping of settings");
      }
      return this;
    }

    @SuppressWarnings("unchecked") // SafeConstructor makes Map<Object, Object>
    private Map<Object, Object> asMap() {
      return (Map<Object, Object>) value;
    }

    void allowOnly(String... names) {
      Set<String> allowed = Set.of(names);
      for (Object k : asMap().keySet()) {
        if (!(k instanceof String) || !allowed.contains(k)) {
          throw new ConfigException(
              (path.isEmpty() ? "" : path + ".")
                  + k
                  + ": unknown setting (known here: "
                  + String.join(", ", names)
                  + ")");
        }
      }
    }

    Node get(String name) {
      return new Node(path.isEmpty() ? name : path + "." + name, asMap().get(name));
    }

    List<Node> list() {
      if (!(value instanceof List)) {
        throw new ConfigException(path + ": must be a list");
      }
      List<?> l = (List<?>) value;
      List<Node> out = new ArrayList<>(l.size());
      for (int i = 0; i < l.size(); i++) {
        out.add(new Node(path + "[" + i + "]", l.get(i)));
      }
      return out;
    }

    String string(String dflt) {
      if (value == null) {
        if (dflt == null) {
          throw new ConfigException(path + ": is required");
        }
        return dflt;
      }
      if (!(value instanceof String)) {
        throw new ConfigException(path + ": must be a string (quote it)");
      }
      String s = ((String) value).strip();
      if (s.isEmpty()) {
        throw new ConfigException(path + ": must not be empty");
      }
      return s;
    }

    String optionalString() {
      return value == null ? null : string(null);
    }

    boolean bool(boolean dflt) {
      if (value == null) {
        return dflt;
      }
      if (!(value instanceof Boolean)) {
        throw new ConfigException(path + ": must be true or false");
      }
      return (Boolean) value;
    }

    int integer(int dflt, int min, int max) {
      if (value == null) {
        return dflt;
      }
      if (!(value instanceof Integer) || (Integer) value < min || (Integer) value > max) {
        throw new ConfigException(path + ": must be a whole number from " + min + " to " + max);
      }
      return (Integer) value;
    }
  }
}

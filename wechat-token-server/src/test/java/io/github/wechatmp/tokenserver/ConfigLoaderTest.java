package io.github.wechatmp.tokenserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final String SECRET = "app-secret-from-the-environment-42";
  private static final String KEY = "client-key-from-the-environment-42";
  private static final Map<String, String> ENV =
      Map.of("WX_SECRET", SECRET, "CLIENT_KEY", KEY, "SHORT_KEY", "short");

  private static final String ACCOUNTS =
      "accounts:\n  - appId: wx0123456789abcdef\n    appSecret: ${WX_SECRET}\n";
  private static final String CLIENTS =
      "clients:\n  - name: app\n    key: ${CLIENT_KEY}\n    accounts: [wx0123456789abcdef]\n";

  private static ServerConfig parse(String yaml) {
    return new ConfigLoader(ENV::get).parse(yaml, "tokens.yml");
  }

  private static String refused(String yaml) {
    ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml));
    String m = e.getMessage();
    assertFalse(m.contains("\n"), "one line: " + m);
    assertFalse(m.contains(SECRET) || m.contains(KEY), "no secret in: " + m);
    return m;
  }

  @Test
  void aMinimalConfigurationListensOnLoopbackWithTheMemoryStore() {
    ServerConfig c = parse(ACCOUNTS + CLIENTS);
    assertTrue(c.listen.getAddress().isLoopbackAddress());
    assertEquals(ConfigLoader.DEFAULT_PORT, c.listen.getPort());
    assertEquals(ServerConfig.Store.Type.MEMORY, c.store.type);
    assertEquals(SECRET, c.accounts.get(0).appSecret);
    assertTrue(c.allow.isEmpty());
    assertFalse(c.toString().contains(SECRET));
  }

  @Test
  void everySettingIsRead() {
    ServerConfig c =
        parse(
            "listen: {address: 0.0.0.0, port: 9000}\n"
                + "allowPlainHttpOnNonLoopback: true\n"
                + "allow: [loopback, 10.0.0.0/8]\n"
                + "store: {type: redis, url: 'redis://:pw@redis.internal:6380/2', keyPrefix: 'app:'}\n"
                + "maxBodyBytes: 1024\n"
                + "threads: 4\n"
                + "rejectedMinIntervalSeconds: 0\n"
                + ACCOUNTS
                + "    stableToken: true\n    jsapiTicket: false\n"
                + CLIENTS);
    assertEquals(9000, c.listen.getPort());
    assertEquals(3, c.allow.size());
    assertEquals(ServerConfig.Store.Type.REDIS, c.store.type);
    assertEquals("redis redis://redis.internal:6380/2", c.store.toString(), "no password");
    assertTrue(c.accounts.get(0).stableToken);
    assertFalse(c.accounts.get(0).jsapiTicket);
    assertEquals(1024, c.maxBodyBytes);
    assertEquals(4, c.threads);
    assertEquals(0, c.rejectedMinIntervalSeconds);
    assertEquals(
        ServerConfig.DEFAULT_REJECTED_MIN_INTERVAL_SECONDS,
        parse(ACCOUNTS + CLIENTS).rejectedMinIntervalSeconds);
  }

  @Test
  void anInlineSecretIsAcceptedWithAWarningThatDoesNotRepeatIt() {
    ConfigLoader loader = new ConfigLoader(ENV::get);
    loader.parse(ACCOUNTS.replace("${WX_SECRET}", "inline-secret-0123456789") + CLIENTS, "t");
    List<String> w = loader.warnings();
    assertEquals(1, w.size());
    assertTrue(w.get(0).startsWith("accounts[0].appSecret"), w.get(0));
    assertFalse(w.get(0).contains("inline-secret-0123456789"));
  }

  @Test
  void everyBadConfigurationIsRefusedWithOneLineNamingTheSetting() {
    Map<String, String> cases = new HashMap<>();
    cases.put("", "empty");
    cases.put("- a list\n", "must be a mapping");
    cases.put("accounts: [\n", "invalid YAML");
    cases.put(CLIENTS, "accounts: at least one account");
    cases.put(ACCOUNTS, "clients: at least one client");
    cases.put(ACCOUNTS + CLIENTS + "lisen: {port: 1}\n", "lisen: unknown setting");
    cases.put(ACCOUNTS + CLIENTS + "listen: {port: 70000}\n", "listen.port: must be a whole");
    cases.put(ACCOUNTS + CLIENTS + "listen: {address: example.com}\n", "listen.address");
    cases.put(
        ACCOUNTS + CLIENTS + "listen: {address: 0.0.0.0}\n",
        "listen: 0.0.0.0 is not a loopback address");
    cases.put(ACCOUNTS + CLIENTS + "allow: [10.0.0.0/33]\n", "allow[0]: '10.0.0.0/33'");
    cases.put(ACCOUNTS + CLIENTS + "allow: [intranet]\n", "allow[0]: 'intranet'");
    cases.put(ACCOUNTS + CLIENTS + "allow: []\n", "allow: an empty allow list");
    cases.put(ACCOUNTS + CLIENTS + "store: {type: disk}\n", "store.type: 'disk'");
    cases.put(ACCOUNTS + CLIENTS + "store: {type: redis}\n", "store.url: is required");
    cases.put(
        ACCOUNTS + CLIENTS + "store: {type: redis, url: 'http://x'}\n", "store.url: must start");
    cases.put(
        ACCOUNTS + CLIENTS + "store: {type: file, path: /no/such/dir/tokens.json}\n", "store.path");
    cases.put(ACCOUNTS + CLIENTS + "store: {type: memory, url: x}\n", "store.url: unknown");
    cases.put(ACCOUNTS + CLIENTS + "tls: {keystore: /no/such.p12, password: x}\n", "tls.keystore");
    cases.put(ACCOUNTS + CLIENTS + "maxBodyBytes: big\n", "maxBodyBytes: must be a whole");
    cases.put(
        "accounts:\n  - appId: 'wx 1'\n    appSecret: ${WX_SECRET}\n" + CLIENTS,
        "accounts[0].appId");
    cases.put(
        "accounts:\n  - appId: wx0123456789abcdef\n" + CLIENTS,
        "accounts[0].appSecret: is required");
    cases.put(
        ACCOUNTS.replace("${WX_SECRET}", "${NOT_SET}") + CLIENTS,
        "accounts[0].appSecret: the environment variable NOT_SET is not set");
    cases.put(
        ACCOUNTS.replace("${WX_SECRET}", "prefix-${WX_SECRET}") + CLIENTS,
        "must be the whole value");
    cases.put(ACCOUNTS + "    stableToken: yes please\n" + CLIENTS, "stableToken: must be true");
    cases.put(ACCOUNTS + "    apiBaseUrl: 'http://example.com/'\n" + CLIENTS, "apiBaseUrl");
    cases.put(ACCOUNTS + ACCOUNTS.substring("accounts:\n".length()) + CLIENTS, "listed twice");
    cases.put(ACCOUNTS + CLIENTS.replace("${CLIENT_KEY}", "${SHORT_KEY}"), "at least 16");
    cases.put(
        ACCOUNTS + CLIENTS.replace("key: ${CLIENT_KEY}", "keySha256: abc"), "keySha256: must be");
    cases.put(ACCOUNTS + CLIENTS.replace("    key: ${CLIENT_KEY}\n", ""), "exactly one of key");
    cases.put(
        ACCOUNTS + CLIENTS.replace("[wx0123456789abcdef]", "[wxother]"),
        "clients[0].accounts[0]: wxother is not among");
    cases.put(
        ACCOUNTS + CLIENTS + CLIENTS.substring("clients:\n".length()).replace("app", "app2"),
        "same key as another");
    cases.put(ACCOUNTS + CLIENTS.replace("name: app", "name: 'a b'"), "clients[0].name");
    cases.put(ACCOUNTS + CLIENTS + "threads: 0\n", "threads: must be");
    cases.put(
        ACCOUNTS + CLIENTS + "rejectedMinIntervalSeconds: -1\n", "rejectedMinIntervalSeconds");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      String m = refused(c.getKey());
      assertTrue(m.contains(c.getValue()), "expected '" + c.getValue() + "' in: " + m);
    }
  }

  @Test
  void theCommandLineExitsWithStatus2AndOneLineOnABadConfiguration(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("tokens.yml");
    Files.writeString(file, ACCOUNTS.replace("${WX_SECRET}", "${MISSING}") + CLIENTS);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        TokenServer.run(
            new String[] {"--config", file.toString()},
            ENV::get,
            new ByteArrayInputStream(new byte[0]),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(TokenServer.EXIT_CONFIG, status);
    String text = err.toString(StandardCharsets.UTF_8);
    assertEquals(1, text.strip().split("\n").length, text);
    assertTrue(text.contains("MISSING is not set"), text);

    assertEquals(
        TokenServer.EXIT_CONFIG,
        TokenServer.run(
            new String[] {},
            name -> null,
            new ByteArrayInputStream(new byte[0]),
            System.out,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
  }

  @Test
  void aTakenPortStopsTheStartWithOneLineNamingTheAddressAndPort(@TempDir Path dir)
      throws IOException {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      Path file = dir.resolve("tokens.yml");
      Files.writeString(
          file, "listen: {address: 127.0.0.1, port: " + port + "}\n" + ACCOUNTS + CLIENTS);
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int status =
          TokenServer.run(
              new String[] {"--config", file.toString()},
              ENV::get,
              new ByteArrayInputStream(new byte[0]),
              new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
              new PrintStream(err, true, StandardCharsets.UTF_8));
      assertEquals(TokenServer.EXIT_START, status);
      String text = err.toString(StandardCharsets.UTF_8).strip();
      assertEquals(1, text.split("\n").length, text);
      assertTrue(text.contains("127.0.0.1 port " + port), text);
      assertTrue(text.contains("in use"), text);
    }
  }

  @Test
  void anInlineApiKeyIsWarnedAboutWithAdviceForKeysNotTheAppSecretsVariable() {
    ConfigLoader loader = new ConfigLoader(ENV::get);
    loader.parse(ACCOUNTS + CLIENTS.replace("${CLIENT_KEY}", "inline-key-0123456789abcdef"), "t");
    List<String> w = loader.warnings();
    assertEquals(1, w.size(), w.toString());
    assertTrue(w.get(0).startsWith("clients[0].key"), w.get(0));
    assertFalse(w.get(0).contains("WECHAT_SECRET"), w.get(0));
    assertTrue(w.get(0).contains("keySha256") && w.get(0).contains("${APP_KEY}"), w.get(0));
    assertFalse(w.get(0).contains("inline-key-0123456789abcdef"));
  }

  @Test
  void theDigestOfAWellKnownWordSuchAsTheOldSamplesTestIsRefused() {
    String test = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    String m = refused(ACCOUNTS + CLIENTS.replace("key: ${CLIENT_KEY}", "keySha256: " + test));
    assertTrue(m.startsWith("clients[0].keySha256: "), m);
    assertTrue(m.contains("openssl rand -hex 32"), m);
  }

  @Test
  void hashKeyPrintsTheSha256ToPutInKeySha256() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int status =
        TokenServer.run(
            new String[] {"--hash-key"},
            ENV::get,
            new ByteArrayInputStream((KEY + "\n").getBytes(StandardCharsets.UTF_8)),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            System.err);
    assertEquals(0, status);
    String hex = out.toString(StandardCharsets.UTF_8).strip();
    ServerConfig c = parse(ACCOUNTS + CLIENTS.replace("key: ${CLIENT_KEY}", "keySha256: " + hex));
    assertTrue(new ApiKeys(c.clients).authenticate("Bearer " + KEY) != null);
    assertTrue(new ApiKeys(c.clients).authenticate("bearer " + KEY) != null);
    assertTrue(new ApiKeys(c.clients).authenticate("Bearer " + KEY + "0") == null);
  }

  @Test
  void cidrRangesMatchTheirAddressesOnly() throws IOException {
    Cidr ten = Cidr.parse("10.0.0.0/8");
    assertTrue(ten.contains(java.net.InetAddress.getByName("10.255.1.2")));
    assertFalse(ten.contains(java.net.InetAddress.getByName("11.0.0.1")));
    assertTrue(ten.contains(java.net.InetAddress.getByName("::ffff:10.1.1.1")));
    Cidr v6 = Cidr.parse("fd00::/8");
    assertTrue(v6.contains(java.net.InetAddress.getByName("fd12::1")));
    assertFalse(v6.contains(java.net.InetAddress.getByName("10.1.1.1")));
    assertTrue(Cidr.parse("192.168.1.7").contains(java.net.InetAddress.getByName("192.168.1.7")));
    assertFalse(Cidr.parse("192.168.1.7").contains(java.net.InetAddress.getByName("192.168.1.8")));
    assertTrue(Cidr.parse("0.0.0.0/0").contains(java.net.InetAddress.getByName("8.8.8.8")));
  }
}

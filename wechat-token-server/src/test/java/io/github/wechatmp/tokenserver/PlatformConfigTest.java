package io.github.wechatmp.tokenserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The platform section of the configuration: every setting read, every mistake named. */
class PlatformConfigTest {
  private static final String SECRET = "component-secret-from-the-environment";
  private static final String MESSAGE_TOKEN = "message-token-from-the-environment";
  private static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  private static final String DB_PASSWORD = "db-password-from-the-environment";
  private static final String KEY = "client-key-from-the-environment-42";
  private static final Map<String, String> ENV =
      Map.of(
          "COMPONENT_SECRET", SECRET,
          "COMPONENT_TOKEN", MESSAGE_TOKEN,
          "COMPONENT_AES_KEY", AES_KEY,
          "DB_URL", "jdbc:postgresql://db.internal:5432/tokens?password=" + DB_PASSWORD,
          "DB_USER", "tokens",
          "DB_PASSWORD", DB_PASSWORD,
          "CLIENT_KEY", KEY);

  @TempDir Path dir;

  private String platform(String authorizations, String extra) {
    return "platform:\n"
        + "  componentAppId: wxcomponent000001\n"
        + "  componentAppSecret: ${COMPONENT_SECRET}\n"
        + "  token: ${COMPONENT_TOKEN}\n"
        + "  encodingAesKey: ${COMPONENT_AES_KEY}\n"
        + "  authorizations: "
        + authorizations
        + "\n"
        + extra;
  }

  private String files() {
    return "{type: file, path: '" + dir.resolve("authorizations") + "'}";
  }

  private static final String CLIENTS =
      "clients:\n  - name: app\n    key: ${CLIENT_KEY}\n    accounts: [wxmerchant0000001]\n";

  private static ServerConfig parse(String yaml) {
    return new ConfigLoader(ENV::get).parse(yaml, "tokens.yml");
  }

  private static String refused(String yaml) {
    ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml));
    String m = e.getMessage();
    assertFalse(m.contains("\n"), "one line: " + m);
    for (String secret : List.of(SECRET, MESSAGE_TOKEN, AES_KEY, DB_PASSWORD, KEY)) {
      assertFalse(m.contains(secret), "no secret in: " + m);
    }
    return m;
  }

  /** The platform section with {@code setting} replaced by {@code line} (or left out). */
  private String with(String setting, String line) {
    StringBuilder out = new StringBuilder();
    for (String l : platform(files(), "").split("\n")) {
      out.append(l.strip().startsWith(setting + ":") ? line : l).append('\n');
    }
    return out.toString().replace("\n\n", "\n") + CLIENTS;
  }

  @Test
  void aPlatformAloneIsAConfigurationAndEverySettingIsRead() {
    ServerConfig c =
        parse(
            platform(
                    "{type: jdbc, url: '${DB_URL}', user: '${DB_USER}', password: '${DB_PASSWORD}',"
                        + " table: platform_auth}",
                    "  apiBaseUrl: http://127.0.0.1:9000/\n"
                        + "  receiveEvents: true\n"
                        + "  authorizationCheckSeconds: 30\n")
                + CLIENTS);
    ServerConfig.Platform p = c.platform;
    assertTrue(c.accounts.isEmpty());
    assertEquals("wxcomponent000001", p.componentAppId);
    assertEquals(SECRET, p.componentAppSecret);
    assertEquals(MESSAGE_TOKEN, p.token);
    assertEquals(AES_KEY, p.encodingAesKey);
    assertEquals("http://127.0.0.1:9000/", p.apiBaseUrl);
    assertTrue(p.receiveEvents);
    assertEquals(30_000, p.authorizationCheckMillis);
    assertEquals(ServerConfig.Authorizations.Type.JDBC, p.authorizations.type);
    assertEquals("tokens", p.authorizations.user);
    assertEquals(DB_PASSWORD, p.authorizations.password);
    assertEquals("platform_auth", p.authorizations.table);
    assertEquals(
        "jdbc jdbc:postgresql://db.internal:5432/tokens as tokens, table platform_auth",
        p.authorizations.toString());
    for (String secret : List.of(SECRET, MESSAGE_TOKEN, AES_KEY, DB_PASSWORD)) {
      assertFalse(c.toString().contains(secret), c.toString());
    }
    assertEquals(Set.of("wxmerchant0000001"), c.clients.get(0).accounts);
  }

  @Test
  void theDefaultsAreNoEventURLAFiveSecondCheckAndTheDefaultTable() {
    ServerConfig.Platform p =
        parse(platform("{type: jdbc, url: 'jdbc:postgresql://db/tokens'}", "") + CLIENTS).platform;
    assertFalse(p.receiveEvents);
    assertEquals(5_000, p.authorizationCheckMillis);
    assertNull(p.apiBaseUrl);
    assertNull(p.authorizations.user);
    assertNull(p.authorizations.password);
    assertEquals("wechat_open_authorization", p.authorizations.table);
    ServerConfig.Platform f = parse(platform(files(), "") + CLIENTS).platform;
    assertEquals(dir.resolve("authorizations"), f.authorizations.directory);
  }

  @Test
  void everyPlatformSettingIsRequiredOrCheckedByName() {
    assertTrue(
        refused(with("componentAppId", "")).startsWith("platform.componentAppId: is required"));
    assertTrue(
        refused(with("componentAppId", "  componentAppId: 'wx component'"))
            .startsWith("platform.componentAppId: "));
    assertTrue(
        refused(with("componentAppSecret", ""))
            .startsWith("platform.componentAppSecret: is required"));
    assertTrue(
        refused(with("componentAppSecret", "  componentAppSecret: ${UNSET}"))
            .contains("the environment variable UNSET is not set"));
    assertTrue(refused(with("token", "")).startsWith("platform.token: is required"));
    assertTrue(
        refused(with("encodingAesKey", "")).startsWith("platform.encodingAesKey: is required"));
    String shortKey = refused(with("encodingAesKey", "  encodingAesKey: '${COMPONENT_TOKEN}'"));
    assertTrue(shortKey.startsWith("platform.encodingAesKey: an EncodingAESKey is 43"), shortKey);
    assertTrue(
        refused(with("authorizations", "")).startsWith("platform.authorizations: is required"));
    assertTrue(
        refused(with("authorizations", "  authorizations: {type: redis}"))
            .startsWith("platform.authorizations.type: 'redis' is not one of jdbc, file"));
    assertTrue(
        refused(with("authorizations", "  authorizations: {type: jdbc, url: 'postgres://db/x'}"))
            .startsWith("platform.authorizations.url: must be a JDBC URL"));
    assertTrue(
        refused(with("authorizations", "  authorizations: {type: jdbc}"))
            .startsWith("platform.authorizations.url: is required"));
    assertTrue(
        refused(
                with(
                    "authorizations",
                    "  authorizations: {type: jdbc, url: 'jdbc:h2:mem:x', table: 'a; DROP'}"))
            .startsWith("platform.authorizations.table: must be a plain SQL identifier"));
    assertTrue(
        refused(
                with(
                    "authorizations",
                    "  authorizations: {type: jdbc, url: 'jdbc:h2:mem:x', user: x, pasword: y}"))
            .startsWith("platform.authorizations.pasword: unknown setting"));
    assertTrue(
        refused(
                with(
                    "authorizations",
                    "  authorizations: {type: file, path: '" + dir.resolve("no/such/dir") + "'}"))
            .startsWith("platform.authorizations.path: the directory that would hold"));
    assertTrue(
        refused(platform(files(), "  apiBaseUrl: ftp://example.com/\n") + CLIENTS)
            .startsWith("platform.apiBaseUrl: "));
    assertTrue(
        refused(platform(files(), "  receiveEvents: yes please\n") + CLIENTS)
            .startsWith("platform.receiveEvents: must be true or false"));
    assertTrue(
        refused(platform(files(), "  authorizationCheckSeconds: 3601\n") + CLIENTS)
            .startsWith("platform.authorizationCheckSeconds: must be a whole number from 0"));
    assertTrue(
        refused(platform(files(), "  componentSecret: x\n") + CLIENTS)
            .startsWith("platform.componentSecret: unknown setting"));
    assertTrue(
        refused("platform: wxcomponent\n" + CLIENTS).startsWith("platform: must be a mapping"));
  }

  @Test
  void aPlatformsAppIdMayNotAlsoBeAnAccount() {
    String m =
        refused(
            platform(files(), "")
                + "accounts:\n  - appId: wxcomponent000001\n    appSecret: ${COMPONENT_SECRET}\n"
                + CLIENTS);
    assertTrue(m.startsWith("platform.componentAppId: wxcomponent000001 is also among"), m);
  }

  @Test
  void withoutAPlatformAClientMayNameOnlyTheAccountsAndWithOneAnyWellFormedAppId() {
    String accounts =
        "accounts:\n  - appId: wx0123456789abcdef\n    appSecret: ${COMPONENT_SECRET}\n";
    assertTrue(refused(accounts + CLIENTS).contains("wxmerchant0000001 is not among the accounts"));
    assertTrue(
        refused("clients:\n  - name: app\n    key: ${CLIENT_KEY}\n    accounts: '*'\n")
            .startsWith("accounts: at least one account is required (or a platform section)"));
    String malformed =
        refused(
            platform(files(), "")
                + "clients:\n  - name: app\n    key: ${CLIENT_KEY}\n    accounts: ['wx/../x']\n");
    assertTrue(malformed.startsWith("clients[0].accounts[0]: an authorizer AppID"), malformed);
  }

  @Test
  void inlinePlatformSecretsAreAcceptedWithAWarningNamingTheSetting() {
    ConfigLoader loader = new ConfigLoader(ENV::get);
    loader.parse(
        "platform:\n"
            + "  componentAppId: wxcomponent000001\n"
            + "  componentAppSecret: inline-secret-0123456789\n"
            + "  token: inline-token\n"
            + "  encodingAesKey: "
            + AES_KEY
            + "\n"
            + "  authorizations: {type: jdbc, url: 'jdbc:postgresql://db/x', password: inline-pw}\n"
            + CLIENTS,
        "tokens.yml");
    String warnings = String.join("\n", loader.warnings());
    for (String setting :
        List.of(
            "platform.componentAppSecret",
            "platform.token",
            "platform.encodingAesKey",
            "platform.authorizations.password")) {
      assertTrue(warnings.contains(setting + ": "), warnings);
    }
    assertFalse(warnings.contains("inline-secret-0123456789") || warnings.contains("inline-pw"));
  }

  @Test
  void anAuthorizationDirectoryOthersMayWriteStopsTheStartNamingTheSetting() throws Exception {
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    ServerConfig c =
        parse(
            "listen: {address: 127.0.0.1, port: 0}\n"
                + platform("{type: file, path: '" + shared + "'}", "")
                + CLIENTS);
    ConfigException e =
        assertThrows(ConfigException.class, () -> TokenServer.start(c, Clock.systemUTC(), 0));
    assertTrue(e.getMessage().startsWith("platform.authorizations.path: "), e.getMessage());
    assertTrue(e.getMessage().contains("make it 0700"), e.getMessage());
  }

  @Test
  void aJdbcUrlNoDriverOnTheClassPathAcceptsStopsTheStartWithExitStatus2() {
    ServerConfig c =
        parse(
            "listen: {address: 127.0.0.1, port: 0}\n"
                + platform("{type: jdbc, url: 'jdbc:nosuchdatabase://db/x'}", "")
                + CLIENTS);
    ConfigException e =
        assertThrows(ConfigException.class, () -> TokenServer.start(c, Clock.systemUTC(), 0));
    assertTrue(
        e.getMessage()
            .startsWith(
                "platform.authorizations.url: no JDBC driver on the class path accepts"
                    + " jdbc:nosuchdatabase URLs"),
        e.getMessage());

    Map<String, String> env = new HashMap<>(ENV);
    env.put(
        "WECHAT_TOKEN_SERVER_CONFIG_YAML",
        "listen: {address: 127.0.0.1, port: 0}\n"
            + platform("{type: jdbc, url: 'jdbc:nosuchdatabase://db/x'}", "")
            + CLIENTS);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        TokenServer.run(
            new String[0],
            env::get,
            new ByteArrayInputStream(new byte[0]),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(TokenServer.EXIT_CONFIG, status);
    assertTrue(
        err.toString(StandardCharsets.UTF_8)
            .contains("configuration error: platform.authorizations.url: no JDBC driver"),
        err.toString(StandardCharsets.UTF_8));
  }
}

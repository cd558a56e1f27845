package io.github.wechatmp.tokenserver;

import static io.github.wechatmp.tokenserver.Fixture.APP_A;
import static io.github.wechatmp.tokenserver.Fixture.KEY_ALL;
import static io.github.wechatmp.tokenserver.Fixture.field;
import static io.github.wechatmp.tokenserver.Fixture.get;
import static io.github.wechatmp.tokenserver.Fixture.tokenPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.MutableClock;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.Key;
import java.security.KeyStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.embedded.RedisServer;

/**
 * Issue 21, item 13: over {@code rediss://} the Redis server's certificate must name the host the
 * URL names. A real {@code redis-server} (the embedded-redis binary, built with TLS) presents a
 * certificate from a CA the server trusts, issued for {@code redis.other.example} and 127.0.0.1:
 * reached as 127.0.0.1 it is the store; reached as {@code localhost} it is an impostor, and its
 * token is never served.
 */
class RedisTlsTest {
  private static final String PASSWORD = "test-store-pass-0123456789";

  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T08:00:00Z"));
  private final List<AutoCloseable> closeLater = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeLater.size() - 1; i >= 0; i--) {
      closeLater.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closing(T c) {
    closeLater.add(c);
    return c;
  }

  private static void keytool(Path dir, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
  }

  /** A CA (ca.pem) and, signed by it, redis.pem and redis.key for {@code san}. */
  private static void certificates(Path dir, String san) throws Exception {
    String[] ec = {"-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2"};
    String[] store = {"-storetype", "PKCS12", "-storepass", PASSWORD};
    keytool(
        dir,
        concat(
            new String[] {
              "-genkeypair",
              "-alias",
              "ca",
              "-dname",
              "CN=Test Redis CA",
              "-ext",
              "bc:c",
              "-keystore",
              "ca.p12"
            },
            ec,
            store));
    keytool(
        dir,
        concat(
            new String[] {
              "-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-file", "ca.pem"
            },
            store));
    keytool(
        dir,
        concat(
            new String[] {
              "-genkeypair",
              "-alias",
              "redis",
              "-dname",
              "CN=redis.other.example",
              "-keystore",
              "redis.p12"
            },
            ec,
            store));
    keytool(
        dir,
        concat(
            new String[] {
              "-certreq", "-alias", "redis", "-keystore", "redis.p12", "-file", "redis.csr"
            },
            store));
    keytool(
        dir,
        concat(
            new String[] {
              "-gencert",
              "-rfc",
              "-alias",
              "ca",
              "-keystore",
              "ca.p12",
              "-infile",
              "redis.csr",
              "-outfile",
              "redis.pem",
              "-ext",
              "SAN=" + san,
              "-validity",
              "2"
            },
            store));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(dir.resolve("redis.p12"))) {
      ks.load(in, PASSWORD.toCharArray());
    }
    Key key = ks.getKey("redis", PASSWORD.toCharArray());
    Files.writeString(
        dir.resolve("redis.key"),
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
  }

  private static String[] concat(String[]... parts) {
    List<String> all = new ArrayList<>();
    for (String[] p : parts) {
      all.addAll(List.of(p));
    }
    return all.toArray(new String[0]);
  }

  /** A real redis-server speaking only TLS, with redis.pem; returns its port. */
  private int redisWithTls(Path dir) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    RedisServer server =
        RedisServer.newRedisServer()
            .bind("127.0.0.1")
            .port(0) // no plain-text port
            .setting("tls-port " + port)
            .setting("tls-cert-file " + dir.resolve("redis.pem"))
            .setting("tls-key-file " + dir.resolve("redis.key"))
            .setting("tls-ca-cert-file " + dir.resolve("ca.pem"))
            .setting("tls-auth-clients no")
            .setting("save \"\"")
            .setting("appendonly no")
            .build();
    server.start();
    closeLater.add(server::stop);
    return port;
  }

  @Test
  void aRedisWhoseCertificateNamesAnotherHostIsRefusedAndItsTokenNeverServed(@TempDir Path dir)
      throws Exception {
    certificates(dir, "dns:redis.other.example,ip:127.0.0.1");
    int port = redisWithTls(dir);
    Path ca = dir.resolve("ca.pem");

    // The certificate names 127.0.0.1: the store works, and holds the token.
    WeChatStandIn wechat = closing(Fixture.wechat());
    String store = "{type: redis, url: 'rediss://%s:" + port + "', caFile: '" + ca + "'}";
    TokenServer good =
        closing(Fixture.start(Fixture.yaml(wechat, String.format(store, "127.0.0.1")), clock));
    HttpResponse<String> r = get(good, tokenPath(APP_A), KEY_ALL);
    assertEquals(200, r.statusCode(), r.body());
    String planted = field(r.body(), "access_token");
    good.close();

    // Reached as localhost, the same server is not the one the URL names.
    try (JedisPooled jedis = RedisUrls.client("rediss://localhost:" + port, ca)) {
      JedisConnectionException e = assertThrows(JedisConnectionException.class, jedis::ping);
      Throwable handshake = e;
      while (handshake != null && !(handshake instanceof SSLHandshakeException)) {
        handshake = handshake.getCause();
      }
      assertNotNull(handshake, "a handshake failure, not " + e);
    }
    TokenServer impostor =
        closing(Fixture.start(Fixture.yaml(wechat, String.format(store, "localhost")), clock));
    // Nothing is read from the refused store: the token served is one WeChat issued for this
    // request, fetched without the store (RefreshPolicy.storeOutageFetchInterval), never the
    // planted one.
    HttpResponse<String> served = get(impostor, tokenPath(APP_A), KEY_ALL);
    assertEquals(200, served.statusCode(), served.body());
    assertFalse(served.body().contains(planted), served.body());
    assertEquals(2, Fixture.tokenFetches(wechat));
  }

  @Test
  void aCaFileThatHoldsNoCertificateIsAConfigurationError(@TempDir Path dir) throws IOException {
    WeChatStandIn wechat = closing(Fixture.wechat());
    Path empty = Files.writeString(dir.resolve("empty.pem"), "not a certificate\n");
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                Fixture.parse(
                    Fixture.yaml(
                        wechat,
                        "{type: redis, url: 'rediss://127.0.0.1:1', caFile: '" + empty + "'}")));
    assertTrue(e.getMessage().startsWith("store.caFile: "), e.getMessage());
    ConfigException plain =
        assertThrows(
            ConfigException.class,
            () ->
                Fixture.parse(
                    Fixture.yaml(
                        wechat,
                        "{type: redis, url: 'redis://127.0.0.1:1', caFile: '" + empty + "'}")));
    assertTrue(plain.getMessage().contains("rediss://"), plain.getMessage());
  }
}

package io.github.wechatmp.tokenserver;

import static io.github.wechatmp.tokenserver.Fixture.APP_A;
import static io.github.wechatmp.tokenserver.Fixture.KEY_ALL;
import static io.github.wechatmp.tokenserver.Fixture.field;
import static io.github.wechatmp.tokenserver.Fixture.tokenPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.MutableClock;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS from a keystore, and a wrong keystore password refused at start-up. */
class TlsTest {
  static final String PASSWORD = "keystore-pass-0123456789";

  static Path keystore(Path dir) throws Exception {
    Path ks = dir.resolve("server.p12");
    Path keytool = Paths.get(System.getProperty("java.home"), "bin", "keytool");
    Process p =
        new ProcessBuilder(
                keytool.toString(),
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                ks.toString(),
                "-storepass",
                PASSWORD)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    return ks;
  }

  @Test
  void aServerWithAKeystoreServesHttpsOnly(@TempDir Path dir) throws Exception {
    Path ks = keystore(dir);
    Map<String, String> env = new HashMap<>(Fixture.ENV);
    env.put("KS_PASSWORD", PASSWORD);
    try (WeChatStandIn wechat = Fixture.wechat()) {
      String yaml =
          "tls: {keystore: '"
              + ks
              + "', password: '${KS_PASSWORD}'}\n"
              + Fixture.yaml(wechat, "{type: memory}");
      try (TokenServer server =
          TokenServer.start(
              new ConfigLoader(env::get).parse(yaml, "test"), new MutableClock(), 0)) {
        assertTrue(server.baseUrl().startsWith("https://"), server.baseUrl());
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
          trust.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        HttpClient https =
            HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r =
            https.send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + tokenPath(APP_A)))
                    .header("Authorization", "Bearer " + KEY_ALL)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(Fixture.currentToken(wechat), field(r.body(), "access_token"));

        // Plain HTTP to the TLS port gets no answer.
        String plain = server.baseUrl().replace("https://", "http://");
        assertThrows(
            java.io.IOException.class,
            () ->
                Fixture.HTTP.send(
                    HttpRequest.newBuilder(URI.create(plain + tokenPath(APP_A)))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                    HttpResponse.BodyHandlers.ofString()));
      }

      env.put("KS_PASSWORD", "not-the-password");
      ServerConfig wrong = new ConfigLoader(env::get).parse(yaml, "test");
      ConfigException e =
          assertThrows(
              ConfigException.class, () -> TokenServer.start(wrong, new MutableClock(), 0));
      assertTrue(e.getMessage().startsWith("tls.keystore: cannot load"), e.getMessage());
      assertTrue(!e.getMessage().contains("not-the-password"));
    }
  }
}

package io.github.wechatmp.compat.modulepath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.embedded.RedisServer;

/**
 * Runs each compat/module-path-* application, which the build compiled as a named module, on the
 * module path in a child JVM against a stand-in WeChat and a real Redis: one token fetched, the
 * secret never printed.
 */
class ModulePathTest {
  private static final String APP_ID = "wx0123456789abcdef";
  private static final String SECRET = "module-path-secret-0123456789";

  private final AtomicInteger tokenRequests = new AtomicInteger();
  private HttpServer wechat;
  private RedisServer redis;
  private int redisPort;

  @BeforeEach
  void start() throws IOException {
    wechat = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    wechat.createContext(
        "/cgi-bin/token",
        exchange -> {
          int n = tokenRequests.incrementAndGet();
          byte[] body =
              ("{\"access_token\":\"MODULE_PATH_TOKEN_" + n + "_abcdef\",\"expires_in\":7200}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    wechat.start();
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      redisPort = s.getLocalPort();
    }
    redis = RedisServer.newRedisServer().bind("127.0.0.1").port(redisPort).build();
    redis.start();
  }

  @AfterEach
  void stop() throws IOException {
    wechat.stop(0);
    redis.stop();
  }

  @Test
  void aModuleRequiringOnlyTheCoreRunsOnTheModulePath(@TempDir Path dir) throws Exception {
    run("app.core", dir);
  }

  @Test
  void aModuleRequiringOnlyTheFileStoreRunsOnTheModulePath(@TempDir Path dir) throws Exception {
    run("app.file", dir);
  }

  @Test
  void aModuleRequiringOnlyTheRedisStoreRunsOnTheModulePathOverRedis(@TempDir Path dir)
      throws Exception {
    run("app.redis", dir);
  }

  private void run(String module, Path dir) throws Exception {
    String modulePath =
        Files.readString(Path.of(System.getProperty("wechat.modulePathFile"))).strip();
    Path tokenFile = dir.resolve("tokens.json");
    Process child =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--module-path",
                    modulePath,
                    "-m",
                    module + "/" + module + ".Main",
                    "http://127.0.0.1:" + wechat.getAddress().getPort(),
                    APP_ID,
                    SECRET,
                    tokenFile.toString(),
                    Integer.toString(redisPort)))
            .redirectErrorStream(true)
            .start();
    assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the application finishes");
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, child.exitValue(), output);
    assertTrue(output.contains("token MODU****cdef"), output);
    assertEquals(1, tokenRequests.get(), "one fetch from WeChat");
    assertFalse(output.contains(SECRET), "the AppSecret is never printed");
    if (module.equals("app.redis")) {
      assertTrue(output.contains("stored true"), "the token was shared through Redis: " + output);
    }
    if (module.equals("app.file")) {
      assertTrue(Files.readString(tokenFile).contains(APP_ID), "the token file holds the account");
    }
  }
}

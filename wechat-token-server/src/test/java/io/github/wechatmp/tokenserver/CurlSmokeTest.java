package io.github.wechatmp.tokenserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.MutableClock;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs {@code src/test/shell/curl-smoke.sh} against a real server, when bash and curl exist. */
class CurlSmokeTest {
  private static final Path SCRIPT = Paths.get("src", "test", "shell", "curl-smoke.sh");

  private static boolean onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Paths.get(dir, program))) {
        return true;
      }
    }
    return false;
  }

  private static int runScript(TokenServer server, String key, StringBuilder output)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder("bash", SCRIPT.toString(), server.baseUrl(), Fixture.APP_A)
            .redirectErrorStream(true);
    pb.environment().put("TOKEN_SERVER_KEY", key);
    Process p = pb.start();
    output.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the script finished");
    return p.exitValue();
  }

  @Test
  void theCurlSmokeScriptPassesAgainstARunningServerAndFailsWithAWrongKey() throws Exception {
    assumeTrue(onPath("bash") && onPath("curl"), "bash and curl are needed");
    assertTrue(Files.isRegularFile(SCRIPT), SCRIPT.toAbsolutePath().toString());
    try (WeChatStandIn wechat = Fixture.wechat();
        // Kept fresh, as a deployed server is, so that every account is healthy.
        TokenServer server =
            TokenServer.start(
                Fixture.parse(Fixture.yaml(wechat, "{type: memory}")), new MutableClock(), 100)) {
      StringBuilder out = new StringBuilder();
      assertEquals(0, runScript(server, Fixture.KEY_ALL, out), out.toString());
      assertTrue(out.toString().contains("curl-smoke: OK"), out.toString());
      assertEquals(
          3,
          Fixture.tokenFetches(wechat),
          "one per account, and one for the token the script rejected");

      StringBuilder failed = new StringBuilder();
      assertNotEquals(0, runScript(server, "not-the-key-0123456789", failed));
      assertTrue(failed.toString().contains("FAILED"), failed.toString());
      assertTrue(!failed.toString().contains(Fixture.KEY_ALL));
    }
  }
}

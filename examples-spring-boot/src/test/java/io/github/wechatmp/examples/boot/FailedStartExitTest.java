package io.github.wechatmp.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21 item 7: in demo mode, a start that fails prints the report and the JVM ends, with a
 * non-zero status, instead of living on in the stand-in WeChat's threads.
 */
class FailedStartExitTest {

  @Test
  @Tag("slow") // starts a JVM
  void aBogusStoreTypeInDemoModeEndsTheJvmWithTheReportAndANonZeroStatus(@TempDir Path dir)
      throws Exception {
    Path out = dir.resolve("out.txt");
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                ExampleApplication.class.getName(),
                "--server.port=0")
            .redirectErrorStream(true)
            .redirectOutput(out.toFile());
    pb.environment().remove("WECHAT_APP_ID"); // demo mode
    pb.environment().put("WECHAT_MP_STORE_TYPE", "bogus");
    Process p = pb.start();
    try {
      boolean ended = p.waitFor(60, TimeUnit.SECONDS);
      String output = Files.readString(out, StandardCharsets.UTF_8);
      assertThat(ended)
          .as("the JVM ended after the failed start; its output:%n%s", output)
          .isTrue();
      assertThat(p.exitValue()).isNotZero();
      assertThat(output)
          .contains("Demo mode")
          .contains("wechat.mp.store.type is 'bogus', which is not a store type.");
    } finally {
      p.destroyForcibly();
    }
  }
}

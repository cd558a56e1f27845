package io.github.wechatmp.open.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 24: no AppSecret, {@code component_verify_ticket}, {@code component_access_token},
 * authorizer access or refresh token, {@code pre_auth_code}, authorization code, message token or
 * EncodingAESKey appears whole in any log line, at TRACE, or in any exception (message, {@code
 * toString()}, causes) or {@code toString()} seen in a whole platform run ({@link
 * SecrecySweepMain}, in a child JVM so that slf4j-simple starts at TRACE).
 */
@Tag("slow")
class SecrecySweepTest {
  @Test
  void noSecretTicketTokenCodeOrKeyAppearsWholeInAnyLogLineOrExceptionOfAWholePlatformRun()
      throws Exception {
    Path dir = Files.createDirectories(Paths.get("target", "secrecy-sweep")); // kept to read
    Path out = dir.resolve("secrets.txt");
    Path log = dir.resolve("log.txt");
    Process child =
        new ProcessBuilder(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xmx128m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=trace",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                SecrecySweepMain.class.getName())
            .redirectOutput(out.toFile())
            .redirectError(log.toFile())
            .start();
    assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the run ended");
    List<String> logged = Files.readAllLines(log);
    assertEquals(0, child.exitValue(), String.join("\n", logged));
    List<String> printed = Files.readAllLines(out);
    assertEquals("DONE", printed.get(printed.size() - 1), "the run finished");
    List<String> secrets = new ArrayList<>();
    for (String line : printed) {
      if (line.startsWith("SECRET ")) {
        secrets.add(line.substring(7));
      }
    }

    // The sweep sees what it must: TRACE on, the run's logs, failures and objects.
    String all = String.join("\n", logged);
    assertTrue(all.contains("TRACE io.github.wechatmp.open.it.SecrecySweepMain - TRACE is on"));
    assertTrue(all.contains("Fetched a new token"), "the engine's logs are captured");
    assertTrue(all.contains("61023"), "the refused refresh tokens are in the run");
    assertTrue(all.contains("NotAuthorizedException"), "the failures are in the run");
    assertTrue(all.contains("40125"), "the wrong secret is in the run");
    assertTrue(all.contains("SEEN PlatformProvider["), "the objects' toString() are in the run");
    assertTrue(secrets.size() >= 40, "the run's secrets are collected: " + secrets.size());

    List<String> leaks = new ArrayList<>();
    for (String line : logged) {
      for (String secret : secrets) {
        if (line.contains(secret)) {
          leaks.add(secret + " in: " + line);
        }
      }
    }
    assertEquals(List.of(), leaks);
  }
}

package io.github.wechatmp.tokenserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21, item 10: the set-up in docs/token-server-setup.md runs as written. The configuration
 * and the commands are taken from the page; the only changes are the two jars, replaced by the same
 * main classes on this test's class path (the jars are made after the tests), and port 8700,
 * replaced by a free one.
 */
@Tag("slow") // child JVMs
class DocumentedSetupTest {
  private static final String STAND_IN_JAR = "java -jar wechat-test/target/wechat-test.jar";
  private static final String SERVER_JAR =
      "java -jar wechat-token-server/target/wechat-token-server.jar";

  private static Path page() {
    for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path p = d.resolve("docs").resolve("token-server-setup.md");
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new AssertionError(
        "docs/token-server-setup.md was not found above the working directory");
  }

  /** The fenced block of {@code language} right after {@code marker}. */
  private static String block(String page, String marker, String language) {
    int at = page.indexOf(marker);
    assertTrue(at >= 0, "the page has no " + marker);
    Matcher m =
        Pattern.compile("\\G\\s*```" + language + "\\n(.*?)```", Pattern.DOTALL)
            .matcher(page)
            .region(at + marker.length(), page.length());
    assertTrue(m.find(), "no ```" + language + " block right after " + marker);
    return m.group(1);
  }

  private static boolean onPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Paths.get(dir, command))) {
        return true;
      }
    }
    return false;
  }

  private static List<String> all(String text, String regex) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile(regex).matcher(text);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  @Test
  void everyVariableTheConfigurationNamesIsSetByTheCommandsAndEveryUrlIsTheOneItServes()
      throws IOException {
    String page = Files.readString(page(), StandardCharsets.UTF_8);
    String yaml = block(page, "<!-- setup-config: tokens.yml -->", "yaml");
    String sh = block(page, "<!-- setup-commands -->", "sh");
    Set<String> exported = new LinkedHashSet<>(all(sh, "export ([A-Z_][A-Z0-9_]*)="));
    for (String name : all(yaml, "\\$\\{([A-Z_][A-Z0-9_]*)\\}")) {
      assertTrue(exported.contains(name), "${" + name + "} is never exported: " + exported);
    }
    assertTrue(yaml.contains("listen: {address: 127.0.0.1, port: 8700}"), yaml);
    for (String url : all(page, "(https?://[A-Za-z0-9.\\[\\]:-]+:8700)")) {
      assertEquals("http://127.0.0.1:8700", url, "a URL the sample configuration does not serve");
    }
    // No weak key: only generated keys, and no digest in the text.
    assertFalse(page.matches("(?s).*[0-9a-f]{64}.*"), "a key digest written in the page");
    new ConfigLoader(name -> exported.contains(name) ? stand(name) : null).parse(yaml, "page");
  }

  /** Values of the right form for the page's variables, to check the configuration loads. */
  private static String stand(String name) {
    switch (name) {
      case "WECHAT_API_BASE_URL":
        return "http://127.0.0.1:1/";
      case "PHP_FRONTEND_KEY_SHA256":
        return new String(ConfigLoader.hexOf(ConfigLoader.sha256("a-generated-key-0123456789")));
      default:
        return "a-value-of-the-variable-" + name;
    }
  }

  @Test
  void theDocumentedCommandsRunAsWrittenAgainstTheStandIn(@TempDir Path dir) throws Exception {
    assumeTrue(
        onPath("bash") && onPath("curl") && onPath("openssl") && onPath("sed"),
        "bash, curl, openssl and sed are needed");
    String page = Files.readString(page(), StandardCharsets.UTF_8);
    String yaml = block(page, "<!-- setup-config: tokens.yml -->", "yaml");
    String sh = block(page, "<!-- setup-commands -->", "sh");
    assertTrue(sh.contains(STAND_IN_JAR) && sh.contains(SERVER_JAR), sh);
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Files.writeString(dir.resolve("tokens.yml"), yaml.replace("8700", Integer.toString(port)));
    String script =
        "set -euo pipefail\n"
            + "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n"
            + sh.replace(
                    STAND_IN_JAR,
                    "\"$JAVA\" $JAVA_OPTS -cp \"$CP\" " + "io.github.wechatmp.test.StandInMain")
                .replace(
                    SERVER_JAR,
                    "\"$JAVA\" $JAVA_OPTS -cp \"$CP\" io.github.wechatmp.tokenserver.TokenServer")
                .replace("8700", Integer.toString(port));
    Files.writeString(dir.resolve("setup.sh"), script);
    ProcessBuilder pb =
        new ProcessBuilder("bash", "setup.sh").directory(dir.toFile()).redirectErrorStream(true);
    pb.environment()
        .put("JAVA", Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    pb.environment().put("JAVA_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx96m");
    pb.environment().put("CP", System.getProperty("java.class.path"));
    Process p = pb.start();
    Path log = dir.resolve("setup.log");
    Thread reader =
        new Thread(
            () -> {
              try {
                Files.write(log, p.getInputStream().readAllBytes());
              } catch (IOException e) {
                // the assertions below report what is missing
              }
            });
    reader.start();
    boolean finished = p.waitFor(120, TimeUnit.SECONDS);
    if (!finished) {
      // The script and the JVMs it started; nothing else.
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    reader.join(10_000);
    String out = Files.isRegularFile(log) ? Files.readString(log) : "";
    assertTrue(finished, "the commands did not finish: " + out);
    assertEquals(0, p.exitValue(), out);

    List<String> tokens = all(out, "\"access_token\":\"([^\"]+)\"");
    assertEquals(2, tokens.size(), "the read and the report's answer: " + out);
    assertNotEquals(tokens.get(0), tokens.get(1), "the reported token was replaced: " + out);
    assertEquals(
        1, all(out, "\"ticket\":\"([^\"]+)\"").size(), "the PHP key read the ticket: " + out);
    assertFalse(out.contains("\"error\""), out);
  }
}

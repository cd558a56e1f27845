package io.github.wechatmp.store.file;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running {@link ChildMain} with the test class path: lines it prints come back through
 * {@link #awaitLine}, lines sent go to its stdin, its stderr (its log) goes to a file. Always close
 * it (it is killed if still running).
 */
final class ChildJvm implements AutoCloseable {
  private static final String EOF = "\u0000EOF";

  private final Process process;
  private final Path stderr;
  private final Writer stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> seen = new ArrayList<>();
  private final String name;

  private ChildJvm(String name, Process process, Path stderr) {
    this.name = name;
    this.process = process;
    this.stderr = stderr;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // the child died; EOF below says so
              }
              lines.add(EOF);
            },
            "child-stdout-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  static ChildJvm start(Path logDir, String name, String... args) throws IOException {
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    List<String> command =
        new ArrayList<>(
            List.of(
                java.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xshare:auto",
                "-Xmx96m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=debug",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                ChildMain.class.getName()));
    command.addAll(List.of(args));
    Path stderr = logDir.resolve("child-" + name + ".log");
    Process p =
        new ProcessBuilder(command)
            .redirectError(stderr.toFile())
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
    return new ChildJvm(name, p, stderr);
  }

  /**
   * Returns the first line from now on that starts with {@code prefix}, waiting at most {@code
   * timeout}; fails, showing the child's output and log, if none comes.
   */
  String awaitLine(String prefix, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long remaining = deadline - System.nanoTime();
      String line = remaining > 0 ? lines.poll(remaining, TimeUnit.NANOSECONDS) : null;
      if (line == null) {
        throw new AssertionError(
            "child "
                + name
                + " printed no line starting with '"
                + prefix
                + "' within "
                + timeout.toMillis()
                + " ms"
                + diagnostics());
      }
      if (line.equals(EOF)) {
        lines.add(EOF);
        throw new AssertionError(
            "child " + name + " ended without printing '" + prefix + "'" + diagnostics());
      }
      seen.add(line);
      if (line.startsWith(prefix)) {
        return line;
      }
    }
  }

  /**
   * Returns the number in the last complete line {@code <prefix><number>} of the child's log, or
   * -1.
   */
  long lastNumberInLog(String prefix) {
    long last = -1;
    String log = log();
    // What follows the last newline may be a line cut short by a kill: "SAVED 51" of "SAVED 512".
    for (String line : log.substring(0, log.lastIndexOf('\n') + 1).split("\n")) {
      if (line.matches(java.util.regex.Pattern.quote(prefix) + "[0-9]+")) {
        last = Long.parseLong(line.substring(prefix.length()));
      }
    }
    return last;
  }

  void send(String line) throws IOException {
    stdin.write(line + "\n");
    stdin.flush();
  }

  /** Kills the child with SIGKILL and waits (bounded) until it is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      throw new AssertionError("child " + name + " did not die within 20 s of SIGKILL");
    }
  }

  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(
          "child " + name + " did not exit within " + timeout.toMillis() + " ms" + diagnostics());
    }
    return process.exitValue();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String log() {
    try {
      return Files.readString(stderr, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  String diagnostics() {
    String log = log();
    if (log.length() > 6000) {
      log = "..." + log.substring(log.length() - 6000);
    }
    int from = Math.max(0, seen.size() - 20);
    return "\n--- last stdout lines of "
        + name
        + ":\n"
        + String.join("\n", seen.subList(from, seen.size()))
        + "\n--- log of "
        + name
        + ":\n"
        + log;
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}

package io.github.wechatmp.soak;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link SoakWorker} child JVM with a small heap. Each start is one "life" with a call log of its
 * own ({@code <name>-<life>.log}); a worker killed and started again gets a new life, so that no
 * log line of a dead JVM can be confused with one of its successor. Its own stderr (the SDK's log
 * at INFO) goes to {@code <name>-<life>.stderr}.
 */
final class WorkerJvm implements AutoCloseable {
  final String name;
  final int life;
  final Path callLog;
  private final Process process;

  private WorkerJvm(String name, int life, Path callLog, Process process) {
    this.name = name;
    this.life = life;
    this.callLog = callLog;
    this.process = process;
  }

  static WorkerJvm start(
      Path dir,
      String name,
      int life,
      String storeKind,
      String storeWhere,
      String baseUrl,
      int threads,
      long paceMillis)
      throws IOException {
    Path callLog = dir.resolve(name + "-" + life + ".log");
    Path stderr = dir.resolve(name + "-" + life + ".stderr");
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    List<String> command =
        new ArrayList<>(
            List.of(
                java.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-Xmx64m",
                "-Xss512k",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Xshare:auto",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
                SoakWorker.class.getName(),
                storeKind,
                storeWhere,
                baseUrl,
                String.valueOf(threads),
                String.valueOf(paceMillis),
                callLog.toString()));
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(stderr.toFile())
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
    WorkerJvm w = new WorkerJvm(name, life, callLog, p);
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "soak-worker-reaper"));
    return w;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL, and waits (bounded) until it is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      throw new AssertionError(name + "-" + life + " did not die within 20 s of SIGKILL");
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }

  @Override
  public String toString() {
    return name + "-" + life + " (pid " + process.pid() + ")";
  }
}

package io.github.wechatmp.soak;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import redis.embedded.core.ExecutableProvider;

/**
 * A real {@code redis-server} (the binary the embedded-redis jar ships for this platform, as the
 * Redis store's own tests use) run as a child process of its own, so that the soak can do to it
 * what happens to a real one: SIGKILL and a restart on the same port with no data, SIGSTOP and
 * SIGCONT. Persistence is off, so a restart is always empty. Not thread-safe: the coordinator's
 * thread drives it. A shutdown hook kills it should the test JVM end first.
 */
final class RedisProcess implements AutoCloseable {
  private final File binary;
  private final int port;
  private final Path log;
  private Process process;
  private boolean stopped;

  RedisProcess(Path log) throws IOException {
    this.binary = ExecutableProvider.newJarResourceProvider().get();
    this.port = freePort();
    this.log = log;
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, "soak-redis-reaper"));
  }

  int port() {
    return port;
  }

  String address() {
    return "127.0.0.1:" + port;
  }

  long pid() {
    return process.pid();
  }

  /** Starts the server (empty) and waits until it answers PING. */
  synchronized void start() throws IOException, InterruptedException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("already running");
    }
    process =
        new ProcessBuilder(
                binary.getAbsolutePath(),
                "--port",
                String.valueOf(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    stopped = false;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!answersPing()) {
      if (!process.isAlive()) {
        throw new IOException("redis-server ended at start, exit " + process.exitValue());
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("redis-server did not answer PING within 20 s");
      }
      Thread.sleep(20);
    }
  }

  /** SIGKILL: the server dies at once, with whatever it held. */
  synchronized void kill() throws InterruptedException {
    if (stopped) {
      signal("CONT"); // a stopped process dies of SIGKILL too, but leave no doubt
    }
    process.destroyForcibly(); // SIGKILL on every Unix
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      throw new AssertionError("redis-server did not die within 20 s of SIGKILL");
    }
  }

  /** SIGSTOP: the server freezes; connections stay open and nothing is answered. */
  synchronized void freeze() {
    signal("STOP");
    stopped = true;
  }

  /** SIGCONT: the frozen server goes on, executing what it was sent meanwhile. */
  synchronized void thaw() {
    signal("CONT");
    stopped = false;
  }

  private void signal(String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new AssertionError("cannot run kill -" + name, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted sending SIG" + name, e);
    }
  }

  /** Whether the server answers PING within half a second. */
  boolean answersPing() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      s.setSoTimeout(500);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] reply = in.readNBytes(7);
      return new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n");
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public synchronized void close() {
    Process p = process;
    if (p != null && p.isAlive()) {
      if (stopped) {
        try {
          new ProcessBuilder(List.of("kill", "-CONT", String.valueOf(p.pid()))).start().waitFor();
        } catch (IOException | InterruptedException e) {
          // SIGKILL below ends it anyway
        }
      }
      p.destroyForcibly();
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}

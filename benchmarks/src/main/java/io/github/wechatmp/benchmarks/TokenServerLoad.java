package io.github.wechatmp.benchmarks;

import com.sun.net.httpserver.HttpServer;
import io.github.wechatmp.tokenserver.TokenServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A load generator for the token server's hot read ({@code GET v1/accounts/{appId}/access_token})
 * over loopback: N keep-alive connections on plain sockets, each a thread sending its next request
 * as soon as the answer is in (no pipelining), for a warm-up and then a measured interval; prints
 * requests a second and latency percentiles. Not a JMH benchmark: what is measured is a server
 * across a socket, with its own threads.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.wechatmp.benchmarks.TokenServerLoad \
 *     [--connections 32] [--warmup 5] [--seconds 15] [--url URL --app APPID --key KEY] [--bare]
 * </pre>
 *
 * Without {@code --url} it starts, in this JVM, a stand-in WeChat and a token server with the
 * memory store on a free loopback port (the server's own threads then share the machine with the
 * generator's, as they would on one host). The key may be given as {@code TOKEN_SERVER_KEY}. {@code
 * --bare} measures instead, the same way, a bare JDK {@code HttpServer} on a bounded pool answering
 * every request with a constant JSON token: the ceiling to quote the server's rate against,
 * measured beside it since the machine's load changes from run to run.
 */
public final class TokenServerLoad {
  private static final String SELF_KEY = "benchmark-key-0123456789abcdef";
  private static final String SELF_APP = "wx0123456789abcdef";

  private TokenServerLoad() {}

  public static void main(String[] args) throws Exception {
    // Before any HttpServer exists (the stand-in below is one): the JDK reads it once.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    int connections = 32;
    int warmupSeconds = 5;
    int seconds = 15;
    String url = null;
    String app = SELF_APP;
    String key = System.getenv("TOKEN_SERVER_KEY");
    boolean bare = false;
    for (int i = 0; i < args.length; i += 2) {
      if (args[i].equals("--bare")) {
        bare = true;
        i--;
        continue;
      }
      String v = args[i + 1];
      switch (args[i]) {
        case "--connections":
          connections = Integer.parseInt(v);
          break;
        case "--warmup":
          warmupSeconds = Integer.parseInt(v);
          break;
        case "--seconds":
          seconds = Integer.parseInt(v);
          break;
        case "--url":
          url = v;
          break;
        case "--app":
          app = v;
          break;
        case "--key":
          key = v;
          break;
        default:
          throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (bare) {
      url = startBare();
      key = SELF_KEY;
    } else if (url == null) {
      url = startSelfHosted();
      key = SELF_KEY;
    }
    if (key == null) {
      throw new IllegalArgumentException("give --key or TOKEN_SERVER_KEY");
    }
    URI base = URI.create(url);
    byte[] request =
        ("GET /v1/accounts/"
                + app
                + "/access_token HTTP/1.1\r\nHost: "
                + base.getHost()
                + ":"
                + base.getPort()
                + "\r\nAuthorization: Bearer "
                + key
                + "\r\nConnection: keep-alive\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);

    System.out.printf(
        "token server load: %s, %d connections, %d s warm-up, %d s measured, %s%n",
        url, connections, warmupSeconds, seconds, System.getProperty("java.version"));
    long measureFrom = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
    long measureTo = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
    List<Worker> workers = new ArrayList<>();
    CountDownLatch done = new CountDownLatch(connections);
    for (int c = 0; c < connections; c++) {
      Worker w = new Worker(base, request, measureFrom, measureTo, done);
      workers.add(w);
      Thread t = new Thread(w, "load-" + c);
      t.setDaemon(true);
      t.start();
    }
    done.await();
    long total = 0;
    int errors = 0;
    long[] merged = new long[Worker.BUCKETS];
    for (Worker w : workers) {
      total += w.count;
      errors += w.errors;
      for (int i = 0; i < merged.length; i++) {
        merged[i] += w.histogram[i];
      }
    }
    System.out.printf(
        "requests: %d in %d s = %.0f req/s; errors: %d%n",
        total, seconds, total / (double) seconds, errors);
    System.out.printf(
        "latency: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max bucket %.3f ms%n",
        percentile(merged, total, 0.50),
        percentile(merged, total, 0.90),
        percentile(merged, total, 0.99),
        percentile(merged, total, 0.999),
        percentile(merged, total, 1.0));
    System.exit(errors == 0 ? 0 : 1);
  }

  /** The latency at quantile {@code q}, in milliseconds, from 10-microsecond buckets. */
  private static double percentile(long[] histogram, long total, double q) {
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int i = 0; i < histogram.length; i++) {
      seen += histogram[i];
      if (seen >= rank && histogram[i] > 0) {
        return (i + 1) * Worker.BUCKET_MICROS / 1000.0;
      }
    }
    return Double.NaN;
  }

  /** One keep-alive connection, measured. */
  private static final class Worker implements Runnable {
    static final int BUCKET_MICROS = 10;
    static final int BUCKETS = 100_000; // up to 1 s; slower answers land in the last bucket

    final long[] histogram = new long[BUCKETS];
    final URI base;
    final byte[] request;
    final long measureFrom;
    final long measureTo;
    final CountDownLatch done;
    long count;
    int errors;

    Worker(URI base, byte[] request, long measureFrom, long measureTo, CountDownLatch done) {
      this.base = base;
      this.request = request;
      this.measureFrom = measureFrom;
      this.measureTo = measureTo;
      this.done = done;
    }

    @Override
    public void run() {
      try (Socket s = new Socket(base.getHost(), base.getPort())) {
        s.setTcpNoDelay(true);
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[16 * 1024];
        while (true) {
          long start = System.nanoTime();
          if (start - measureTo >= 0) {
            return;
          }
          out.write(request);
          out.flush();
          int status = readResponse(in, buf);
          long end = System.nanoTime();
          if (start - measureFrom >= 0) {
            if (status != 200) {
              errors++;
            }
            count++;
            int bucket = (int) Math.min(BUCKETS - 1, (end - start) / 1000 / BUCKET_MICROS);
            histogram[bucket]++;
          }
        }
      } catch (IOException e) {
        errors++;
        System.err.println("connection failed: " + e);
      } finally {
        done.countDown();
      }
    }

    /** Reads one answer (headers, then Content-Length bytes); returns its status. */
    private static int readResponse(InputStream in, byte[] buf) throws IOException {
      int n = 0;
      int headerEnd = -1;
      while (headerEnd < 0) {
        int r = in.read(buf, n, buf.length - n);
        if (r < 0) {
          throw new IOException("connection closed by the server");
        }
        n += r;
        for (int i = Math.max(3, n - r - 3); i < n; i++) {
          if (buf[i] == '\n' && buf[i - 1] == '\r' && buf[i - 2] == '\n' && buf[i - 3] == '\r') {
            headerEnd = i + 1;
            break;
          }
        }
      }
      String headers = new String(buf, 0, headerEnd, StandardCharsets.ISO_8859_1);
      int status = Integer.parseInt(headers.substring(9, 12));
      int length = 0;
      for (String line : headers.split("\r\n")) {
        if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
          length = Integer.parseInt(line.substring(15).strip());
        }
      }
      int have = n - headerEnd;
      while (have < length) {
        int r = in.read(buf, 0, Math.min(buf.length, length - have));
        if (r < 0) {
          throw new IOException("connection closed in the body");
        }
        have += r;
      }
      return status;
    }
  }

  /**
   * A bare JDK {@code HttpServer} on a pool as large as the token server's default on JDK 17,
   * answering a constant token; returns its URL.
   */
  private static String startBare() throws IOException {
    HttpServer bare =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    byte[] body =
        ("{\"access_token\":\"BENCH_1_"
                + "x".repeat(120)
                + "\",\"expires_in\":7000,\"expires_at\":1800000000}")
            .getBytes(StandardCharsets.UTF_8);
    bare.createContext(
        "/",
        ex -> {
          ex.getRequestBody().close();
          ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
          ex.getResponseHeaders().set("Cache-Control", "no-store");
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    bare.setExecutor(
        java.util.concurrent.Executors.newFixedThreadPool(
            Math.max(8, 4 * Runtime.getRuntime().availableProcessors())));
    bare.start();
    return "http://127.0.0.1:" + bare.getAddress().getPort();
  }

  /** A stand-in WeChat and a token server over it, in this JVM; returns the server's URL. */
  private static String startSelfHosted() throws IOException {
    HttpServer wechat =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    AtomicInteger n = new AtomicInteger();
    wechat.createContext(
        "/cgi-bin/token",
        ex -> {
          byte[] body =
              ("{\"access_token\":\"BENCH_"
                      + n.incrementAndGet()
                      + "_"
                      + "x".repeat(120)
                      + "\",\"expires_in\":7200}")
                  .getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    wechat.start();
    int port;
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path config = Files.createTempFile("token-server-bench", ".yml");
    config.toFile().deleteOnExit();
    Files.writeString(
        config,
        "listen: {address: 127.0.0.1, port: "
            + port
            + "}\n"
            + "accounts:\n"
            + "  - appId: "
            + SELF_APP
            + "\n    appSecret: benchmark-secret-0123456789\n"
            + "    jsapiTicket: false\n"
            + "    apiBaseUrl: http://127.0.0.1:"
            + wechat.getAddress().getPort()
            + "/\n"
            + "clients:\n"
            + "  - name: bench\n"
            + "    key: "
            + SELF_KEY
            + "\n    accounts: ['*']\n");
    TokenServer.main(new String[] {"--config", config.toString()});
    return "http://127.0.0.1:" + port;
  }
}

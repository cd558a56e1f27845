package io.github.wechatmp.callback;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A handler for the JDK's own HTTP server ({@code com.sun.net.httpserver}, module {@code
 * jdk.httpserver}) that serves the account's server URL through a {@link WeChatCallback}.
 *
 * <pre>{@code
 * HttpServer server = HttpServer.create(new InetSocketAddress(8080), 0);
 * server.setExecutor(WeChatCallbackHandler.newExecutor(64, 256));
 * server.createContext("/wechat", new WeChatCallbackHandler(callback));
 * server.start();
 * }</pre>
 *
 * <p>Give the server an executor: without one, the server's single dispatcher thread runs every
 * exchange, and one client that stalls its body stops every other push. {@link #newExecutor} makes
 * a bounded one (beyond its queue the server closes the connection, and WeChat retries).
 *
 * <p>A thin shell: the raw query is decoded and {@linkplain WeChatCallback#screen screened} before
 * the body is read (an unsigned request is refused without reading it), the body is read as UTF-8
 * up to {@link WeChatCallback#maxBodySize()} bytes (413 beyond it) within the {@linkplain
 * #WeChatCallbackHandler(WeChatCallback, Duration) body read timeout} (the connection is closed
 * beyond it), and the response is written as {@link WeChatCallback#handle} computed it, with its
 * {@linkplain CallbackResponse#headers() headers}. The JDK server has no timeout of its own for the
 * request line and headers unless {@code -Dsun.net.httpserver.maxReqTime=<seconds>} is set.
 * Thread-safe.
 */
// "exports": jdk.httpserver is a static (optional) requirement, deliberately not transitive, so
// that the SDK does not drag it into every application; whoever uses this class has it anyway.
@SuppressWarnings("exports")
public final class WeChatCallbackHandler implements HttpHandler {
  /**
   * The body read timeout unless another is given: 5 s, WeChat's own wait for an answer, after
   * which nobody is listening for it.
   */
  public static final Duration DEFAULT_BODY_READ_TIMEOUT = Duration.ofSeconds(5);

  private final WeChatCallback callback;
  private final long bodyReadTimeoutNanos;

  /**
   * Cuts off body reads that run past the timeout: one daemon thread, started on the first read and
   * ended after a minute without any.
   */
  private final ScheduledThreadPoolExecutor watchdog;

  /**
   * A handler answering through {@code callback}, with the {@linkplain #DEFAULT_BODY_READ_TIMEOUT
   * default body read timeout}.
   *
   * @param callback the callback
   * @throws NullPointerException if it is null
   */
  public WeChatCallbackHandler(WeChatCallback callback) {
    this(callback, DEFAULT_BODY_READ_TIMEOUT);
  }

  /**
   * A handler answering through {@code callback} that gives up on a request whose body has not
   * arrived within {@code bodyReadTimeout} of the handler starting to read it (the connection is
   * closed, and no answer is written). The same limit applies to writing the answer and reading
   * what is left of a refused request's body.
   *
   * @param callback the callback
   * @param bodyReadTimeout at least 1 ms
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the timeout is under 1 ms
   */
  public WeChatCallbackHandler(WeChatCallback callback, Duration bodyReadTimeout) {
    this.callback = Objects.requireNonNull(callback, "callback");
    if (Objects.requireNonNull(bodyReadTimeout, "bodyReadTimeout").toMillis() < 1) {
      throw new IllegalArgumentException("bodyReadTimeout must be at least 1 ms");
    }
    this.bodyReadTimeoutNanos = bodyReadTimeout.toNanos();
    this.watchdog =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "wechat-callback-body-timeout");
              t.setDaemon(true);
              return t;
            });
    watchdog.setKeepAliveTime(1, TimeUnit.MINUTES);
    watchdog.allowCoreThreadTimeOut(true);
    watchdog.setRemoveOnCancelPolicy(true);
  }

  /**
   * A bounded executor for the {@code HttpServer}: {@code threads} daemon threads named {@code
   * wechat-callback-http-N}, and up to {@code queue} exchanges waiting; beyond that the server
   * closes the new connection (WeChat then retries). Size the threads for the pushes that may wait
   * on their handler at once (each waits at most the reply deadline).
   *
   * @param threads at least 1
   * @param queue at least 1
   * @return a new executor; shut it down after stopping the server
   * @throws IllegalArgumentException if an argument is under 1
   */
  public static ExecutorService newExecutor(int threads, int queue) {
    if (threads < 1 || queue < 1) {
      throw new IllegalArgumentException("threads and queue must be at least 1");
    }
    AtomicInteger count = new AtomicInteger();
    return new ThreadPoolExecutor(
        threads,
        threads,
        1,
        TimeUnit.MINUTES,
        new ArrayBlockingQueue<>(queue),
        r -> {
          Thread t = new Thread(r, "wechat-callback-http-" + count.incrementAndGet());
          t.setDaemon(true);
          return t;
        },
        new ThreadPoolExecutor.AbortPolicy());
  }

  /**
   * Answers one exchange through the callback.
   *
   * @param exchange the exchange
   * @throws IOException if reading the request or writing the response failed, or the body did not
   *     arrive within the timeout
   */
  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      var query = Http.query(exchange.getRequestURI().getRawQuery());
      Optional<CallbackResponse> refused = callback.screen(method, query);
      if (refused.isPresent()) {
        respond(exchange, refused.get());
        return;
      }
      String body = guarded(() -> Http.body(exchange.getRequestBody(), callback.maxBodySize()));
      respond(
          exchange,
          body == null
              ? CallbackResponse.error(413, "the body is too large")
              : callback.handle(method, query, body));
    }
  }

  /**
   * Writes the answer and ends the exchange, within the timeout too: ending it reads what is left
   * of the body (the JDK server drains it to reuse the connection), which a client may stall.
   */
  private void respond(HttpExchange exchange, CallbackResponse r) throws IOException {
    guarded(
        () -> {
          write(exchange, r);
          exchange.close();
          return null;
        });
  }

  /** An I/O step. */
  private interface Step<T> {
    T run() throws IOException;
  }

  /**
   * Runs {@code step}, interrupting this thread if it takes longer than the timeout: the server's
   * channel is an interruptible one, so a blocked read then fails and the channel is closed. The
   * handler itself never runs under it, so no interrupt reaches it.
   */
  private <T> T guarded(Step<T> step) throws IOException {
    Thread reader = Thread.currentThread();
    // [0] running, [1] cut off; guarded by the array, so that no interrupt comes after the step
    boolean[] state = {true, false};
    ScheduledFuture<?> cutoff =
        watchdog.schedule(
            () -> {
              synchronized (state) {
                if (state[0]) {
                  state[1] = true;
                  reader.interrupt();
                }
              }
            },
            bodyReadTimeoutNanos,
            TimeUnit.NANOSECONDS);
    try {
      return step.run();
    } catch (IOException e) {
      synchronized (state) {
        if (state[1]) {
          throw new IOException(
              "the client did not send or take its bytes within "
                  + TimeUnit.NANOSECONDS.toMillis(bodyReadTimeoutNanos)
                  + " ms",
              e);
        }
      }
      throw e;
    } finally {
      cutoff.cancel(false);
      synchronized (state) {
        state[0] = false;
      }
      // Clears the cut-off's interrupt, if it came: the server's thread goes on to other
      // exchanges.
      Thread.interrupted();
    }
  }

  private static void write(HttpExchange exchange, CallbackResponse r) throws IOException {
    byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", r.contentType());
    r.headers().forEach(exchange.getResponseHeaders()::set);
    exchange.sendResponseHeaders(r.status(), bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public String toString() {
    return "WeChatCallbackHandler{bodyReadTimeout="
        + Duration.ofNanos(bodyReadTimeoutNanos)
        + ", "
        + callback
        + '}';
  }
}

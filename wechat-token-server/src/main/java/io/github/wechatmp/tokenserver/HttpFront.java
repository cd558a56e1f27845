package io.github.wechatmp.tokenserver;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpHandler;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's HTTP/1.1 front: it accepts connections itself, because the JDK's {@code HttpServer}
 * reads a request's headers on a worker thread with no time limit, so that a few connections
 * sending part of a request and stalling take every worker (issue 21, item 12). Here:
 *
 * <ul>
 *   <li>the allow list and the connection limits (in all and per client address) are applied when a
 *       connection is accepted, before a byte of it is read;
 *   <li>each connection has its own thread (a virtual one on JDK 21 and later), so a stalled
 *       connection holds nothing but itself;
 *   <li>a TLS handshake, and a request's headers and body, must arrive within the request timeout
 *       counted from their first byte; a new connection must start its request within that timeout
 *       too, a kept-alive one within the idle timeout; else the connection is closed;
 *   <li>at most {@code threads} requests are answered at once; a request is answered only once
 *       whole.
 * </ul>
 *
 * What it speaks: HTTP/1.1 and 1.0 (one request a connection), keep-alive, pipelining, {@code
 * Content-Length} and chunked request bodies (a body over the limit is not read: the handler
 * answers 413 and the connection is closed), {@code Expect: 100-continue}; answers always carry a
 * {@code Content-Length}. Thread-safe.
 */
final class HttpFront implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpFront.class);

  /** The most a request line and its headers may take together. */
  static final int MAX_HEAD_BYTES = 16 * 1024;

  /** The most headers a request may have. */
  static final int MAX_HEADERS = 100;

  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

  private static final byte[] CONTINUE =
      "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

  /** The limits of connections and their timing; see {@link ServerConfig.Limits}. */
  private final ServerConfig.Limits limits;

  private final ServerSocket listener;
  private final boolean tls;
  private final List<Cidr> allow;
  private final int maxBodyBytes;
  private final HttpHandler handler;
  private final ExecutorService connectionThreads;
  private final boolean virtualThreads;
  private final Semaphore answering;
  private final AtomicInteger open = new AtomicInteger();
  private final Map<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicInteger refusedOverLimit = new AtomicInteger();
  private final Thread acceptor;
  private volatile boolean closed;

  /** The Date header of the current second: formatting one per answer would cost more. */
  private volatile DateLine date = new DateLine(Long.MIN_VALUE, "");

  private static final class DateLine {
    final long second;
    final String line;

    DateLine(long second, String line) {
      this.second = second;
      this.line = line;
    }
  }

  /**
   * Binds and starts accepting.
   *
   * @param sslContext null for plain HTTP
   * @throws BindException naming the address and port when they cannot be bound
   */
  HttpFront(
      InetSocketAddress listen,
      SSLContext sslContext,
      List<Cidr> allow,
      int maxBodyBytes,
      int threads,
      ServerConfig.Limits limits,
      HttpHandler handler)
      throws IOException {
    this.limits = limits;
    this.tls = sslContext != null;
    this.allow = List.copyOf(allow);
    this.maxBodyBytes = maxBodyBytes;
    this.handler = handler;
    this.answering = new Semaphore(threads);
    ServerSocket s =
        sslContext == null
            ? new ServerSocket()
            : sslContext.getServerSocketFactory().createServerSocket();
    try {
      s.setReuseAddress(true);
      s.bind(listen, 1024);
    } catch (IOException e) {
      s.close();
      BindException named =
          new BindException(
              "cannot listen on "
                  + listen.getAddress().getHostAddress()
                  + " port "
                  + listen.getPort()
                  + ": "
                  + e.getMessage());
      named.initCause(e);
      throw named;
    }
    this.listener = s;
    boolean[] virtual = {false};
    this.connectionThreads = connectionThreads(limits.maxConnections, virtual);
    this.virtualThreads = virtual[0];
    this.acceptor = new Thread(this::acceptLoop, "token-server-accept");
    // Not a daemon: it is what keeps the server's process alive once main() has returned.
    acceptor.setDaemon(false);
    acceptor.start();
  }

  /** The bound address (the real port when 0 was asked for). */
  InetSocketAddress address() {
    return (InetSocketAddress) listener.getLocalSocketAddress();
  }

  /** Whether connections run on virtual threads. */
  boolean virtualThreads() {
    return virtualThreads;
  }

  /** Connections open now; for tests. */
  int openConnections() {
    return open.get();
  }

  /**
   * One thread per connection: virtual threads when the JDK has them (looked up reflectively since
   * these classes are Java 17 bytecode), else platform threads, reused, at most one per allowed
   * connection.
   */
  private static ExecutorService connectionThreads(int maxConnections, boolean[] virtual) {
    try {
      Method m = java.util.concurrent.Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
      ExecutorService e = (ExecutorService) m.invoke(null);
      virtual[0] = true;
      return e;
    } catch (ReflectiveOperationException | RuntimeException e) {
      AtomicInteger n = new AtomicInteger();
      return new ThreadPoolExecutor(
          0,
          // A thread finishing a connection is back in the pool a moment after the count fell.
          maxConnections + 64,
          30,
          TimeUnit.SECONDS,
          new SynchronousQueue<>(),
          r -> {
            // Below the usual 1 MiB since thousands may exist; not tiny, since a fetch from WeChat
            // (OkHttp, TLS) or Redis can run on it.
            Thread t = new Thread(null, r, "token-server-conn-" + n.incrementAndGet(), 512 * 1024);
            t.setDaemon(true);
            return t;
          });
    }
  }

  private void acceptLoop() {
    while (!closed) {
      Socket s;
      try {
        s = listener.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        // Out of file descriptors, say: pause rather than spin.
        log.warn("Accepting a connection failed: {}", e.toString());
        sleepQuietly(100);
        continue;
      }
      admit(s);
    }
  }

  /** Counts the connection in, or closes it at once when over a limit. */
  private void admit(Socket s) {
    InetAddress remote = s.getInetAddress();
    // compute() and computeIfPresent() in release(): a counter is never dropped from the map while
    // a connection still counts on it.
    AtomicInteger mine =
        perAddress.compute(
            remote,
            (a, c) -> {
              AtomicInteger n = c == null ? new AtomicInteger() : c;
              n.incrementAndGet();
              return n;
            });
    int fromHere = mine.get();
    int all = open.incrementAndGet();
    if (fromHere > limits.maxConnectionsPerAddress || all > limits.maxConnections) {
      release(remote);
      closeQuietly(s);
      int n = refusedOverLimit.incrementAndGet();
      if (n == 1 || Integer.bitCount(n) == 1) {
        log.warn(
            "Refused a connection from {}: {} ({} refused so far)",
            remote.getHostAddress(),
            fromHere > limits.maxConnectionsPerAddress
                ? "it has " + limits.maxConnectionsPerAddress + " open (maxConnectionsPerAddress)"
                : limits.maxConnections + " connections are open (maxConnections)",
            n);
      }
      return;
    }
    sockets.add(s);
    try {
      connectionThreads.execute(() -> serve(s, remote));
    } catch (RejectedExecutionException e) {
      sockets.remove(s);
      release(remote);
      closeQuietly(s);
    }
  }

  private void release(InetAddress remote) {
    open.decrementAndGet();
    perAddress.computeIfPresent(remote, (a, c) -> c.decrementAndGet() == 0 ? null : c);
  }

  private void serve(Socket s, InetAddress remote) {
    try {
      if (!allowed(remote)) {
        log.debug("Refused a connection from {}: not in the allow list", remote.getHostAddress());
        refuseOutsideAllowList(s);
        return;
      }
      s.setTcpNoDelay(true);
      long deadline =
          System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limits.requestTimeoutMillis);
      if (tls) {
        s.setSoTimeout(limits.requestTimeoutMillis);
        ((SSLSocket) s).startHandshake();
      }
      new Connection(s, remote).run(deadline);
    } catch (SocketTimeoutException e) {
      log.debug("Closed a connection from {}: too slow", remote.getHostAddress());
    } catch (IOException | RuntimeException e) {
      if (!closed) {
        log.debug("Connection from {} ended: {}", remote.getHostAddress(), e.toString());
      }
    } finally {
      sockets.remove(s);
      closeQuietly(s);
      release(remote);
    }
  }

  /**
   * Answers 403 without reading the request. A TLS connection is closed: answering would need a
   * handshake, which is work for an address that may not use the service.
   */
  private void refuseOutsideAllowList(Socket s) throws IOException {
    if (tls) {
      return;
    }
    byte[] body =
        new Json()
            .string("error", "forbidden")
            .string("message", "this address may not use the token service")
            .toString()
            .getBytes(StandardCharsets.UTF_8);
    Headers h = new Headers();
    h.set("Content-Type", "application/json; charset=utf-8");
    h.set("Cache-Control", "no-store");
    OutputStream out = s.getOutputStream();
    out.write(head(403, h, body.length, true));
    out.write(body);
    out.flush();
    s.shutdownOutput();
    // Read what the client sent, briefly, so that closing does not reset the connection and lose
    // the answer on the client's side.
    s.setSoTimeout(500);
    InputStream in = s.getInputStream();
    byte[] sink = new byte[4096];
    int total = 0;
    while (total < MAX_HEAD_BYTES) {
      int r = in.read(sink);
      if (r < 0) {
        break;
      }
      total += r;
    }
  }

  private boolean allowed(InetAddress remote) {
    return Cidr.allows(allow, remote);
  }

  /** A request the front refuses itself, before the handler sees it. */
  private static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final String error;

    Refused(int status, String error, String message) {
      super(message, null, false, false);
      this.status = status;
      this.error = error;
    }
  }

  /** One connection's requests, one after another, on its own thread. */
  private final class Connection {
    private final Socket socket;
    private final InetAddress remote;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buf = new byte[MAX_HEAD_BYTES];
    private int pos;
    private int lim;
    private int timeoutNowMillis = -1;

    Connection(Socket socket, InetAddress remote) throws IOException {
      this.socket = socket;
      this.remote = remote;
      this.in = socket.getInputStream();
      this.out = socket.getOutputStream();
    }

    /** Serves requests until the connection ends; {@code deadline}: the first one's. */
    void run(long firstDeadline) throws IOException {
      long waitUntil = firstDeadline;
      while (!closed) {
        // Wait for the request's first byte: within the request timeout on a new connection,
        // within the idle timeout on a kept-alive one.
        if (pos == lim && fill(waitUntil) < 0) {
          return;
        }
        long deadline =
            System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limits.requestTimeoutMillis);
        if (!exchange(deadline)) {
          return;
        }
        waitUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limits.idleTimeoutMillis);
      }
    }

    /** Reads into the buffer's free end; -1 at the end of the stream. */
    private int fill(long deadline) throws IOException {
      if (pos > 0 && pos == lim) {
        pos = 0;
        lim = 0;
      }
      if (lim == buf.length) {
        System.arraycopy(buf, pos, buf, 0, lim - pos);
        lim -= pos;
        pos = 0;
      }
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left < 1) {
        throw new SocketTimeoutException("deadline passed");
      }
      int timeout = (int) Math.min(Integer.MAX_VALUE, left);
      // Most requests arrive in one read; the timeout is set only when it changed much.
      if (timeoutNowMillis < 0 || Math.abs(timeoutNowMillis - timeout) > 50) {
        socket.setSoTimeout(timeout);
        timeoutNowMillis = timeout;
      }
      int r = in.read(buf, lim, buf.length - lim);
      if (r > 0) {
        lim += r;
      }
      return r;
    }

    /** One line of the head, without its line end; null if the stream ended first. */
    private String line(long deadline) throws IOException, Refused {
      int from = pos;
      for (; ; ) {
        for (int i = from; i < lim; i++) {
          if (buf[i] == '\n') {
            int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
            String l = new String(buf, pos, end - pos, StandardCharsets.ISO_8859_1);
            pos = i + 1;
            return l;
          }
        }
        if (pos == 0 && lim == buf.length) {
          throw new Refused(431, "headers_too_large", "the request head is over 16 KiB");
        }
        from = lim - pos;
        if (fill(deadline) < 0) {
          return null;
        }
        // fill() may have moved the unread bytes to the buffer's start.
        from = pos + from;
      }
    }

    /** Reads, answers and writes one request; whether the connection stays open. */
    private boolean exchange(long deadline) throws IOException {
      // The head counts against the buffer from where it starts.
      if (pos > 0) {
        System.arraycopy(buf, pos, buf, 0, lim - pos);
        lim -= pos;
        pos = 0;
      }
      String requestLine;
      Headers headers = new Headers();
      String[] parts;
      try {
        requestLine = line(deadline);
        if (requestLine == null) {
          return false;
        }
        if (requestLine.isEmpty()) {
          // A stray line end between requests is allowed (RFC 9112, 2.2).
          requestLine = line(deadline);
          if (requestLine == null) {
            return false;
          }
        }
        parts = requestLine.split(" ", -1);
        if (parts.length != 3
            || parts[0].isEmpty()
            || !parts[0].chars().allMatch(c -> c >= 'A' && c <= 'Z')
            || !(parts[2].equals("HTTP/1.1") || parts[2].equals("HTTP/1.0"))
            || !(parts[1].startsWith("/")
                || parts[1].startsWith("http://")
                || parts[1].startsWith("https://"))) {
          throw new Refused(400, "bad_request", "the request line is not HTTP/1.1");
        }
        for (int count = 0; ; count++) {
          String h = line(deadline);
          if (h == null) {
            return false;
          }
          if (h.isEmpty()) {
            break;
          }
          if (count == MAX_HEADERS) {
            throw new Refused(431, "headers_too_large", "a request has over 100 headers");
          }
          int colon = h.indexOf(':');
          if (colon <= 0
              || h.charAt(0) == ' '
              || h.charAt(0) == '\t'
              || h.charAt(colon - 1) == ' ') {
            throw new Refused(400, "bad_request", "a request header is malformed");
          }
          headers.add(h.substring(0, colon), h.substring(colon + 1).strip());
        }
      } catch (Refused r) {
        refuse(r);
        return false;
      }
      String method = parts[0];
      boolean http10 = parts[2].equals("HTTP/1.0");
      URI uri;
      try {
        uri = new URI(parts[1]);
      } catch (URISyntaxException e) {
        refuse(new Refused(400, "bad_request", "the request target is not a valid URI"));
        return false;
      }
      byte[] body;
      boolean bodyRead = true;
      try {
        List<String> lengths = headers.get("Content-Length");
        List<String> codings = headers.get("Transfer-Encoding");
        if (codings != null) {
          if (lengths != null) {
            throw new Refused(
                400, "bad_request", "a request has either Content-Length or Transfer-Encoding");
          }
          if (codings.size() != 1 || !codings.get(0).equalsIgnoreCase("chunked")) {
            throw new Refused(
                501, "not_implemented", "the only transfer coding understood is chunked");
          }
          continueIfExpected(headers);
          body = chunked(deadline);
          bodyRead = body.length <= maxBodyBytes;
        } else if (lengths != null) {
          long length = contentLength(lengths);
          if (length > maxBodyBytes) {
            // Not read: the handler answers 413 from the declared length, and the connection
            // closes.
            body = new byte[0];
            bodyRead = false;
          } else {
            if (length > 0) {
              continueIfExpected(headers);
            }
            body = fixed((int) length, deadline);
          }
        } else {
          body = new byte[0];
        }
      } catch (Refused r) {
        refuse(r);
        return false;
      }
      if (body == null) {
        return false; // the stream ended within the body
      }
      // HTTP/1.0 keeps a connection only with a header this front does not send: close it.
      boolean clientCloses = http10 || hasToken(headers, "close");
      FrontExchange ex =
          new FrontExchange(
              method,
              uri,
              parts[2],
              headers,
              new ByteArrayInputStream(body),
              (InetSocketAddress) socket.getRemoteSocketAddress(),
              (InetSocketAddress) socket.getLocalSocketAddress());
      answering.acquireUninterruptibly();
      try {
        handler.handle(ex);
      } finally {
        answering.release();
      }
      boolean close =
          clientCloses || !bodyRead || closed || hasToken(ex.getResponseHeaders(), "close");
      byte[] answer = ex.answer();
      if (answer == null) {
        return false; // the handler sent no whole answer
      }
      boolean head = method.equals("HEAD");
      out.write(head(ex.getResponseCode(), ex.getResponseHeaders(), ex.declaredLength(), close));
      if (!head && answer.length > 0) {
        out.write(answer);
      }
      out.flush();
      return !close;
    }

    private void continueIfExpected(Headers headers) throws IOException {
      String expect = headers.getFirst("Expect");
      if (expect != null && expect.equalsIgnoreCase("100-continue")) {
        out.write(CONTINUE);
        out.flush();
      }
    }

    /** {@code length} bytes of body; null if the stream ended first. */
    private byte[] fixed(int length, long deadline) throws IOException {
      byte[] body = new byte[length];
      int n = 0;
      while (n < length) {
        if (pos == lim && fill(deadline) < 0) {
          return null;
        }
        int take = Math.min(length - n, lim - pos);
        System.arraycopy(buf, pos, body, n, take);
        pos += take;
        n += take;
      }
      return body;
    }

    /**
     * A chunked body, up to one byte over the limit (then the rest is left unread and the
     * connection closes); null if the stream ended first.
     */
    private byte[] chunked(long deadline) throws IOException, Refused {
      byte[] body = new byte[maxBodyBytes + 1];
      int n = 0;
      for (; ; ) {
        String sizeLine = line(deadline);
        if (sizeLine == null) {
          return null;
        }
        int semi = sizeLine.indexOf(';');
        String hex = (semi < 0 ? sizeLine : sizeLine.substring(0, semi)).strip();
        long size;
        try {
          size = hex.isEmpty() || hex.length() > 8 ? -1 : Long.parseLong(hex, 16);
        } catch (NumberFormatException e) {
          size = -1;
        }
        if (size < 0) {
          throw new Refused(400, "bad_request", "a chunk size is malformed");
        }
        if (size == 0) {
          break;
        }
        if (n + size > maxBodyBytes) {
          return java.util.Arrays.copyOf(body, maxBodyBytes + 1);
        }
        byte[] chunk = fixed((int) size, deadline);
        if (chunk == null) {
          return null;
        }
        System.arraycopy(chunk, 0, body, n, chunk.length);
        n += chunk.length;
        String end = line(deadline);
        if (end == null) {
          return null;
        }
        if (!end.isEmpty()) {
          throw new Refused(400, "bad_request", "a chunk does not end where its size says");
        }
      }
      for (; ; ) { // trailers, ignored
        String t = line(deadline);
        if (t == null) {
          return null;
        }
        if (t.isEmpty()) {
          break;
        }
      }
      return java.util.Arrays.copyOf(body, n);
    }

    private void refuse(Refused r) throws IOException {
      log.debug("Refused a request from {}: {}", remote.getHostAddress(), r.getMessage());
      byte[] body =
          new Json()
              .string("error", r.error)
              .string("message", r.getMessage())
              .toString()
              .getBytes(StandardCharsets.UTF_8);
      Headers h = new Headers();
      h.set("Content-Type", "application/json; charset=utf-8");
      h.set("Cache-Control", "no-store");
      out.write(head(r.status, h, body.length, true));
      out.write(body);
      out.flush();
    }
  }

  private static long contentLength(List<String> values) throws Refused {
    long length = -1;
    for (String v : values) {
      for (String part : v.split(",", -1)) {
        String p = part.strip();
        if (p.isEmpty() || p.length() > 18 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
          throw new Refused(400, "bad_request", "Content-Length is not a number");
        }
        long l = Long.parseLong(p);
        if (length >= 0 && l != length) {
          throw new Refused(400, "bad_request", "Content-Length is given twice, differently");
        }
        length = l;
      }
    }
    return length;
  }

  private static boolean hasToken(Headers headers, String token) {
    List<String> values = headers.get("Connection");
    if (values == null) {
      return false;
    }
    for (String v : values) {
      for (String t : v.split(",", -1)) {
        if (t.strip().equalsIgnoreCase(token)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The status line and headers of an answer with {@code length} bytes of body. */
  private byte[] head(int status, Headers headers, long length, boolean close) {
    StringBuilder b = new StringBuilder(256);
    b.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
    b.append(dateLine());
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      String name = e.getKey();
      if (name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Connection")) {
        continue;
      }
      for (String v : e.getValue()) {
        b.append(name).append(": ").append(v).append("\r\n");
      }
    }
    b.append("Content-Length: ").append(Math.max(0, length)).append("\r\n");
    if (close) {
      b.append("Connection: close\r\n");
    }
    return b.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private String dateLine() {
    long second = System.currentTimeMillis() / 1000;
    DateLine d = date;
    if (d.second != second) {
      d = new DateLine(second, "Date: " + HTTP_DATE.format(Instant.ofEpochSecond(second)) + "\r\n");
      date = d;
    }
    return d.line;
  }

  private static String reason(int status) {
    switch (status) {
      case 200:
        return "OK";
      case 400:
        return "Bad Request";
      case 401:
        return "Unauthorized";
      case 403:
        return "Forbidden";
      case 404:
        return "Not Found";
      case 405:
        return "Method Not Allowed";
      case 413:
        return "Content Too Large";
      case 429:
        return "Too Many Requests";
      case 431:
        return "Request Header Fields Too Large";
      case 500:
        return "Internal Server Error";
      case 501:
        return "Not Implemented";
      case 502:
        return "Bad Gateway";
      case 503:
        return "Service Unavailable";
      default:
        return "Status";
    }
  }

  /**
   * Stops accepting, closes every connection (a thread blocked reading one wakes up and ends) and
   * stops the threads. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    closeQuietly(listener);
    for (Socket s : sockets) {
      closeQuietly(s);
    }
    connectionThreads.shutdownNow();
    try {
      acceptor.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      log.trace("Closing failed", e);
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "HttpFront{" + address() + ", open=" + open.get() + '}';
  }
}

package io.github.wechatmp.tokenserver;

import static io.github.wechatmp.tokenserver.Fixture.APP_A;
import static io.github.wechatmp.tokenserver.Fixture.KEY_ALL;
import static io.github.wechatmp.tokenserver.Fixture.tokenPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.test.WeChatStandIn;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21, item 12: connections that send part of a request and stall (part of the headers, part
 * of a body, 5 bytes of a TLS handshake) cost the server nothing but themselves: other clients are
 * served while 1,000 of them stay open, and the server closes each when its time is up.
 */
@Tag("slow") // real time: the request timeout runs out
class StalledConnectionsTest {
  /** A TLS 1.2 record header announcing a ClientHello, and nothing after it. */
  private static final byte[] TLS_START = {0x16, 0x03, 0x01, 0x00, (byte) 0xa5};

  private final List<Socket> stalled = new ArrayList<>();
  private final List<AutoCloseable> closeLater = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (Socket s : stalled) {
      s.close();
    }
    for (int i = closeLater.size() - 1; i >= 0; i--) {
      closeLater.get(i).close();
    }
  }

  private <T extends AutoCloseable> T closing(T c) {
    closeLater.add(c);
    return c;
  }

  /** A connection from {@code source} to the server that sends {@code bytes} and then nothing. */
  private Socket stall(TokenServer server, InetAddress source, byte[] bytes) throws IOException {
    Socket s = new Socket();
    stalled.add(s);
    s.bind(new InetSocketAddress(source, 0));
    s.connect(server.address(), 5000);
    OutputStream out = s.getOutputStream();
    out.write(bytes);
    out.flush();
    return s;
  }

  private static byte[] kind(int i) {
    switch (i % 3) {
      case 0:
        return ("GET " + tokenPath(APP_A) + " HTTP/1.1\r\nHost: tokens\r\nAuthoriz")
            .getBytes(StandardCharsets.ISO_8859_1);
      case 1:
        return ("POST "
                + tokenPath(APP_A)
                + "/rejected HTTP/1.1\r\nHost: tokens\r\nAuthorization: Bearer "
                + KEY_ALL
                + "\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"access_")
            .getBytes(StandardCharsets.ISO_8859_1);
      default:
        return TLS_START;
    }
  }

  /** Loopback addresses other than 127.0.0.1, or skips the test where there are none (macOS). */
  private static InetAddress source(int n) throws IOException {
    InetAddress a = InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + n)});
    try (Socket probe = new Socket()) {
      probe.bind(new InetSocketAddress(a, 0));
    } catch (IOException e) {
      Assumptions.assumeTrue(false, "no loopback address " + a + " to connect from: " + e);
    }
    return a;
  }

  private static HttpResponse<String> read(TokenServer server, Duration timeout) {
    return Fixture.send(
        HttpRequest.newBuilder(URI.create(server.baseUrl() + tokenPath(APP_A)))
            .header("Authorization", "Bearer " + KEY_ALL)
            .timeout(timeout)
            .GET()
            .build());
  }

  private static void await(String what, long millis, BooleanSupplier done)
      throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() - until < 0, "timed out waiting until " + what);
      Thread.sleep(20);
    }
  }

  @Test
  void aThousandStalledConnectionsFromEightAddressesLeaveOtherClientsServedUntilTheyAreClosed()
      throws Exception {
    WeChatStandIn wechat = closing(Fixture.wechat());
    TokenServer server =
        closing(
            Fixture.start(
                "requestTimeoutSeconds: 4\n" + Fixture.yaml(wechat, "{type: memory}"),
                Clock.systemUTC()));
    assertEquals(200, read(server, Duration.ofSeconds(20)).statusCode()); // token fetched

    long started = System.nanoTime();
    for (int i = 0; i < 1000; i++) {
      stall(server, source(i % 8), kind(i));
    }
    await("the server holds all 1,000", 3000, () -> server.openConnections() >= 1000);

    // Served while every stalled connection is still open (its 4 s are not up). The bound is
    // not a speed goal: before the fix these requests waited for the stalls to end.
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = read(server, Duration.ofSeconds(2));
      assertEquals(200, r.statusCode(), r.body());
    }
    assertTrue(
        System.nanoTime() - started < TimeUnit.SECONDS.toNanos(4),
        "the reads ended before the request timeout; else this proves nothing");
    assertTrue(server.openConnections() >= 1000, "the stalled connections were still open");

    // Each stalled connection is closed by the server once its request timeout is up.
    for (Socket s : stalled) {
      s.setSoTimeout(10_000);
      InputStream in = s.getInputStream();
      try {
        int b;
        do {
          b = in.read();
        } while (b >= 0); // a 408-like answer is fine; the end of the stream must follow
      } catch (SocketTimeoutException e) {
        throw new AssertionError("a stalled connection was not closed by the server", e);
      } catch (IOException e) {
        // reset by the server: closed too
      }
    }
    // What stays open is the test client's own kept-alive connection.
    await("every stalled connection is released", 5000, () -> server.openConnections() <= 1);
    assertEquals(200, read(server, Duration.ofSeconds(20)).statusCode());
  }

  @Test
  void oneAddressMayHoldNoMoreConnectionsThanItsLimitAndOthersAreStillServed() throws Exception {
    WeChatStandIn wechat = closing(Fixture.wechat());
    TokenServer server =
        closing(
            Fixture.start(
                "maxConnectionsPerAddress: 50\nrequestTimeoutSeconds: 30\n"
                    + Fixture.yaml(wechat, "{type: memory}"),
                Clock.systemUTC()));
    InetAddress attacker = source(0);
    List<Socket> sockets = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      sockets.add(stall(server, attacker, kind(i)));
    }
    // The 250 over the limit are closed at once: their reads end, long before the 30 s timeout.
    await("the server holds no more than 50", 5000, () -> server.openConnections() <= 50);
    int closedAtOnce = 0;
    for (Socket s : sockets) {
      s.setSoTimeout(50);
      try {
        if (s.getInputStream().read() < 0) {
          closedAtOnce++;
        }
      } catch (SocketTimeoutException e) {
        // held open: one of the 50
      } catch (IOException e) {
        closedAtOnce++;
      }
    }
    assertEquals(250, closedAtOnce);
    assertEquals(50, server.openConnections());
    HttpResponse<String> r = read(server, Duration.ofSeconds(5));
    assertEquals(200, r.statusCode(), r.body());
  }

  @Test
  void aStalledTlsHandshakeIsClosedWhenTheRequestTimeoutIsUp(@TempDir Path dir) throws Exception {
    WeChatStandIn wechat = closing(Fixture.wechat());
    Path keystore = TlsTest.keystore(dir);
    TokenServer server =
        closing(
            Fixture.start(
                "requestTimeoutSeconds: 2\n"
                    + "tls: {keystore: '"
                    + keystore
                    + "', password: '"
                    + TlsTest.PASSWORD
                    + "', type: PKCS12}\n"
                    + Fixture.yaml(wechat, "{type: memory}"),
                Clock.systemUTC()));
    Socket s = stall(server, source(1), TLS_START);
    await("the server holds it", 3000, () -> server.openConnections() == 1);
    s.setSoTimeout(10_000);
    long t0 = System.nanoTime();
    try {
      while (s.getInputStream().read() >= 0) {
        // an alert, then the end
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the stalled handshake was not closed", e);
    } catch (IOException e) {
      // reset: closed too
    }
    assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(8));
    await("released", 3000, () -> server.openConnections() == 0);
  }
}

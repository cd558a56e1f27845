package io.github.wechatmp.tokenserver;

import static io.github.wechatmp.tokenserver.Fixture.field;
import static io.github.wechatmp.tokenserver.Fixture.get;
import static io.github.wechatmp.tokenserver.Fixture.tokenPath;
import static io.github.wechatmp.tokenserver.PlatformTest.AES_KEY;
import static io.github.wechatmp.tokenserver.PlatformTest.COMPONENT;
import static io.github.wechatmp.tokenserver.PlatformTest.COMPONENT_SECRET;
import static io.github.wechatmp.tokenserver.PlatformTest.KEY_ALL;
import static io.github.wechatmp.tokenserver.PlatformTest.MERCHANT;
import static io.github.wechatmp.tokenserver.PlatformTest.MESSAGE_TOKEN;
import static io.github.wechatmp.tokenserver.PlatformTest.OTHER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.github.wechatmp.open.Authorization;
import io.github.wechatmp.open.JdbcAuthorizationStore;
import io.github.wechatmp.store.tck.TestPostgres;
import io.github.wechatmp.test.StandInPlatform;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.MutableClock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The platform's authorizations in a real PostgreSQL, reached as an operator configures it: a JDBC
 * URL, the driver on the class path. The database is reached through a TCP relay that the test
 * cuts, to take the database away while the server runs.
 */
@Tag("slow")
class PlatformJdbcTest {
  private final MutableClock clock = new MutableClock(Instant.now());
  private TestPostgres pg;
  private Relay relay;
  private WeChatStandIn standIn;
  private StandInPlatform wechat;
  private TokenServer server;

  @BeforeEach
  void start() throws Exception {
    pg = TestPostgres.start();
    String url;
    try (Connection c = pg.dataSource().getConnection()) {
      url = c.getMetaData().getURL(); // jdbc:postgresql://host:port/db
    }
    int port = Integer.parseInt(url.replaceAll("^jdbc:postgresql://[^:/]+:(\\d+)/.*$", "$1"));
    relay = new Relay(port);
    standIn = WeChatStandIn.start();
    String jdbc =
        "{type: jdbc, url: 'jdbc:postgresql://127.0.0.1:"
            + relay.port()
            + "/postgres?connectTimeout=2&socketTimeout=5', user: postgres}";
    server =
        TokenServer.start(
            new ConfigLoader(PlatformTest.ENV::get)
                .parse(
                    PlatformTest.yaml(
                        standIn,
                        "{type: memory}",
                        jdbc,
                        "  receiveEvents: true\n  authorizationCheckSeconds: 0\n"),
                    "test"),
            clock,
            0);
    wechat =
        standIn
            .openPlatform()
            .credentials(COMPONENT, COMPONENT_SECRET)
            .pushTo(server.baseUrl() + "/v1/platform/events", MESSAGE_TOKEN, AES_KEY);
    wechat.pushTicket();
  }

  @AfterEach
  void stop() throws IOException {
    if (server != null) {
      server.close();
    }
    if (standIn != null) {
      standIn.close();
    }
    if (relay != null) {
      relay.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void anAuthorizationSavedInPostgresIsServedAndACancellationRefusesIt() {
    wechat.authorize(MERCHANT, List.of(1));

    Authorization saved = new JdbcAuthorizationStore(pg.dataSource()).find(MERCHANT).orElseThrow();
    assertEquals(wechat.refreshTokenOf(MERCHANT), saved.refreshToken());
    HttpResponse<String> r = get(server, tokenPath(MERCHANT), KEY_ALL);
    assertEquals(200, r.statusCode(), r.body());

    wechat.unauthorize(MERCHANT);
    HttpResponse<String> refused = get(server, tokenPath(MERCHANT), KEY_ALL);
    assertEquals(404, refused.statusCode(), refused.body());
    assertEquals("authorization_revoked", field(refused.body(), "error"));
  }

  @Test
  void whileTheDatabaseIsDownKnownAuthorizersKeepTheirTokensAndOthersGet503() throws IOException {
    wechat.authorize(MERCHANT, List.of(1));
    wechat.authorize(OTHER, List.of(1));
    String token = field(get(server, tokenPath(MERCHANT), KEY_ALL).body(), "access_token");

    relay.cut();
    HttpResponse<String> during = get(server, tokenPath(MERCHANT), KEY_ALL);
    assertEquals(200, during.statusCode(), during.body());
    assertEquals(token, field(during.body(), "access_token"));
    // Known from its push: served. An account whose state was never read cannot be told apart.
    assertEquals(200, get(server, tokenPath(OTHER), KEY_ALL).statusCode());
    HttpResponse<String> neverRead = get(server, tokenPath(PlatformTest.STRANGER), KEY_ALL);
    assertEquals(503, neverRead.statusCode(), neverRead.body());
    assertEquals("unavailable", field(neverRead.body(), "error"));
    assertEquals(
        200,
        get(server, "/v1/health", KEY_ALL).statusCode(),
        "the platform's store is no" + " part of the overall status");

    relay.restore();
    HttpResponse<String> after = get(server, tokenPath(PlatformTest.STRANGER), KEY_ALL);
    assertEquals(404, after.statusCode(), after.body());
    assertEquals("unknown_account", field(after.body(), "error"));
  }

  @Test
  void aRefreshThatFallsDueWhileTheDatabaseIsDownKeepsTheValidTokenAndLandsWhenItReturns()
      throws Exception {
    wechat.authorize(MERCHANT, List.of(1));
    String token = field(get(server, tokenPath(MERCHANT), KEY_ALL).body(), "access_token");

    relay.cut();
    clock.advance(Duration.ofSeconds(7100)); // due for its refresh, 100 s of life left
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> during = get(server, tokenPath(MERCHANT), KEY_ALL);
      assertEquals(200, during.statusCode(), during.body());
      assertEquals(token, field(during.body(), "access_token"));
    }
    assertEquals(0, standIn.requests("cgi-bin/component/api_authorizer_token"));

    relay.restore();
    clock.advance(Duration.ofSeconds(30)); // past the hold-off of the failed refresh
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    String now = token;
    while (now.equals(token) && System.nanoTime() < deadline) {
      HttpResponse<String> r = get(server, tokenPath(MERCHANT), KEY_ALL);
      assertEquals(200, r.statusCode(), r.body());
      now = field(r.body(), "access_token");
      Thread.sleep(50);
    }
    assertNotEquals(token, now, "refreshed once the database was back");
    assertEquals(1, standIn.requests("cgi-bin/component/api_authorizer_token"));
  }

  /** A TCP relay to the database that can be cut (every connection closed, new ones refused). */
  private static final class Relay implements AutoCloseable {
    private final int target;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final int port;
    private volatile ServerSocket listener;

    Relay(int target) throws IOException {
      this.target = target;
      ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      this.port = s.getLocalPort();
      listen(s);
    }

    int port() {
      return port;
    }

    private void listen(ServerSocket s) {
      listener = s;
      Thread t =
          new Thread(
              () -> {
                while (!s.isClosed()) {
                  try {
                    Socket client = s.accept();
                    Socket db = new Socket(InetAddress.getLoopbackAddress(), target);
                    open.add(client);
                    open.add(db);
                    pipe(client, db);
                    pipe(db, client);
                  } catch (IOException e) {
                    return; // cut or closed
                  }
                }
              },
              "relay-accept");
      t.setDaemon(true);
      t.start();
    }

    private void pipe(Socket from, Socket to) {
      Thread t =
          new Thread(
              () -> {
                try (InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream()) {
                  in.transferTo(out);
                } catch (IOException e) {
                  // the relay was cut
                } finally {
                  closeQuietly(from);
                  closeQuietly(to);
                }
              },
              "relay-pipe");
      t.setDaemon(true);
      t.start();
    }

    void cut() throws IOException {
      listener.close();
      for (Socket s : open) {
        closeQuietly(s);
      }
      open.clear();
    }

    void restore() throws IOException {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      listen(s);
    }

    private static void closeQuietly(Socket s) {
      try {
        s.close();
      } catch (IOException e) {
        // already closed
      }
    }

    @Override
    public void close() throws IOException {
      cut();
    }
  }
}

package io.github.wechatmp.store.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.providers.PooledConnectionProvider;

/**
 * A TCP proxy on loopback that forwards to a target port until {@link #silenceOpenConnections()}:
 * from then on the connections open at that moment stay open but forward nothing either way, as a
 * peer or middlebox that died without a reset does. Connections made afterwards forward normally.
 */
final class BlackHoleProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int targetPort;
  private final List<Link> links = new CopyOnWriteArrayList<>();

  BlackHoleProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "test-black-hole-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** A pooled client that connects through this proxy, with 1 s connect and read timeouts. */
  UnifiedJedis newClient() {
    return TestRedis.portable(
        new PooledConnectionProvider(
            new HostAndPort("127.0.0.1", port()),
            DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(1000)
                .socketTimeoutMillis(1000)
                .build()));
  }

  /** Stops forwarding on every connection open now, without closing any. */
  void silenceOpenConnections() {
    links.forEach(l -> l.silenced = true);
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        Link link = new Link(client, upstream);
        links.add(link);
        pump(link, client, upstream);
        pump(link, upstream, client);
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private static void pump(Link link, Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[8192];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                  if (!link.silenced) {
                    out.write(buf, 0, n);
                    out.flush();
                  }
                }
              } catch (IOException e) {
                // a side closed
              }
              link.close();
            },
            "test-black-hole-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    server.close();
    links.forEach(Link::close);
  }

  private static final class Link {
    final Socket a;
    final Socket b;
    volatile boolean silenced;

    Link(Socket a, Socket b) {
      this.a = a;
      this.b = b;
    }

    void close() {
      try {
        a.close();
      } catch (IOException e) {
        // best effort
      }
      try {
        b.close();
      } catch (IOException e) {
        // best effort
      }
    }
  }
}

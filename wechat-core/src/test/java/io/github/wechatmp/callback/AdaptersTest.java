package io.github.wechatmp.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.github.wechatmp.callback.inbound.TextMessage;
import io.github.wechatmp.message.WeChatXml;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/** Both adapters end to end over real HTTP: Jetty 12 for the servlet, the JDK's own server. */
class AdaptersTest {
  private static final OkHttpClient HTTP = new OkHttpClient();

  /** The status, Content-Type and body of an answer. */
  private record Answer(int statusCode, String contentType, String nosniff, String body) {}

  private final Handlers handler = new Handlers();

  private WeChatCallback callback() {
    handler.answer = m -> Reply.text("over http: " + ((TextMessage) m).content());
    return WeChatCallback.builder()
        .token(Pushes.TOKEN)
        .encodingAesKey(Pushes.AES_KEY)
        .appId(Pushes.APP_ID)
        .handler(handler)
        .maxBodySize(4096)
        .build();
  }

  @Test
  void theServletAnswersOverRealHttpInJetty() throws Exception {
    Server jetty = new Server(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    ServletContextHandler context = new ServletContextHandler();
    context.addServlet(new ServletHolder(new WeChatCallbackServlet(callback())), "/wechat");
    jetty.setHandler(context);
    jetty.start();
    try {
      int port = ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
      exercise("http://127.0.0.1:" + port + "/wechat");
    } finally {
      jetty.stop();
    }
  }

  @Test
  void theHttpServerHandlerAnswersOverRealHttp() throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/wechat", new WeChatCallbackHandler(callback()));
    server.start();
    try {
      exercise("http://127.0.0.1:" + server.getAddress().getPort() + "/wechat");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void theServletRefusesAnUnsignedPushWithoutWaitingForItsStalledBody() throws Exception {
    Server jetty = new Server(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    ServletContextHandler context = new ServletContextHandler();
    context.addServlet(new ServletHolder(new WeChatCallbackServlet(callback())), "/wechat");
    jetty.setHandler(context);
    jetty.start();
    try (StalledPush stalled =
        StalledPush.open(((ServerConnector) jetty.getConnectors()[0]).getLocalPort(), false)) {
      assertTrue(stalled.statusLine(Duration.ofSeconds(5)).startsWith("HTTP/1.1 403"));
    } finally {
      jetty.stop();
    }
  }

  @Test
  void theHttpServerHandlerRefusesAnUnsignedPushWithoutWaitingForItsStalledBody() throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/wechat", new WeChatCallbackHandler(callback()));
    server.start();
    try (StalledPush stalled = StalledPush.open(server.getAddress().getPort(), false)) {
      assertTrue(stalled.statusLine(Duration.ofSeconds(5)).startsWith("HTTP/1.1 403"));
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aStalledSignedBodyOnTheHttpServerIsCutOffAndHoldsUpNoOtherPush() throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    ExecutorService executor = WeChatCallbackHandler.newExecutor(2, 8);
    server.setExecutor(executor);
    server.createContext("/wechat", new WeChatCallbackHandler(callback(), Duration.ofMillis(1500)));
    server.start();
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/wechat";
    try (StalledPush stalled = StalledPush.open(server.getAddress().getPort(), true)) {
      long start = System.nanoTime();
      Pushes.Request push = Pushes.encrypted(Pushes.text("901", "meanwhile"));
      Answer meanwhile = send(url, "POST", push.query(), push.body());
      assertEquals(200, meanwhile.statusCode(), meanwhile.body());
      assertTrue(
          System.nanoTime() - start < Duration.ofMillis(1500).toNanos(),
          "the other push waited for the stalled one");
      // The stalled connection is closed unanswered once the timeout passes.
      assertEquals("", stalled.statusLine(Duration.ofSeconds(10)));
      // and its thread serves pushes again
      Pushes.Request next = Pushes.encrypted(Pushes.text("902", "after"));
      assertEquals(200, send(url, "POST", next.query(), next.body()).statusCode());
      assertEquals(2, handler.calls.get());
    } finally {
      server.stop(0);
      executor.shutdownNow();
    }
  }

  /** A raw connection that sends a push's headers and a tenth of its body, then nothing. */
  private static final class StalledPush implements AutoCloseable {
    private final Socket socket;

    private StalledPush(Socket socket) {
      this.socket = socket;
    }

    static StalledPush open(int port, boolean signed) throws Exception {
      Map<String, String> q = Pushes.signedQuery("1714112445", "stall");
      if (!signed) {
        q.put("signature", "0".repeat(40));
      }
      HttpUrl.Builder u = HttpUrl.get("http://127.0.0.1:" + port + "/wechat").newBuilder();
      q.forEach(u::addQueryParameter);
      Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /wechat?"
                  + u.build().encodedQuery()
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n"
                  + "Content-Length: 1000\r\n\r\n<xml><ToUserName>")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return new StalledPush(socket);
    }

    /** The first line of the answer, or empty if the server closed the connection without one. */
    String statusLine(Duration within) throws Exception {
      socket.setSoTimeout((int) within.toMillis());
      InputStream in = socket.getInputStream();
      StringBuilder line = new StringBuilder();
      try {
        for (int c = in.read(); c != -1 && c != '\r'; c = in.read()) {
          line.append((char) c);
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("no answer and no close within " + within, e);
      } catch (SocketException reset) {
        // closed by the server: as good as an end of stream
      }
      return line.toString();
    }

    @Override
    public void close() throws java.io.IOException {
      socket.close();
    }
  }

  private void exercise(String url) throws Exception {
    Map<String, String> q = Pushes.signedQuery("1714112445", "n1");
    q.put("echostr", "a b+c/=");
    Answer get = send(url, "GET", q, null);
    assertEquals(200, get.statusCode());
    assertEquals("nosniff", get.nosniff());
    assertEquals("a b+c/=", get.body());
    assertEquals("text/plain;charset=utf-8", contentType(get));

    Pushes.Request push = Pushes.encrypted(Pushes.text("900", "中文 & more"));
    Answer post = send(url, "POST", push.query(), push.body());
    assertEquals(200, post.statusCode(), post.body());
    assertEquals("application/xml;charset=utf-8", contentType(post));
    assertEquals("nosniff", post.nosniff());
    assertEquals(
        "over http: 中文 & more", WeChatXml.parse(Pushes.decryptReply(post.body())).get("Content"));

    Map<String, String> bad = Pushes.signedQuery("1714112445", "n1");
    bad.put("signature", "0".repeat(40));
    Answer forged = send(url, "POST", bad, push.body());
    assertEquals(403, forged.statusCode());
    assertEquals("nosniff", forged.nosniff());
    Answer large = send(url, "POST", push.query(), "x".repeat(5000));
    assertEquals(413, large.statusCode());
    assertEquals("nosniff", large.nosniff());
    Answer put = send(url, "PUT", push.query(), "x");
    assertEquals(405, put.statusCode());
    assertEquals("nosniff", put.nosniff());
    assertEquals(1, handler.calls.get());
  }

  private static String contentType(Answer r) {
    return r.contentType().replace(" ", "").toLowerCase(java.util.Locale.ROOT);
  }

  private static Answer send(String url, String method, Map<String, String> query, String body)
      throws Exception {
    HttpUrl.Builder u = HttpUrl.get(url).newBuilder();
    query.forEach(u::addQueryParameter);
    Request.Builder b = new Request.Builder().url(u.build());
    b.method(method, body == null ? null : RequestBody.create(body, MediaType.get("text/xml")));
    try (Response r = HTTP.newCall(b.build()).execute()) {
      return new Answer(
          r.code(),
          r.header("Content-Type", ""),
          r.header("X-Content-Type-Options", ""),
          r.body().string());
    }
  }
}

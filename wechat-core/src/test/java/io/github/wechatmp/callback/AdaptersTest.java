package io.github.wechatmp.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import io.github.wechatmp.message.WeChatXml;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
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
  private record Answer(int statusCode, String contentType, String body) {}

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

  private void exercise(String url) throws Exception {
    Map<String, String> q = Pushes.signedQuery("1714112445", "n1");
    q.put("echostr", "a b+c/=");
    Answer get = send(url, "GET", q, null);
    assertEquals(200, get.statusCode());
    assertEquals("a b+c/=", get.body());
    assertEquals("text/plain;charset=utf-8", contentType(get));

    Pushes.Request push = Pushes.encrypted(Pushes.text("900", "中文 & more"));
    Answer post = send(url, "POST", push.query(), push.body());
    assertEquals(200, post.statusCode(), post.body());
    assertEquals("application/xml;charset=utf-8", contentType(post));
    assertEquals(
        "over http: 中文 & more", WeChatXml.parse(Pushes.decryptReply(post.body())).get("Content"));

    Map<String, String> bad = Pushes.signedQuery("1714112445", "n1");
    bad.put("signature", "0".repeat(40));
    assertEquals(403, send(url, "POST", bad, push.body()).statusCode());
    assertEquals(413, send(url, "POST", push.query(), "x".repeat(5000)).statusCode());
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
      return new Answer(r.code(), r.header("Content-Type", ""), r.body().string());
    }
  }
}

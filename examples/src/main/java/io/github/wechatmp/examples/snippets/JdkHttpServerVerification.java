package io.github.wechatmp.examples.snippets;

import com.sun.net.httpserver.HttpServer;
import io.github.wechatmp.callback.WeChatCallbackHandler;
import io.github.wechatmp.signature.SignatureVerifier;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Docs snippet (docs/callbacks.md): server access verification on the JDK's own HTTP server. */
final class JdkHttpServerVerification {
  private JdkHttpServerVerification() {}

  static HttpServer start(int port) throws IOException {
    // snippet:start jdk-httpserver
    SignatureVerifier verifier = SignatureVerifier.of(System.getenv("WECHAT_TOKEN"));
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    // Bounded threads: without an executor one dispatcher thread serves every request.
    server.setExecutor(WeChatCallbackHandler.newExecutor(16, 64));
    server.createContext(
        "/wechat",
        exchange -> {
          Map<String, String> q = new HashMap<>();
          String query = exchange.getRequestURI().getRawQuery();
          for (String pair : query == null ? new String[0] : query.split("&")) {
            String[] kv = pair.split("=", 2);
            q.put(kv[0], kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
          }
          boolean ok = verifier.verify(q.get("signature"), q.get("timestamp"), q.get("nonce"));
          byte[] body =
              (ok ? q.getOrDefault("echostr", "") : "forbidden").getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=UTF-8");
          // echostr is not signed: no browser may read it as HTML
          exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
          exchange.sendResponseHeaders(ok ? 200 : 403, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    // snippet:end
    return server;
  }
}

package io.github.wechatmp.callback;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A handler for the JDK's own HTTP server ({@code com.sun.net.httpserver}, module {@code
 * jdk.httpserver}) that serves the account's server URL through a {@link WeChatCallback}.
 *
 * <pre>{@code
 * HttpServer server = HttpServer.create(new InetSocketAddress(8080), 0);
 * server.createContext("/wechat", new WeChatCallbackHandler(callback));
 * server.start();
 * }</pre>
 *
 * <p>A thin shell: the raw query is decoded, the body read as UTF-8 up to {@link
 * WeChatCallback#maxBodySize()} bytes (413 beyond it), and the response written as {@link
 * WeChatCallback#handle} computed it. Thread-safe.
 */
// "exports": jdk.httpserver is a static (optional) requirement, deliberately not transitive, so
// that the
// SDK does not drag it into every application; whoever uses this class has it anyway.
@SuppressWarnings("exports")
public final class WeChatCallbackHandler implements HttpHandler {
  private final WeChatCallback callback;

  /**
   * A handler answering through {@code callback}.
   *
   * @param callback the callback
   * @throws NullPointerException if it is null
   */
  public WeChatCallbackHandler(WeChatCallback callback) {
    this.callback = Objects.requireNonNull(callback, "callback");
  }

  /**
   * Answers one exchange through the callback.
   *
   * @param exchange the exchange
   * @throws IOException if reading the request or writing the response failed
   */
  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String body = Http.body(exchange.getRequestBody(), callback.maxBodySize());
      CallbackResponse r =
          body == null
              ? CallbackResponse.error(413, "the body is too large")
              : callback.handle(
                  exchange.getRequestMethod(),
                  Http.query(exchange.getRequestURI().getRawQuery()),
                  body);
      byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", r.contentType());
      exchange.sendResponseHeaders(r.status(), bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    }
  }
}

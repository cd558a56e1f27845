package io.github.wechatmp.open.testing;

import com.sun.net.httpserver.HttpServer;
import io.github.wechatmp.callback.CallbackResponse;
import io.github.wechatmp.open.AuthorizationEventEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The platform's endpoints (authorization events, authorizers' messages) served on the JDK's
 * HttpServer on a free loopback port, for tests in this module, {@code wechat-open-it} and the
 * examples (through this module's test-jar): the adapter every such test needs, written once. A
 * request is handed to the endpoint as {@code handle(path, method, query, body)} (the query
 * decoded, the body read as UTF-8), and the {@link CallbackResponse} written back as it is; an
 * endpoint that throws is answered 500.
 */
public final class EndpointServer implements AutoCloseable {
  /** What answers the requests below the server's context path. */
  @FunctionalInterface
  public interface Endpoint {
    /**
     * Answers one request.
     *
     * @param path the request's path, the context included
     * @param method the HTTP method
     * @param query the decoded query parameters
     * @param body the body, as UTF-8
     * @return the answer
     */
    CallbackResponse handle(String path, String method, Map<String, String> query, String body);
  }

  private final HttpServer server;
  private final String context;

  private EndpointServer(HttpServer server, String context) {
    this.server = server;
    this.context = context;
  }

  /**
   * Serves a platform's authorization-event endpoint at {@code context}.
   *
   * @param context the path, such as {@code /wechat/events}
   * @param events the endpoint
   * @return the started server
   * @throws IOException if no port could be bound
   */
  public static EndpointServer serve(String context, AuthorizationEventEndpoint events)
      throws IOException {
    return serve(context, (path, method, query, body) -> events.handle(method, query, body));
  }

  /**
   * Serves {@code endpoint} at {@code context} and every path below it.
   *
   * @param context the path, such as {@code /wechat/}
   * @param endpoint what answers
   * @return the started server
   * @throws IOException if no port could be bound
   */
  public static EndpointServer serve(String context, Endpoint endpoint) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        context,
        exchange -> {
          try (exchange;
              InputStream in = exchange.getRequestBody()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            CallbackResponse r;
            try {
              r =
                  endpoint.handle(
                      exchange.getRequestURI().getPath(),
                      exchange.getRequestMethod(),
                      query(exchange.getRequestURI().getRawQuery()),
                      body);
            } catch (RuntimeException e) {
              exchange.sendResponseHeaders(500, -1);
              return;
            }
            byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
            r.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            exchange.getResponseHeaders().set("Content-Type", r.contentType());
            exchange.sendResponseHeaders(r.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
              try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
              }
            }
          }
        });
    server.start();
    return new EndpointServer(server, context);
  }

  /**
   * Returns the URL of the context path.
   *
   * @return such as {@code http://127.0.0.1:PORT/wechat/events}
   */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + context;
  }

  /**
   * Returns the URL of a path below the context, for a context that ends with {@code /}.
   *
   * @param below the rest of the path, such as an authorizer's AppID
   * @return the URL
   */
  public String url(String below) {
    return url() + below;
  }

  /**
   * Decodes a raw query string into its parameters (the last of a repeated name wins).
   *
   * @param raw the raw query, or null
   * @return the parameters; empty for none
   */
  public static Map<String, String> query(String raw) {
    Map<String, String> q = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return q;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      q.put(
          URLDecoder.decode(name, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return q;
  }

  /** Stops the server at once. */
  @Override
  public void close() {
    server.stop(0);
  }
}

package io.github.wechatmp.spring.boot;

import io.github.wechatmp.callback.CallbackResponse;
import io.github.wechatmp.open.AuthorizationEventEndpoint;
import io.github.wechatmp.open.AuthorizerMessages;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.function.RequestPredicates;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The platform's two URLs on Spring MVC, every method at each (the endpoints answer 405 to those
 * they do not serve): the authorization-event URL, and the authorizers' message URL with the
 * account's AppID as the last path segment.
 */
final class ServletOpenEndpoints {
  /** WeChat's pushes are a few hundred bytes; the event endpoint refuses more than 256 KiB. */
  static final int MAX_BODY_BYTES = 256 * 1024;

  /** What answers a request once its body is read: one of the platform's endpoints. */
  @FunctionalInterface
  interface Handler {
    CallbackResponse handle(ServerRequest request, String method, String body);

    /** The refusal to answer before the body is read, if the request can be refused so. */
    default Optional<CallbackResponse> screen(ServerRequest request, String method) {
      return Optional.empty();
    }
  }

  private ServletOpenEndpoints() {}

  static RouterFunction<ServerResponse> events(AuthorizationEventEndpoint endpoint, String path) {
    Handler h =
        (request, method, body) ->
            endpoint.handle(method, CallbackRoutes.firstValues(request.params()), body);
    return RouterFunctions.route()
        .route(r -> path.equals(r.path()), r -> serve(r, MAX_BODY_BYTES, h))
        .build();
  }

  static RouterFunction<ServerResponse> messages(AuthorizerMessages messages, String pattern) {
    Handler h =
        new Handler() {
          @Override
          public CallbackResponse handle(ServerRequest request, String method, String body) {
            return messages.handle(
                request.pathVariable("appId"),
                method,
                CallbackRoutes.firstValues(request.params()),
                body);
          }

          @Override
          public Optional<CallbackResponse> screen(ServerRequest request, String method) {
            return messages.screen(method, CallbackRoutes.firstValues(request.params()));
          }
        };
    return RouterFunctions.route()
        .route(RequestPredicates.path(pattern), r -> serve(r, messages.maxBodySize(), h))
        .build();
  }

  private static ServerResponse serve(ServerRequest request, int maxBodyBytes, Handler handler)
      throws Exception {
    String method = request.method().name();
    Optional<CallbackResponse> refused = handler.screen(request, method);
    if (refused.isPresent()) { // before the body, which an unsigned client may stall
      CallbackResponse r = refused.get();
      return write(r.status(), r.contentType(), r.body());
    }
    String body = null;
    if ("POST".equals(method)) {
      long length = request.headers().contentLength().orElse(-1);
      if (length > maxBodyBytes) {
        return write(413, CallbackResponse.TEXT, "the body is too large");
      }
      // Bounded, and UTF-8 whatever the Content-Type says: WeChat sends text/xml without a
      // charset, which the servlet API would read as ISO-8859-1.
      byte[] bytes = request.servletRequest().getInputStream().readNBytes(maxBodyBytes + 1);
      if (bytes.length > maxBodyBytes) {
        return write(413, CallbackResponse.TEXT, "the body is too large");
      }
      body = new String(bytes, StandardCharsets.UTF_8);
    }
    CallbackResponse r = handler.handle(request, method, body);
    return write(r.status(), r.contentType(), r.body());
  }

  private static ServerResponse write(int status, String contentType, String body) {
    return ServerResponse.status(status)
        .headers(h -> CallbackResponse.HEADERS.forEach(h::set))
        .contentType(MediaType.parseMediaType(contentType))
        .body(body);
  }
}

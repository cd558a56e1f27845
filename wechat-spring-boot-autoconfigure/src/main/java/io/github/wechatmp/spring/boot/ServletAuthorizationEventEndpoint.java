package io.github.wechatmp.spring.boot;

import io.github.wechatmp.callback.CallbackResponse;
import io.github.wechatmp.open.AuthorizationEventEndpoint;
import java.nio.charset.StandardCharsets;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/** The platform's authorization-event URL on Spring MVC: every method at the path. */
final class ServletAuthorizationEventEndpoint {
  /** WeChat's pushes are a few hundred bytes; the endpoint refuses more than 64 K characters. */
  static final int MAX_BODY_BYTES = 256 * 1024;

  private final AuthorizationEventEndpoint endpoint;

  private ServletAuthorizationEventEndpoint(AuthorizationEventEndpoint endpoint) {
    this.endpoint = endpoint;
  }

  static RouterFunction<ServerResponse> routes(AuthorizationEventEndpoint endpoint, String path) {
    ServletAuthorizationEventEndpoint e = new ServletAuthorizationEventEndpoint(endpoint);
    // Every method: the endpoint answers 405 to all but POST.
    return RouterFunctions.route().route(r -> path.equals(r.path()), e::handle).build();
  }

  private ServerResponse handle(ServerRequest request) throws Exception {
    String method = request.method().name();
    String body = null;
    if ("POST".equals(method)) {
      long length = request.headers().contentLength().orElse(-1);
      if (length > MAX_BODY_BYTES) {
        return write(413, CallbackResponse.TEXT, "the body is too large");
      }
      // Bounded, and UTF-8 whatever the Content-Type says (WeChat sends no charset).
      byte[] bytes = request.servletRequest().getInputStream().readNBytes(MAX_BODY_BYTES + 1);
      if (bytes.length > MAX_BODY_BYTES) {
        return write(413, CallbackResponse.TEXT, "the body is too large");
      }
      body = new String(bytes, StandardCharsets.UTF_8);
    }
    CallbackResponse r =
        endpoint.handle(method, CallbackRoutes.firstValues(request.params()), body);
    return write(r.status(), r.contentType(), r.body());
  }

  private static ServerResponse write(int status, String contentType, String body) {
    return ServerResponse.status(status)
        .headers(h -> CallbackResponse.HEADERS.forEach(h::set))
        .contentType(MediaType.parseMediaType(contentType))
        .body(body);
  }
}

package io.github.wechatmp.spring.boot;

import io.github.wechatmp.callback.CallbackResponse;
import io.github.wechatmp.callback.WeChatCallback;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/** The server URL on Spring MVC: GET and POST at the path and at path/{account}. */
final class ServletCallbackEndpoint {
  private final WeChatAccounts accounts;

  private ServletCallbackEndpoint(WeChatAccounts accounts) {
    this.accounts = accounts;
  }

  static RouterFunction<ServerResponse> routes(WeChatAccounts accounts, String path) {
    ServletCallbackEndpoint e = new ServletCallbackEndpoint(accounts);
    return RouterFunctions.route()
        .GET(path, r -> e.handle(r, null))
        .POST(path, r -> e.handle(r, null))
        .GET(path + "/{account}", r -> e.handle(r, r.pathVariable("account")))
        .POST(path + "/{account}", r -> e.handle(r, r.pathVariable("account")))
        .build();
  }

  private ServerResponse handle(ServerRequest request, String account) throws Exception {
    Optional<WeChatCallback> callback = CallbackRoutes.callback(accounts, account);
    if (callback.isEmpty()) {
      return ServerResponse.notFound()
          .headers(h -> CallbackResponse.HEADERS.forEach(h::set))
          .build();
    }
    WeChatCallback c = callback.get();
    String method = request.method().name();
    String body = null;
    Optional<CallbackResponse> refused =
        c.screen(method, CallbackRoutes.firstValues(request.params()));
    if (refused.isPresent()) { // before the body, which an unsigned client may stall
      CallbackResponse r = refused.get();
      return write(r.status(), r.contentType(), r.body());
    }
    if ("POST".equals(method)) {
      long length = request.headers().contentLength().orElse(-1);
      if (length > c.maxBodySize()) {
        return write(413, CallbackResponse.TEXT, "the body is too large");
      }
      // Bounded, and UTF-8 whatever the Content-Type says: WeChat sends text/xml without a
      // charset, which the servlet API would read as ISO-8859-1.
      byte[] bytes = request.servletRequest().getInputStream().readNBytes(c.maxBodySize() + 1);
      if (bytes.length > c.maxBodySize()) {
        return write(413, CallbackResponse.TEXT, "the body is too large");
      }
      body = new String(bytes, StandardCharsets.UTF_8);
    }
    CallbackResponse r = c.handle(method, CallbackRoutes.firstValues(request.params()), body);
    return write(r.status(), r.contentType(), r.body());
  }

  private static ServerResponse write(int status, String contentType, String body) {
    return ServerResponse.status(status)
        .headers(h -> CallbackResponse.HEADERS.forEach(h::set))
        .contentType(MediaType.parseMediaType(contentType))
        .body(body);
  }
}

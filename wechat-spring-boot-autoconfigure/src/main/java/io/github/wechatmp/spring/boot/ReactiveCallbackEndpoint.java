package io.github.wechatmp.spring.boot;

import io.github.wechatmp.callback.CallbackResponse;
import io.github.wechatmp.callback.WeChatCallback;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The server URL on WebFlux: GET and POST at the path and at path/{account}. The callback waits for
 * the handler up to the reply deadline, so it runs on the bounded elastic scheduler, never on an
 * event loop thread.
 */
final class ReactiveCallbackEndpoint {
  private final WeChatAccounts accounts;

  private ReactiveCallbackEndpoint(WeChatAccounts accounts) {
    this.accounts = accounts;
  }

  static RouterFunction<ServerResponse> routes(WeChatAccounts accounts, String path) {
    ReactiveCallbackEndpoint e = new ReactiveCallbackEndpoint(accounts);
    return RouterFunctions.route()
        .GET(path, r -> e.handle(r, null))
        .POST(path, r -> e.handle(r, null))
        .GET(path + "/{account}", r -> e.handle(r, r.pathVariable("account")))
        .POST(path + "/{account}", r -> e.handle(r, r.pathVariable("account")))
        .build();
  }

  private Mono<ServerResponse> handle(ServerRequest request, String account) {
    Optional<WeChatCallback> callback = CallbackRoutes.callback(accounts, account);
    if (callback.isEmpty()) {
      return ServerResponse.notFound()
          .headers(h -> CallbackResponse.HEADERS.forEach(h::set))
          .build();
    }
    WeChatCallback c = callback.get();
    String method = request.method().name();
    Mono<String> body;
    if ("POST".equals(method)) {
      long length = request.headers().contentLength().orElse(-1);
      if (length > c.maxBodySize()) {
        return write(413, CallbackResponse.TEXT, "the body is too large");
      }
      // UTF-8 whatever the Content-Type says (WeChat sends text/xml without a charset).
      body =
          org.springframework.core.io.buffer.DataBufferUtils.join(
                  request.body(
                      org.springframework.web.reactive.function.BodyExtractors.toDataBuffers()),
                  c.maxBodySize())
              .map(
                  buffer -> {
                    try {
                      return buffer.toString(StandardCharsets.UTF_8);
                    } finally {
                      org.springframework.core.io.buffer.DataBufferUtils.release(buffer);
                    }
                  })
              .defaultIfEmpty("");
    } else {
      body = Mono.just("");
    }
    return body.publishOn(Schedulers.boundedElastic())
        .flatMap(
            b -> {
              CallbackResponse r =
                  c.handle(
                      method,
                      CallbackRoutes.firstValues(request.queryParams()),
                      "POST".equals(method) ? b : null);
              return write(r.status(), r.contentType(), r.body());
            })
        .onErrorResume(
            org.springframework.core.io.buffer.DataBufferLimitException.class,
            e -> write(413, CallbackResponse.TEXT, "the body is too large"));
  }

  private static Mono<ServerResponse> write(int status, String contentType, String body) {
    return ServerResponse.status(status)
        .headers(h -> CallbackResponse.HEADERS.forEach(h::set))
        .contentType(MediaType.parseMediaType(contentType))
        .bodyValue(body);
  }
}

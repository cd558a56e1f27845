package io.github.wechatmp.spring.boot;

import io.github.wechatmp.callback.CallbackResponse;
import io.github.wechatmp.open.AuthorizationEventEndpoint;
import io.github.wechatmp.open.AuthorizerMessages;
import java.nio.charset.StandardCharsets;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The platform's two URLs on WebFlux, every method at each (the endpoints answer 405 to those they
 * do not serve): the authorization-event URL, and the authorizers' message URL with the account's
 * AppID as the last path segment. The endpoints read the authorization store and wait for the
 * handler up to the reply deadline, so they run on the bounded elastic scheduler, never on an event
 * loop thread.
 */
final class ReactiveOpenEndpoints {

  /** What answers a request once its body is read: one of the platform's endpoints. */
  @FunctionalInterface
  interface Handler {
    CallbackResponse handle(ServerRequest request, String method, String body);
  }

  private ReactiveOpenEndpoints() {}

  static RouterFunction<ServerResponse> events(AuthorizationEventEndpoint endpoint, String path) {
    Handler h =
        (request, method, body) ->
            endpoint.handle(method, CallbackRoutes.firstValues(request.queryParams()), body);
    return RouterFunctions.route()
        .route(r -> path.equals(r.path()), r -> serve(r, ServletOpenEndpoints.MAX_BODY_BYTES, h))
        .build();
  }

  static RouterFunction<ServerResponse> messages(AuthorizerMessages messages, String pattern) {
    // Screened by handle itself once the body is in: Netty holds no thread while it comes, unlike
    // MVC, which screens first.
    Handler h =
        (request, method, body) ->
            messages.handle(
                request.pathVariable("appId"),
                method,
                CallbackRoutes.firstValues(request.queryParams()),
                body);
    return RouterFunctions.route()
        .route(RequestPredicates.path(pattern), r -> serve(r, messages.maxBodySize(), h))
        .build();
  }

  private static Mono<ServerResponse> serve(
      ServerRequest request, int maxBodyBytes, Handler handler) {
    String method = request.method().name();
    Mono<String> body;
    if ("POST".equals(method)) {
      long length = request.headers().contentLength().orElse(-1);
      if (length > maxBodyBytes) {
        return write(413, CallbackResponse.TEXT, "the body is too large");
      }
      // UTF-8 whatever the Content-Type says (WeChat sends text/xml without a charset).
      body =
          DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()), maxBodyBytes)
              .map(
                  buffer -> {
                    try {
                      return buffer.toString(StandardCharsets.UTF_8);
                    } finally {
                      DataBufferUtils.release(buffer);
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
                  handler.handle(request, method, "POST".equals(method) ? b : null);
              return write(r.status(), r.contentType(), r.body());
            })
        .onErrorResume(
            DataBufferLimitException.class,
            e -> write(413, CallbackResponse.TEXT, "the body is too large"));
  }

  private static Mono<ServerResponse> write(int status, String contentType, String body) {
    return ServerResponse.status(status)
        .headers(h -> CallbackResponse.HEADERS.forEach(h::set))
        .contentType(MediaType.parseMediaType(contentType))
        .bodyValue(body);
  }
}

package io.github.wechatmp.examples.snippets;

import io.github.wechatmp.callback.CallbackResponse;
import io.github.wechatmp.callback.WeChatCallback;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Docs snippet (docs/callbacks.md): the server URL in Spring MVC, through WeChatCallback.handle.
 */
// snippet:start messages-spring
@RestController
class WeChatCallbackController {
  private final WeChatCallback callback;

  WeChatCallbackController(WeChatCallback callback) {
    this.callback = callback;
  }

  @RequestMapping(
      path = "/wechat",
      method = {RequestMethod.GET, RequestMethod.POST})
  ResponseEntity<String> wechat(
      HttpMethod method,
      @RequestParam Map<String, String> query,
      @RequestBody(required = false) String body) {
    CallbackResponse r = callback.handle(method.name(), query, body);
    return ResponseEntity.status(r.status())
        .header(HttpHeaders.CONTENT_TYPE, r.contentType())
        .headers(h -> r.headers().forEach(h::set)) // X-Content-Type-Options: nosniff
        .body(r.body());
  }
}
// snippet:end

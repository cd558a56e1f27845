package io.github.wechatmp.examples.snippets;

import io.github.wechatmp.signature.SignatureVerifier;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Docs snippet (docs/callbacks.md): server access verification in a Spring MVC controller. */
// snippet:start spring
@RestController
class WeChatController {
  private final SignatureVerifier verifier = SignatureVerifier.of(System.getenv("WECHAT_TOKEN"));

  @GetMapping("/wechat")
  ResponseEntity<String> verify(
      @RequestParam String signature,
      @RequestParam String timestamp,
      @RequestParam String nonce,
      @RequestParam String echostr) {
    return verifier.verify(signature, timestamp, nonce)
        ? ResponseEntity.ok(echostr)
        : ResponseEntity.status(HttpStatus.FORBIDDEN).build();
  }
}
// snippet:end

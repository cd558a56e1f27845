package io.github.wechatmp.open;

import io.github.wechatmp.callback.CallbackResponse;
import io.github.wechatmp.message.MessageCryptoException;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The platform's authorization-event URL (授权事件接收URL): checks each push's {@code msg_signature},
 * decrypts it with the platform's key, handles it, and answers {@code success} only once what it
 * carries is saved: the ticket in the store, an authorization (with its refresh token) in the
 * authorization store, a cancellation recorded. Anything that fails is answered with HTTP 500, so
 * WeChat pushes it again; a push already handled (WeChat's retry, possibly to another instance) is
 * answered {@code success} without being handled twice.
 *
 * <p>{@link #handle} has the shape of {@code WeChatCallback.handle}, so the same Servlet, JDK and
 * Spring adapters serve it. Thread-safe.
 */
public final class AuthorizationEventEndpoint {
  private static final Logger log = LoggerFactory.getLogger(AuthorizationEventEndpoint.class);

  /** WeChat's pushes are a few hundred bytes; anything much larger is not one. */
  static final int MAX_BODY_CHARS = 64 * 1024;

  private final OpenPlatform platform;

  AuthorizationEventEndpoint(OpenPlatform platform) {
    this.platform = platform;
  }

  /**
   * Handles one request to the authorization-event URL.
   *
   * @param method the HTTP method; WeChat pushes with POST
   * @param query the query parameters ({@code timestamp}, {@code nonce}, {@code msg_signature})
   * @param body the request body: WeChat's encrypted envelope
   * @return {@code success} once handled; 400 for a malformed push, 403 for a bad signature or
   *     another platform's push, 405 for another method, 413 for an oversized body, 500 when what
   *     the push carries could not be saved (WeChat pushes it again)
   */
  public CallbackResponse handle(String method, Map<String, String> query, String body) {
    if (!"POST".equals(method)) {
      return CallbackResponse.error(405, "POST");
    }
    Objects.requireNonNull(query, "query");
    String signature = query.get("msg_signature");
    String timestamp = query.get("timestamp");
    String nonce = query.get("nonce");
    if (signature == null || timestamp == null || nonce == null) {
      return CallbackResponse.error(400, "msg_signature, timestamp and nonce are required");
    }
    if (body == null || body.isBlank()) {
      return CallbackResponse.error(400, "the body is empty");
    }
    if (body.length() > MAX_BODY_CHARS) {
      return CallbackResponse.error(413, "the body is larger than " + MAX_BODY_CHARS + " chars");
    }
    PlatformEvent event;
    try {
      event = PlatformEvent.parse(platform.crypto().decrypt(signature, timestamp, nonce, body));
    } catch (MessageCryptoException e) {
      if (e.errorCode() == MessageCryptoException.SIGNATURE_MISMATCH) {
        return CallbackResponse.error(403, "signature check failed");
      }
      if (e.errorCode() == MessageCryptoException.APPID_MISMATCH) {
        return CallbackResponse.error(403, "the push is for another platform");
      }
      return CallbackResponse.error(400, "malformed push");
    } catch (IllegalArgumentException e) {
      return CallbackResponse.error(400, "malformed push");
    }
    if (!event.componentAppId().equals(platform.componentAppId())) {
      return CallbackResponse.error(403, "the push is for another platform");
    }
    try {
      if (event instanceof PlatformEvent.VerifyTicket t) {
        platform.storeTicket(t);
      } else if (event instanceof PlatformEvent.Authorized a) {
        platform.authorized(a);
      } else if (event instanceof PlatformEvent.Unauthorized u) {
        platform.unauthorized(u);
      }
    } catch (RuntimeException e) {
      log.warn("Could not handle {}; WeChat will push it again: {}", event, e.toString());
      return CallbackResponse.error(500, "internal error");
    }
    try {
      platform.listener().onEvent(event);
    } catch (RuntimeException e) {
      log.warn("The platform's event listener failed on {}", event, e);
    }
    return CallbackResponse.text("success");
  }

  @Override
  public String toString() {
    return "AuthorizationEventEndpoint[" + platform.componentAppId() + "]";
  }
}

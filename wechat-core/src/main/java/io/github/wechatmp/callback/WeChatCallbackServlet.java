package io.github.wechatmp.callback;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A Jakarta Servlet (6.0 and later) that serves the account's server URL through a {@link
 * WeChatCallback}: map it to the URL configured on the WeChat platform.
 *
 * <pre>{@code
 * ServletRegistration.Dynamic r =
 *     servletContext.addServlet("wechat", new WeChatCallbackServlet(callback));
 * r.addMapping("/wechat");
 * }</pre>
 *
 * <p>A thin shell: the query string is decoded from {@code getQueryString()} (so a form body is
 * never read as parameters) and {@linkplain WeChatCallback#screen screened} before the body is read
 * (an unsigned request is refused without reading it; the container's connector read timeout bounds
 * how long a signed one may take to send it), the body is read as UTF-8 up to {@link
 * WeChatCallback#maxBodySize()} bytes (413 beyond it), and the response is written as {@link
 * WeChatCallback#handle} computed it, with its {@linkplain CallbackResponse#headers() headers}.
 * Needs {@code jakarta.servlet-api} at run time, which the servlet container provides; the SDK
 * itself does not depend on it. Thread-safe, as a servlet must be. Not serializable in practice:
 * the callback is not serialized with it.
 */
// "exports": jakarta.servlet is a static (optional) requirement, deliberately not transitive, so
// that the
// SDK does not drag it into every application; whoever uses this class has it anyway.
@SuppressWarnings("exports")
public class WeChatCallbackServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  /** Not serializable; a deserialized servlet has none and answers 503. */
  private final transient WeChatCallback callback;

  /**
   * A servlet answering through {@code callback}.
   *
   * @param callback the callback
   * @throws NullPointerException if it is null
   */
  public WeChatCallbackServlet(WeChatCallback callback) {
    this.callback = Objects.requireNonNull(callback, "callback");
  }

  /**
   * Answers a request through the callback.
   *
   * @param request the request
   * @param response the response
   * @throws IOException if reading the request or writing the response failed
   */
  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (callback == null) {
      write(response, CallbackResponse.error(503, "not configured"));
      return;
    }
    String method = request.getMethod();
    Map<String, String> query = Http.query(request.getQueryString());
    // Before the body: an unsigned request is refused without waiting for a body it may stall.
    Optional<CallbackResponse> refused = callback.screen(method, query);
    if (refused.isPresent()) {
      write(response, refused.get());
      return;
    }
    String body = Http.body(request.getInputStream(), callback.maxBodySize());
    write(
        response,
        body == null
            ? CallbackResponse.error(413, "the body is too large")
            : callback.handle(method, query, body));
  }

  private static void write(HttpServletResponse response, CallbackResponse r) throws IOException {
    byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
    response.setStatus(r.status());
    response.setContentType(r.contentType());
    r.headers().forEach(response::setHeader);
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }
}

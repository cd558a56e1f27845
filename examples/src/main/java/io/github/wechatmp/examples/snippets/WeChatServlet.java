package io.github.wechatmp.examples.snippets;

import io.github.wechatmp.signature.SignatureVerifier;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** README snippet: server access verification in a Servlet. */
@SuppressWarnings("serial") // HttpServlet is Serializable; this one is never serialized
// snippet:start servlet
class WeChatServlet extends HttpServlet {
  private final SignatureVerifier verifier = SignatureVerifier.of(System.getenv("WECHAT_TOKEN"));

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    if (verifier.verify(
        req.getParameter("signature"), req.getParameter("timestamp"), req.getParameter("nonce"))) {
      resp.setContentType("text/plain");
      resp.getWriter().write(req.getParameter("echostr"));
    } else {
      resp.sendError(HttpServletResponse.SC_FORBIDDEN);
    }
  }
}
// snippet:end

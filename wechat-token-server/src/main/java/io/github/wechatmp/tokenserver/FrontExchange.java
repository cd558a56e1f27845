package io.github.wechatmp.tokenserver;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * One request as {@link HttpFront} read it, whole, handed to the handler in the JDK's exchange
 * type, and the answer the handler gives, kept until the front writes it in one piece. Not
 * thread-safe: one thread handles one exchange.
 */
final class FrontExchange extends HttpExchange {
  private final String method;
  private final URI uri;
  private final String protocol;
  private final Headers requestHeaders;
  private final Headers responseHeaders = new Headers();
  private final InputStream body;
  private final InetSocketAddress remote;
  private final InetSocketAddress local;
  private final ByteArrayOutputStream answer = new ByteArrayOutputStream(256);
  private final Map<String, Object> attributes = new HashMap<>();
  private InputStream in;
  private OutputStream out = answer;
  private int status = -1;
  private long length;

  FrontExchange(
      String method,
      URI uri,
      String protocol,
      Headers requestHeaders,
      InputStream body,
      InetSocketAddress remote,
      InetSocketAddress local) {
    this.method = method;
    this.uri = uri;
    this.protocol = protocol;
    this.requestHeaders = requestHeaders;
    this.body = body;
    this.in = body;
    this.remote = remote;
    this.local = local;
  }

  @Override
  public Headers getRequestHeaders() {
    return requestHeaders;
  }

  @Override
  public Headers getResponseHeaders() {
    return responseHeaders;
  }

  @Override
  public URI getRequestURI() {
    return uri;
  }

  @Override
  public String getRequestMethod() {
    return method;
  }

  /** Always null: the front has no contexts, one handler answers everything. */
  @Override
  public HttpContext getHttpContext() {
    return null;
  }

  @Override
  public void close() {
    try {
      body.close();
    } catch (IOException e) {
      // an in-memory stream: never
    }
  }

  @Override
  public InputStream getRequestBody() {
    return in;
  }

  @Override
  public OutputStream getResponseBody() {
    return out;
  }

  /**
   * Records the status and the body's length; {@code -1} for none. A chunked answer ({@code 0}) is
   * not supported: every answer of the server has a known length.
   */
  @Override
  public void sendResponseHeaders(int rCode, long responseLength) throws IOException {
    if (status >= 0) {
      throw new IOException("headers already sent");
    }
    if (responseLength == 0) {
      throw new IOException("chunked answers are not supported");
    }
    status = rCode;
    length = Math.max(0, responseLength);
  }

  @Override
  public InetSocketAddress getRemoteAddress() {
    return remote;
  }

  @Override
  public int getResponseCode() {
    return status;
  }

  @Override
  public InetSocketAddress getLocalAddress() {
    return local;
  }

  @Override
  public String getProtocol() {
    return protocol;
  }

  @Override
  public Object getAttribute(String name) {
    return attributes.get(name);
  }

  @Override
  public void setAttribute(String name, Object value) {
    if (value == null) {
      attributes.remove(name);
    } else {
      attributes.put(name, value);
    }
  }

  @Override
  public void setStreams(InputStream i, OutputStream o) {
    if (i != null) {
      in = i;
    }
    if (o != null) {
      out = o;
    }
  }

  /** Always null: authentication is the handler's. */
  @Override
  public HttpPrincipal getPrincipal() {
    return null;
  }

  /** The declared body length. */
  long declaredLength() {
    return length;
  }

  /**
   * The answer's body, or null if the handler sent no status or wrote other than it declared (the
   * connection is then closed without an answer).
   */
  byte[] answer() {
    if (status < 0 || answer.size() != (method.equals("HEAD") ? answer.size() : length)) {
      return null;
    }
    return answer.toByteArray();
  }
}

package io.github.wechatmp.tokenserver;

import static io.github.wechatmp.tokenserver.Fixture.APP_A;
import static io.github.wechatmp.tokenserver.Fixture.KEY_ALL;
import static io.github.wechatmp.tokenserver.Fixture.tokenPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP/1.1 the front speaks, byte for byte over a socket. */
class HttpFrontTest {
  private static final Pattern STATUS = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");

  private WeChatStandIn wechat;
  private TokenServer server;

  @BeforeEach
  void start() throws IOException {
    wechat = Fixture.wechat();
    server =
        Fixture.start(
            Fixture.yaml(wechat, "{type: memory}"),
            new MutableClock(Instant.parse("2026-12-01T08:00:00Z")));
  }

  @AfterEach
  void stop() {
    server.close();
    wechat.close();
  }

  private static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + KEY_ALL + "\r\n";
  }

  /** Sends {@code request} and reads until the server closes the connection or 3 s pass. */
  private String exchange(String request) throws IOException {
    try (Socket s = new Socket(server.address().getAddress(), server.address().getPort())) {
      s.setSoTimeout(3000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      try {
        for (int r; (r = in.read(buf)) >= 0; ) {
          got.write(buf, 0, r);
        }
      } catch (java.net.SocketTimeoutException e) {
        // kept alive: what came is the answer
      }
      return got.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private static List<Integer> statuses(String answers) {
    List<Integer> out = new ArrayList<>();
    Matcher m = STATUS.matcher(answers);
    while (m.find()) {
      out.add(Integer.parseInt(m.group(1)));
    }
    return out;
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws IOException {
    String a =
        exchange(get(tokenPath(APP_A)) + "\r\n" + get("/nothing") + "Connection: close\r\n\r\n");
    assertEquals(List.of(200, 404), statuses(a), a);
    assertTrue(a.contains("Connection: close"), a);
  }

  @Test
  void aRequestWithBothContentLengthAndChunkedIsRefusedAndTheConnectionClosed() throws IOException {
    String a =
        exchange(
            "POST "
                + tokenPath(APP_A)
                + "/rejected HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                + get(tokenPath(APP_A))
                + "\r\n");
    assertEquals(List.of(400), statuses(a), a);
  }

  @Test
  void differingContentLengthsAreRefused() throws IOException {
    String a =
        exchange(
            "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde");
    assertEquals(List.of(400), statuses(a), a);
  }

  @Test
  void aHeadOver16KibOrOver100HeadersGets431() throws IOException {
    String big = exchange(get(tokenPath(APP_A)) + "X-Big: " + "a".repeat(17_000) + "\r\n\r\n");
    assertEquals(List.of(431), statuses(big), big.substring(0, Math.min(200, big.length())));
    StringBuilder many = new StringBuilder(get(tokenPath(APP_A)));
    for (int i = 0; i < 101; i++) {
      many.append("X-H").append(i).append(": v\r\n");
    }
    String a = exchange(many.append("\r\n").toString());
    assertEquals(List.of(431), statuses(a), a);
  }

  @Test
  void aChunkedReportIsReadAndAnExpectContinueIsAnswered() throws IOException {
    String token =
        Fixture.field(Fixture.get(server, tokenPath(APP_A), KEY_ALL).body(), "access_token");
    String body = "{\"access_token\":\"" + token + "\"}";
    String a =
        exchange(
            "POST "
                + tokenPath(APP_A)
                + "/rejected HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer "
                + KEY_ALL
                + "\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + Integer.toHexString(10)
                + "\r\n"
                + body.substring(0, 10)
                + "\r\n"
                + Integer.toHexString(body.length() - 10)
                + "\r\n"
                + body.substring(10)
                + "\r\n0\r\n\r\n");
    assertTrue(a.startsWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 "), a);
    assertEquals(2, Fixture.tokenFetches(wechat), "the report was honoured");
  }

  @Test
  void anHttp10RequestIsAnsweredAndTheConnectionClosed() throws IOException {
    String a =
        exchange(
            "GET "
                + tokenPath(APP_A)
                + " HTTP/1.0\r\nAuthorization: Bearer "
                + KEY_ALL
                + "\r\n\r\n"
                + get(tokenPath(APP_A))
                + "\r\n");
    assertEquals(List.of(200), statuses(a), a);
    assertTrue(a.contains("Connection: close"), a);
  }

  @Test
  void aRequestLineThatIsNotHttpGets400() throws IOException {
    for (String bad :
        List.of(
            "GET /v1/health\r\n\r\n",
            "get /v1/health HTTP/1.1\r\n\r\n",
            "GET /v1/health HTTP/2.0\r\n\r\n",
            "GET * HTTP/1.1\r\n\r\n",
            "GET /v1/health HTTP/1.1\r\n Folded: header\r\n\r\n")) {
      String a = exchange(bad);
      assertEquals(List.of(400), statuses(a), bad + " -> " + a);
    }
  }
}

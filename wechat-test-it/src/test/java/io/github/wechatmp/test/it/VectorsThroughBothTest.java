package io.github.wechatmp.test.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import io.github.wechatmp.message.MessageCrypto;
import io.github.wechatmp.test.CallbackClient;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * WeChat's published vectors (test-vectors/message-crypto.md) through core's MessageCrypto and
 * through CallbackClient's own crypto in one test each: an endpoint answers the vector's envelope,
 * which CallbackClient must verify and decrypt to the vector's message, and which core decrypts to
 * the same.
 */
class VectorsThroughBothTest {
  HttpServer server;
  final AtomicReference<String> reply = new AtomicReference<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/cb",
        ex -> {
          try (ex) {
            ex.getRequestBody().readAllBytes();
            byte[] b = reply.get().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream out = ex.getResponseBody()) {
              out.write(b);
            }
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  String throughCallbackClient(String token, String key, String appId) {
    return CallbackClient.builder()
        .url("http://127.0.0.1:" + server.getAddress().getPort() + "/cb")
        .token(token)
        .encodingAesKey(key)
        .appId(appId)
        .build()
        .send("<xml><ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName></xml>");
  }

  static String envelope(String encrypt, String signature, String timestamp, String nonce) {
    return "<xml><Encrypt><![CDATA["
        + encrypt
        + "]]></Encrypt><MsgSignature><![CDATA["
        + signature
        + "]]></MsgSignature><TimeStamp>"
        + timestamp
        + "</TimeStamp><Nonce><![CDATA["
        + nonce
        + "]]></Nonce></xml>";
  }

  @Test
  void v1DecryptsToTheSameMessageThroughBoth() {
    String token = v("V1", "Token");
    String key = v("V1", "EncodingAESKey");
    String appId = v("V1", "AppId");
    String body =
        envelope(
            v("V1", "Encrypt"), v("V1", "msg_signature"), v("V1", "timestamp"), v("V1", "nonce"));
    reply.set(body);
    String expected = v("V1", "Decrypted msg");
    assertEquals(expected, throughCallbackClient(token, key, appId));
    assertEquals(
        expected,
        new MessageCrypto(token, key, appId)
            .decrypt(v("V1", "msg_signature"), v("V1", "timestamp"), v("V1", "nonce"), body));
  }

  @Test
  void v2ReplyIsVerifiedAndDecryptedThroughBoth() {
    String token = v("V1", "Token");
    String key = v("V1", "EncodingAESKey");
    String appId = v("V1", "AppId");
    String body =
        envelope(
            v("V2", "Encrypt"), v("V2", "MsgSignature"), v("V2", "TimeStamp"), v("V2", "Nonce"));
    reply.set(body);
    assertEquals(v("V2", "msg"), throughCallbackClient(token, key, appId));
    assertEquals(
        v("V2", "msg"),
        new MessageCrypto(token, key, appId)
            .decrypt(v("V2", "MsgSignature"), v("V2", "TimeStamp"), v("V2", "Nonce"), body));
  }

  // --- test-vectors/message-crypto.md, read from the file ------------------------------------

  private static Map<String, Map<String, String>> sections;

  static synchronized String v(String section, String namePrefix) {
    if (sections == null) {
      sections = read();
    }
    for (Map.Entry<String, Map<String, String>> s : sections.entrySet()) {
      if (s.getKey().startsWith(section)) {
        for (Map.Entry<String, String> e : s.getValue().entrySet()) {
          if (e.getKey().startsWith(namePrefix) || e.getKey().contains(". " + namePrefix)) {
            return e.getValue();
          }
        }
      }
    }
    throw new AssertionError("no " + namePrefix + " in section " + section);
  }

  private static Map<String, Map<String, String>> read() {
    List<String> lines;
    try {
      lines = Files.readAllLines(vectorFile(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    Map<String, String> current = null;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.startsWith("## ")) {
        current = new LinkedHashMap<>();
        out.put(line.substring(3).strip(), current);
      } else if (current != null && line.startsWith("- ")) {
        for (String piece : line.substring(2).split("\\s{3,}")) {
          int colon = piece.indexOf(':');
          if (colon < 0) {
            continue;
          }
          String value = piece.substring(colon + 1).strip().replaceFirst("\\s+\\(.*\\)$", "");
          if (value.isEmpty() && i + 1 < lines.size()) {
            value = lines.get(i + 1).strip();
          }
          current.put(piece.substring(0, colon).strip(), value);
        }
      }
    }
    return out;
  }

  private static Path vectorFile() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path candidate = d.resolve("test-vectors").resolve("message-crypto.md");
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
      if (Files.isRegularFile(d.resolve("mvnw"))) {
        break; // the repository root: nothing above it is ours to read
      }
    }
    throw new IllegalStateException("test-vectors/message-crypto.md not found");
  }
}

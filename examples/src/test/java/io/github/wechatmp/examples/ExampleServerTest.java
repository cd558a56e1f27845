package io.github.wechatmp.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.wechatmp.message.MessageCrypto;
import io.github.wechatmp.message.WeChatXml;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.embedded.RedisServer;

/** Starts the example in demo mode on a free port and drives every route over real HTTP. */
class ExampleServerTest {
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<ExampleServer> servers = new ArrayList<>();

  @AfterEach
  void stop() {
    servers.forEach(ExampleServer::close);
  }

  private ExampleServer start(String store) throws Exception {
    ExampleServer s = ExampleServer.start(ExampleConfig.demo(0, store, 60));
    servers.add(s);
    return s;
  }

  private HttpResponse<String> get(ExampleServer s, String pathAndQuery) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + s.port() + pathAndQuery))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(ExampleServer s, String pathAndQuery, String body)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + s.port() + pathAndQuery))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String signed(ExampleServer s, String ts, String nonce) {
    return "signature=" + s.verifier().sign(ts, nonce) + "&timestamp=" + ts + "&nonce=" + nonce;
  }

  private static String textMessage(String content) {
    return "<xml><ToUserName><![CDATA[gh_account]]></ToUserName><FromUserName><![CDATA[o_user]]></FromUserName>"
        + "<CreateTime>1714036504</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA["
        + content
        + "]]></Content><MsgId>1</MsgId></xml>";
  }

  @Test
  void serverAccessVerification() throws Exception {
    ExampleServer s = start("memory");
    HttpResponse<String> ok =
        get(s, "/wechat?" + signed(s, "1714036504", "1514711492") + "&echostr=hello-wechat");
    assertEquals(200, ok.statusCode());
    assertEquals("hello-wechat", ok.body());

    String badSig =
        "/wechat?signature=" + "0".repeat(40) + "&timestamp=1714036504&nonce=1514711492&echostr=x";
    assertEquals(403, get(s, badSig).statusCode());
    assertEquals(400, get(s, "/wechat?echostr=x").statusCode(), "no parameters at all");
    assertEquals(
        400, get(s, "/wechat?" + signed(s, "1714036504", "1514711492")).statusCode(), "no echostr");
  }

  @Test
  void plaintextTextMessageGetsAnEchoReply() throws Exception {
    ExampleServer s = start("memory");
    HttpResponse<String> r =
        post(
            s,
            "/wechat?" + signed(s, "1714036504", "42"),
            textMessage("hello ]]]]><![CDATA[> <b>"));
    assertEquals(200, r.statusCode());
    Map<String, String> reply = WeChatXml.parse(r.body());
    assertEquals("o_user", reply.get("ToUserName"));
    assertEquals("gh_account", reply.get("FromUserName"));
    assertEquals("text", reply.get("MsgType"));
    assertEquals("echo: hello ]]> <b>", reply.get("Content"));

    assertEquals(
        403,
        post(s, "/wechat?signature=" + "1".repeat(40) + "&timestamp=1&nonce=2", textMessage("x"))
            .statusCode());
    assertEquals(400, post(s, "/wechat?" + signed(s, "1", "2"), "<xml><MsgType>text").statusCode());
    assertEquals(
        400,
        post(
                s,
                "/wechat?" + signed(s, "1", "2"),
                "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><xml><Content>&e;</Content></xml>")
            .statusCode());
    HttpResponse<String> event =
        post(
            s,
            "/wechat?" + signed(s, "1", "2"),
            "<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime>"
                + "<MsgType>event</MsgType><Event>subscribe</Event></xml>");
    assertEquals(200, event.statusCode());
    assertTrue(WeChatXml.parse(event.body()).get("Content").startsWith("Welcome"), event.body());
    HttpResponse<String> image =
        post(
            s,
            "/wechat?" + signed(s, "1", "2"),
            "<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime>"
                + "<MsgType>image</MsgType><MediaId>m</MediaId><MsgId>9</MsgId></xml>");
    assertEquals("success", image.body(), "no rule for images: no reply");
  }

  @Test
  void encryptedTextMessageGetsAnEncryptedReply() throws Exception {
    ExampleServer s = start("memory");
    MessageCrypto crypto = s.crypto();
    String ts = "1714036504";
    String nonce = "77";
    Map<String, String> envelope =
        WeChatXml.parse(crypto.encrypt(textMessage("secret hello"), ts, nonce));
    String body =
        "<xml><ToUserName><![CDATA[gh_account]]></ToUserName><Encrypt><![CDATA["
            + envelope.get("Encrypt")
            + "]]></Encrypt></xml>";
    String query =
        "/wechat?"
            + signed(s, ts, nonce)
            + "&encrypt_type=aes&msg_signature="
            + envelope.get("MsgSignature");
    HttpResponse<String> r = post(s, query, body);
    assertEquals(200, r.statusCode());
    assertFalse(r.body().contains("secret hello"), "the reply must be encrypted");
    Map<String, String> replyEnvelope = WeChatXml.parse(r.body());
    String plain =
        crypto.decrypt(
            replyEnvelope.get("MsgSignature"),
            replyEnvelope.get("TimeStamp"),
            replyEnvelope.get("Nonce"),
            replyEnvelope.get("Encrypt"));
    assertEquals("echo: secret hello", WeChatXml.parse(plain).get("Content"));

    String tampered =
        "/wechat?" + signed(s, ts, nonce) + "&encrypt_type=aes&msg_signature=" + "0".repeat(40);
    assertEquals(403, post(s, tampered, body).statusCode());
  }

  @Test
  void tokenRouteShowsTheTokenMaskedAndWhereItCameFrom() throws Exception {
    ExampleServer s = start("memory");
    HttpResponse<String> first = get(s, "/token");
    assertEquals(200, first.statusCode());
    String whole = s.tokens().get().value();
    assertFalse(first.body().contains(whole), "never the whole token");
    assertTrue(first.body().contains(s.tokens().get().masked()), first.body());
    assertTrue(first.body().contains("\"source\":\"wechat\""), first.body());
    assertTrue(first.body().contains("\"expiresAt\""), first.body());
    HttpResponse<String> second = get(s, "/token");
    assertTrue(second.body().contains("\"source\":\"memory\""), second.body());
    assertEquals(1, s.standInIssued());
  }

  /** Two instances of the example over one store: the first fetches, the second adopts. */
  private void assertTwoInstancesFetchOnce(String store) throws Exception {
    ExampleServer a = start(store);
    ExampleServer b = start(store);
    String fromA = get(a, "/token").body();
    String fromB = get(b, "/token").body();
    assertTrue(fromA.contains("\"source\":\"wechat\""), fromA);
    assertTrue(fromB.contains("\"source\":\"store\""), fromB);
    assertEquals(a.tokens().get().value(), b.tokens().get().value());
    assertEquals(1, a.standInIssued() + b.standInIssued(), "one fetch between the two instances");
  }

  @Test
  void twoInstancesOnOneFileFetchOnce(@TempDir Path dir) throws Exception {
    assertTwoInstancesFetchOnce("file:" + dir.resolve("tokens.json"));
    assertTrue(Files.exists(dir.resolve("tokens.json")));
  }

  @Test
  void twoInstancesOnOneRedisFetchOnce() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    RedisServer redis =
        RedisServer.newRedisServer()
            .bind("127.0.0.1")
            .port(port)
            .setting("save \"\"")
            .setting("appendonly no")
            .build();
    redis.start();
    try {
      assertTwoInstancesFetchOnce("redis://127.0.0.1:" + port);
    } finally {
      servers.forEach(ExampleServer::close);
      servers.clear();
      redis.stop();
    }
  }

  @Test
  void everyPrintedCurlCommandWorks() throws Exception {
    ExampleServer s = start("memory");
    String base = "http://localhost:" + s.port();
    String[] lines = DemoApp.curlCommands(base, s.verifier(), s.crypto());
    Pattern url = Pattern.compile("'(http://[^']+)'|(http://\\S+)");
    Pattern data = Pattern.compile("--data-binary '([^']*)'");
    int checked = 0;
    for (int i = 0; i < lines.length; i++) {
      if (!lines[i].startsWith("curl")) {
        continue;
      }
      String comment = lines[i - 1];
      Matcher u = url.matcher(lines[i]);
      assertTrue(u.find(), lines[i]);
      String target = (u.group(1) != null ? u.group(1) : u.group(2)).substring(base.length());
      Matcher d = data.matcher(lines[i]);
      HttpResponse<String> r = d.find() ? post(s, target, d.group(1)) : get(s, target);
      if (comment.contains("bad signature")) {
        assertEquals(403, r.statusCode(), lines[i]);
      } else {
        assertEquals(200, r.statusCode(), lines[i] + "\n" + r.body());
      }
      if (comment.contains("verification")) {
        assertEquals("hello-wechat", r.body());
      }
      if (comment.contains("plaintext")) {
        assertEquals("echo: hello", WeChatXml.parse(r.body()).get("Content"));
      }
      if (comment.contains("security mode")) {
        assertNotNull(WeChatXml.parse(r.body()).get("Encrypt"));
      }
      checked++;
    }
    assertEquals(5, checked);
  }

  @Test
  void aFileStoreThatCannotBeWrittenIsRefusedAtStart(@TempDir Path dir) throws Exception {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ExampleServer.start(ExampleConfig.demo(0, "file:" + dir, 60)));
    assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
    Path notADirectory = Files.writeString(dir.resolve("plain"), "x");
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ExampleServer.start(
                    ExampleConfig.demo(0, "file:" + notADirectory.resolve("t.json"), 60)));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    assertTrue(e.getMessage().contains("--store file:"), e.getMessage());
  }

  @Test
  void aFileStoreInADirectoryOthersCanWriteToIsRefusedAtStartWithASafePlaceToUse(@TempDir Path dir)
      throws Exception {
    assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ExampleServer.start(
                    ExampleConfig.demo(0, "file:" + shared.resolve("tokens.json"), 60)));
    assertTrue(
        e.getMessage().startsWith("--store file:" + shared.resolve("tokens.json")), e.getMessage());
    assertTrue(e.getMessage().contains("can be written by other users"), e.getMessage());
    assertTrue(e.getMessage().contains("--store file:$HOME/wechat-tokens.json"), e.getMessage());
    assertFalse(e.getMessage().contains("/tmp/wechat-tokens.json"), e.getMessage());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
  }

  @Test
  @Tag("slow") // starts a JVM
  void aMisconfiguredStartPrintsOneLineAndExitsWithStatus2(@TempDir Path dir) throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                DemoApp.class.getName(),
                "--port",
                "0",
                "--store",
                "file:" + dir)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(2, p.exitValue());
    assertEquals(1, err.lines().count(), err);
    assertTrue(err.startsWith("error: --store file:"), err);
  }

  @Test
  void misconfigurationsGetClearMessages() throws Exception {
    Map<String, String> none = Map.of();
    assertTrue(ExampleConfig.parse(new String[0], none).demo);
    assertEquals(9090, ExampleConfig.parse(new String[] {"--port", "9090"}, none).port);

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ExampleConfig.parse(new String[0], Map.of("WECHAT_APP_ID", "wx123")));
    assertTrue(e.getMessage().contains("WECHAT_APP_SECRET"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ExampleConfig.parse(
                    new String[0], Map.of("WECHAT_APP_ID", "wx123", "WECHAT_APP_SECRET", "s")));
    assertTrue(e.getMessage().contains("WECHAT_TOKEN"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ExampleConfig.parse(new String[] {"--store", "mongo://x"}, none));
    assertTrue(e.getMessage().contains("--store"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ExampleConfig.parse(new String[] {"--port", "http"}, none));
    assertTrue(e.getMessage().contains("--port"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ExampleConfig.parse(new String[] {"--bogus"}, none));
    assertTrue(e.getMessage().contains("usage"), e.getMessage());

    Map<String, String> badKey =
        Map.of(
            "WECHAT_APP_ID",
            "wx123",
            "WECHAT_APP_SECRET",
            "s",
            "WECHAT_TOKEN",
            "t",
            "WECHAT_ENCODING_AES_KEY",
            "too-short");
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ExampleServer.start(ExampleConfig.parse(new String[] {"--port", "0"}, badKey)));
    assertTrue(e.getMessage().contains("WECHAT_ENCODING_AES_KEY"), e.getMessage());

    try (ServerSocket taken = new ServerSocket(0)) {
      e =
          assertThrows(
              IllegalArgumentException.class,
              () -> ExampleServer.start(ExampleConfig.demo(taken.getLocalPort(), "memory", 60)));
      assertTrue(e.getMessage().contains("in use"), e.getMessage());
    }
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0)) {
      closedPort = probe.getLocalPort();
    }
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ExampleServer.start(ExampleConfig.demo(0, "redis://127.0.0.1:" + closedPort, 60)));
    assertTrue(e.getMessage().contains("unreachable"), e.getMessage());
  }
}

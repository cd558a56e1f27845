package io.github.wechatmp.examples;

import io.github.wechatmp.message.MessageCrypto;
import io.github.wechatmp.message.WeChatXml;
import io.github.wechatmp.signature.SignatureVerifier;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The runnable example: {@code ./mvnw -q -pl examples -am package -DskipTests exec:exec}. Without
 * {@code WECHAT_APP_ID}/{@code WECHAT_APP_SECRET} it runs in demo mode against a local stand-in for
 * WeChat and prints ready-to-paste {@code curl} commands for every route.
 */
public final class DemoApp {
  private DemoApp() {}

  public static void main(String[] args) throws Exception {
    ExampleConfig config;
    ExampleServer server;
    try {
      config = ExampleConfig.parse(args, System.getenv());
      server = ExampleServer.start(config);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("Shutting down...");
                  server.close();
                  stopped.countDown();
                },
                "example-shutdown"));
    printBanner(System.out, config, server);
    stopped.await();
  }

  static void printBanner(PrintStream out, ExampleConfig config, ExampleServer server) {
    String base = "http://localhost:" + server.port();
    out.println();
    out.println(
        "wechat-mp example listening on "
            + base
            + " ("
            + (config.demo
                ? "DEMO mode: a local stand-in plays WeChat and issues tokens that live "
                    + config.demoExpiresIn
                    + " s"
                : "talking to WeChat as " + config.appId)
            + ")");
    out.println("token store: " + server.storeDescription());
    out.println("Ctrl-C stops it.");
    out.println();
    if (!config.demo) {
      out.println("Point the platform's server URL at " + base + "/wechat (through a public URL).");
      out.println("The current token: curl -s " + base + "/token");
      return;
    }
    for (String line : curlCommands(base, server.verifier(), server.crypto())) {
      out.println(line);
    }
  }

  /**
   * Ready-to-paste commands with valid signatures for every route, and one with a bad signature.
   */
  static String[] curlCommands(String base, SignatureVerifier verifier, MessageCrypto crypto) {
    String ts = Long.toString(Instant.now().getEpochSecond());
    String nonce = "1514711492";
    String sig = verifier.sign(ts, nonce);
    String signed = "signature=" + sig + "&timestamp=" + ts + "&nonce=" + nonce;
    String text =
        "<xml><ToUserName><![CDATA[gh_demo_account]]></ToUserName>"
            + "<FromUserName><![CDATA[o_demo_user]]></FromUserName><CreateTime>"
            + ts
            + "</CreateTime>"
            + "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hello]]></Content>"
            + "<MsgId>1234567890123456</MsgId></xml>";
    Map<String, String> envelope = WeChatXml.parse(crypto.encrypt(text, ts, nonce));
    String encryptedBody =
        "<xml><ToUserName><![CDATA[gh_demo_account]]></ToUserName><Encrypt><![CDATA["
            + envelope.get("Encrypt")
            + "]]></Encrypt></xml>";
    String msgSig = URLEncoder.encode(envelope.get("MsgSignature"), StandardCharsets.UTF_8);
    return new String[] {
      "# 1. Server access verification (prints hello-wechat):",
      "curl -s '" + base + "/wechat?" + signed + "&echostr=hello-wechat'; echo",
      "# 2. The same with a bad signature (HTTP 403):",
      "curl -si '"
          + base
          + "/wechat?signature="
          + "0".repeat(40)
          + "&timestamp="
          + ts
          + "&nonce="
          + nonce
          + "&echostr=x' | head -1",
      "# 3. A plaintext text message; the reply echoes it:",
      "curl -s -X POST '" + base + "/wechat?" + signed + "' --data-binary '" + text + "'; echo",
      "# 4. The same message in security mode; the reply is encrypted:",
      "curl -s -X POST '"
          + base
          + "/wechat?"
          + signed
          + "&encrypt_type=aes&msg_signature="
          + msgSig
          + "' --data-binary '"
          + encryptedBody
          + "'; echo",
      "# 5. The current access token, masked, and where it came from (run it again after a minute):",
      "curl -s " + base + "/token",
      "",
    };
  }
}

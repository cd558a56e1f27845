package io.github.wechatmp.benchmarks;

import io.github.wechatmp.message.InboundMessage;
import io.github.wechatmp.message.MessageCrypto;
import io.github.wechatmp.message.WeChatXml;
import io.github.wechatmp.signature.SignatureVerifier;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One encrypted text message (about 300 bytes, as WeChat sends it in security mode): {@link
 * MessageCrypto#decrypt} alone, and the hand-written path the README showed before {@code
 * WeChatCallback} (read, parse, build the reply map, write it, encrypt). Sample time, so that the
 * report has the median (p0.50) of single calls.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
@Threads(1)
public class MessageBenchmark {
  static final String TOKEN = "pamtest";
  static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  static final String APP_ID = "wxb11529c136998cb6";
  static final String TIMESTAMP = "1714112445";
  static final String NONCE = "415670741";

  private MessageCrypto crypto;
  private String signature;
  private String msgSignature;
  private String body;

  static String text(String msgId) {
    return "<xml><ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName>"
        + "<FromUserName><![CDATA[o9AgO5Kd5ggOC-bXrbNODIiE3bGY]]></FromUserName>"
        + "<CreateTime>1714112445</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        + "<Content><![CDATA[hello, this is a message of ordinary length]]></Content>"
        + "<MsgId>"
        + msgId
        + "</MsgId></xml>";
  }

  /** The request body and query of {@code xml} encrypted: {msg_signature, body}. */
  static String[] encrypted(MessageCrypto crypto, String xml) {
    Map<String, String> envelope = WeChatXml.parse(crypto.encrypt(xml, TIMESTAMP, NONCE));
    return new String[] {
      envelope.get("MsgSignature"),
      "<xml><ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName><Encrypt><![CDATA["
          + envelope.get("Encrypt")
          + "]]></Encrypt></xml>"
    };
  }

  @Setup
  public void setUp() {
    crypto = new MessageCrypto(TOKEN, AES_KEY, APP_ID);
    signature = SignatureVerifier.of(TOKEN).sign(TIMESTAMP, NONCE);
    String[] e = encrypted(crypto, text("24000000000000000"));
    msgSignature = e[0];
    body = e[1];
  }

  @Benchmark
  public String decrypt() {
    return crypto.decrypt(msgSignature, TIMESTAMP, NONCE, body);
  }

  @Benchmark
  public String handWrittenReadmePath() {
    InboundMessage in = crypto.readMessage(signature, msgSignature, TIMESTAMP, NONCE, body);
    Map<String, String> fields = in.fields();
    Map<String, String> reply = new LinkedHashMap<>();
    reply.put("ToUserName", fields.get("FromUserName"));
    reply.put("FromUserName", fields.get("ToUserName"));
    reply.put("CreateTime", "1714112446");
    reply.put("MsgType", "text");
    reply.put("Content", "You said: " + fields.get("Content"));
    String xml = WeChatXml.write(reply);
    return in.encrypted() ? crypto.encrypt(xml, TIMESTAMP, NONCE) : xml;
  }
}

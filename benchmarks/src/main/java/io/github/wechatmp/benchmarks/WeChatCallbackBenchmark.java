package io.github.wechatmp.benchmarks;

import io.github.wechatmp.callback.CallbackResponse;
import io.github.wechatmp.callback.InMemoryMessageDeduplicator;
import io.github.wechatmp.callback.MessageRouter;
import io.github.wechatmp.callback.Reply;
import io.github.wechatmp.callback.WeChatCallback;
import io.github.wechatmp.callback.inbound.TextMessage;
import io.github.wechatmp.message.MessageCrypto;
import io.github.wechatmp.signature.SignatureVerifier;
import java.time.Duration;
import java.util.HashMap;
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
 * One encrypted text message end to end through {@link WeChatCallback#handle}: verify both
 * signatures, decrypt, parse, dedup in memory (claim and complete), hand to a handler thread and
 * back, route, write the reply, encrypt. One calling thread. Each call is a new message (a ring of
 * distinct MsgIds larger than the deduplicator's bound, so no call finds a cached reply).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
@Threads(1)
public class WeChatCallbackBenchmark {
  private static final int RING = 4096;

  private WeChatCallback callback;
  private final Map<String, String>[] queries = newArray(RING);
  private final String[] bodies = new String[RING];
  private int next = 1;

  @SuppressWarnings({"unchecked", "rawtypes"}) // Java has no generic array creation
  private static Map<String, String>[] newArray(int n) {
    return new Map[n];
  }

  @Setup
  public void setUp() {
    MessageCrypto crypto =
        new MessageCrypto(
            MessageBenchmark.TOKEN, MessageBenchmark.AES_KEY, MessageBenchmark.APP_ID);
    String signature =
        SignatureVerifier.of(MessageBenchmark.TOKEN)
            .sign(MessageBenchmark.TIMESTAMP, MessageBenchmark.NONCE);
    for (int i = 0; i < RING; i++) {
      String[] e =
          MessageBenchmark.encrypted(
              crypto, MessageBenchmark.text(Long.toString(24_000_000_000_000_000L + i)));
      Map<String, String> q = new HashMap<>();
      q.put("signature", signature);
      q.put("timestamp", MessageBenchmark.TIMESTAMP);
      q.put("nonce", MessageBenchmark.NONCE);
      q.put("openid", "o9AgO5Kd5ggOC-bXrbNODIiE3bGY");
      q.put("encrypt_type", "aes");
      q.put("msg_signature", e[0]);
      queries[i] = q;
      bodies[i] = e[1];
    }
    callback =
        WeChatCallback.builder()
            .token(MessageBenchmark.TOKEN)
            .encodingAesKey(MessageBenchmark.AES_KEY)
            .appId(MessageBenchmark.APP_ID)
            .deduplicator(new InMemoryMessageDeduplicator(RING / 4, Duration.ofMinutes(1)))
            .handler(
                MessageRouter.builder()
                    .on(TextMessage.class, m -> Reply.text("You said: " + m.content()))
                    .build())
            .build();
    // message 0 is handled here and never again: handleRetryOfAHandledMessage answers its cache
    CallbackResponse r = callback.handle("POST", queries[0], bodies[0]);
    if (r.status() != 200 || !r.body().contains("<Encrypt>")) {
      throw new IllegalStateException("the benchmark's message is not answered: " + r.body());
    }
  }

  /**
   * A retry of a handled message: the same pipeline less the handler and its thread hop (the cached
   * reply is encrypted afresh), which shows what the hop costs on this machine.
   */
  @Benchmark
  public CallbackResponse handleRetryOfAHandledMessage() {
    return callback.handle("POST", queries[0], bodies[0]);
  }

  @Benchmark
  public CallbackResponse handle() {
    int i = next;
    next = i + 1 == RING ? 1 : i + 1;
    return callback.handle("POST", queries[i], bodies[i]);
  }
}

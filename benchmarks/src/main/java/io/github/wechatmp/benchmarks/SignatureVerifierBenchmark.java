package io.github.wechatmp.benchmarks;

import io.github.wechatmp.signature.SignatureVerifier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
 * {@link SignatureVerifier#verify} against the floor it cannot beat: one SHA-1 of the same bytes
 * (the Token, timestamp and nonce, already sorted and concatenated), with a reused digest.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class SignatureVerifierBenchmark {
  private static final String TOKEN = "AAAAA";
  private static final String TIMESTAMP = "1714036504";
  private static final String NONCE = "1514711492";
  private static final String SIGNATURE = "f464b24fc39322e44b38aa78f5edd27bd1441696";

  private SignatureVerifier verifier;
  private MessageDigest sha1;
  private byte[] sortedConcatenation;

  @Setup
  public void setUp() throws NoSuchAlgorithmException {
    verifier = SignatureVerifier.of(TOKEN);
    if (!verifier.verify(SIGNATURE, TIMESTAMP, NONCE)) {
      throw new IllegalStateException("the benchmark's vector does not verify");
    }
    sha1 = MessageDigest.getInstance("SHA-1");
    sortedConcatenation = (NONCE + TIMESTAMP + TOKEN).getBytes(StandardCharsets.UTF_8);
  }

  @Benchmark
  @Threads(1)
  public boolean verify() {
    return verifier.verify(SIGNATURE, TIMESTAMP, NONCE);
  }

  @Benchmark
  @Threads(2)
  public boolean verifyTwoThreads() {
    return verifier.verify(SIGNATURE, TIMESTAMP, NONCE);
  }

  @Benchmark
  @Threads(1)
  public byte[] bareSha1() {
    return sha1.digest(sortedConcatenation);
  }

  @Benchmark
  @Threads(2)
  public byte[] bareSha1TwoThreads() {
    return sha1.digest(sortedConcatenation);
  }
}

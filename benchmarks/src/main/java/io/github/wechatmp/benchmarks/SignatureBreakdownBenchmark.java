package io.github.wechatmp.benchmarks;

import io.github.wechatmp.internal.crypto.SortedSha1;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Where {@code SignatureVerifier.verify}'s time goes beyond the SHA-1 itself, step by step, with
 * the same vector as {@link SignatureVerifierBenchmark}: the digest of bytes already sorted and
 * concatenated (the floor), the SDK's sorted digest of the three strings, its constant-time hex
 * comparison alone, both together, and the two ways of copying a string's chars into bytes (char by
 * char, as the SDK does so that it sees every char, and the JDK's deprecated bulk copy, which drops
 * each char's high byte unseen). The strings are fields, not constants, so that the compiler cannot
 * fold them. Results and reading: docs/benchmarks.md.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class SignatureBreakdownBenchmark {
  private String token = new String("AAAAA".toCharArray());
  private String timestamp = new String("1714036504".toCharArray());
  private String nonce = new String("1514711492".toCharArray());
  private String signature = new String("f464b24fc39322e44b38aa78f5edd27bd1441696".toCharArray());

  private SortedSha1.Fixed fixedToken;
  private MessageDigest sha1;
  private byte[] sortedConcatenation;
  private final byte[] digestOut = new byte[SortedSha1.LENGTH];
  private final byte[] copyOut = new byte[64];
  private byte[] expectedDigest;

  /**
   * Builds the inputs and checks the vector.
   *
   * @throws NoSuchAlgorithmException never: every JVM has SHA-1
   */
  @Setup
  public void setUp() throws NoSuchAlgorithmException {
    fixedToken = SortedSha1.Fixed.of(token);
    sha1 = MessageDigest.getInstance("SHA-1");
    sortedConcatenation = (nonce + timestamp + token).getBytes(StandardCharsets.US_ASCII);
    expectedDigest = SortedSha1.digest(fixedToken, timestamp, nonce).clone();
    if (!SortedSha1.matchesHex(signature, fixedToken, timestamp, nonce)) {
      throw new IllegalStateException("the benchmark's vector does not verify");
    }
  }

  /**
   * The floor: SHA-1 of the bytes already sorted and concatenated, into a reused buffer.
   *
   * @return the digest
   * @throws DigestException never: the buffer holds 20 bytes
   */
  @Benchmark
  public byte[] digestOfSortedBytes() throws DigestException {
    sha1.update(sortedConcatenation);
    sha1.digest(digestOut, 0, digestOut.length);
    return digestOut;
  }

  /**
   * The SDK's digest of the Token, timestamp and nonce: thread-local buffers, sort, copy, SHA-1.
   *
   * @return the digest
   */
  @Benchmark
  public byte[] sortedDigest() {
    return SortedSha1.digest(fixedToken, timestamp, nonce);
  }

  /**
   * The constant-time comparison of the given hex signature with a digest, alone.
   *
   * @return whether they match
   */
  @Benchmark
  public boolean hexComparison() {
    return SortedSha1.matchesHex(signature, expectedDigest);
  }

  /**
   * Both: what {@code verify} does once its arguments are checked.
   *
   * @return whether the signature matches
   */
  @Benchmark
  public boolean sortedDigestAndHexComparison() {
    return SortedSha1.matchesHex(signature, fixedToken, timestamp, nonce);
  }

  /**
   * Copying the timestamp's and nonce's chars into bytes one by one, seeing each char.
   *
   * @return the chars OR-ed together
   */
  @Benchmark
  public int copyCharByChar() {
    return copy(timestamp, copyOut, 0) | copy(nonce, copyOut, timestamp.length());
  }

  /**
   * Copying them with the JDK's bulk copy, which keeps each char's low byte only.
   *
   * @return the buffer
   */
  @Benchmark
  @SuppressWarnings("deprecation")
  public byte[] copyLowBytesInBulk() {
    timestamp.getBytes(0, timestamp.length(), copyOut, 0);
    nonce.getBytes(0, nonce.length(), copyOut, timestamp.length());
    return copyOut;
  }

  private static int copy(String s, byte[] to, int at) {
    int seen = 0;
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      seen |= ch;
      to[at + i] = (byte) ch;
    }
    return seen;
  }
}

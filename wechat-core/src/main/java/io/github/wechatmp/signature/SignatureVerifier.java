package io.github.wechatmp.signature;

import io.github.wechatmp.internal.crypto.SortedSha1;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Checks the {@code signature} WeChat sends with every request to a back end (server access
 * verification and every pushed message): the lowercase hex SHA-1 of the Token, {@code timestamp}
 * and {@code nonce}, sorted and concatenated.
 *
 * <p>The three strings are sorted by their UTF-8 bytes (code point order), which is what WeChat's
 * own samples do and what agrees with Java's {@code String} order for every Token WeChat accepts
 * (ASCII). The computed and the received signature are compared in constant time.
 *
 * <p>An optional replay window, off by default, rejects requests whose {@code timestamp} (seconds
 * since the epoch) is further than {@link Builder#maxTimestampAge(Duration)} from now, in either
 * direction. WeChat itself does not require one; turn it on to refuse replayed requests.
 *
 * <p>Immutable and thread-safe; share one instance. {@link #verify} never throws.
 */
public final class SignatureVerifier {
  /**
   * The longest {@code timestamp} or {@code nonce} accepted. WeChat sends ten-digit values;
   * anything far larger is not WeChat's and is refused without hashing it.
   */
  public static final int MAX_PARAMETER_LENGTH = 128;

  private static final int SHA1_LENGTH = SortedSha1.LENGTH;

  private final String token;
  private final SortedSha1.Fixed encodedToken;
  private final Duration maxTimestampAge;
  private final Clock clock;

  private SignatureVerifier(Builder b) {
    this.token = b.token;
    this.encodedToken = SortedSha1.Fixed.of(b.token);
    this.maxTimestampAge = b.maxTimestampAge;
    this.clock = b.clock;
  }

  /**
   * Returns a verifier for {@code token} with no replay window.
   *
   * @param token the Token configured on the WeChat platform; not null or empty
   * @return a new verifier
   * @throws IllegalArgumentException if the token is null or empty
   */
  public static SignatureVerifier of(String token) {
    return builder(token).build();
  }

  /**
   * Returns a builder for a verifier of {@code token}.
   *
   * @param token the Token configured on the WeChat platform; not null or empty
   * @return a new builder
   * @throws IllegalArgumentException if the token is null or empty
   */
  public static Builder builder(String token) {
    return new Builder(token);
  }

  /**
   * Returns whether {@code signature} is the one WeChat would send for {@code timestamp} and {@code
   * nonce} with this verifier's Token, and, with a replay window, whether {@code timestamp} is
   * within it. Returns false, and never throws, for any malformed input: null, empty, a signature
   * that is not 40 hex digits, a parameter longer than {@value #MAX_PARAMETER_LENGTH} characters,
   * or (with a replay window) a timestamp that is not a number of seconds. Upper-case hex digits
   * are accepted. Thread-safe.
   *
   * @param signature the {@code signature} query parameter: 40 hex digits
   * @param timestamp the {@code timestamp} query parameter
   * @param nonce the {@code nonce} query parameter
   * @return true only if the signature matches (and the timestamp is within the replay window, if
   *     one is set)
   */
  public boolean verify(String signature, String timestamp, String nonce) {
    if (signature == null
        || signature.length() != 2 * SHA1_LENGTH
        || !acceptable(timestamp)
        || !acceptable(nonce)) {
      return false;
    }
    if (maxTimestampAge != null && !withinWindow(timestamp)) {
      return false;
    }
    return SortedSha1.matchesHex(signature, encodedToken, timestamp, nonce);
  }

  /**
   * Returns the signature WeChat would send for {@code timestamp} and {@code nonce}: 40 lowercase
   * hex digits. Useful to test one's own endpoint, or to sign requests in a stand-in for WeChat.
   * Thread-safe.
   *
   * @param timestamp the {@code timestamp} to sign
   * @param nonce the {@code nonce} to sign
   * @return the signature
   * @throws IllegalArgumentException if an argument is null, empty or longer than {@value
   *     #MAX_PARAMETER_LENGTH} characters
   */
  public String sign(String timestamp, String nonce) {
    if (!acceptable(timestamp)) {
      throw new IllegalArgumentException(
          "timestamp must have 1 to " + MAX_PARAMETER_LENGTH + " characters");
    }
    if (!acceptable(nonce)) {
      throw new IllegalArgumentException(
          "nonce must have 1 to " + MAX_PARAMETER_LENGTH + " characters");
    }
    return SortedSha1.toHex(SortedSha1.digest(encodedToken, timestamp, nonce));
  }

  private static boolean acceptable(String s) {
    return s != null && !s.isEmpty() && s.length() <= MAX_PARAMETER_LENGTH;
  }

  private boolean withinWindow(String timestamp) {
    long seconds;
    try {
      seconds = Long.parseLong(timestamp);
    } catch (NumberFormatException e) {
      return false;
    }
    long nowSeconds = Math.floorDiv(clock.millis(), 1000);
    long age = nowSeconds - seconds;
    return Math.abs(age) <= maxTimestampAge.getSeconds();
  }

  @Override
  public String toString() {
    return "SignatureVerifier{token=****, replayWindow="
        + (maxTimestampAge == null ? "off" : maxTimestampAge)
        + '}';
  }

  /**
   * Options of a {@link SignatureVerifier}. Not thread-safe; each {@link #build()} makes a new
   * verifier.
   */
  public static final class Builder {
    private final String token;
    private Duration maxTimestampAge;
    private Clock clock = Clock.systemUTC();

    private Builder(String token) {
      if (token == null || token.isEmpty()) {
        throw new IllegalArgumentException(
            "token is required: the Token configured on the WeChat platform");
      }
      this.token = token;
    }

    /**
     * Turns on the replay window: a request whose {@code timestamp} differs from now by more than
     * {@code maxAge}, into the past or the future, fails verification. Off by default. A window of
     * a few minutes tolerates clock skew between WeChat and this host.
     *
     * @param maxAge the widest accepted difference, at least one second; null turns the window off
     * @return this builder
     * @throws IllegalArgumentException if {@code maxAge} is under one second
     */
    public Builder maxTimestampAge(Duration maxAge) {
      if (maxAge != null && maxAge.getSeconds() < 1) {
        throw new IllegalArgumentException("maxTimestampAge must be at least one second");
      }
      this.maxTimestampAge = maxAge;
      return this;
    }

    /**
     * The clock the replay window reads. Default {@link Clock#systemUTC()}.
     *
     * @param clock the clock
     * @return this builder
     * @throws NullPointerException if {@code clock} is null
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Makes the verifier. Never throws: the Token was checked by {@link SignatureVerifier#builder}.
     *
     * @return a new, immutable verifier
     */
    public SignatureVerifier build() {
      return new SignatureVerifier(this);
    }
  }
}

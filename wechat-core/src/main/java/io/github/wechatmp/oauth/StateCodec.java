package io.github.wechatmp.oauth;

import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import io.github.wechatmp.token.TokenStoreException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues and checks the {@code state} of a web authorization without a session: the state itself
 * carries a random nonce, an expiry and the path to return to, signed with HMAC-SHA256 under a key
 * of the application's. WeChat's in-app browser often loses cookies across the authorize page, so a
 * state kept in a session fails there; this one needs nothing but the key, which every instance of
 * the application shares.
 *
 * <pre>{@code
 * StateCodec states = StateCodec.builder().appId(appId).key(key).build();
 * String url = auth.authorizeUrl(callbackUrl, Scope.USERINFO, states.issue("/orders"));
 * // on return, with WeChat's ?code=...&state=...
 * String returnPath = states.consume(state, code); // throws InvalidStateException if refused
 * }</pre>
 *
 * A state is 128 characters of {@code 0-9a-z} at most, as WeChat requires. {@link #consume} accepts
 * each state once: a second sign-in with it is refused as a replay, except when it comes with the
 * same code (WeChat's double redirect). Give the {@linkplain Builder#store store} the instances
 * share so that this holds across a cluster.
 *
 * <p>Thread-safe. Signatures are compared in constant time; no message holds a state or a code.
 */
public final class StateCodec {
  /** The longest return path, in UTF-8 bytes, that fits in WeChat's 128-character state. */
  public static final int MAX_RETURN_PATH_BYTES = 58;

  /** The shortest key accepted. */
  public static final int MIN_KEY_BYTES = 32;

  /** How long a state is accepted by default. */
  public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(10);

  private static final Logger log = LoggerFactory.getLogger(StateCodec.class);
  private static final byte VERSION = 1;
  private static final int NONCE_BYTES = 8;
  private static final int MAC_BYTES = 12;
  private static final int HEADER_BYTES = 1 + 4 + NONCE_BYTES;
  private static final int MAX_STATE_CHARS = WebAuthorization.MAX_STATE_BYTES;
  private static final Pattern STATE = Pattern.compile("[0-9a-z]{1,128}");
  private static final Duration LOCK_LEASE = Duration.ofSeconds(10);
  private static final Duration LOCK_WAIT = Duration.ofSeconds(5);
  private static final Duration PURGE_INTERVAL = Duration.ofSeconds(1);
  private static final String KIND_PREFIX = "oauth_state_";

  private final String appId;
  private final SecretKeySpec key;
  private final Duration lifetime;
  private final Clock clock;
  private final TokenStore store;
  private final SecureRandom random = new SecureRandom();
  private final ConcurrentMap<String, Seen> seen = new ConcurrentHashMap<>();
  private volatile Instant nextPurge = Instant.MIN;

  private StateCodec(Builder b) {
    this.appId = b.appId;
    this.key = new SecretKeySpec(b.key, "HmacSHA256");
    this.lifetime = b.lifetime;
    this.clock = b.clock;
    this.store = b.store;
  }

  /**
   * Returns a builder; {@link Builder#appId} and a key are required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Issues a state for a sign-in that should end at {@code returnPath}.
   *
   * @param returnPath a path of this application, such as {@code /orders?tab=paid}: it starts with
   *     one {@code /} (never {@code //}, so that it cannot name another host), holds no backslash
   *     or control character, and is at most {@value #MAX_RETURN_PATH_BYTES} bytes of UTF-8
   * @return the state, at most 128 characters of {@code 0-9a-z}
   * @throws NullPointerException if {@code returnPath} is null
   * @throws IllegalArgumentException if {@code returnPath} is not such a path
   */
  public String issue(String returnPath) {
    checkReturnPath(returnPath);
    byte[] path = returnPath.getBytes(StandardCharsets.UTF_8);
    long expiry = clock.instant().plus(lifetime).getEpochSecond();
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + path.length + MAC_BYTES);
    b.put(VERSION).putInt((int) expiry).put(nonce).put(path);
    byte[] bytes = b.array();
    byte[] mac = mac(bytes, bytes.length - MAC_BYTES);
    System.arraycopy(mac, 0, bytes, bytes.length - MAC_BYTES, MAC_BYTES);
    String state = new BigInteger(1, bytes).toString(36);
    if (state.length() > MAX_STATE_CHARS) {
      throw new IllegalStateException("a state longer than WeChat carries: " + state.length());
    }
    return state;
  }

  /**
   * Checks a state's signature and expiry and returns its return path, without marking it used (for
   * a look before {@link #consume}).
   *
   * @param state the {@code state} parameter of WeChat's redirect
   * @return the return path it carries
   * @throws InvalidStateException if the state is missing, malformed, forged or expired
   */
  public String verify(String state) {
    return decode(state).returnPath;
  }

  /**
   * Checks a state as {@link #verify} does and accepts it once: the first sign-in with it is
   * recorded (with a hash of its code) until the state expires, and a later one with another code
   * is refused as a replay. The same state with the same code, WeChat's double redirect, is
   * accepted again.
   *
   * @param state the {@code state} parameter of WeChat's redirect
   * @param code the {@code code} parameter of the same redirect
   * @return the return path the state carries
   * @throws InvalidStateException if the state is missing, malformed, forged, expired or replayed
   * @throws IllegalArgumentException if {@code code} is missing or cannot be a WeChat code
   */
  public String consume(String state, String code) {
    Decoded d = decode(state);
    String codeHash = Codes.hash(Codes.check(code));
    String nonce = HexFormat.of().formatHex(d.nonce);
    boolean fresh;
    if (store == null) {
      fresh = markLocally(nonce, codeHash, d.expiresAt);
    } else {
      fresh = markInStore(nonce, codeHash, d.expiresAt);
    }
    if (!fresh) {
      throw new InvalidStateException(
          InvalidStateException.Reason.REPLAYED,
          "The state was already used to sign in with another code: a replayed request");
    }
    return d.returnPath;
  }

  /** Returns the AppID and the lifetime; never the key. */
  @Override
  public String toString() {
    return "StateCodec{appId=" + appId + ", lifetime=" + lifetime + '}';
  }

  // ---------------------------------------------------------------------------------------------

  private boolean markLocally(String nonce, String codeHash, Instant expiresAt) {
    Instant now = clock.instant();
    if (!now.isBefore(nextPurge)) {
      nextPurge = now.plus(PURGE_INTERVAL);
      seen.values().removeIf(s -> !now.isBefore(s.until));
    }
    Seen mine = new Seen(codeHash, expiresAt);
    Seen first = seen.putIfAbsent(nonce, mine);
    return first == null || sameCode(first.codeHash, codeHash);
  }

  private boolean markInStore(String nonce, String codeHash, Instant expiresAt) {
    TokenKey key = TokenKey.of(appId, KIND_PREFIX + nonce);
    try {
      Optional<TokenStore.RefreshLock> lock = store.tryLock(key, LOCK_LEASE, LOCK_WAIT);
      if (lock.isEmpty()) {
        // Someone holds it for longer than a check takes: the state is being used right now.
        Optional<AccessToken> first = store.load(key);
        return first.isPresent() && sameCode(first.get().value(), "s1." + codeHash);
      }
      try (TokenStore.RefreshLock held = lock.get()) {
        Optional<AccessToken> first = store.load(key);
        if (first.isPresent() && !first.get().isExpiredAt(clock.instant())) {
          return sameCode(first.get().value(), "s1." + codeHash);
        }
        store.saveFenced(key, AccessToken.of("s1." + codeHash, expiresAt), held);
        return true;
      }
    } catch (TokenStoreException e) {
      log.warn(
          "The token store is unavailable ({}); checking a state of {} for replay in this "
              + "instance only",
          e.getMessage(),
          appId);
      return markLocally(nonce, codeHash, expiresAt);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InvalidStateException(
          InvalidStateException.Reason.REPLAYED, "Interrupted while checking the state for replay");
    }
  }

  private static boolean sameCode(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }

  private Decoded decode(String state) {
    if (state == null || !STATE.matcher(state).matches()) {
      throw malformed();
    }
    byte[] bytes = new BigInteger(state, 36).toByteArray();
    if (bytes.length < HEADER_BYTES + 1 + MAC_BYTES || bytes[0] != VERSION) {
      throw malformed();
    }
    byte[] expected = mac(bytes, bytes.length - MAC_BYTES);
    byte[] given = Arrays.copyOfRange(bytes, bytes.length - MAC_BYTES, bytes.length);
    if (!MessageDigest.isEqual(Arrays.copyOf(expected, MAC_BYTES), given)) {
      throw new InvalidStateException(
          InvalidStateException.Reason.FORGED,
          "The state's signature does not match: it was not issued by this application");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes, 1, bytes.length - 1 - MAC_BYTES);
    Instant expiresAt = Instant.ofEpochSecond(Integer.toUnsignedLong(b.getInt()));
    byte[] nonce = new byte[NONCE_BYTES];
    b.get(nonce);
    byte[] path = new byte[b.remaining()];
    b.get(path);
    if (!clock.instant().isBefore(expiresAt)) {
      throw new InvalidStateException(
          InvalidStateException.Reason.EXPIRED,
          "The state expired at " + expiresAt + ": the sign-in took too long; start it again");
    }
    String returnPath;
    try {
      returnPath =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(path))
              .toString();
    } catch (CharacterCodingException e) {
      throw malformed();
    }
    return new Decoded(expiresAt, nonce, returnPath);
  }

  private static InvalidStateException malformed() {
    return new InvalidStateException(
        InvalidStateException.Reason.MALFORMED,
        "The state is missing or not one this application issues");
  }

  private byte[] mac(byte[] bytes, int length) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update(bytes, 0, length);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK has HmacSHA256", e);
    }
  }

  static void checkReturnPath(String returnPath) {
    Objects.requireNonNull(returnPath, "returnPath");
    if (!returnPath.startsWith("/") || returnPath.startsWith("//")) {
      throw new IllegalArgumentException(
          "returnPath must be a path of this application, starting with one /");
    }
    for (int i = 0; i < returnPath.length(); i++) {
      char c = returnPath.charAt(i);
      if (c < ' ' || c == 0x7f || c == '\\') {
        throw new IllegalArgumentException(
            "returnPath must hold no backslash or control character");
      }
    }
    int bytes = returnPath.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_RETURN_PATH_BYTES) {
      throw new IllegalArgumentException(
          "returnPath is "
              + bytes
              + " bytes of UTF-8; at most "
              + MAX_RETURN_PATH_BYTES
              + " fit in WeChat's state");
    }
  }

  private record Decoded(Instant expiresAt, byte[] nonce, String returnPath) {}

  private record Seen(String codeHash, Instant until) {}

  /** Builds a {@link StateCodec}. Not thread-safe. */
  public static final class Builder {
    private static final byte[] KEY_LABEL =
        "wechat-mp web authorization state key v1".getBytes(StandardCharsets.US_ASCII);

    private String appId;
    private byte[] key;
    private Duration lifetime = DEFAULT_LIFETIME;
    private Clock clock = Clock.systemUTC();
    private TokenStore store;

    private Builder() {}

    /**
     * Sets the AppID whose sign-ins these states protect; it names the store's entries.
     *
     * @param appId the AppID: 1 to 64 characters of {@code [A-Za-z0-9_-]}
     * @return this builder
     * @throws IllegalArgumentException if it is not of that form
     */
    public Builder appId(String appId) {
      this.appId = AccountChecks.appId(appId);
      return this;
    }

    /**
     * Sets the signing key, the same on every instance; it is copied.
     *
     * @param key at least {@value #MIN_KEY_BYTES} random bytes
     * @return this builder
     * @throws NullPointerException if {@code key} is null
     * @throws IllegalArgumentException if it is shorter
     */
    public Builder key(byte[] key) {
      Objects.requireNonNull(key, "key");
      if (key.length < MIN_KEY_BYTES) {
        throw new IllegalArgumentException(
            "key must be at least " + MIN_KEY_BYTES + " bytes, got " + key.length);
      }
      this.key = key.clone();
      return this;
    }

    /**
     * Derives the signing key from the account's AppSecret (HMAC-SHA256 of a fixed label), for
     * applications that keep no key of their own: every instance has the AppSecret, and the key
     * reveals nothing of it. Changing the AppSecret voids the states in flight.
     *
     * @param appSecret the AppSecret
     * @return this builder
     * @throws NullPointerException if {@code appSecret} is null
     * @throws IllegalArgumentException if it is blank
     */
    public Builder keyFromAppSecret(String appSecret) {
      AccountChecks.appSecret(appSecret);
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(appSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        this.key = mac.doFinal(KEY_LABEL);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("every JDK has HmacSHA256", e);
      }
      return this;
    }

    /**
     * Sets how long a state is accepted, {@link #DEFAULT_LIFETIME} by default.
     *
     * @param lifetime from one second to one day
     * @return this builder
     * @throws IllegalArgumentException if out of that range
     */
    public Builder lifetime(Duration lifetime) {
      Objects.requireNonNull(lifetime, "lifetime");
      if (lifetime.compareTo(Duration.ofSeconds(1)) < 0
          || lifetime.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException("lifetime must be from one second to one day");
      }
      this.lifetime = lifetime;
      return this;
    }

    /**
     * Sets the clock that times states, the system's by default.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Records used states in {@code store}, so that a replay is refused by every instance sharing
     * it. Without one, each instance refuses replays it saw itself.
     *
     * @param store the shared store
     * @return this builder
     */
    public Builder store(TokenStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * Builds the codec.
     *
     * @return the codec
     * @throws IllegalStateException if the AppID or the key is missing
     */
    public StateCodec build() {
      AccountChecks.requireAppId(appId);
      if (key == null) {
        throw new IllegalStateException("a key is required: key(...) or keyFromAppSecret(...)");
      }
      return new StateCodec(this);
    }
  }
}

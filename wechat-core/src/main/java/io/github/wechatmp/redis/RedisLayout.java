package io.github.wechatmp.redis;

import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore.SharedHoldOff;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The Redis layout of wechat-mp: the keys, values, scripts and channel that {@code RedisTokenStore}
 * (Jedis), {@code SpringDataRedisTokenStore} (Spring Data Redis, Lettuce or Jedis) and their
 * message deduplicators share, so that a fleet mixing them shares one token, one refresh lock, one
 * hold-off and one deduplication. This is the one description of that format; it is stable across
 * releases, so old and new nodes may run side by side.
 *
 * <h2>Token store</h2>
 *
 * For a {@link TokenKey} with AppID {@code A} and kind {@code K}, and the key prefix {@code P}
 * (default {@value #DEFAULT_PREFIX}):
 *
 * <ul>
 *   <li>{@code P{A}:K} ({@link #tokenKey}) holds the token as {@code <expiresAt>,<issuedAt>:<token
 *       value>}, instants in epoch milliseconds ({@link #encodeToken}); a token that does not know
 *       its issue time is {@code <expiresAt>:<token value>}, the format from before issue times
 *       were kept, and is read as such. It is written in one {@code SET ... PX}, so a reader sees
 *       value and times together, with a TTL of the time left until the token's expiry by the
 *       writer's clock: Redis drops the entry no later than WeChat stops accepting it. A token
 *       already expired deletes the entry. A value that does not parse, or a key that holds no
 *       string, reads as no token.
 *   <li>{@code P{A}:K:lock} ({@link #lockKey}) holds the refresh lock while a node refreshes: a
 *       random owner id, set with {@code SET ... NX PX <lease>}. Releasing it, and a fenced save,
 *       compare the owner first, so a node whose lease lapsed never releases another node's lock
 *       nor overwrites the token the next holder saved. A lock key with no TTL (left by a foreign
 *       client or a bug) would never end: a node that finds one takes it over and logs a WARN.
 *   <li>{@code P{A}:K:holdoff} ({@link #holdOffKey}) holds the hold-off after failed refreshes that
 *       every node honours, as {@code <failures>:<notBefore epoch ms>:<errcode>:<errmsg>} ({@link
 *       #encodeHoldOff}), with a TTL of 10 minutes past its end (so that the next failure counts on
 *       from it); a success deletes it.
 *   <li>The channel {@code P{A}:K}, the token key's name, carries {@code saved} on every save and
 *       {@code deleted} on every deletion (an expired token saved, or a successful
 *       compare-and-delete of a token by its value), published from the same Lua script that
 *       changes the key, so no change goes out without its message. Nodes subscribe to the pattern
 *       {@code P*} ({@link #channelPattern}).
 * </ul>
 *
 * The {@code {A}} hash tag puts every key of one app in one Redis Cluster slot, so that one Lua
 * script may touch the token and its lock; that is why a prefix may not hold a brace ({@link
 * #checkPrefix}).
 *
 * <h2>Message deduplication</h2>
 *
 * A push's key {@code M} (built by {@code WeChatCallback}) is stored at {@code D + M}, {@code D}
 * the deduplication prefix (default {@value #DEFAULT_DEDUP_PREFIX}), as {@code C:<owner>} while a
 * delivery runs the handler and {@code D:<reply XML>} once it answered, with a TTL of the lifetime
 * from the claim (the reply keeps the claim's TTL). Claiming is {@code GET} and, if absent, {@code
 * SET ... PX} in one script; completing and releasing compare the owner first, so a node whose
 * claim lapsed never overwrites or deletes another's. Any other value reads as a claim held by
 * someone else.
 *
 * <h2>Commands</h2>
 *
 * {@code GET}, {@code DEL}, and {@code EVAL} of scripts calling {@code GET}, {@code SET}, {@code
 * DEL}, {@code PTTL} and {@code PUBLISH}; notifications add {@code PSUBSCRIBE}. Grant them if Redis
 * ACLs are in use. Any Redis from 2.6.12 on will do.
 *
 * <p>Immutable and thread-safe.
 */
public final class RedisLayout {
  /** The token store's key prefix unless another is given: {@value}. */
  public static final String DEFAULT_PREFIX = "wechat:";

  /** The deduplicator's key prefix unless another is given: {@value}. */
  public static final String DEFAULT_DEDUP_PREFIX = "wechat:dedup:";

  static final String LOCK_SUFFIX = ":lock";
  static final String HOLD_OFF_SUFFIX = ":holdoff";

  /** How long a hold-off outlives its end, so that the next failure counts on from it. */
  static final long HOLD_OFF_KEEP_MILLIS = 10 * 60_000;

  static final String SAVED_MESSAGE = "saved";
  static final String DELETED_MESSAGE = "deleted";
  static final String CLAIMED = "C:";
  static final String DONE = "D:";

  // KEYS[1] key; ARGV[1] value; ARGV[2] TTL in ms.
  static final String SET_PX_SCRIPT =
      "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])\nreturn 1";

  // KEYS[1] token key; ARGV[1] stored string; ARGV[2] TTL in ms, 0 for a token already expired;
  // ARGV[3] message.
  static final String SAVE_SCRIPT =
      String.join(
          "\n",
          "if tonumber(ARGV[2]) > 0 then",
          "  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])",
          "else",
          "  redis.call('DEL', KEYS[1])",
          "end",
          "redis.call('PUBLISH', KEYS[1], ARGV[3])",
          "return 1");

  // KEYS[1] token key, KEYS[2] lock key; ARGV[1..3] as SAVE_SCRIPT's; ARGV[4] the lock's owner.
  static final String FENCED_SAVE_SCRIPT =
      "if redis.call('GET', KEYS[2]) ~= ARGV[4] then return 0 end\n" + SAVE_SCRIPT;

  // KEYS[1] token key; ARGV[1] the token value expected after the first ':'; ARGV[2] message.
  static final String DELETE_IF_VALUE_SCRIPT =
      String.join(
          "\n",
          "local v = redis.call('GET', KEYS[1])",
          "if not v then return 0 end",
          "local i = string.find(v, ':', 1, true)",
          "if i and string.sub(v, i + 1) == ARGV[1] then",
          "  redis.call('DEL', KEYS[1])",
          "  redis.call('PUBLISH', KEYS[1], ARGV[2])",
          "  return 1",
          "end",
          "return 0");

  /** {@link #LOCK_SCRIPT}'s answer when it took over a lock that had no TTL. */
  static final long LOCK_TAKEN_OVER = 2;

  // KEYS[1] lock key; ARGV[1] owner id; ARGV[2] lease in ms. 1: taken; 2: taken over from a key
  // with no TTL (PTTL -1), which no lease would ever end; 0: held by another.
  // SET NX PX inside a script rather than through a client's SET options: Jedis's SetParams.px
  // changed its binary signature between Jedis 5 and 6, while EVAL is the same in every client.
  static final String LOCK_SCRIPT =
      String.join(
          "\n",
          "if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then",
          "  return 1",
          "end",
          "if redis.call('PTTL', KEYS[1]) == -1 then",
          "  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])",
          "  return 2",
          "end",
          "return 0");

  // KEYS[1] lock key; ARGV[1] owner id.
  static final String RELEASE_SCRIPT =
      String.join(
          "\n",
          "if redis.call('GET', KEYS[1]) == ARGV[1] then",
          "  return redis.call('DEL', KEYS[1])",
          "end",
          "return 0");

  // KEYS[1] the entry; ARGV[1] the owner; ARGV[2] the lifetime in ms. Returns the value found, or
  // nil after claiming.
  static final String CLAIM_SCRIPT =
      String.join(
          "\n",
          "local v = redis.call('GET', KEYS[1])",
          "if v then return v end",
          "redis.call('SET', KEYS[1], 'C:' .. ARGV[1], 'PX', ARGV[2])",
          "return false");

  // KEYS[1] the entry; ARGV[1] the owner; ARGV[2] the reply. Keeps the TTL of the claim.
  static final String COMPLETE_SCRIPT =
      String.join(
          "\n",
          "if redis.call('GET', KEYS[1]) ~= 'C:' .. ARGV[1] then return 0 end",
          "local ttl = redis.call('PTTL', KEYS[1])",
          "if ttl <= 0 then return 0 end",
          "redis.call('SET', KEYS[1], 'D:' .. ARGV[2], 'PX', ttl)",
          "return 1");

  // KEYS[1] the entry; ARGV[1] the owner.
  static final String RELEASE_CLAIM_SCRIPT =
      String.join(
          "\n",
          "if redis.call('GET', KEYS[1]) == 'C:' .. ARGV[1] then",
          "  return redis.call('DEL', KEYS[1])",
          "end",
          "return 0");

  private final String prefix;

  private RedisLayout(String prefix) {
    this.prefix = prefix;
  }

  /**
   * Returns the layout of the token store under {@code keyPrefix}.
   *
   * @param keyPrefix the prefix of every key and channel, possibly empty; see {@link #checkPrefix}
   * @return the layout
   * @throws NullPointerException if {@code keyPrefix} is null
   * @throws IllegalArgumentException if {@link #checkPrefix} refuses it
   */
  public static RedisLayout of(String keyPrefix) {
    return new RedisLayout(checkPrefix(keyPrefix));
  }

  /**
   * Checks a token store's key prefix: at most 200 characters, with no brace (which would break the
   * per-app hash tag {@code {A}} that follows it) and no control character.
   *
   * @param keyPrefix the prefix, possibly empty
   * @return {@code keyPrefix}
   * @throws NullPointerException if {@code keyPrefix} is null
   * @throws IllegalArgumentException if it is longer than 200 characters, or holds a brace or a
   *     control character
   */
  public static String checkPrefix(String keyPrefix) {
    Objects.requireNonNull(keyPrefix, "keyPrefix");
    if (keyPrefix.length() > 200) {
      throw new IllegalArgumentException("keyPrefix must have at most 200 characters");
    }
    for (int i = 0; i < keyPrefix.length(); i++) {
      char c = keyPrefix.charAt(i);
      if (c == '{' || c == '}' || Character.isISOControl(c)) {
        throw new IllegalArgumentException(
            "keyPrefix must not hold '{', '}' or control characters: the hash tag {appId} follows it");
      }
    }
    return keyPrefix;
  }

  /**
   * Returns the key prefix.
   *
   * @return the prefix, possibly empty
   */
  public String prefix() {
    return prefix;
  }

  /**
   * Returns the key that holds the token of {@code key}, {@code P{A}:K}; also its change channel.
   *
   * @param key the token's key
   * @return the Redis key
   * @throws NullPointerException if {@code key} is null
   */
  public String tokenKey(TokenKey key) {
    Objects.requireNonNull(key, "key");
    return prefix + '{' + key.appId() + "}:" + key.kind();
  }

  /**
   * Returns the key of the refresh lock of {@code key}, {@code P{A}:K:lock}.
   *
   * @param key the token's key
   * @return the Redis key
   * @throws NullPointerException if {@code key} is null
   */
  public String lockKey(TokenKey key) {
    return tokenKey(key) + LOCK_SUFFIX;
  }

  /**
   * Returns the key of the shared hold-off of {@code key}, {@code P{A}:K:holdoff}.
   *
   * @param key the token's key
   * @return the Redis key
   * @throws NullPointerException if {@code key} is null
   */
  public String holdOffKey(TokenKey key) {
    return tokenKey(key) + HOLD_OFF_SUFFIX;
  }

  /**
   * Returns the {@code PSUBSCRIBE} pattern that matches every change channel of this prefix: the
   * prefix with glob characters escaped, then {@code *}.
   *
   * @return the pattern
   */
  public String channelPattern() {
    StringBuilder b = new StringBuilder(prefix.length() + 8);
    for (int i = 0; i < prefix.length(); i++) {
      char c = prefix.charAt(i);
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.append('*').toString();
  }

  /**
   * Returns the stored form of {@code token}: {@code <expiresAt>,<issuedAt>:<value>}, or {@code
   * <expiresAt>:<value>} when its issue time is unknown, instants in epoch milliseconds.
   *
   * @param token the token
   * @return the string to store
   * @throws NullPointerException if {@code token} is null
   */
  public static String encodeToken(AccessToken token) {
    return token.expiresAt().toEpochMilli()
        + token.issuedAt().map(i -> "," + i.toEpochMilli()).orElse("")
        + ":"
        + token.value();
  }

  /**
   * Reads a stored token, as {@link #encodeToken} writes it.
   *
   * @param stored the stored string
   * @return the token, or empty if {@code stored} is not of that form
   * @throws NullPointerException if {@code stored} is null
   */
  public static Optional<AccessToken> decodeToken(String stored) {
    int colon = stored.indexOf(':');
    if (colon <= 0) {
      return Optional.empty();
    }
    try {
      String times = stored.substring(0, colon);
      int comma = times.indexOf(',');
      long expiresAt = Long.parseLong(comma < 0 ? times : times.substring(0, comma));
      AccessToken token =
          AccessToken.of(stored.substring(colon + 1), Instant.ofEpochMilli(expiresAt));
      return Optional.of(
          comma < 0
              ? token
              : token.withIssuedAt(
                  Instant.ofEpochMilli(Long.parseLong(times.substring(comma + 1)))));
    } catch (RuntimeException corrupt) {
      return Optional.empty();
    }
  }

  /**
   * Returns the stored form of a hold-off: {@code <failures>:<notBefore epoch
   * ms>:<errcode>:<errmsg>}.
   *
   * @param holdOff the hold-off
   * @return the string to store
   * @throws NullPointerException if {@code holdOff} is null
   */
  public static String encodeHoldOff(SharedHoldOff holdOff) {
    return holdOff.failures()
        + ":"
        + holdOff.notBefore().toEpochMilli()
        + ":"
        + holdOff.errorCode()
        + ":"
        + holdOff.errorMessage();
  }

  /**
   * Reads a stored hold-off, as {@link #encodeHoldOff} writes it.
   *
   * @param stored the stored string
   * @return the hold-off, or empty if {@code stored} is not of that form
   * @throws NullPointerException if {@code stored} is null
   */
  public static Optional<SharedHoldOff> decodeHoldOff(String stored) {
    String[] parts = stored.split(":", 4);
    try {
      return Optional.of(
          SharedHoldOff.of(
              Integer.parseInt(parts[0]),
              Instant.ofEpochMilli(Long.parseLong(parts[1])),
              Integer.parseInt(parts[2]),
              parts.length > 3 ? parts[3] : ""));
    } catch (RuntimeException corrupt) {
      return Optional.empty();
    }
  }

  /** Returns a description with the key prefix. */
  @Override
  public String toString() {
    return "RedisLayout{keyPrefix=" + prefix + '}';
  }
}

package io.github.wechatmp.internal.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * WeChat's "sort and SHA-1" rule, implemented once for the whole SDK: the parts are encoded in
 * UTF-8, sorted in unsigned byte order (the order of WeChat's own implementations, and for ASCII
 * the same as {@link String#compareTo}), concatenated and hashed. Used by the server signature
 * ({@code SignatureVerifier}, {@code MessageCrypto.verifyUrlSignature}), the message signature
 * ({@code msg_signature}) and the JS-SDK signature (its {@code key=value} pairs sorted by key).
 *
 * <p>Thread-safe: each thread hashes with buffers of its own, so the hot path ({@link
 * #digest(String, String, String)}) allocates nothing for ASCII input. Internal: not part of the
 * API.
 */
public final class SortedSha1 {
  /** The length of a SHA-1, in bytes. */
  public static final int LENGTH = 20;

  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final VarHandle LONG_BIG_ENDIAN =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT_BIG_ENDIAN =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private SortedSha1() {}

  /** One thread's digest and buffers. */
  private static final class Scratch {
    final MessageDigest sha1 = newSha1();
    final byte[] digest = new byte[LENGTH];
    byte[] sorted = new byte[1024];

    void ensure(int length) {
      if (sorted.length < length) {
        sorted = new byte[Math.max(length, 2 * sorted.length)];
      }
    }
  }

  /**
   * Hashes three parts, sorted in UTF-8 byte order and concatenated. Allocates nothing for ASCII
   * parts.
   *
   * @return the digest, in a buffer of this thread's that the next call on it overwrites
   */
  public static byte[] digest(String a, String b, String c) {
    Scratch s = SCRATCH.get();
    int n = a.length() + b.length() + c.length();
    s.ensure(n);
    // WeChat's case is ASCII, for which String order is byte order: sort the strings first, then
    // copy each once, noting on the way whether any char was not ASCII (then start over below).
    if (order(a, b) > 0) {
      String t = a;
      a = b;
      b = t;
    }
    if (order(b, c) > 0) {
      String t = b;
      b = c;
      c = t;
    }
    if (order(a, b) > 0) {
      String t = a;
      a = b;
      b = t;
    }
    byte[] out = s.sorted;
    int seen = copy(a, out, 0) | copy(b, out, a.length()) | copy(c, out, a.length() + b.length());
    if (seen < 0x80) {
      return finish(s, out, n);
    }
    return digestUtf8(s, a, b, c);
  }

  /**
   * A part that is the same in every call (the Token), encoded once: its bytes if it is ASCII.
   * Immutable.
   */
  public static final class Fixed {
    final String value;
    final byte[] ascii;

    private Fixed(String value) {
      this.value = value;
      boolean isAscii = true;
      for (int i = 0; i < value.length(); i++) {
        isAscii &= value.charAt(i) < 0x80;
      }
      this.ascii = isAscii ? value.getBytes(StandardCharsets.US_ASCII) : null;
    }

    /** Encodes {@code value} once, for {@link SortedSha1#digest(Fixed, String, String)}. */
    public static Fixed of(String value) {
      return new Fixed(value);
    }
  }

  /**
   * As {@link #digest(String, String, String)} with {@code a} encoded beforehand, which saves
   * copying it char by char on every call.
   *
   * @return the digest, in a buffer of this thread's that the next call on it overwrites
   */
  public static byte[] digest(Fixed fixed, String b, String c) {
    return digest(SCRATCH.get(), fixed, b, c);
  }

  /**
   * Whether {@code hex} spells the digest of {@code fixed}, {@code b} and {@code c} (see {@link
   * #matchesHex(String, byte[])}); the same as that of the two calls, with one look-up of this
   * thread's buffers.
   */
  public static boolean matchesHex(String hex, Fixed fixed, String b, String c) {
    if (hex == null || hex.length() != 2 * LENGTH) {
      return false;
    }
    byte[] given = latin1(hex); // first: it can overlap with the digest's own work
    return matchesHex(given, digest(SCRATCH.get(), fixed, b, c));
  }

  private static byte[] digest(Scratch s, Fixed fixed, String b, String c) {
    String a = fixed.value;
    byte[] aBytes = fixed.ascii;
    if (aBytes == null) {
      return digest(a, b, c);
    }
    int n = a.length() + b.length() + c.length();
    s.ensure(n);
    byte[] out = s.sorted;
    // Where a goes among b and c, by String order (byte order for ASCII): before, between, after.
    if (order(b, c) > 0) {
      String t = b;
      b = c;
      c = t;
    }
    int seen;
    if (order(a, b) <= 0) {
      System.arraycopy(aBytes, 0, out, 0, aBytes.length);
      seen = copy(b, out, a.length()) | copy(c, out, a.length() + b.length());
    } else if (order(a, c) <= 0) {
      seen = copy(b, out, 0);
      System.arraycopy(aBytes, 0, out, b.length(), aBytes.length);
      seen |= copy(c, out, b.length() + a.length());
    } else {
      seen = copy(b, out, 0) | copy(c, out, b.length());
      System.arraycopy(aBytes, 0, out, b.length() + c.length(), aBytes.length);
    }
    if (seen < 0x80) {
      return finish(s, out, n);
    }
    return digestUtf8(s, a, b, c);
  }

  /**
   * Hashes four parts (the message signature's: Token, timestamp, nonce and the ciphertext), sorted
   * in UTF-8 byte order and concatenated. Allocates nothing for ASCII parts, whatever their length.
   *
   * @return the digest, in a buffer of this thread's that the next call on it overwrites
   */
  public static byte[] digest(String a, String b, String c, String d) {
    return digest(a, b, c, d, null);
  }

  /**
   * As {@link #digest(String, String, String, String)}, with {@code dAscii} the bytes of {@code d}
   * when the caller has them and knows {@code d} is ASCII (a Base64 value it has just encoded or
   * decoded), so that the longest part is hashed as it is rather than char by char.
   *
   * @param dAscii the ASCII bytes of {@code d}, or null
   * @return the digest, in a buffer of this thread's that the next call on it overwrites
   */
  public static byte[] digest(String a, String b, String c, String d, byte[] dAscii) {
    Scratch s = SCRATCH.get();
    MessageDigest md = s.sha1;
    byte[] buf = s.sorted;
    // Three short parts copied together, then the long one hashed where String order (byte order
    // for ASCII) puts it among them. One compare-and-swap network orders the three short ones.
    if (order(a, b) > 0) {
      String t = a;
      a = b;
      b = t;
    }
    if (order(b, c) > 0) {
      String t = b;
      b = c;
      c = t;
    }
    if (order(a, b) > 0) {
      String t = a;
      a = b;
      b = t;
    }
    int seen = 0;
    boolean dDone = false;
    for (int i = 0; i < 3; i++) {
      String part = i == 0 ? a : i == 1 ? b : c;
      if (!dDone && order(d, part) < 0) {
        seen |= feed(md, buf, d, dAscii);
        dDone = true;
      }
      seen |= feed(md, buf, part, null);
    }
    if (!dDone) {
      seen |= feed(md, buf, d, dAscii);
    }
    if (seen < 0x80) {
      return finish(s, null, 0);
    }
    md.reset(); // not ASCII, so String order may not be byte order: the general way
    return digestUtf8(s, a, b, c, d);
  }

  /**
   * Whether {@code hex} spells {@code digest} in hex digits of either case. Returns false for null,
   * a length other than 40 or any char that is not a hex digit. The time taken depends on the
   * length of {@code hex} and whether its chars are ASCII, never on how much of it matches.
   */
  public static boolean matchesHex(String hex, byte[] digest) {
    if (hex == null || hex.length() != 2 * LENGTH) {
      return false;
    }
    // Eight digits at a time in a long (first digit highest): the digest's 4 bytes spelled in
    // lowercase hex by arithmetic (no secret-indexed table), the given digits with A-F folded to
    // a-f. Only a hex digit of either case folds to a lowercase hex digit.
    return matchesHex(latin1(hex), digest);
  }

  /**
   * One intrinsic copy, cheaper than 40 calls of charAt: a char beyond Latin-1 becomes '?' (a
   * surrogate pair one '?' for both, so the copy is shorter), and one beyond ASCII stays above
   * 0x7f, so neither can match a digit.
   */
  private static byte[] latin1(String hex) {
    return hex.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static boolean matchesHex(byte[] given, byte[] digest) {
    if (given.length != 2 * LENGTH) {
      return false; // a surrogate pair (an emoji, say) encodes as one '?': 40 chars, 39 bytes
    }
    long diff = 0;
    for (int w = 0; w < LENGTH / 4; w++) {
      long g = (long) LONG_BIG_ENDIAN.get(given, 8 * w);
      g |= (g & 0x4040404040404040L) >>> 1;
      diff |= g ^ lowerHex((int) INT_BIG_ENDIAN.get(digest, 4 * w));
    }
    return diff == 0;
  }

  /** The eight lowercase hex digits of {@code word}, as ASCII bytes in a long, first highest. */
  private static long lowerHex(int word) {
    long t = word & 0xFFFFFFFFL;
    t = ((t & 0xFFFF0000L) << 16) | (t & 0xFFFFL); // each 16 bits in its own 32
    t = ((t & 0x0000FF000000FF00L) << 8) | (t & 0x000000FF000000FFL); // each byte in its 16
    t = ((t & 0x00F000F000F000F0L) << 4) | (t & 0x000F000F000F000FL); // each nibble in a byte
    long letters = ((t + 0x0606060606060606L) & 0x1010101010101010L) >>> 4; // 1 where >= 10
    return t + 0x3030303030303030L + letters * ('a' - '0' - 10);
  }

  /**
   * String order, which for ASCII is byte order. Decided char by char within the first eight, as it
   * mostly is (timestamps and nonces differ early), which costs less than setting up {@link
   * String#compareTo}'s bulk compare; that one takes over beyond them.
   */
  private static int order(String x, String y) {
    int n = Math.min(x.length(), y.length());
    int head = Math.min(n, 8);
    for (int i = 0; i < head; i++) {
      int d = x.charAt(i) - y.charAt(i);
      if (d != 0) {
        return d;
      }
    }
    return n <= 8 ? x.length() - y.length() : x.compareTo(y);
  }

  /**
   * The general way, for parts that are not all ASCII (never WeChat's own): encode each in UTF-8,
   * sort in unsigned byte order, hash. Allocates; the ASCII paths above do not.
   */
  private static byte[] digestUtf8(Scratch s, String... parts) {
    byte[][] encoded = new byte[parts.length][];
    for (int i = 0; i < parts.length; i++) {
      encoded[i] = utf8(parts[i]);
    }
    Arrays.sort(encoded, Arrays::compareUnsigned);
    for (byte[] e : encoded) {
      s.sha1.update(e);
    }
    return finish(s, null, 0);
  }

  /**
   * Hashes any number of parts, sorted in UTF-8 byte order and concatenated.
   *
   * @return the digest as 40 lowercase hex digits
   */
  public static String hex(String... parts) {
    return toHex(digestUtf8(SCRATCH.get(), parts));
  }

  /**
   * WeChat's signature of named parameters (the JS-SDK's): the {@code key=value} pairs sorted by
   * key in UTF-8 byte order, joined with {@code &}, hashed.
   *
   * @param keysAndValues key, value, key, value...; keys distinct
   * @return the digest as 40 lowercase hex digits
   * @throws IllegalArgumentException if the count is odd or a key repeats
   */
  public static String hexOfParameters(String... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("keys and values must come in pairs");
    }
    int pairs = keysAndValues.length / 2;
    byte[][] keys = new byte[pairs][];
    Integer[] order = new Integer[pairs];
    for (int i = 0; i < pairs; i++) {
      keys[i] = keysAndValues[2 * i].getBytes(StandardCharsets.UTF_8);
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> Arrays.compareUnsigned(keys[x], keys[y]));
    StringBuilder joined = new StringBuilder();
    for (int i = 0; i < pairs; i++) {
      if (i > 0 && Arrays.equals(keys[order[i]], keys[order[i - 1]])) {
        throw new IllegalArgumentException("a key repeats: " + keysAndValues[2 * order[i]]);
      }
      if (i > 0) {
        joined.append('&');
      }
      joined
          .append(keysAndValues[2 * order[i]])
          .append('=')
          .append(keysAndValues[2 * order[i] + 1]);
    }
    Scratch s = SCRATCH.get();
    s.sha1.update(joined.toString().getBytes(StandardCharsets.UTF_8));
    return toHex(finish(s, null, 0));
  }

  /** Lowercase hex of {@code digest}. */
  public static String toHex(byte[] digest) {
    char[] out = new char[2 * digest.length];
    for (int i = 0; i < digest.length; i++) {
      out[2 * i] = HEX[(digest[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[digest[i] & 0xf];
    }
    return new String(out);
  }

  /**
   * Writes the low byte of each char of {@code s} to {@code to} at {@code at}, and returns every
   * char OR-ed together: below 0x80 exactly when {@code s} is ASCII and the bytes are its UTF-8.
   */
  private static int copy(String s, byte[] to, int at) {
    int n = s.length();
    int seen = 0;
    for (int i = 0; i < n; i++) { // no branch inside, so that the compiler can unroll it
      char ch = s.charAt(i);
      seen |= ch;
      to[at + i] = (byte) ch;
    }
    return seen;
  }

  /**
   * Hashes {@code s} a char a byte, through {@code buf} a piece at a time (or {@code ascii}, its
   * bytes, if given), and returns every char OR-ed together: below 0x80 exactly when the bytes
   * hashed were its UTF-8.
   */
  private static int feed(MessageDigest md, byte[] buf, String s, byte[] ascii) {
    if (ascii != null) {
      md.update(ascii);
      return 0;
    }
    int seen = 0;
    for (int from = 0; from < s.length(); from += buf.length) {
      int n = Math.min(buf.length, s.length() - from);
      for (int i = 0; i < n; i++) {
        char ch = s.charAt(from + i);
        seen |= ch;
        buf[i] = (byte) ch;
      }
      md.update(buf, 0, n);
    }
    return seen;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] finish(Scratch s, byte[] input, int length) {
    MessageDigest md = s.sha1;
    if (input != null) {
      md.update(input, 0, length);
    }
    try {
      md.digest(s.digest, 0, LENGTH);
    } catch (DigestException e) {
      throw new IllegalStateException("a 20-byte buffer must hold a SHA-1", e);
    }
    return s.digest;
  }

  private static MessageDigest newSha1() {
    try {
      return MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(
          "this JVM has no SHA-1, which every Java platform must provide", e);
    }
  }
}

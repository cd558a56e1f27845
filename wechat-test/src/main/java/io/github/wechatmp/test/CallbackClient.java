package io.github.wechatmp.test;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Calls a user's callback URL as WeChat's servers do, so a back end's verification, signature
 * checks, decryption, replies and deduplication can be tested with no WeChat account.
 *
 * <ul>
 *   <li>{@link #verify()}: the {@code GET} with {@code signature}, {@code timestamp}, {@code nonce}
 *       and a random {@code echostr} that WeChat sends when the URL is configured.
 *   <li>{@link #send(String)}: the {@code POST} of a message or event. In plain mode the XML as
 *       given; in security mode (an {@linkplain Builder#encodingAesKey(String) EncodingAESKey} and
 *       AppID given) only {@code ToUserName} and the {@code Encrypt} element, with {@code
 *       encrypt_type=aes} and {@code msg_signature} in the query; in {@linkplain
 *       Builder#compatibilityMode(boolean) compatibility mode} both. The reply is returned
 *       decrypted after its {@code MsgSignature} was checked.
 *   <li>{@linkplain Builder#wechatRetries(boolean) WeChat's retries}, when asked: a try that gets
 *       no answer within {@linkplain Builder#answerTimeout(Duration) 5 s} is abandoned and the same
 *       request is sent again, three tries in all.
 * </ul>
 *
 * The signing and encryption are this module's own implementation of WeChat's guide (SHA-1 over the
 * strings sorted in UTF-8 byte order; AES-256-CBC, IV the key's first 16 bytes, PKCS#7 padding to
 * 32 bytes, a random 16-byte prefix, the length in network order, the AppID appended), so they
 * check the code under test independently.
 *
 * <p>Immutable and thread-safe; calls may be made concurrently (only {@link #lastEchostr()} and
 * {@link #lastAttempts()} then describe whichever call ended last).
 */
public final class CallbackClient {
  private static final Pattern FROM_USER =
      Pattern.compile(
          "<FromUserName>\\s*(?:<!\\[CDATA\\[(.*?)]]>|([^<]*))\\s*</FromUserName>", Pattern.DOTALL);
  private static final Pattern TO_USER =
      Pattern.compile(
          "<ToUserName>\\s*(?:<!\\[CDATA\\[(.*?)]]>|([^<]*))\\s*</ToUserName>", Pattern.DOTALL);
  private static final int TRIES = 3;

  private final URI url;
  private final String token;
  private final CallbackCrypto crypto;
  private final boolean compatibility;
  private final boolean retries;
  private final Duration answerTimeout;
  private final Clock clock;
  private final HttpClient http;
  private final SecureRandom random = new SecureRandom();
  private volatile String lastEchostr;
  private volatile int lastAttempts;

  private CallbackClient(Builder b) {
    this.url = b.url;
    this.token = b.token;
    this.crypto = b.encodingAesKey == null ? null : new CallbackCrypto(b.encodingAesKey, b.appId);
    this.compatibility = b.compatibility;
    this.retries = b.retries;
    this.answerTimeout = b.answerTimeout;
    this.clock = b.clock;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(answerTimeout)
            .build();
  }

  /**
   * Returns a builder; {@link Builder#url(String)} and {@link Builder#token(String)} are required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Makes WeChat's URL verification: a {@code GET} signed with the token and carrying a random
   * {@code echostr}, which a correct endpoint answers as its whole body.
   *
   * @return the body answered
   * @throws CallbackException if there was no answer in time or the status was not 200
   */
  public String verify() {
    String timestamp = timestamp();
    String nonce = nonce();
    String echostr = Long.toString(random.nextLong() & Long.MAX_VALUE);
    lastEchostr = echostr;
    String query =
        "signature="
            + CallbackCrypto.signature(token, timestamp, nonce)
            + "&timestamp="
            + timestamp
            + "&nonce="
            + nonce
            + "&echostr="
            + echostr;
    HttpRequest request =
        HttpRequest.newBuilder(withQuery(query)).timeout(answerTimeout).GET().build();
    return exchange(request);
  }

  /**
   * Returns the {@code echostr} of the last {@link #verify()}.
   *
   * @return it, or null before the first verification
   */
  public String lastEchostr() {
    return lastEchostr;
  }

  /**
   * Returns how many tries the last {@link #send(String)} or {@link #verify()} made.
   *
   * @return 1 without retries; up to 3 with them; 0 before the first call
   */
  public int lastAttempts() {
    return lastAttempts;
  }

  /**
   * POSTs a message or event as WeChat does, signed, and encrypted in security or compatibility
   * mode, and returns the reply.
   *
   * @param messageXml the message, such as {@code <xml><ToUserName>...</ToUserName>...</xml>}; its
   *     {@code FromUserName} becomes the {@code openid} query parameter
   * @return the reply's body: decrypted if it was encrypted; as answered otherwise (often empty or
   *     {@code success})
   * @throws NullPointerException if {@code messageXml} is null
   * @throws CallbackException if there was no answer in time (after every try with retries), the
   *     status was not 200, or an encrypted reply's signature, encryption or AppID is wrong, or in
   *     security mode the reply is a message that is not encrypted
   */
  public String send(String messageXml) {
    Objects.requireNonNull(messageXml, "messageXml");
    String timestamp = timestamp();
    String nonce = nonce();
    StringBuilder query =
        new StringBuilder("signature=")
            .append(CallbackCrypto.signature(token, timestamp, nonce))
            .append("&timestamp=")
            .append(timestamp)
            .append("&nonce=")
            .append(nonce);
    String openid = field(FROM_USER, messageXml);
    if (openid != null) {
      query.append("&openid=").append(URLEncoder.encode(openid, StandardCharsets.UTF_8));
    }
    String body = messageXml;
    if (crypto != null) {
      byte[] prefix = new byte[16];
      random.nextBytes(prefix);
      String encrypt = crypto.encrypt(messageXml, prefix);
      query
          .append("&encrypt_type=aes&msg_signature=")
          .append(CallbackCrypto.signature(token, timestamp, nonce, encrypt));
      String element = "<Encrypt><![CDATA[" + encrypt + "]]></Encrypt>";
      if (compatibility) {
        int end = messageXml.lastIndexOf("</xml>");
        if (end < 0) {
          throw new IllegalArgumentException("messageXml has no </xml>");
        }
        body = messageXml.substring(0, end) + element + messageXml.substring(end);
      } else {
        String to = Objects.requireNonNullElse(field(TO_USER, messageXml), "");
        body = "<xml><ToUserName><![CDATA[" + to + "]]></ToUserName>" + element + "</xml>";
      }
    }
    HttpRequest request =
        HttpRequest.newBuilder(withQuery(query.toString()))
            .timeout(answerTimeout)
            .header("Content-Type", "text/xml; charset=utf-8")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    return crypto == null ? exchange(request) : decryptReply(exchange(request));
  }

  private String exchange(HttpRequest request) {
    int tries = retries ? TRIES : 1;
    IOException last = null;
    for (int i = 1; i <= tries; i++) {
      lastAttempts = i;
      HttpResponse<String> response;
      try {
        response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      } catch (HttpTimeoutException e) {
        last = e;
        continue;
      } catch (IOException e) {
        last = e;
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CallbackException("interrupted while calling " + url, 0, null, e);
      }
      if (response.statusCode() != 200) {
        throw new CallbackException(
            "callback " + url + " answered HTTP " + response.statusCode(),
            response.statusCode(),
            response.body(),
            null);
      }
      return response.body();
    }
    throw new CallbackException(
        "callback "
            + url
            + " gave no answer in "
            + answerTimeout.toMillis()
            + " ms ("
            + tries
            + (tries == 1 ? " try)" : " tries)"),
        0,
        null,
        last);
  }

  private String decryptReply(String reply) {
    String trimmed = reply.strip();
    if (trimmed.isEmpty() || trimmed.equals("success")) {
      return reply;
    }
    String encrypt = element(trimmed, "Encrypt");
    if (encrypt == null) {
      if (compatibility) {
        return reply;
      }
      throw new CallbackException("reply is not encrypted in security mode", 200, reply, null);
    }
    String signature = element(trimmed, "MsgSignature");
    String timestamp = element(trimmed, "TimeStamp");
    String nonce = element(trimmed, "Nonce");
    if (signature == null || timestamp == null || nonce == null) {
      throw new CallbackException(
          "encrypted reply lacks MsgSignature, TimeStamp or Nonce", 200, reply, null);
    }
    String expected = CallbackCrypto.signature(token, timestamp, nonce, encrypt);
    if (!MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8), signature.getBytes(StandardCharsets.UTF_8))) {
      throw new CallbackException("encrypted reply's MsgSignature is wrong", 200, reply, null);
    }
    try {
      return crypto.decrypt(encrypt);
    } catch (IllegalArgumentException e) {
      throw new CallbackException(
          "encrypted reply does not decrypt: " + e.getMessage(), 200, reply, e);
    }
  }

  private static String element(String xml, String name) {
    Matcher m =
        Pattern.compile(
                "<" + name + ">\\s*(?:<!\\[CDATA\\[(.*?)]]>|([^<]*))\\s*</" + name + ">",
                Pattern.DOTALL)
            .matcher(xml);
    if (!m.find()) {
      return null;
    }
    return m.group(1) != null ? m.group(1) : m.group(2).strip();
  }

  /** An ID field, stripped as WeChatCallback strips it: WeChat's samples have blanks in them. */
  private static String field(Pattern p, String xml) {
    Matcher m = p.matcher(xml);
    if (!m.find()) {
      return null;
    }
    return (m.group(1) != null ? m.group(1) : m.group(2)).strip();
  }

  private URI withQuery(String query) {
    String base = url.toString();
    return URI.create(base + (url.getRawQuery() == null ? "?" : "&") + query);
  }

  private String timestamp() {
    return Long.toString(clock.instant().getEpochSecond());
  }

  private String nonce() {
    return Integer.toString(100_000_000 + random.nextInt(900_000_000));
  }

  /**
   * Describes the client, never its token or key.
   *
   * @return its URL and mode
   */
  @Override
  public String toString() {
    String mode = crypto == null ? "plain" : compatibility ? "compatibility" : "security";
    return "CallbackClient{" + url + ", " + mode + (retries ? ", WeChat retries" : "") + '}';
  }

  /**
   * Configures a {@link CallbackClient}. Not thread-safe; {@link #build()} may be called more than
   * once.
   */
  public static final class Builder {
    private URI url;
    private String token;
    private String encodingAesKey;
    private String appId;
    private boolean compatibility;
    private boolean retries;
    private Duration answerTimeout = Duration.ofSeconds(5);
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * The callback URL as configured in WeChat's console. Required.
     *
     * @param url an absolute http or https URL
     * @return this builder
     * @throws NullPointerException if {@code url} is null
     * @throws IllegalArgumentException if it is not such a URL
     */
    public Builder url(String url) {
      Objects.requireNonNull(url, "url");
      URI u;
      try {
        u = URI.create(url);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("not a URL: " + url, e);
      }
      if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
        throw new IllegalArgumentException("not an absolute http(s) URL: " + url);
      }
      if (u.getRawFragment() != null) {
        throw new IllegalArgumentException("a callback URL has no #fragment: " + url);
      }
      this.url = u;
      return this;
    }

    /**
     * The Token configured in WeChat's console, that signatures are made with. Required.
     *
     * @param token the token
     * @return this builder
     * @throws NullPointerException if {@code token} is null
     * @throws IllegalArgumentException if it is empty
     */
    public Builder token(String token) {
      Objects.requireNonNull(token, "token");
      if (token.isEmpty()) {
        throw new IllegalArgumentException("token must not be empty");
      }
      this.token = token;
      return this;
    }

    /**
     * The EncodingAESKey, for security mode (or compatibility mode); needs {@link #appId(String)}.
     * Default none: plain mode.
     *
     * @param encodingAesKey 43 characters of {@code [a-zA-Z0-9]}
     * @return this builder
     * @throws NullPointerException if {@code encodingAesKey} is null
     * @throws IllegalArgumentException if it is not such a key
     */
    public Builder encodingAesKey(String encodingAesKey) {
      Objects.requireNonNull(encodingAesKey, "encodingAesKey");
      new CallbackCrypto(encodingAesKey, "check"); // fails early on a malformed key
      this.encodingAesKey = encodingAesKey;
      return this;
    }

    /**
     * The account's AppID, which encrypted messages carry; required with an EncodingAESKey.
     *
     * @param appId the AppID
     * @return this builder
     * @throws NullPointerException if {@code appId} is null
     * @throws IllegalArgumentException if it is blank
     */
    public Builder appId(String appId) {
      Objects.requireNonNull(appId, "appId");
      if (appId.isBlank()) {
        throw new IllegalArgumentException("appId must not be blank");
      }
      this.appId = appId;
      return this;
    }

    /**
     * Compatibility mode: the message is sent in plain and encrypted in one body. Default false
     * (security mode when a key is given). Needs an EncodingAESKey.
     *
     * @param compatibility whether to use compatibility mode
     * @return this builder
     */
    public Builder compatibilityMode(boolean compatibility) {
      this.compatibility = compatibility;
      return this;
    }

    /**
     * WeChat's retries: a try with no answer within {@link #answerTimeout(Duration)} (or that fails
     * to connect) is abandoned and the same request sent again, three tries in all. Default false:
     * one try.
     *
     * @param retries whether to retry as WeChat does
     * @return this builder
     */
    public Builder wechatRetries(boolean retries) {
      this.retries = retries;
      return this;
    }

    /**
     * How long WeChat waits for an answer before it gives up on a try. Default 5 s, WeChat's
     * deadline; shorten it only to make a test quicker.
     *
     * @param answerTimeout positive
     * @return this builder
     * @throws NullPointerException if {@code answerTimeout} is null
     * @throws IllegalArgumentException if it is not positive
     */
    public Builder answerTimeout(Duration answerTimeout) {
      Objects.requireNonNull(answerTimeout, "answerTimeout");
      if (answerTimeout.isNegative() || answerTimeout.isZero()) {
        throw new IllegalArgumentException("answerTimeout must be positive");
      }
      this.answerTimeout = answerTimeout;
      return this;
    }

    /**
     * The clock the {@code timestamp} parameter is taken from. Default the system clock.
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
     * Makes the client.
     *
     * @return the client
     * @throws IllegalStateException if the URL or token is missing, an EncodingAESKey is given
     *     without an AppID, or compatibility mode without an EncodingAESKey
     */
    public CallbackClient build() {
      if (url == null) {
        throw new IllegalStateException("url is required");
      }
      if (token == null) {
        throw new IllegalStateException("token is required");
      }
      if (encodingAesKey != null && appId == null) {
        throw new IllegalStateException("security mode needs the appId with the encodingAesKey");
      }
      if (compatibility && encodingAesKey == null) {
        throw new IllegalStateException("compatibility mode needs an encodingAesKey and appId");
      }
      return new CallbackClient(this);
    }
  }
}

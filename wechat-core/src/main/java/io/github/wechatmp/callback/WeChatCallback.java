package io.github.wechatmp.callback;

import io.github.wechatmp.callback.inbound.WeChatMessage;
import io.github.wechatmp.internal.xml.FlatXml;
import io.github.wechatmp.message.MessageCrypto;
import io.github.wechatmp.message.MessageCryptoException;
import io.github.wechatmp.message.WeChatXml;
import io.github.wechatmp.signature.SignatureVerifier;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The back end of an Official Account's server URL: verifies what WeChat pushes, decrypts it,
 * parses it into a {@link WeChatMessage}, keeps WeChat's retries from running the handler twice,
 * calls the {@link MessageHandler} and answers its {@link Reply} within WeChat's 5-second limit,
 * encrypted exactly when the request was. Framework neutral: {@link #handle} takes the method, the
 * decoded query parameters and the body; {@link WeChatCallbackServlet} and {@link
 * WeChatCallbackHandler} are ready adapters, and any other framework needs only a few lines.
 *
 * <pre>{@code
 * WeChatCallback callback = WeChatCallback.builder()
 *     .token(System.getenv("WECHAT_TOKEN"))
 *     .encodingAesKey(System.getenv("WECHAT_ENCODING_AES_KEY"))
 *     .appId(System.getenv("WECHAT_APP_ID"))
 *     .handler(MessageRouter.builder()
 *         .on(TextMessage.class, m -> Reply.text("echo: " + m.content()))
 *         .build())
 *     .build();
 * CallbackResponse r = callback.handle(method, queryParameters, body);
 * }</pre>
 *
 * <h2>What it answers</h2>
 *
 * <ul>
 *   <li>{@code GET} (the server URL check): {@code echostr} as plain text when {@code signature}
 *       matches, else 403.
 *   <li>{@code POST}: a reply as XML ({@value CallbackResponse#XML}), encrypted in security and
 *       compatibility mode; or the plain text {@code success} (never encrypted, in every mode, as
 *       WeChat documents) for no reply, a retry of a message answered with none, and the deadline.
 *   <li>Errors as plain text: 400 for missing parameters, a {@code timestamp} that is not 1 to 20
 *       decimal digits, an empty body, malformed XML or any DTD (no DTD or external entity is ever
 *       processed); 403 for a bad {@code signature} or {@code msg_signature}, a {@code timestamp}
 *       outside the {@linkplain Builder#maxTimestampAge replay window}, a message encrypted for
 *       another AppId, or plaintext when {@linkplain Builder#requireEncryption encryption is
 *       required}; 413 for a body over {@linkplain Builder#maxBodySize the limit}; 500 when the
 *       handler threw (WeChat retries; logged with the message type and {@code MsgId}, never the
 *       content); 503 when every handler thread is busy and the queue is full; 405 for other
 *       methods. The handler is called for none of these.
 *   <li>Every answer carries the {@linkplain CallbackResponse#headers() headers} of {@link
 *       CallbackResponse}: {@code X-Content-Type-Options: nosniff}, as {@code echostr} is echoed
 *       unsigned.
 * </ul>
 *
 * <p>The query is checked before the body: an adapter calls {@link #screen} first and reads the
 * body only when it passes, so an unsigned request never holds a thread while its body trickles in.
 *
 * <h2>Retries and the deadline</h2>
 *
 * WeChat waits 5 s for an answer, then retries, three tries in all. Each push is claimed in the
 * {@link MessageDeduplicator} under its key (the account and {@code MsgId}; for events the account,
 * sender, {@code CreateTime}, {@code Event}, {@code EventKey}, the {@code MsgID} of job-finish
 * reports and a digest of every other field, so that two reports or two scans in one second are two
 * pushes, while WeChat's unchanged retries share one key). The first delivery runs the handler on a
 * handler thread. A retry that comes while it runs, here or on another instance sharing the
 * deduplicator, waits for that reply until its own deadline; a retry after completion is answered
 * the cached reply, encrypted afresh for the retry's timestamp and nonce, without running the
 * handler. A handler that threw releases the claim, so the next retry runs it again.
 *
 * <p>When the handler has not answered within {@link Builder#replyDeadline} (4 s by default), the
 * request is answered {@code success} at once, and when the handler answers later its reply goes to
 * the {@link LateReplySender} ({@link CustomerServiceSender} sends it through the customer service
 * API) and retries are answered {@code success}, so the user gets the reply once. The request
 * thread is never held past the deadline.
 *
 * <p>Immutable and thread-safe: one instance serves every request of an account. The Token, the key
 * and message content never appear in logs, exceptions or {@link #toString()}.
 */
public final class WeChatCallback {
  private static final Logger log = LoggerFactory.getLogger(WeChatCallback.class);

  /** The default limit on the body: 1 MiB. */
  public static final int DEFAULT_MAX_BODY_SIZE = WeChatXml.MAX_CHARS;

  /** The default reply deadline: 4 s, leaving a second of WeChat's five for the network. */
  public static final Duration DEFAULT_REPLY_DEADLINE = Duration.ofSeconds(4);

  /** The default number of handler threads. */
  public static final int DEFAULT_HANDLER_THREADS = 64;

  /**
   * How long the request thread watches for the handler's answer before it parks: a fast handler
   * answers within it, and the handler thread then needs no system call to wake it.
   */
  private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(10);

  private final SignatureVerifier verifier;
  private final MessageCrypto crypto;
  private final boolean requireEncryption;
  private final MessageHandler handler;
  private final MessageDeduplicator deduplicator;
  private final long deadlineNanos;
  private final LateReplySender lateReplies;
  private final Clock clock;
  private final int maxBodySize;
  private final HandlerPool pool;

  private WeChatCallback(Builder b) {
    SignatureVerifier.Builder vb = SignatureVerifier.builder(b.token).clock(b.clock);
    vb.maxTimestampAge(b.maxTimestampAge);
    this.verifier = vb.build();
    this.crypto =
        b.encodingAesKey == null ? null : new MessageCrypto(b.token, b.encodingAesKey, b.appId);
    this.requireEncryption = b.requireEncryption;
    this.handler = b.handler;
    this.deduplicator =
        b.deduplicator != null
            ? b.deduplicator
            : new InMemoryMessageDeduplicator(
                InMemoryMessageDeduplicator.DEFAULT_MAX_ENTRIES,
                longer(
                    InMemoryMessageDeduplicator.DEFAULT_LIFETIME, replayReach(b.maxTimestampAge)),
                b.ticker);
    this.deadlineNanos = b.replyDeadline.toNanos();
    this.lateReplies = b.lateReplies != null ? b.lateReplies : WeChatCallback::dropLateReply;
    this.clock = b.clock;
    this.maxBodySize = b.maxBodySize;
    this.pool = new HandlerPool(b.handlerThreads, 16 * b.handlerThreads);
  }

  /**
   * How long after its first delivery a push can still be replayed inside the window: a timestamp
   * is accepted from {@code window} before to {@code window} after now, so a push first seen when
   * its timestamp was {@code window} ahead of the clock is accepted again until {@code 2 * window}
   * later.
   */
  private static Duration replayReach(Duration window) {
    return window == null ? Duration.ZERO : window.multipliedBy(2);
  }

  private static Duration longer(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /**
   * Returns a builder; {@link Builder#token} and {@link Builder#handler} are required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  private static void dropLateReply(WeChatMessage message, Reply reply) {
    log.warn(
        "The handler answered a {} message (MsgId {}) after the reply deadline; WeChat was "
            + "answered success and the {} is dropped: set lateReplies(new CustomerServiceSender(..)) "
            + "to send late replies",
        Messages.typeOf(message),
        message.fields().get("MsgId"),
        reply);
  }

  /**
   * Returns the largest body accepted, in bytes of UTF-8; adapters answer 413 beyond it.
   *
   * @return the limit
   */
  public int maxBodySize() {
    return maxBodySize;
  }

  /**
   * Checks what can be checked before the body is read: the method, the query parameters, the
   * {@code timestamp}'s form and the {@code signature} (with the replay window). An adapter calls
   * it first and answers the refusal at once, so that an unsigned request never holds a thread
   * while its body trickles in; {@link #handle} makes the same checks again. Never throws for any
   * input.
   *
   * @param method the HTTP method
   * @param query the decoded query parameters (the first value of each)
   * @return the error response to answer without reading the body, or empty when the request may go
   *     on to {@link #handle}
   * @throws NullPointerException if {@code method} or {@code query} is null
   */
  public Optional<CallbackResponse> screen(String method, Map<String, String> query) {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(query, "query");
    try {
      return Optional.ofNullable(refusal(method, query));
    } catch (RuntimeException e) {
      log.error("Failed to check a {} to the server URL", method, e);
      return Optional.of(CallbackResponse.error(500, "internal error"));
    }
  }

  /**
   * Answers one request to the server URL; see the class description for every answer. Never throws
   * for any input: every failure is an error response.
   *
   * @param method the HTTP method, {@code GET} or {@code POST}
   * @param query the decoded query parameters (the first value of each)
   * @param body the request body; may be null or empty for {@code GET}
   * @return the response to write
   * @throws NullPointerException if {@code method} or {@code query} is null
   */
  public CallbackResponse handle(String method, Map<String, String> query, String body) {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(query, "query");
    long start = System.nanoTime();
    try {
      CallbackResponse refused = refusal(method, query);
      if (refused != null) {
        return refused;
      }
      if (method.equals("GET")) {
        return CallbackResponse.text(query.get("echostr"));
      }
      HandlerPool.Demand demand = pool.demand();
      // Genuine (the signature matched): a forged request must not keep a worker awake.
      demand.start();
      try {
        return receive(query, body, new Push(query, start + deadlineNanos, demand));
      } finally {
        demand.end();
      }
    } catch (RuntimeException e) {
      log.error("Failed to answer a {} to the server URL", method, e);
      return CallbackResponse.error(500, "internal error");
    }
  }

  /** The refusal of a request by its method and query alone, or null when it may go on. */
  private CallbackResponse refusal(String method, Map<String, String> q) {
    boolean get = method.equals("GET");
    if (!get && !method.equals("POST")) {
      return CallbackResponse.error(405, "GET or POST");
    }
    String signature = q.get("signature");
    String timestamp = q.get("timestamp");
    String nonce = q.get("nonce");
    if (get
        && (signature == null || timestamp == null || nonce == null || q.get("echostr") == null)) {
      return CallbackResponse.error(400, "signature, timestamp, nonce and echostr are required");
    }
    if (signature == null || timestamp == null || nonce == null) {
      return CallbackResponse.error(400, "signature, timestamp and nonce are required");
    }
    // Refused before the handler runs: WeChat sends seconds as digits, and an encrypted reply
    // cannot be made for anything else (the handler would run and its reply be lost as a 500).
    if (!isTimestamp(timestamp)) {
      log.info("Refused a request: the timestamp is not 1 to 20 decimal digits");
      return CallbackResponse.error(400, "timestamp must be seconds as decimal digits");
    }
    if (!verifier.verify(signature, timestamp, nonce)) {
      log.info(
          get
              ? "Refused a server URL check: the signature does not match or is out of the window"
              : "Refused a pushed message: the signature does not match or is out of the window");
      return CallbackResponse.error(403, "signature check failed");
    }
    return null;
  }

  private static boolean isTimestamp(String timestamp) {
    int n = timestamp.length();
    if (n == 0 || n > 20) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = timestamp.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /**
   * One signed push on its way through the steps below: what they all need, so that none passes the
   * same values along. The message and its key are set once parsed.
   */
  private static final class Push {
    final boolean encrypted;
    final String timestamp;
    final String nonce;
    final String msgSignature;
    final long deadline;
    final HandlerPool.Demand demand;
    WeChatMessage message;
    String key;

    Push(Map<String, String> q, long deadline, HandlerPool.Demand demand) {
      this.msgSignature = q.get("msg_signature");
      this.encrypted = msgSignature != null || "aes".equals(q.get("encrypt_type"));
      this.timestamp = q.get("timestamp");
      this.nonce = q.get("nonce");
      this.deadline = deadline;
      this.demand = demand;
    }

    String type() {
      return Messages.typeOf(message);
    }

    String msgId() {
      return message.fields().get("MsgId");
    }
  }

  private CallbackResponse receive(Map<String, String> q, String body, Push p) {
    if (body == null || body.isBlank()) {
      return CallbackResponse.error(400, "the body is empty");
    }
    if (body.length() > maxBodySize) {
      return CallbackResponse.error(413, "the body is larger than " + maxBodySize + " bytes");
    }
    String xml;
    try {
      if (p.encrypted) {
        if (crypto == null) {
          log.warn("Refused an encrypted message: this callback has no EncodingAESKey");
          return CallbackResponse.error(400, "encrypted, but no EncodingAESKey is configured");
        }
        xml = crypto.decrypt(p.msgSignature, p.timestamp, p.nonce, body);
      } else if (requireEncryption) {
        log.info("Refused a plaintext message: this callback requires encryption");
        return CallbackResponse.error(403, "only encrypted messages are accepted");
      } else {
        xml = body;
      }
    } catch (MessageCryptoException e) {
      return refused(e);
    }
    try {
      if (xml.length() > WeChatXml.MAX_CHARS) {
        return CallbackResponse.error(413, "the message is too large");
      }
      FlatXml.Leaves leaves = FlatXml.scan(xml);
      p.message = Messages.from(leaves);
      p.key = Messages.dedupKey(p.message, leaves);
    } catch (FlatXml.MalformedXmlException e) {
      return refused(
          new MessageCryptoException(MessageCryptoException.MALFORMED_XML, e.getMessage()));
    } catch (MessageCryptoException e) {
      return refused(e);
    }
    return dispatch(p);
  }

  private static CallbackResponse refused(MessageCryptoException e) {
    switch (e.errorCode()) {
      case MessageCryptoException.SIGNATURE_MISMATCH:
        log.info("Refused a pushed message: {}", e.getMessage());
        return CallbackResponse.error(403, "signature check failed");
      case MessageCryptoException.APPID_MISMATCH:
        log.info("Refused a pushed message: {}", e.getMessage());
        return CallbackResponse.error(403, "encrypted for another AppId");
      default:
        log.info("Refused a pushed message: {}", e.getMessage());
        return CallbackResponse.error(400, "malformed message");
    }
  }

  private CallbackResponse dispatch(Push p) {
    // The demand ends here, before the deduplicator, which may wait on the network (Redis): the
    // awake worker's grace covers an in-memory claim, and nothing spins through a slow one.
    p.demand.end();
    while (true) {
      MessageDeduplicator.Claim claim;
      try {
        claim = deduplicator.claim(p.key);
      } catch (RuntimeException e) {
        log.warn(
            "The deduplicator failed ({}); handling the {} message (MsgId {}) without it",
            e.toString(),
            p.type(),
            p.msgId());
        claim = null;
      }
      if (claim == null || claim.state() == MessageDeduplicator.Claim.State.CLAIMED) {
        return run(p, claim);
      }
      if (claim.state() == MessageDeduplicator.Claim.State.DONE) {
        return answer(p, claim.reply());
      }
      long left = p.deadline - System.nanoTime();
      MessageDeduplicator.Claim after;
      try {
        after = left <= 0 ? claim : deduplicator.await(p.key, Duration.ofNanos(left));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return CallbackResponse.SUCCESS;
      } catch (RuntimeException e) {
        log.warn("The deduplicator failed while waiting for a retried message: {}", e.toString());
        return CallbackResponse.SUCCESS;
      }
      switch (after.state()) {
        case DONE:
          return answer(p, after.reply());
        case ABSENT:
          if (p.deadline - System.nanoTime() > 0) {
            continue; // released by a failed handler: this delivery runs it
          }
          return CallbackResponse.SUCCESS;
        default:
          return CallbackResponse.SUCCESS; // the first delivery is still at it: the deadline
      }
    }
  }

  /** The result of one handler run, handed from the handler thread to the request thread. */
  private static final class Outcome {
    static final int RUNNING = 0;
    static final int DONE = 1;
    static final int LATE = 2;

    final AtomicInteger state = new AtomicInteger(RUNNING);
    final Thread waiter = Thread.currentThread();

    /**
     * Set by the waiter before it parks, so that the handler thread unparks it only then: a waiter
     * that sees the result while it spins costs the handler thread no wake-up call.
     */
    volatile boolean parked;

    volatile String replyXml;
    volatile Reply reply;
    volatile RuntimeException error;
  }

  private CallbackResponse run(Push p, MessageDeduplicator.Claim claim) {
    Outcome o = new Outcome();
    boolean queued = pool.submit(() -> runHandler(p.message, claim, o));
    if (!queued) {
      release(claim);
      log.warn(
          "Every handler thread is busy and the queue is full; answering 503 to the {} message "
              + "(MsgId {}) so that WeChat retries",
          p.type(),
          p.msgId());
      return CallbackResponse.error(503, "busy");
    }
    long spinEnd = System.nanoTime() + SPIN_NANOS;
    while (o.state.get() == Outcome.RUNNING) {
      long now = System.nanoTime();
      long left = p.deadline - now;
      if (left <= 0 || Thread.currentThread().isInterrupted()) {
        break; // an interrupted request thread answers at once (park would return at once, too)
      }
      if (now - spinEnd < 0) {
        Thread.onSpinWait();
        continue;
      }
      o.parked = true;
      if (o.state.get() == Outcome.RUNNING) { // after announcing: the handler thread sees it
        LockSupport.parkNanos(this, left);
      }
    }
    if (o.state.compareAndSet(Outcome.RUNNING, Outcome.LATE)) {
      log.info(
          "The handler has not answered the {} message (MsgId {}) within {} ms: answered success",
          p.type(),
          p.msgId(),
          TimeUnit.NANOSECONDS.toMillis(deadlineNanos));
      return CallbackResponse.SUCCESS;
    }
    if (o.error != null) {
      return CallbackResponse.error(500, "the handler failed");
    }
    return answer(p, o.replyXml);
  }

  /** On a handler thread: runs the handler and completes or releases the claim. */
  private void runHandler(WeChatMessage message, MessageDeduplicator.Claim claim, Outcome o) {
    Reply reply;
    String xml;
    try {
      reply = handler.handle(message);
      if (reply == null) {
        reply = Reply.none();
      }
      xml = reply.toXml(message, clock.instant().getEpochSecond());
    } catch (RuntimeException | Error e) {
      log.error(
          "The handler failed on a {} message (MsgId {}); answering 500 so that WeChat retries",
          Messages.typeOf(message),
          message.fields().get("MsgId"),
          e);
      release(claim);
      if (e instanceof Error err) {
        o.error = new IllegalStateException("the handler threw an Error");
        finish(o);
        throw err;
      }
      o.error = (RuntimeException) e;
      finish(o);
      return;
    }
    o.reply = reply;
    o.replyXml = xml == null ? "" : xml;
    if (o.state.compareAndSet(Outcome.RUNNING, Outcome.DONE)) {
      // Recorded before the wake-up: a waiter woken first could preempt this thread while it
      // holds the deduplicator's lock, and then wait for it on its next message.
      complete(claim, o.replyXml);
      wake(o);
      return;
    }
    // Late: WeChat got success; the reply goes another way, and retries get success too.
    complete(claim, "");
    if (!reply.isNone()) {
      try {
        lateReplies.send(message, reply);
      } catch (RuntimeException e) {
        log.error(
            "Could not send the late reply to a {} message (MsgId {})",
            Messages.typeOf(message),
            message.fields().get("MsgId"),
            e);
      }
    }
  }

  private void finish(Outcome o) {
    if (o.state.compareAndSet(Outcome.RUNNING, Outcome.DONE)) {
      wake(o);
    }
  }

  /** After the state left RUNNING: unparks the waiter if it has parked or is about to. */
  private void wake(Outcome o) {
    if (o.parked) {
      LockSupport.unpark(o.waiter);
      pool.wokeWaiter();
    }
  }

  private void complete(MessageDeduplicator.Claim claim, String xml) {
    if (claim == null) {
      return;
    }
    try {
      deduplicator.complete(claim, xml);
    } catch (RuntimeException e) {
      log.warn("The deduplicator failed to record a reply: {}", e.toString());
    }
  }

  private void release(MessageDeduplicator.Claim claim) {
    if (claim == null) {
      return;
    }
    try {
      deduplicator.release(claim);
    } catch (RuntimeException e) {
      log.warn("The deduplicator failed to release a claim: {}", e.toString());
    }
  }

  private CallbackResponse answer(Push p, String xml) {
    if (xml == null || xml.isEmpty()) {
      return CallbackResponse.SUCCESS;
    }
    return CallbackResponse.xml(p.encrypted ? crypto.encrypt(xml, p.timestamp, p.nonce) : xml);
  }

  @Override
  public String toString() {
    return "WeChatCallback{mode="
        + (crypto == null ? "plaintext" : requireEncryption ? "security" : "compatibility")
        + ", deadline="
        + Duration.ofNanos(deadlineNanos)
        + ", "
        + deduplicator
        + '}';
  }

  /**
   * Configures a {@link WeChatCallback}. Not thread-safe; {@link #build()} may be called more than
   * once, each time making an independent callback.
   */
  public static final class Builder {
    private String token;
    private String encodingAesKey;
    private String appId;
    private MessageHandler handler;
    private MessageDeduplicator deduplicator;
    private Duration replyDeadline = DEFAULT_REPLY_DEADLINE;
    private LateReplySender lateReplies;
    private boolean requireEncryption;
    private Duration maxTimestampAge;
    private Clock clock = Clock.systemUTC();
    private int maxBodySize = DEFAULT_MAX_BODY_SIZE;
    private int handlerThreads = DEFAULT_HANDLER_THREADS;
    private LongSupplier ticker = System::nanoTime;

    private Builder() {}

    /** The time source of the default deduplicator's lifetimes, for tests. */
    Builder ticker(LongSupplier ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * The Token of the account's server configuration, which WeChat signs requests with. Required.
     *
     * @param token the Token
     * @return this builder
     */
    public Builder token(String token) {
      this.token = token;
      return this;
    }

    /**
     * The EncodingAESKey, for security and compatibility mode; requires {@link #appId}. Without it,
     * only plaintext messages are accepted.
     *
     * @param encodingAesKey 43 characters of {@code [a-zA-Z0-9]}, or null for plaintext mode
     * @return this builder
     */
    public Builder encodingAesKey(String encodingAesKey) {
      this.encodingAesKey = encodingAesKey;
      return this;
    }

    /**
     * The account's AppID; encrypted messages for any other AppId are refused (403).
     *
     * @param appId the AppID
     * @return this builder
     */
    public Builder appId(String appId) {
      this.appId = appId;
      return this;
    }

    /**
     * What answers the messages, such as a {@link MessageRouter}. Required.
     *
     * @param handler the handler
     * @return this builder
     */
    public Builder handler(MessageHandler handler) {
      this.handler = handler;
      return this;
    }

    /**
     * Where deliveries are remembered. Default: a new {@link InMemoryMessageDeduplicator}, which
     * suits one instance, keeping each push for {@link
     * InMemoryMessageDeduplicator#DEFAULT_LIFETIME} or twice the {@linkplain #maxTimestampAge
     * replay window}, whichever is longer; behind a load balancer give every instance a shared one.
     *
     * @param deduplicator the deduplicator, or null for the default
     * @return this builder
     */
    public Builder deduplicator(MessageDeduplicator deduplicator) {
      this.deduplicator = deduplicator;
      return this;
    }

    /**
     * How long a request waits for the handler before answering {@code success}. Default 4 s.
     *
     * @param replyDeadline more than zero and less than WeChat's 5 s
     * @return this builder
     * @throws IllegalArgumentException if it is out of that range
     * @throws NullPointerException if it is null
     */
    public Builder replyDeadline(Duration replyDeadline) {
      Objects.requireNonNull(replyDeadline, "replyDeadline");
      if (replyDeadline.isNegative()
          || replyDeadline.isZero()
          || replyDeadline.compareTo(Duration.ofSeconds(5)) >= 0) {
        throw new IllegalArgumentException(
            "replyDeadline must be more than 0 and less than WeChat's 5 s");
      }
      this.replyDeadline = replyDeadline;
      return this;
    }

    /**
     * Where replies that came after the deadline go. Default: logged and dropped.
     *
     * @param lateReplies the sender, such as a {@link CustomerServiceSender}, or null for the
     *     default
     * @return this builder
     */
    public Builder lateReplies(LateReplySender lateReplies) {
      this.lateReplies = lateReplies;
      return this;
    }

    /**
     * Refuses plaintext messages (403): for an account in security mode, so that a request stripped
     * of its {@code msg_signature} is not taken for plaintext. Requires {@link #encodingAesKey}.
     * Off by default.
     *
     * @param requireEncryption whether to refuse plaintext
     * @return this builder
     */
    public Builder requireEncryption(boolean requireEncryption) {
      this.requireEncryption = requireEncryption;
      return this;
    }

    /**
     * The replay window: a request whose {@code timestamp} is further than this from the clock's
     * now is refused (403). Off by default. Without it a captured push (or {@code echostr} check)
     * is accepted again at any time, and its handler runs again as soon as the deduplicator has
     * forgotten it; with it the deduplicator must remember each push for twice the window (a
     * timestamp is accepted from the window before to the window after now): the default one does,
     * and {@link #build()} refuses a deduplicator whose {@linkplain MessageDeduplicator#lifetime()
     * lifetime} is shorter.
     *
     * @param maxTimestampAge at least one second, or null for no window
     * @return this builder
     * @throws IllegalArgumentException if it is under one second
     */
    public Builder maxTimestampAge(Duration maxTimestampAge) {
      if (maxTimestampAge != null && maxTimestampAge.getSeconds() < 1) {
        throw new IllegalArgumentException("maxTimestampAge must be at least one second");
      }
      this.maxTimestampAge = maxTimestampAge;
      return this;
    }

    /**
     * The clock of the replay window and of replies' {@code CreateTime}. Default {@link
     * Clock#systemUTC()}.
     *
     * @param clock the clock
     * @return this builder
     * @throws NullPointerException if it is null
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The largest body accepted (413 beyond it). Default 1 MiB ({@link
     * WeChatCallback#DEFAULT_MAX_BODY_SIZE}).
     *
     * @param bytes at least 1 KiB and at most 1 MiB
     * @return this builder
     * @throws IllegalArgumentException if it is out of that range
     */
    public Builder maxBodySize(int bytes) {
      if (bytes < 1024 || bytes > WeChatXml.MAX_CHARS) {
        throw new IllegalArgumentException("maxBodySize must be 1 KiB to 1 MiB");
      }
      this.maxBodySize = bytes;
      return this;
    }

    /**
     * How many handlers may run at once, on daemon threads named {@code
     * wechat-callback-N-handler-M}; up to 16 times as many messages wait in a queue, and beyond
     * that requests are answered 503. Default {@value WeChatCallback#DEFAULT_HANDLER_THREADS}.
     *
     * @param threads at least 1
     * @return this builder
     * @throws IllegalArgumentException if it is under 1
     */
    public Builder handlerThreads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("handlerThreads must be at least 1");
      }
      this.handlerThreads = threads;
      return this;
    }

    /**
     * Makes the callback.
     *
     * @return a new callback
     * @throws IllegalStateException if the token or the handler is missing, encryption is required
     *     without an EncodingAESKey, or the deduplicator forgets pushes before twice the replay
     *     window has passed
     * @throws IllegalArgumentException if the token, the AppID or the EncodingAESKey is malformed
     *     (the message does not repeat the key)
     */
    public WeChatCallback build() {
      if (token == null || token.isBlank()) {
        throw new IllegalStateException(
            "token is required: the Token of the account's server configuration");
      }
      if (handler == null) {
        throw new IllegalStateException("handler is required");
      }
      if (requireEncryption && encodingAesKey == null) {
        throw new IllegalStateException("requireEncryption needs the encodingAesKey");
      }
      if (encodingAesKey != null && appId == null) {
        throw new IllegalStateException("encodingAesKey needs the appId");
      }
      Duration reach = replayReach(maxTimestampAge);
      Optional<Duration> kept = deduplicator == null ? Optional.empty() : deduplicator.lifetime();
      if (kept.isPresent() && kept.get().compareTo(reach) < 0) {
        // Else a push captured and replayed after the deduplicator forgot it, but inside the
        // window, runs the handler again.
        throw new IllegalStateException(
            "the deduplicator keeps pushes for "
                + kept.get().getSeconds()
                + " s, but a replay window of "
                + maxTimestampAge.getSeconds()
                + " s accepts a push up to "
                + reach.getSeconds()
                + " s after its first delivery: give the deduplicator a lifetime of at least "
                + reach.getSeconds()
                + " s");
      }
      try {
        return new WeChatCallback(this);
      } catch (MessageCryptoException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    }
  }
}

package io.github.wechatmp.open;

import io.github.wechatmp.callback.CallbackResponse;
import io.github.wechatmp.callback.CustomerServiceSender;
import io.github.wechatmp.callback.InMemoryMessageDeduplicator;
import io.github.wechatmp.callback.MessageDeduplicator;
import io.github.wechatmp.callback.Reply;
import io.github.wechatmp.callback.WeChatCallback;
import io.github.wechatmp.callback.inbound.WeChatMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The message endpoint of every official account that authorized the platform (消息与事件接收URL, {@code
 * .../$APPID$}): one endpoint, routed by the authorizer's AppID taken from the request path, to a
 * {@link WeChatCallback} per authorizer, so that each account's messages get the same checks,
 * deduplication, reply deadline and adapters as an account's own server URL.
 *
 * <p>Each authorizer's callback is built on first use on the platform's token and EncodingAESKey
 * (WeChat encrypts every authorizer's messages with the platform's key, for the platform's AppID)
 * and kept until the account cancels its authorization or the platform closes. Replies that come
 * after the deadline go out as customer service messages on {@link
 * OpenPlatform#authorizer(String)}. One {@link MessageDeduplicator} serves every authorizer (its
 * keys name the account).
 *
 * <p>What it answers, beyond what {@link WeChatCallback#handle} answers: 400 for a malformed AppID
 * in the path; 404 for an AppID that never authorized the platform; 403 for one whose authorization
 * was cancelled or must be renewed. The signature is checked first, so an unsigned request never
 * reaches the authorization store.
 *
 * <p>Thread-safe. Never throws from {@link #handle} for any input.
 */
public final class AuthorizerMessages {
  private static final Logger log = LoggerFactory.getLogger(AuthorizerMessages.class);

  /**
   * How long a callback is used before the authorization store is read again for its account: an
   * {@code unauthorized} event handled by another instance of the cluster takes effect here within
   * it.
   */
  static final Duration RECHECK = Duration.ofMinutes(1);

  private final OpenPlatform platform;
  private final AuthorizerMessageHandler handler;
  private final MessageDeduplicator deduplicator;
  private final Duration replyDeadline;
  private final int handlerThreads;
  private final WeChatCallback gate;
  private final ConcurrentHashMap<String, Entry> callbacks = new ConcurrentHashMap<>();

  private record Entry(WeChatCallback callback, Instant checkedAt) {}

  private AuthorizerMessages(Builder b) {
    this.platform = b.platform;
    this.handler = b.handler;
    this.deduplicator = b.deduplicator != null ? b.deduplicator : new InMemoryMessageDeduplicator();
    this.replyDeadline = b.replyDeadline;
    this.handlerThreads = b.handlerThreads;
    // Checks the method and signature only (they depend on the platform's token alone): its
    // handler never runs, as it is only screened with.
    this.gate =
        WeChatCallback.builder()
            .token(platform.token())
            .handler(m -> Reply.none())
            .clock(platform.clock())
            .handlerThreads(1)
            .build();
  }

  static Builder builder(OpenPlatform platform, AuthorizerMessageHandler handler) {
    return new Builder(platform, handler);
  }

  /**
   * Answers one request to the message URL of the authorizer {@code authorizerAppId}: the AppID in
   * the request's path, which an adapter takes from it (for {@code /wechat/{appId}}, the last
   * segment).
   *
   * @param authorizerAppId the authorizer's AppID, from the path
   * @param method the HTTP method
   * @param query the decoded query parameters (the first value of each)
   * @param body the request body; may be null for {@code GET}
   * @return the response to write
   * @throws NullPointerException if {@code method} or {@code query} is null
   */
  public CallbackResponse handle(
      String authorizerAppId, String method, Map<String, String> query, String body) {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(query, "query");
    Optional<CallbackResponse> refused = gate.screen(method, query);
    if (refused.isPresent()) {
      return refused.get();
    }
    try {
      Object found = callback(authorizerAppId);
      if (found instanceof CallbackResponse r) {
        return r;
      }
      return ((WeChatCallback) found).handle(method, query, body);
    } catch (RuntimeException e) {
      log.error("Failed to answer a {} to the message URL of {}", method, authorizerAppId, e);
      return CallbackResponse.error(500, "internal error");
    }
  }

  /**
   * Checks what can be checked before the body is read: the method and the query's {@code
   * signature} (with the replay window), which depend on the platform's token alone. An adapter
   * that holds a thread while it reads the body calls it first and answers the refusal at once, so
   * that an unsigned request never waits for a body that may never come; {@link #handle} makes the
   * same checks again. Reads no authorization. Never throws for any input.
   *
   * @param method the HTTP method
   * @param query the decoded query parameters (the first value of each)
   * @return the error response to answer without reading the body, or empty when the request may go
   *     on to {@link #handle}
   * @throws NullPointerException if {@code method} or {@code query} is null
   */
  public Optional<CallbackResponse> screen(String method, Map<String, String> query) {
    return gate.screen(method, query);
  }

  /**
   * Returns the largest body accepted, in bytes of UTF-8; adapters answer 413 beyond it.
   *
   * @return the limit
   */
  public int maxBodySize() {
    return gate.maxBodySize();
  }

  /** Forgets an account's callback: its authorization was cancelled. */
  void forget(String authorizerAppId) {
    callbacks.remove(authorizerAppId);
  }

  /** The account's callback, or the refusal to answer for an account that may not be served. */
  private Object callback(String appId) {
    try {
      Authorization.checkAppId(appId);
    } catch (RuntimeException e) {
      return CallbackResponse.error(400, "the path does not end with an authorizer's AppID");
    }
    Instant now = platform.clock().instant();
    Entry held = callbacks.get(appId);
    if (held != null && now.isBefore(held.checkedAt().plus(RECHECK))) {
      return held.callback();
    }
    Optional<Authorization> a = platform.authorizations().find(appId);
    if (a.isEmpty()) {
      callbacks.remove(appId);
      return CallbackResponse.error(
          404, "the official account " + appId + " has not authorized this platform");
    }
    if (a.get().state() != Authorization.State.AUTHORIZED) {
      callbacks.remove(appId);
      return CallbackResponse.error(
          403, "the official account " + appId + " is " + a.get().state() + ": no longer served");
    }
    Entry e =
        callbacks.compute(
            appId, (id, old) -> new Entry(old != null ? old.callback() : newCallback(id), now));
    return e.callback();
  }

  private WeChatCallback newCallback(String appId) {
    return WeChatCallback.builder()
        .token(platform.token())
        .encodingAesKey(platform.encodingAesKey())
        // WeChat encrypts an authorizer's messages for the platform, with the platform's AppID.
        .appId(platform.componentAppId())
        .handler(message -> handler.handle(appId, message))
        .deduplicator(new PerAccount(appId, deduplicator))
        .replyDeadline(replyDeadline)
        .handlerThreads(handlerThreads)
        .clock(platform.clock())
        .lateReplies((message, reply) -> lateReply(appId, message, reply))
        .build();
  }

  /**
   * The shared deduplicator with keys under the authorizer's AppID: two accounts' pushes never
   * share a key, even were their {@code ToUserName} the same.
   */
  private record PerAccount(String appId, MessageDeduplicator inner)
      implements MessageDeduplicator {
    @Override
    public MessageDeduplicator.Claim claim(String key) {
      return inner.claim(appId + '/' + key);
    }

    @Override
    public void complete(MessageDeduplicator.Claim claim, String reply) {
      inner.complete(claim, reply);
    }

    @Override
    public void release(MessageDeduplicator.Claim claim) {
      inner.release(claim);
    }

    @Override
    public MessageDeduplicator.Claim await(String key, Duration maxWait)
        throws InterruptedException {
      return inner.await(appId + '/' + key, maxWait);
    }

    @Override
    public Optional<Duration> lifetime() {
      return inner.lifetime();
    }

    @Override
    public String toString() {
      return inner.toString();
    }
  }

  /** Sends a late reply on the account's current provider (a revoked one's was closed). */
  private void lateReply(String appId, WeChatMessage message, Reply reply) {
    new CustomerServiceSender(platform.authorizer(appId)).send(message, reply);
  }

  /** Shows the number of accounts served, never the token or key. */
  @Override
  public String toString() {
    return "AuthorizerMessages[platform="
        + platform.componentAppId()
        + ", authorizers served="
        + callbacks.size()
        + ", "
        + deduplicator
        + "]";
  }

  /**
   * Configures the {@link AuthorizerMessages} of an {@link OpenPlatform}, from {@link
   * OpenPlatform#messagesBuilder(AuthorizerMessageHandler)}. Not thread-safe.
   */
  public static final class Builder {
    private final OpenPlatform platform;
    private final AuthorizerMessageHandler handler;
    private MessageDeduplicator deduplicator;
    private Duration replyDeadline = WeChatCallback.DEFAULT_REPLY_DEADLINE;
    private int handlerThreads = WeChatCallback.DEFAULT_HANDLER_THREADS;

    private Builder(OpenPlatform platform, AuthorizerMessageHandler handler) {
      this.platform = platform;
      this.handler = Objects.requireNonNull(handler, "handler");
    }

    /**
     * Sets where deliveries are remembered, for every authorizer: behind a load balancer, one the
     * cluster shares (a {@code RedisMessageDeduplicator}). Default: one in memory.
     *
     * @param deduplicator the deduplicator
     * @return this builder
     */
    public Builder deduplicator(MessageDeduplicator deduplicator) {
      this.deduplicator = Objects.requireNonNull(deduplicator, "deduplicator");
      return this;
    }

    /**
     * Sets how long a request waits for the handler before answering {@code success} (the reply
     * then goes out as a customer service message). Default 4 s.
     *
     * @param replyDeadline more than zero and less than WeChat's 5 s
     * @return this builder
     * @throws IllegalArgumentException if it is out of that range
     */
    public Builder replyDeadline(Duration replyDeadline) {
      WeChatCallback.builder().replyDeadline(replyDeadline); // the same check
      this.replyDeadline = replyDeadline;
      return this;
    }

    /**
     * Sets how many handlers may run at once for each authorizer (threads are made on demand and
     * end when idle). Default {@value WeChatCallback#DEFAULT_HANDLER_THREADS}.
     *
     * @param threads at least 1
     * @return this builder
     * @throws IllegalArgumentException if it is under 1
     */
    public Builder handlerThreads(int threads) {
      WeChatCallback.builder().handlerThreads(threads); // the same check
      this.handlerThreads = threads;
      return this;
    }

    /**
     * Makes the endpoint. Does no I/O.
     *
     * @return the endpoint
     */
    public AuthorizerMessages build() {
      AuthorizerMessages m = new AuthorizerMessages(this);
      platform.served(m);
      return m;
    }
  }
}

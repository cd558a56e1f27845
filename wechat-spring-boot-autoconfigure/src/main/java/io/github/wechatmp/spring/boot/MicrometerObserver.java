package io.github.wechatmp.spring.boot;

import io.github.wechatmp.callback.LateReplySender;
import io.github.wechatmp.callback.MessageDeduplicator;
import io.github.wechatmp.callback.MessageHandler;
import io.github.wechatmp.callback.Reply;
import io.github.wechatmp.callback.inbound.WeChatEvent;
import io.github.wechatmp.callback.inbound.WeChatMessage;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenEventListener;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The Micrometer meters of every account. Tag values are bounded: {@code account} is an account
 * name (configured, or added by the application), {@code kind} one of the three credential kinds,
 * {@code outcome} and {@code type} come from fixed sets ({@code other} for anything else).
 * Thread-safe.
 */
final class MicrometerObserver implements AccountObserver {
  static final String FETCHES = "wechat.token.fetches";
  static final String LATENCY = "wechat.token.fetch.latency";
  static final String EXPIRES_IN = "wechat.token.expires.in";
  static final String MESSAGES = "wechat.callback.messages";
  static final String DUPLICATES = "wechat.callback.duplicates";
  static final String LATE_REPLIES = "wechat.callback.late.replies";

  private static final Set<String> MESSAGE_TYPES =
      Set.of("text", "image", "voice", "video", "shortvideo", "location", "link");
  private static final Set<String> EVENTS =
      Set.of(
          "subscribe",
          "unsubscribe",
          "scan",
          "location",
          "click",
          "view",
          "templatesendjobfinish",
          "masssendjobfinish",
          "subscribe_msg_popup_event",
          "scancode_push",
          "scancode_waitmsg",
          "pic_sysphoto",
          "pic_photo_or_album",
          "pic_weixin",
          "location_select",
          "view_miniprogram",
          "publishjobfinish");

  private final MeterRegistry registry;
  private final Clock clock;
  private final Map<String, List<Meter>> gauges = new ConcurrentHashMap<>();

  MicrometerObserver(MeterRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
  }

  @Override
  public TokenEventListener tokenListener(String account) {
    return new TokenEventListener() {
      @Override
      public void onFetched(TokenKey key, AccessToken token, Duration latency) {
        fetches(account, key, "fetched").increment();
        Timer.builder(LATENCY)
            .description("How long fetching a credential from WeChat took, retries included")
            .tags(tags(account, key))
            .register(registry)
            .record(latency);
      }

      @Override
      public void onAdopted(TokenKey key, AccessToken token) {
        fetches(account, key, "adopted").increment();
      }

      @Override
      public void onRefreshFailed(TokenKey key, RuntimeException error, int consecutiveFailures) {
        fetches(account, key, "failed").increment();
      }
    };
  }

  private Counter fetches(String account, TokenKey key, String outcome) {
    return Counter.builder(FETCHES)
        .description("Credential refreshes: fetched from WeChat, adopted from the store, or failed")
        .tags(tags(account, key).and("outcome", outcome))
        .register(registry);
  }

  private static Tags tags(String account, TokenKey key) {
    return Tags.of("account", account, "kind", kind(key.kind()));
  }

  private static String kind(String kind) {
    return switch (kind) {
      case TokenKey.ACCESS_TOKEN, TokenKey.STABLE_ACCESS_TOKEN, TokenKey.JSAPI_TICKET -> kind;
      default -> "other";
    };
  }

  static String type(WeChatMessage m) {
    String msgType = String.valueOf(m.fields().get("MsgType")).toLowerCase(Locale.ROOT);
    if (m instanceof WeChatEvent) {
      String event = String.valueOf(m.fields().get("Event")).toLowerCase(Locale.ROOT);
      return "event." + (EVENTS.contains(event) ? event : "other");
    }
    return MESSAGE_TYPES.contains(msgType) ? msgType : "other";
  }

  @Override
  public MessageHandler handler(String account, MessageHandler handler) {
    return message -> {
      String type = type(message);
      Reply reply;
      try {
        reply = handler.handle(message);
      } catch (RuntimeException | Error e) {
        messages(account, type, "failed").increment();
        throw e;
      }
      messages(account, type, reply == null || reply.isNone() ? "no_reply" : "replied").increment();
      return reply;
    };
  }

  private Counter messages(String account, String type, String outcome) {
    return Counter.builder(MESSAGES)
        .description("Messages and events handled: replied, answered with no reply, or failed")
        .tags("account", account, "type", type, "outcome", outcome)
        .register(registry);
  }

  @Override
  public MessageDeduplicator deduplicator(String account, MessageDeduplicator deduplicator) {
    Counter duplicates =
        Counter.builder(DUPLICATES)
            .description("Retries of a push that was being handled or was handled already")
            .tags("account", account)
            .register(registry);
    return new MessageDeduplicator() {
      @Override
      public Claim claim(String key) {
        Claim c = deduplicator.claim(key);
        if (c.state() == Claim.State.RUNNING || c.state() == Claim.State.DONE) {
          duplicates.increment();
        }
        return c;
      }

      @Override
      public void complete(Claim claim, String reply) {
        deduplicator.complete(claim, reply);
      }

      @Override
      public void release(Claim claim) {
        deduplicator.release(claim);
      }

      @Override
      public Claim await(String key, Duration maxWait) throws InterruptedException {
        return deduplicator.await(key, maxWait);
      }

      @Override
      public Optional<Duration> lifetime() {
        return deduplicator.lifetime();
      }

      @Override
      public String toString() {
        return deduplicator.toString();
      }
    };
  }

  @Override
  public LateReplySender lateReplies(String account, LateReplySender sender) {
    Counter late =
        Counter.builder(LATE_REPLIES)
            .description("Replies that came after the deadline and went out another way")
            .tags("account", account)
            .register(registry);
    return (message, reply) -> {
      late.increment();
      sender.send(message, reply);
    };
  }

  @Override
  public void added(WeChatAccount account) {
    List<Meter> meters = new CopyOnWriteArrayList<>();
    meters.add(expiresIn(account, account.tokenKind(), account.tokens()::status));
    meters.add(expiresIn(account, TokenKey.JSAPI_TICKET, account.tickets()::status));
    gauges.put(account.name(), meters);
  }

  private Meter expiresIn(WeChatAccount account, String kind, Supplier<TokenStatus> status) {
    return Gauge.builder(EXPIRES_IN, () -> secondsLeft(status.get()))
        .description("Seconds until the held credential expires; 0 when none is held")
        .tags("account", account.name(), "kind", kind)
        .baseUnit("seconds")
        .register(registry);
  }

  private double secondsLeft(TokenStatus s) {
    Instant now = clock.instant();
    return s.expiresAt()
        .map(e -> Math.max(0, Duration.between(now, e).toMillis() / 1000.0))
        .orElse(0.0);
  }

  @Override
  public void removed(WeChatAccount account) {
    List<Meter> meters = gauges.remove(account.name());
    if (meters != null) {
      meters.forEach(registry::remove);
    }
  }
}

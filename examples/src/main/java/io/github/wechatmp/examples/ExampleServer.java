package io.github.wechatmp.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.wechatmp.WeChatException;
import io.github.wechatmp.callback.CustomerServiceSender;
import io.github.wechatmp.callback.MessageRouter;
import io.github.wechatmp.callback.Reply;
import io.github.wechatmp.callback.WeChatCallback;
import io.github.wechatmp.callback.WeChatCallbackHandler;
import io.github.wechatmp.callback.inbound.SubscribeEvent;
import io.github.wechatmp.callback.inbound.TextMessage;
import io.github.wechatmp.message.MessageCrypto;
import io.github.wechatmp.message.MessageCryptoException;
import io.github.wechatmp.signature.SignatureVerifier;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.RefreshPolicy;
import io.github.wechatmp.token.TokenEventListener;
import io.github.wechatmp.token.TokenKey;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the original tutorial's app did, done right, on the JDK's own HTTP server:
 *
 * <ul>
 *   <li>{@code /wechat}: the server URL, served by a {@link WeChatCallback} with a {@link
 *       MessageRouter} through {@link WeChatCallbackHandler}: {@code GET} verifies and answers
 *       {@code echostr}; {@code POST} takes a pushed message, plaintext or security mode: a text
 *       message gets an echo, a follow a welcome, a click on the menu's {@code HELP} button a hint,
 *       as passive replies encrypted when the request was; a reply later than the deadline goes out
 *       through the customer service API;
 *   <li>{@code GET /token}: the current token, masked, with its expiry and where it came from.
 * </ul>
 */
final class ExampleServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ExampleServer.class);

  private final ExampleConfig config;
  private final WeChatStandIn standIn;
  private final StoreChoice store;
  private final AccessTokenProvider tokens;
  private final SignatureVerifier verifier;
  private final MessageCrypto crypto;
  private final HttpServer server;
  private final ExecutorService handlers = Executors.newFixedThreadPool(4);

  /**
   * In demo mode, asks for the token now and then, as API calls would, so refreshes show in the
   * log.
   */
  private final ScheduledExecutorService demoTraffic =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "demo-traffic");
            t.setDaemon(true);
            return t;
          });

  /**
   * Where each token this instance served came from: fetched from WeChat, or adopted from the
   * store.
   */
  private final Map<String, String> origins = new ConcurrentHashMap<>();

  private final Map<String, Boolean> shown = new ConcurrentHashMap<>();

  private ExampleServer(
      ExampleConfig config,
      WeChatStandIn standIn,
      StoreChoice store,
      AccessTokenProvider tokens,
      MessageCrypto crypto,
      HttpServer server) {
    this.config = config;
    this.standIn = standIn;
    this.store = store;
    this.tokens = tokens;
    this.verifier = SignatureVerifier.of(config.token);
    this.crypto = crypto;
    this.server = server;
  }

  /**
   * Starts everything the configuration asks for.
   *
   * @throws IllegalArgumentException with a message for the person who started it: a bad
   *     EncodingAESKey, a port in use, an unreachable Redis
   */
  static ExampleServer start(ExampleConfig config) throws IOException {
    MessageCrypto crypto = null;
    if (config.encodingAesKey != null) {
      try {
        crypto = new MessageCrypto(config.token, config.encodingAesKey, config.appId);
      } catch (MessageCryptoException e) {
        throw new IllegalArgumentException(
            "WECHAT_ENCODING_AES_KEY is not usable: " + e.getMessage());
      }
    }
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(config.port), 64);
    } catch (BindException e) {
      throw new IllegalArgumentException(
          "port " + config.port + " is in use; choose another with --port");
    }
    WeChatStandIn standIn = null;
    StoreChoice store = null;
    try {
      standIn =
          config.demo
              ? WeChatStandIn.builder()
                  .appId(config.appId)
                  .appSecret(config.appSecret)
                  .expiresIn(Duration.ofSeconds(config.demoExpiresIn))
                  .start()
              : null;
      store = StoreChoice.open(config.store);
      Holder holder = new Holder();
      AccessTokenProvider.Builder b =
          AccessTokenProvider.builder()
              .appId(config.appId)
              .appSecret(config.appSecret)
              .store(store.store)
              .eventListener(holder);
      if (standIn != null) {
        // The stand-in's tokens live a minute, not two hours: margins that fit them (due at half
        // life, unusable in the last tenth), so that instances sharing a store adopt each other's.
        b.apiBaseUrl(standIn.baseUrl())
            .refreshPolicy(
                RefreshPolicy.builder()
                    .refreshMargin(Duration.ofSeconds(config.demoExpiresIn / 2))
                    .expiryMargin(Duration.ofSeconds(Math.max(1, config.demoExpiresIn / 10)))
                    .build());
      }
      ExampleServer app = new ExampleServer(config, standIn, store, b.build(), crypto, server);
      holder.app = app;
      server.createContext("/wechat", new WeChatCallbackHandler(app.callback(config)));
      server.createContext("/token", app::token);
      server.setExecutor(app.handlers);
      server.start();
      if (config.demo) {
        app.demoTraffic.scheduleWithFixedDelay(app::demoCall, 5, 5, TimeUnit.SECONDS);
      }
      return app;
    } catch (RuntimeException e) { // the stand-in now reports a failed start unchecked
      server.stop(0);
      if (standIn != null) {
        standIn.close();
      }
      if (store != null) {
        store.close();
      }
      throw e;
    }
  }

  /**
   * The listener must exist before the provider, and the provider before the server: this ties
   * them.
   */
  private static final class Holder implements TokenEventListener {
    volatile ExampleServer app;

    @Override
    public void onFetched(TokenKey key, AccessToken token, Duration latency) {
      log.info(
          "This instance fetched a new token from WeChat in {} ms: {}", latency.toMillis(), token);
      if (app != null) {
        app.origins.put(token.value(), "wechat");
      }
    }

    @Override
    public void onAdopted(TokenKey key, AccessToken token) {
      log.info("This instance adopted the token another instance stored: {}", token);
      if (app != null) {
        app.origins.put(token.value(), "store");
      }
    }

    @Override
    public void onRefreshFailed(TokenKey key, RuntimeException error, int consecutiveFailures) {
      log.warn(
          "Refreshing the token failed ({} in a row): {}", consecutiveFailures, error.getMessage());
    }
  }

  private void demoCall() {
    try {
      tokens.get();
    } catch (RuntimeException e) {
      log.warn("Could not get a token: {}", e.getMessage());
    }
  }

  int port() {
    return server.getAddress().getPort();
  }

  AccessTokenProvider tokens() {
    return tokens;
  }

  SignatureVerifier verifier() {
    return verifier;
  }

  MessageCrypto crypto() {
    return crypto;
  }

  String storeDescription() {
    return store.description;
  }

  /** How many tokens the demo stand-in issued, or -1 when talking to WeChat. */
  int standInIssued() {
    return standIn == null ? -1 : standIn.issuedTokens().size();
  }

  /**
   * The server URL's back end: what each kind of message is answered with. Replies later than the
   * deadline go out as customer service messages with this instance's tokens.
   */
  private WeChatCallback callback(ExampleConfig config) {
    MessageRouter router =
        MessageRouter.builder()
            .on(TextMessage.class, m -> Reply.text("echo: " + m.content()))
            .on(SubscribeEvent.class, e -> Reply.text("Welcome! Send any text and it comes back."))
            .onClick("HELP", e -> Reply.text("Send any text and it comes back."))
            .build();
    return WeChatCallback.builder()
        .token(config.token)
        .encodingAesKey(config.encodingAesKey)
        .appId(config.appId)
        .handler(router)
        .lateReplies(new CustomerServiceSender(tokens))
        .build();
  }

  private void token(HttpExchange exchange) throws IOException {
    if (!"GET".equals(exchange.getRequestMethod())) {
      send(exchange, 405, "text/plain", "GET\n");
      return;
    }
    AccessToken t;
    try {
      t = tokens.get();
    } catch (WeChatException e) {
      send(exchange, 503, "application/json", "{\"error\":" + json(e.getMessage()) + "}\n");
      return;
    }
    String origin = origins.getOrDefault(t.value(), "store");
    String source = shown.putIfAbsent(t.value(), Boolean.TRUE) == null ? origin : "memory";
    long expiresIn = Duration.between(Instant.now(), t.expiresAt()).getSeconds();
    String body =
        "{\"appId\":"
            + json(config.appId)
            + ",\"token\":"
            + json(t.masked())
            + ",\"expiresAt\":"
            + json(t.expiresAt().toString())
            + ",\"expiresInSeconds\":"
            + expiresIn
            + ",\"source\":"
            + json(source)
            + ",\"store\":"
            + json(store.description)
            + "}\n";
    send(exchange, 200, "application/json", body);
  }

  private static String json(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : String.valueOf(s).toCharArray()) {
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }

  private static void send(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Stops the HTTP server, the provider, the store and the stand-in. Idempotent. */
  @Override
  public void close() {
    demoTraffic.shutdownNow();
    server.stop(0);
    handlers.shutdownNow();
    tokens.close();
    store.close();
    if (standIn != null) {
      standIn.close();
    }
  }
}

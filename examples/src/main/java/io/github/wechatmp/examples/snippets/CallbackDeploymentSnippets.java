package io.github.wechatmp.examples.snippets;

import com.sun.net.httpserver.HttpServer;
import io.github.wechatmp.callback.MessageHandler;
import io.github.wechatmp.callback.WeChatCallback;
import io.github.wechatmp.callback.WeChatCallbackHandler;
import io.github.wechatmp.store.redis.RedisMessageDeduplicator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import redis.clients.jedis.UnifiedJedis;

/** docs/callbacks-deployment.md snippets: serving the callback safely. */
final class CallbackDeploymentSnippets {
  private CallbackDeploymentSnippets() {}

  static HttpServer httpServer(int port, WeChatCallback callback) throws IOException {
    // snippet:start callback-deploy-httpserver
    // callback: the account's WeChatCallback
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    // Bounded: 64 exchanges at once, 256 waiting; beyond that new connections are closed.
    ExecutorService executor = WeChatCallbackHandler.newExecutor(64, 256);
    server.setExecutor(executor);
    // A client has 5 s to send its body (and to take the answer), then its connection is closed.
    server.createContext("/wechat", new WeChatCallbackHandler(callback, Duration.ofSeconds(5)));
    server.start();
    // snippet:end
    return server;
  }

  static WeChatCallback replayWindow(MessageHandler router, UnifiedJedis jedis) {
    // snippet:start callback-deploy-replay-window
    WeChatCallback callback =
        WeChatCallback.builder()
            .token(System.getenv("WECHAT_TOKEN"))
            .encodingAesKey(System.getenv("WECHAT_ENCODING_AES_KEY"))
            .appId(System.getenv("WECHAT_APP_ID"))
            .handler(router)
            // a push (or echostr check) more than 5 minutes from now is refused
            .maxTimestampAge(Duration.ofMinutes(5))
            // so pushes are remembered for twice that: build() refuses a shorter lifetime
            .deduplicator(
                RedisMessageDeduplicator.builder(jedis).lifetime(Duration.ofMinutes(10)).build())
            .build();
    // snippet:end
    return callback;
  }
}

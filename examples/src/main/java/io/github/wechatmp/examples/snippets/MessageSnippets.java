package io.github.wechatmp.examples.snippets;

import com.sun.net.httpserver.HttpServer;
import io.github.wechatmp.callback.CustomerServiceSender;
import io.github.wechatmp.callback.MessageRouter;
import io.github.wechatmp.callback.Reply;
import io.github.wechatmp.callback.WeChatCallback;
import io.github.wechatmp.callback.WeChatCallbackHandler;
import io.github.wechatmp.callback.WeChatCallbackServlet;
import io.github.wechatmp.callback.inbound.SubscribeEvent;
import io.github.wechatmp.callback.inbound.TextMessage;
import io.github.wechatmp.store.redis.RedisMessageDeduplicator;
import io.github.wechatmp.token.AccessTokenProvider;
import jakarta.servlet.ServletContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.regex.Pattern;
import redis.clients.jedis.UnifiedJedis;

/**
 * Docs snippets (README.md, docs/callbacks.md): answering pushed messages and events with
 * WeChatCallback.
 */
final class MessageSnippets {
  private MessageSnippets() {}

  static WeChatCallback callback(AccessTokenProvider tokens, UnifiedJedis jedis) {
    // snippet:start messages
    MessageRouter router =
        MessageRouter.builder()
            .onText(Pattern.compile("^help$"), m -> Reply.text("Send any text; it comes back."))
            .on(TextMessage.class, m -> Reply.text("You said: " + m.content()))
            .on(SubscribeEvent.class, e -> Reply.text("Welcome!"))
            .onClick("TODAY", e -> Reply.news(new Reply.Article("Today", null, null, todayUrl())))
            .build();

    WeChatCallback callback =
        WeChatCallback.builder()
            .token(System.getenv("WECHAT_TOKEN"))
            .encodingAesKey(System.getenv("WECHAT_ENCODING_AES_KEY")) // null: plaintext mode
            .appId(System.getenv("WECHAT_APP_ID"))
            .handler(router)
            // retries run the handler once across the cluster (default: in memory)
            .deduplicator(new RedisMessageDeduplicator(jedis))
            // a reply later than the 4 s deadline goes out as a customer service message
            .lateReplies(new CustomerServiceSender(tokens))
            .build();
    // snippet:end
    return callback;
  }

  static void servlet(ServletContext servletContext, WeChatCallback callback) {
    // snippet:start messages-servlet
    servletContext.addServlet("wechat", new WeChatCallbackServlet(callback)).addMapping("/wechat");
    // snippet:end
  }

  static HttpServer httpServer(int port, WeChatCallback callback) throws IOException {
    // snippet:start messages-httpserver
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    // bounded (see docs/callbacks-deployment.md)
    server.setExecutor(WeChatCallbackHandler.newExecutor(64, 256));
    server.createContext("/wechat", new WeChatCallbackHandler(callback));
    server.start();
    // snippet:end
    return server;
  }

  private static String todayUrl() {
    return "https://example.com/today";
  }
}

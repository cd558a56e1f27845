package io.github.wechatmp.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import io.github.wechatmp.callback.MessageHandler;
import io.github.wechatmp.callback.WeChatCallback;
import io.github.wechatmp.callback.WeChatCallbackHandler;
import io.github.wechatmp.callback.inbound.TemplateSendJobFinishEvent;
import io.github.wechatmp.test.CallbackClient;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 21 item 1 across a cluster: two instances of an application, each its own JDK server,
 * {@link WeChatCallback} and Jedis client, sharing one real Redis through {@link
 * RedisMessageDeduplicator}, called over HTTP as WeChat calls them.
 */
class JobFinishAcrossInstancesTest {
  private static final String TOKEN = "pamtest";
  private static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  private static final String APP_ID = "wxb11529c136998cb6";

  private static TestRedis redis;

  /** One test's keys, apart from other tests' on the same Redis. */
  private final String prefix = "jobfinish:" + java.util.UUID.randomUUID() + ":";

  private final List<String> handled = new CopyOnWriteArrayList<>();
  private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
  private final List<ExecutorService> executors = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startRedis() throws Exception {
    redis = TestRedis.standalone();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @AfterEach
  void stopServers() {
    servers.forEach(s -> s.stop(0));
    executors.forEach(ExecutorService::shutdownNow);
  }

  private static String report(String msgId, String createTime) {
    return "<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName>"
        + "<FromUserName><![CDATA[oia2TjuEGTNoeX76QEjQNrcURxG8]]></FromUserName>"
        + "<CreateTime>"
        + createTime
        + "</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        + "<Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event>"
        + "<MsgID>"
        + msgId
        + "</MsgID><Status><![CDATA[success]]></Status></xml>";
  }

  /** One instance: its own server, callback, Jedis client and deduplicator over the one Redis. */
  private CallbackClient instance(String name) throws Exception {
    MessageHandler handler =
        m -> {
          handled.add(name + ":" + ((TemplateSendJobFinishEvent) m).msgId());
          return null;
        };
    WeChatCallback callback =
        WeChatCallback.builder()
            .token(TOKEN)
            .encodingAesKey(AES_KEY)
            .appId(APP_ID)
            .handler(handler)
            .deduplicator(
                RedisMessageDeduplicator.builder(redis.newClient()).keyPrefix(prefix).build())
            .build();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    ExecutorService executor = WeChatCallbackHandler.newExecutor(4, 16);
    server.setExecutor(executor);
    server.createContext("/wechat", new WeChatCallbackHandler(callback));
    server.start();
    servers.add(server);
    executors.add(executor);
    return CallbackClient.builder()
        .url("http://127.0.0.1:" + server.getAddress().getPort() + "/wechat")
        .token(TOKEN)
        .encodingAesKey(AES_KEY)
        .appId(APP_ID)
        .build();
  }

  @Test
  void twoJobFinishReportsInTheSameSecondBothReachTheHandlerAcrossTwoInstances() throws Exception {
    CallbackClient a = instance("a");
    CallbackClient b = instance("b");
    assertEquals("success", a.send(report("200163836", "1714112445")));
    assertEquals("success", b.send(report("200163840", "1714112445")));
    // WeChat's retries of each, to the other instance: already handled.
    assertEquals("success", b.send(report("200163836", "1714112445")));
    assertEquals("success", a.send(report("200163840", "1714112445")));
    assertEquals(List.of("a:200163836", "b:200163840"), handled);
  }
}

package io.github.wechatmp.examples.snippets;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.github.wechatmp.callback.CallbackResponse;
import io.github.wechatmp.open.OpenPlatform;
import io.github.wechatmp.store.tck.TestPostgres;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.InMemoryTokenStore;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The platform page's snippets, run against the stand-in and a real PostgreSQL. */
class OpenPlatformSnippetsTest {
  private static final String SECRET = "component-secret-0123456789abcdef";
  private static final String TOKEN = "platformtoken";
  private static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

  @Test
  void aMerchantAuthorizesThroughTheEventEndpointAndItsApiCallsWork() throws Exception {
    try (TestPostgres postgres = TestPostgres.start();
        WeChatStandIn wechat = WeChatStandIn.start();
        OpenPlatform platform =
            OpenPlatformSnippets.platform(
                new InMemoryTokenStore(),
                postgres.dataSource(),
                wechat.baseUrl(),
                SECRET,
                TOKEN,
                AES_KEY)) {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext(
          "/events",
          exchange -> {
            try (exchange;
                InputStream in = exchange.getRequestBody()) {
              Map<String, String> query = new HashMap<>();
              for (String pair : exchange.getRequestURI().getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                query.put(
                    pair.substring(0, eq),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
              }
              CallbackResponse r =
                  OpenPlatformSnippets.onPush(
                      platform,
                      exchange.getRequestMethod(),
                      query,
                      new String(in.readAllBytes(), StandardCharsets.UTF_8));
              byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
              exchange.sendResponseHeaders(r.status(), body.length);
              try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
              }
            }
          });
      server.start();
      try {
        wechat
            .openPlatform()
            .credentials(platform.componentAppId(), SECRET)
            .pushTo(
                "http://127.0.0.1:" + server.getAddress().getPort() + "/events", TOKEN, AES_KEY);
        wechat.openPlatform().pushTicket();
        wechat.openPlatform().authorize("wxmerchant0000001", List.of(1));
        Map<?, ?> ips = OpenPlatformSnippets.merchantCall(platform, "wxmerchant0000001");
        assertTrue(ips.containsKey("ip_list"), ips.toString());
      } finally {
        server.stop(0);
      }
    }
  }
}

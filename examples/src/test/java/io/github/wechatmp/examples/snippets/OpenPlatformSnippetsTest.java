package io.github.wechatmp.examples.snippets;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.open.OpenPlatform;
import io.github.wechatmp.open.testing.EndpointServer;
import io.github.wechatmp.store.tck.TestPostgres;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.InMemoryTokenStore;
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
                AES_KEY);
        EndpointServer server =
            EndpointServer.serve(
                "/events",
                (path, method, query, body) ->
                    OpenPlatformSnippets.onPush(platform, method, query, body))) {
      wechat
          .openPlatform()
          .credentials(platform.componentAppId(), SECRET)
          .pushTo(server.url(), TOKEN, AES_KEY);
      wechat.openPlatform().pushTicket();
      wechat.openPlatform().authorize("wxmerchant0000001", List.of(1));
      Map<?, ?> ips = OpenPlatformSnippets.merchantCall(platform, "wxmerchant0000001");
      assertTrue(ips.containsKey("ip_list"), ips.toString());
    }
  }
}

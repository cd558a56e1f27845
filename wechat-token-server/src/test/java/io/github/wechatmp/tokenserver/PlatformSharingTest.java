package io.github.wechatmp.tokenserver;

import static io.github.wechatmp.tokenserver.Fixture.field;
import static io.github.wechatmp.tokenserver.Fixture.get;
import static io.github.wechatmp.tokenserver.Fixture.post;
import static io.github.wechatmp.tokenserver.Fixture.tokenPath;
import static io.github.wechatmp.tokenserver.PlatformTest.AES_KEY;
import static io.github.wechatmp.tokenserver.PlatformTest.COMPONENT;
import static io.github.wechatmp.tokenserver.PlatformTest.COMPONENT_SECRET;
import static io.github.wechatmp.tokenserver.PlatformTest.KEY_ALL;
import static io.github.wechatmp.tokenserver.PlatformTest.MERCHANT;
import static io.github.wechatmp.tokenserver.PlatformTest.MESSAGE_TOKEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.github.wechatmp.test.StandInPlatform;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.MutableClock;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two server instances over one real Redis and one authorization store, as behind a load balancer:
 * an authorizer's token is fetched once per lifetime and once per honoured report, whichever
 * instance is asked.
 */
class PlatformSharingTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.now());
  private TestRedis redis;
  private WeChatStandIn standIn;
  private StandInPlatform wechat;
  private TokenServer a;
  private TokenServer b;

  @BeforeEach
  void start() throws IOException {
    redis = TestRedis.start();
    standIn = WeChatStandIn.start();
    String store =
        "{type: redis, url: '" + redis.url() + "', keyPrefix: 'tsp" + System.nanoTime() + ":'}";
    String authorizations = "{type: file, path: '" + dir.resolve("authorizations") + "'}";
    a = start(PlatformTest.yaml(standIn, store, authorizations, "  receiveEvents: true\n"));
    b = start(PlatformTest.yaml(standIn, store, authorizations, ""));
    wechat =
        standIn
            .openPlatform()
            .credentials(COMPONENT, COMPONENT_SECRET)
            .pushTo(a.baseUrl() + "/v1/platform/events", MESSAGE_TOKEN, AES_KEY);
    wechat.pushTicket();
    wechat.authorize(MERCHANT, List.of(1));
  }

  private TokenServer start(String yaml) throws IOException {
    return TokenServer.start(new ConfigLoader(PlatformTest.ENV::get).parse(yaml, "test"), clock, 0);
  }

  @AfterEach
  void stop() {
    for (AutoCloseable c : new AutoCloseable[] {a, b, standIn, redis}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // closing the rest matters more
      }
    }
  }

  private String tokenFrom(TokenServer s) {
    HttpResponse<String> r = get(s, tokenPath(MERCHANT), KEY_ALL);
    assertEquals(200, r.statusCode(), r.body());
    return field(r.body(), "access_token");
  }

  private int fetches() {
    return standIn.requests("cgi-bin/component/api_authorizer_token");
  }

  @Test
  void bothInstancesServeOneTokenFetchedOncePerLifetime() {
    String first = tokenFrom(a);
    assertEquals(first, tokenFrom(b), "b adopts through Redis what a's push stored");
    assertEquals(0, fetches());

    clock.advance(Duration.ofSeconds(7300));
    String second = tokenFrom(b);
    assertEquals(second, tokenFrom(a));
    assertNotEquals(first, second);
    assertEquals(1, fetches());
    assertEquals(
        2,
        standIn.requests("cgi-bin/component/api_component_token"),
        "the component token lives as long: once for each lifetime, not once per instance");
  }

  @Test
  void aReportToOneInstanceReplacesTheTokenForBoth() {
    String first = tokenFrom(a);
    tokenFrom(b);

    HttpResponse<String> r =
        post(a, tokenPath(MERCHANT) + "/rejected", KEY_ALL, "{\"access_token\":\"" + first + "\"}");
    assertEquals(200, r.statusCode(), r.body());
    String second = field(r.body(), "access_token");
    assertNotEquals(first, second);
    assertEquals(1, fetches());

    assertEquals(second, tokenFrom(b), "b dropped the token a invalidated in Redis");
    assertEquals(1, fetches());
  }
}

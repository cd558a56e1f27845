package io.github.wechatmp.store.redis;

import static io.github.wechatmp.store.redis.RedisTokenStoreTest.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.TokenEventListener;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore.ChangeListener;
import io.github.wechatmp.token.TokenStore.Subscription;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/**
 * Issue 14, item 5: after its change subscription comes back, a provider re-reads its key. It
 * adopts a token another instance saved while the notifications were lost, and keeps its own when
 * the entry is gone (a Redis that lost its data), instead of dropping it.
 */
class ReadAfterReconnectTest {
  private static final Duration CHECK = Duration.ofMillis(100);
  private static final String APP_ID = "wx0123456789abcdef";
  private static final String SECRET = "s3cr3t-0123456789abcdef0123456789";

  private TestRedis redis;
  private BlackHoleProxy proxy;
  private UnifiedJedis throughProxy;
  private UnifiedJedis direct;
  private WeChatStandIn wechat;
  private RedisTokenStore watchedStore;
  private AccessTokenProvider watched;
  private AccessTokenProvider other;

  @BeforeEach
  void start() throws Exception {
    redis = TestRedis.embedded();
    proxy = new BlackHoleProxy(redis.address().getPort());
    throughProxy = proxy.newClient();
    direct = redis.newClient();
    wechat = WeChatStandIn.builder().appId(APP_ID).appSecret(SECRET).start();
    watchedStore = RedisTokenStore.builder(throughProxy).subscriptionCheckInterval(CHECK).build();
    watched =
        provider(watchedStore)
            .eventListener(
                new TokenEventListener() {
                  @Override
                  public void onInvalidated(TokenKey key, boolean dropped) {
                    dropsOfTheWatched.add(dropped);
                  }
                })
            .build();
    other = provider(RedisTokenStore.builder(direct).build()).build();
  }

  private final BlockingQueue<Boolean> dropsOfTheWatched = new LinkedBlockingQueue<>();

  private AccessTokenProvider.Builder provider(RedisTokenStore store) {
    return AccessTokenProvider.builder()
        .appId(APP_ID)
        .appSecret(SECRET)
        .apiBaseUrl(wechat.baseUrl())
        .store(store);
  }

  @AfterEach
  void stop() throws Exception {
    proxy.close(); // first: frees the reads stuck on silenced connections
    watched.close();
    other.close();
    throughProxy.close();
    direct.close();
    redis.close();
    wechat.close();
  }

  /** Waits until the store's change subscription is confirmed by Redis. */
  private static void awaitListening(RedisTokenStore store) throws InterruptedException {
    awaitTrue(store::isListening, "subscribed through the proxy");
  }

  @Test
  void aTokenSavedWhileTheSubscriptionWasSilentIsAdoptedAfterItComesBack() throws Exception {
    String first = watched.get().value();
    assertEquals(first, other.get().value());
    awaitListening(watchedStore);

    proxy.silenceOpenConnections();
    String second = other.refresh().value(); // its notification is lost on the dead connection
    assertNotEquals(first, second);

    // Within a few check intervals the subscription is replaced, and the provider re-reads.
    awaitTrue(() -> watched.get().value().equals(second), "the watched provider adopted it");
    assertEquals(2, wechat.tokenRequests(), "adopted, not fetched");
  }

  @Test
  void anEntryGoneAfterAReconnectDoesNotDropTheTokenHeld() throws Exception {
    BlockingQueue<String> heard = new LinkedBlockingQueue<>();
    TokenKey key = TokenKey.of(APP_ID, TokenKey.ACCESS_TOKEN);
    try (Subscription s =
        watchedStore.watch(
            key,
            new ChangeListener() {
              @Override
              public void onChange() {
                heard.add("change");
              }

              @Override
              public void onResubscribed() {
                heard.add("resubscribed");
              }
            })) {
      awaitListening(watchedStore);
      String first = watched.get().value();
      // The provider's save is heard first; nothing can cross the connection once it is silenced.
      assertEquals("change", heard.poll(10, TimeUnit.SECONDS));
      proxy.silenceOpenConnections();
      direct.del(direct.keys("*").toArray(new String[0])); // as a restarted Redis would be

      assertEquals("resubscribed", heard.poll(10, TimeUnit.SECONDS));
      // The provider's re-read runs on the same notification, in the background, and may first
      // meet the client's broken pooled connections (1 s timeout each, then retried after 1 s and
      // 2 s): a drop would be reported well within 8 s.
      assertEquals(null, dropsOfTheWatched.poll(8, TimeUnit.SECONDS), "no drop reported");
      assertEquals(first, watched.get().value(), "the token held is kept");
      assertEquals(1, wechat.tokenRequests());
      assertTrue(heard.stream().noneMatch("change"::equals), "a reconnect is not a change");
    }
  }
}

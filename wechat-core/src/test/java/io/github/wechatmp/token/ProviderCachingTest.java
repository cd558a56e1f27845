package io.github.wechatmp.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.github.wechatmp.testing.FakeWeChat;
import io.github.wechatmp.testing.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProviderCachingTest {
  private final MutableClock clock = new MutableClock();
  private FakeWeChat wechat;
  private AccessTokenProvider provider;

  @AfterEach
  void tearDown() throws Exception {
    if (provider != null) provider.close();
    if (wechat != null) wechat.close();
  }

  private AccessTokenProvider.Builder builder() throws Exception {
    wechat = new FakeWeChat();
    return AccessTokenProvider.builder()
        .appId(FakeWeChat.APP_ID)
        .appSecret(FakeWeChat.SECRET)
        .apiBaseUrl(wechat.baseUrl())
        .clock(clock);
  }

  @Test
  void thousandGetsMakeOneRequest() throws Exception {
    provider = builder().build();
    AccessToken first = provider.get();
    for (int i = 0; i < 1000; i++) {
      assertSame(first, provider.get());
    }
    assertEquals(1, wechat.tokenRequests());
    assertEquals(clock.instant().plusSeconds(7200), first.expiresAt());
  }
}

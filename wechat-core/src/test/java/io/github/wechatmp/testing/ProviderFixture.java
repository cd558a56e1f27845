package io.github.wechatmp.testing;

import io.github.wechatmp.token.AccessTokenProvider;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;

/**
 * What every provider test needs: WeChat played by a {@link FakeWeChat}, a {@link MutableClock},
 * and providers that are closed after each test.
 */
public abstract class ProviderFixture {
  protected final MutableClock clock = new MutableClock();
  protected final FakeWeChat wechat;
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  protected ProviderFixture() {
    try {
      wechat = new FakeWeChat();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @AfterEach
  void closeProvidersAndWeChat() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    wechat.close();
  }

  /** A builder aimed at the fake WeChat, with the test clock. */
  protected AccessTokenProvider.Builder builder() {
    return AccessTokenProvider.builder()
        .appId(FakeWeChat.APP_ID)
        .appSecret(FakeWeChat.SECRET)
        .apiBaseUrl(wechat.baseUrl())
        .clock(clock);
  }

  /** Builds and closes the provider after the test. */
  protected AccessTokenProvider build(AccessTokenProvider.Builder b) {
    return closeAfterTest(b.build());
  }

  /** Closes {@code c} after the test. */
  protected <T extends AutoCloseable> T closeAfterTest(T c) {
    closeables.add(c);
    return c;
  }
}

package io.github.wechatmp.testing;

import io.github.wechatmp.test.Fault;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessTokenProvider;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;

/**
 * What every provider test needs: WeChat played by a {@link WeChatStandIn} on the test's {@link
 * MutableClock} (accepting any AppID and AppSecret), and providers that are closed after each test.
 */
public abstract class ProviderFixture {
  protected final MutableClock clock = new MutableClock();
  protected WeChatStandIn wechat = StandIns.start(clock);
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeProvidersAndWeChat() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    wechat.close();
  }

  /**
   * Replaces the stand-in by one configured by {@code settings} (on the test clock); call it before
   * {@link #builder()}, which reads the base URL.
   */
  protected void restartWeChat(UnaryOperator<WeChatStandIn.Builder> settings) {
    wechat.close();
    wechat = settings.apply(WeChatStandIn.builder().clock(clock)).start();
  }

  /**
   * Moves the clock on another thread: a move returns only once the refreshes it made due have
   * finished, so a test that watches a refresh while it runs moves the clock this way, and joins
   * the move when done watching.
   */
  protected CompletableFuture<Void> advanceInBackground(Duration d) {
    CompletableFuture<Void> moved = new CompletableFuture<>();
    Thread mover =
        new Thread(
            () -> {
              try {
                clock.advance(d);
                moved.complete(null);
              } catch (RuntimeException | Error e) {
                moved.completeExceptionally(e);
              }
            },
            "clock-mover");
    mover.setDaemon(true);
    mover.start();
    return moved;
  }

  /** Plays {@code fault} to the next request, before normal answers resume. */
  protected void answerNext(Fault fault) {
    wechat.failNext(1, fault);
  }

  /** Plays {@code fault} to every request from now on. */
  protected void answerAlways(Fault fault) {
    wechat.failNext(Integer.MAX_VALUE, fault);
  }

  /** Every answer from now on comes {@code millis} late. */
  protected void delay(long millis) {
    wechat.failNext(Integer.MAX_VALUE, Fault.slow(Duration.ofMillis(millis)));
  }

  /** The n-th token issued (1-based), or null if not yet issued. */
  protected String token(int n) {
    return StandIns.token(wechat, n);
  }

  /**
   * Asserts that {@code value} is the n-th token issued. {@code value} is computed before the call,
   * so {@code assertIssued(1, provider.get().value())} fetches first and then looks.
   */
  protected void assertIssued(int n, String value) {
    org.junit.jupiter.api.Assertions.assertEquals(token(n), value);
  }

  /** {@link #assertIssued(int, String)} with a message. */
  protected void assertIssued(int n, String value, String message) {
    org.junit.jupiter.api.Assertions.assertEquals(token(n), value, message);
  }

  /** A builder aimed at the stand-in, with the test clock. */
  protected AccessTokenProvider.Builder builder() {
    return AccessTokenProvider.builder()
        .appId(StandIns.APP_ID)
        .appSecret(StandIns.SECRET)
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

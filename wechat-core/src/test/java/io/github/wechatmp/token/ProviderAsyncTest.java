package io.github.wechatmp.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.test.Fault;
import io.github.wechatmp.testing.Await;
import io.github.wechatmp.testing.ProviderFixture;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link AccessTokenProvider#getAsync()}: never blocks, and costs nothing on the hot path. */
class ProviderAsyncTest extends ProviderFixture {

  @Test
  void withASlowWeChatItReturnsAtOnceAndCompletesLater() throws Exception {
    delay(1_000);
    AccessTokenProvider p = build(builder());
    CompletableFuture<AccessToken> f = p.getAsync();
    assertFalse(f.isDone(), "returned before WeChat answered");
    AccessToken t = f.get(30, TimeUnit.SECONDS);
    assertIssued(1, t.value());
    assertSame(t, p.get());
    assertEquals(1, wechat.tokenRequests());
  }

  @Test
  void concurrentCallsShareTheOneRefresh() throws Exception {
    delay(300);
    AccessTokenProvider p = build(builder());
    CompletableFuture<AccessToken> a = p.getAsync();
    CompletableFuture<AccessToken> b = p.getAsync();
    assertSame(a.get(30, TimeUnit.SECONDS), b.get(30, TimeUnit.SECONDS));
    assertSame(a.join(), p.get());
    assertEquals(1, wechat.tokenRequests());
  }

  @Test
  void aFailedRefreshFailsTheFutureWithTheExceptionGetWouldThrow() {
    answerNext(Fault.errcode(40164, "invalid ip 1.2.3.4, not in whitelist"));
    AccessTokenProvider p = build(builder());
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> p.getAsync().get(30, TimeUnit.SECONDS));
    WeChatApiException cause = assertInstanceOf(WeChatApiException.class, e.getCause());
    assertEquals(40164, cause.errorCode());
    // Within the hold-off: the store is looked at once (another instance may have a token), then
    // the future fails at once, with the same error get() throws, and WeChat is not asked.
    ExecutionException again =
        assertThrows(ExecutionException.class, () -> p.getAsync().get(30, TimeUnit.SECONDS));
    assertSame(cause, again.getCause());
    CompletableFuture<AccessToken> heldOff = p.getAsync();
    assertTrue(heldOff.isCompletedExceptionally());
    assertSame(cause, assertThrows(ExecutionException.class, heldOff::get).getCause());
    assertSame(cause, assertThrows(WeChatApiException.class, p::get).getCause());
    assertEquals(1, wechat.tokenRequests());
  }

  @Test
  void onTheHotPathItReturnsTheSameCompletedFutureWhichNoCallerCanChange() {
    AccessTokenProvider p = build(builder());
    AccessToken t = p.get();
    CompletableFuture<AccessToken> f = p.getAsync();
    assertTrue(f.isDone());
    assertSame(t, f.join());
    assertSame(f, p.getAsync());
    assertFalse(f.complete(null));
    assertFalse(f.cancel(true));
    assertThrows(UnsupportedOperationException.class, () -> f.obtrudeValue(null));
    assertThrows(UnsupportedOperationException.class, () -> f.obtrudeException(new Exception()));
    assertSame(t, p.getAsync().join());
    assertSame(t, f.thenApply(x -> x).join());
  }

  @Test
  void aDueTokenIsReturnedCompletedWhileTheRefreshRunsInTheBackground() throws Exception {
    AccessTokenProvider p = build(builder());
    AccessToken first = p.get();
    delay(1_000);
    CompletableFuture<Void> moved = advanceInBackground(Duration.ofSeconds(7200 - 200));
    Await.until(() -> wechat.tokenRequests() == 2, Duration.ofSeconds(10), "the refresh began");
    CompletableFuture<AccessToken> f = p.getAsync();
    assertTrue(f.isDone());
    assertSame(first, f.join());
    moved.get(10, TimeUnit.SECONDS);
  }

  @Test
  void onTheHotPathItAllocatesNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    AccessTokenProvider p = build(builder());
    p.get();
    long sink = 0;
    for (int i = 0; i < 200_000; i++) { // warm up, so the measured loop is compiled code
      sink += p.getAsync().hashCode() + p.get().hashCode();
    }
    long id = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(id);
    for (int i = 0; i < 100_000; i++) {
      sink += p.getAsync().hashCode() + p.get().hashCode();
    }
    long allocated = threads.getThreadAllocatedBytes(id) - before;
    // 200,000 calls: one allocated object of 16 bytes each would show as megabytes. The margin
    // absorbs the measuring call's own few bytes.
    assertTrue(allocated < 1_024, "allocated " + allocated + " bytes (" + sink + ")");
  }

  @Test
  void aClosedProviderFailsTheFutureRatherThanThrowing() {
    AccessTokenProvider p = build(builder());
    p.get();
    p.close();
    CompletableFuture<AccessToken> f = p.getAsync();
    ExecutionException e = assertThrows(ExecutionException.class, f::get);
    assertInstanceOf(IllegalStateException.class, e.getCause());
  }
}

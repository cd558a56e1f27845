package io.github.wechatmp.internal.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.WeChatTransportException;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Retries with backoff, and the hold-off after failures: without threads or sleeps. */
class RetryAndHoldOffTest {
  private static final TokenKey KEY = TokenKey.of("wx0123456789abcdef", TokenKey.ACCESS_TOKEN);
  private static final AccessToken TOKEN =
      AccessToken.of("TOKEN-0123456789abcdef", Instant.parse("2026-11-24T10:00:00Z"));

  private final List<Long> pauses = new ArrayList<>();
  private final Deque<Object> answers = new ArrayDeque<>();

  private Retrier retrier(int maxRetries) {
    CredentialFetcher fetcher =
        (force, timeout) -> {
          Object next = answers.poll();
          if (next instanceof RuntimeException) {
            throw (RuntimeException) next;
          }
          return (AccessToken) next;
        };
    return new Retrier(
        KEY,
        fetcher,
        maxRetries,
        200,
        Duration.ofSeconds(10),
        pauses::add,
        bound -> bound - 1); // the longest jittered pause
  }

  private static long inAMinute() {
    return System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
  }

  @Test
  void busyAndTransportFailuresAreRetriedWithDoublingPauses() throws Exception {
    answers.add(new WeChatApiException(-1, "system error"));
    answers.add(new WeChatTransportException("reset", null));
    answers.add(TOKEN);
    assertSame(TOKEN, retrier(2).fetch(false, inAMinute()));
    assertEquals(
        List.of(TimeUnit.MILLISECONDS.toNanos(200), TimeUnit.MILLISECONDS.toNanos(400)), pauses);
  }

  @Test
  void configurationErrorsAreNotRetried() {
    WeChatApiException wrongSecret = new WeChatApiException(40001, "invalid credential");
    answers.add(wrongSecret);
    answers.add(TOKEN);
    assertSame(
        wrongSecret,
        assertThrows(WeChatApiException.class, () -> retrier(2).fetch(false, inAMinute())));
    assertEquals(List.of(), pauses);
  }

  @Test
  void theLastFailureIsThrownOnceTheRetriesAreUsedUp() {
    WeChatTransportException last = new WeChatTransportException("third", null);
    answers.add(new WeChatTransportException("first", null));
    answers.add(new WeChatTransportException("second", null));
    answers.add(last);
    assertSame(
        last,
        assertThrows(WeChatTransportException.class, () -> retrier(2).fetch(false, inAMinute())));
  }

  @Test
  void nothingIsAskedPastTheDeadline() {
    answers.add(TOKEN);
    WeChatTransportException e =
        assertThrows(
            WeChatTransportException.class, () -> retrier(2).fetch(false, System.nanoTime() - 1));
    assertEquals(1, answers.size(), "WeChat was not asked");
    assertEquals(true, e.getMessage().contains("lease"), e.getMessage());
  }

  @Test
  void jitterKeepsThePauseBetweenHalfAndAllOfTheDoubledBackoff() {
    assertEquals(100, Retrier.pauseMillis(0, 200, bound -> 0));
    assertEquals(200, Retrier.pauseMillis(0, 200, bound -> bound - 1));
    assertEquals(400, Retrier.pauseMillis(2, 200, bound -> 0));
  }

  @Test
  void theHoldOffDoublesFromOneSecondUpToItsCap() {
    assertEquals(1_000, HoldOff.millis(1, 120_000));
    assertEquals(2_000, HoldOff.millis(2, 120_000));
    assertEquals(64_000, HoldOff.millis(7, 120_000));
    assertEquals(120_000, HoldOff.millis(8, 120_000));
    assertEquals(120_000, HoldOff.millis(1_000_000, 120_000));
    assertEquals(5_000, HoldOff.millis(4, SharedRefresh.STORE_HOLD_OFF_MAX_MILLIS));
  }
}

package io.github.wechatmp.internal.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenStatus.State;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The token's timeline, by the pure function alone: no clock, no threads. */
class TimelineTest {
  private static final long NOW = Instant.parse("2026-11-24T08:00:00Z").toEpochMilli();
  private static final long REFRESH_MARGIN = 200_000;
  private static final long EXPIRY_MARGIN = 30_000;

  private static Timeline twoHours() {
    AccessToken t = AccessToken.of("TOKEN-0123456789abcdef", Instant.ofEpochMilli(NOW + 7_200_000));
    return Timeline.of(expires(t), issued(t), REFRESH_MARGIN, EXPIRY_MARGIN, NOW);
  }

  @Test
  void theFourThresholdsAreDueStaleAndExpiredAtTheMargins() {
    Timeline t = twoHours();
    long expires = NOW + 7_200_000;
    assertEquals(State.FRESH, t.stateAt(NOW));
    assertEquals(State.FRESH, t.stateAt(expires - REFRESH_MARGIN - 1));
    assertEquals(State.DUE, t.stateAt(expires - REFRESH_MARGIN));
    assertEquals(State.DUE, t.stateAt(expires - EXPIRY_MARGIN - 1));
    assertEquals(State.STALE, t.stateAt(expires - EXPIRY_MARGIN));
    assertEquals(State.STALE, t.stateAt(expires - 1));
    assertEquals(State.EXPIRED, t.stateAt(expires));
    assertEquals(State.EXPIRED, t.stateAt(expires + 86_400_000));
  }

  @Test
  void noTokenIsNoneAtEveryInstant() {
    assertEquals(State.NONE, Timeline.NONE.stateAt(NOW));
    assertEquals(State.NONE, Timeline.NONE.stateAt(Long.MIN_VALUE));
  }

  @Test
  void shortLivedTokensGetProportionalMargins() {
    AccessToken t = AccessToken.of("TOKEN-0123456789abcdef", Instant.ofEpochMilli(NOW + 60_000));
    Timeline tl = Timeline.of(expires(t), issued(t), REFRESH_MARGIN, EXPIRY_MARGIN, NOW);
    assertEquals(NOW + 30_000, tl.dueAtMillis, "half the lifetime");
    assertEquals(NOW + 45_000, tl.staleAtMillis, "a quarter of the lifetime before expiry");
    assertEquals(State.FRESH, tl.stateAt(NOW + 29_999));
    assertEquals(State.DUE, tl.stateAt(NOW + 30_000));
    assertEquals(State.STALE, tl.stateAt(NOW + 45_000));
  }

  @Test
  void anAlreadyExpiredTokenIsExpiredAtOnce() {
    AccessToken t = AccessToken.of("TOKEN-0123456789abcdef", Instant.ofEpochMilli(NOW - 1));
    assertEquals(
        State.EXPIRED,
        Timeline.of(expires(t), issued(t), REFRESH_MARGIN, EXPIRY_MARGIN, NOW).stateAt(NOW));
  }

  @Test
  void aPostponedDueTimeNeverPassesTheStaleTime() {
    Timeline t = twoHours().dueNoEarlierThan(Long.MAX_VALUE);
    assertEquals(t.staleAtMillis, t.dueAtMillis);
  }

  private static long expires(AccessToken t) {
    return t.expiresAt().toEpochMilli();
  }

  private static long issued(AccessToken t) {
    return t.issuedAt().isPresent() ? t.issuedAt().get().toEpochMilli() : Timeline.UNKNOWN;
  }
}

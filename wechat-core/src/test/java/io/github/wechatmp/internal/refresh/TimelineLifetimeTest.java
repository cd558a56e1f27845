package io.github.wechatmp.internal.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.wechatmp.token.AccessToken;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, item 6: margins follow a token's real lifetime, never its remaining life if adopted.
 */
class TimelineLifetimeTest {
  static final long REFRESH = 200_000;
  static final long EXPIRY = 30_000;
  static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

  @Test
  void anAdoptedNearlyDueTokenIsNotServedInsideTheConfiguredExpiryMargin() {
    AccessToken t = AccessToken.of("TOKEN_0123456789", T0, T0.plusSeconds(7200));
    long now = T0.plusSeconds(7100).toEpochMilli(); // 100 s left

    Timeline adopted = Timeline.of(expires(t), issued(t), REFRESH, EXPIRY, now, true);

    assertEquals(T0.plusSeconds(7200 - 30).toEpochMilli(), adopted.staleAtMillis);
    assertEquals(T0.plusSeconds(7200 - 200).toEpochMilli(), adopted.dueAtMillis);
  }

  @Test
  void anAdoptedTokenOfUnknownIssueTimeKeepsTheFullExpiryMargin() {
    AccessToken t = AccessToken.of("TOKEN_0123456789", T0.plusSeconds(7200));
    long now = T0.plusSeconds(7100).toEpochMilli();

    Timeline adopted = Timeline.of(expires(t), issued(t), REFRESH, EXPIRY, now, true);

    assertEquals(T0.plusSeconds(7200 - 30).toEpochMilli(), adopted.staleAtMillis);
    assertEquals(EXPIRY, Timeline.expiryMarginFor(expires(t), issued(t), EXPIRY, now, true));
  }

  @Test
  void aShortLivedTokenGetsMarginsScaledToItsRealLifetimeWhetherFetchedOrAdopted() {
    AccessToken t = AccessToken.of("TOKEN_0123456789", T0, T0.plusSeconds(60));
    long fetchedAt = T0.toEpochMilli();
    long adoptedAt = T0.plusSeconds(35).toEpochMilli();

    Timeline fetched = Timeline.of(expires(t), issued(t), REFRESH, EXPIRY, fetchedAt, false);
    Timeline adopted = Timeline.of(expires(t), issued(t), REFRESH, EXPIRY, adoptedAt, true);

    assertEquals(T0.plusSeconds(45).toEpochMilli(), fetched.staleAtMillis); // 60 / 4 = 15 s
    assertEquals(T0.plusSeconds(30).toEpochMilli(), fetched.dueAtMillis); // 60 / 2 = 30 s
    assertEquals(fetched.staleAtMillis, adopted.staleAtMillis);
    assertEquals(fetched.dueAtMillis, adopted.dueAtMillis);
    assertEquals(15_000, Timeline.expiryMarginFor(expires(t), issued(t), EXPIRY, adoptedAt, true));
  }

  private static long expires(AccessToken t) {
    return t.expiresAt().toEpochMilli();
  }

  private static long issued(AccessToken t) {
    return t.issuedAt().isPresent() ? t.issuedAt().get().toEpochMilli() : Timeline.UNKNOWN;
  }
}

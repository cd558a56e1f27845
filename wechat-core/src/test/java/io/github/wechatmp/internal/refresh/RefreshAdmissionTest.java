package io.github.wechatmp.internal.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.testing.LogCapture;
import io.github.wechatmp.token.TokenKey;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The spread of refreshes over their windows, and the slots of the rate. */
class RefreshAdmissionTest {
  private static final TokenKey KEY = TokenKey.of("wx0000000000000001", "authorizer_access_token");
  private static final long T0 = 1_765_000_000_000L;

  @Test
  void tenThousandKeysSpreadEvenlyOverTheirWindowTheSameWayEveryTime() {
    int[] buckets = new int[100];
    for (int i = 0; i < 10_000; i++) {
      TokenKey key = TokenKey.of(String.format("wx%016x", i), "authorizer_access_token");
      double place = RefreshAdmission.placeOf(key);
      assertTrue(place >= 0 && place < 1, "place " + place);
      assertEquals(place, RefreshAdmission.placeOf(TokenKey.of(key.appId(), key.kind())));
      buckets[(int) (place * 100)]++;
    }
    for (int b : buckets) {
      assertTrue(b > 60 && b < 140, "a hundredth of the window holds " + b + " of 10,000");
    }
  }

  @Test
  void aTokensRefreshFallsBetweenHalfItsLifeAndItsDuePoint() {
    long expires = T0 + 7_200_000;
    Timeline policy = Timeline.of(expires, T0, 200_000, 30_000, T0);
    assertEquals(expires - 200_000, policy.dueAtMillis);

    assertEquals(T0 + 3_600_000, policy.dueWithinWindow(T0, T0, 0).dueAtMillis);
    assertEquals(T0 + 3_600_000 + 1_700_000, policy.dueWithinWindow(T0, T0, 0.5).dueAtMillis);
    Timeline last = policy.dueWithinWindow(T0, T0, 0.999_999_9);
    assertTrue(last.dueAtMillis <= policy.dueAtMillis && last.dueAtMillis > expires - 201_000);
    assertEquals(policy.staleAtMillis, last.staleAtMillis);
    assertEquals(policy.expiresAtMillis, last.expiresAtMillis);

    // A token adopted with no issue time: its life is taken from now, as the margins take it.
    long now = T0 + 6_000_000;
    Timeline adopted = Timeline.of(expires, Timeline.UNKNOWN, 200_000, 30_000, now, true);
    assertEquals(now + 600_000, adopted.dueWithinWindow(Timeline.UNKNOWN, now, 0).dueAtMillis);

    // No window: due by the policy (a token with less than twice the margin left).
    Timeline late = Timeline.of(expires, Timeline.UNKNOWN, 200_000, 30_000, expires - 300_000);
    assertSame(late, late.dueWithinWindow(Timeline.UNKNOWN, expires - 300_000, 0.3));
  }

  @Test
  void noSecondHoldsMoreSlotsThanTheRateAndEverySecondOfTheQueueHoldsThatMany() {
    for (int rate : new int[] {1, 3, 7, 20, 50, 1000}) {
      RefreshAdmission admission = RefreshAdmission.perSecond(rate, "test");
      Map<Long, Integer> perSecond = new HashMap<>();
      long last = T0;
      for (int i = 0; i < rate * 10; i++) {
        long at = admission.reserve(T0, Long.MAX_VALUE, KEY);
        assertTrue(at >= last, "slots in order");
        last = at;
        perSecond.merge((at - T0) / 1000, 1, Integer::sum);
      }
      for (Map.Entry<Long, Integer> e : perSecond.entrySet()) {
        assertTrue(e.getValue() <= rate, rate + "/s: second " + e.getKey() + " " + e.getValue());
      }
      assertEquals(rate, perSecond.get(0L), rate + "/s: the first second is full");
      assertTrue(last - T0 < 10_000, rate + "/s: 10 s of slots take less than 10 s");
    }
  }

  @Test
  void aSlotIsNeverBeforeNowNorBeforeTheLastOneHandedOut() {
    RefreshAdmission admission = RefreshAdmission.perSecond(10, "test");
    assertEquals(T0, admission.reserve(T0, Long.MAX_VALUE, KEY));
    assertEquals(T0 + 100, admission.reserve(T0, Long.MAX_VALUE, KEY));
    assertEquals(T0 + 200, admission.reserve(T0 + 150, Long.MAX_VALUE, KEY));
    assertEquals(T0 + 5_000, admission.reserve(T0 + 5_000, Long.MAX_VALUE, KEY), "idle since");
  }

  @Test
  void aFetchACallerWaitsForTakesTheCurrentSlotAndPushesTheNextOneBack() {
    RefreshAdmission admission = RefreshAdmission.perSecond(10, "test");
    admission.fetching(T0);
    assertEquals(T0 + 100, admission.reserve(T0, Long.MAX_VALUE, KEY));
    admission.fetching(T0 + 150); // while a slot at T0 + 200 is free: it goes to the caller
    assertEquals(T0 + 250, admission.reserve(T0 + 150, Long.MAX_VALUE, KEY));
  }

  @Test
  void aQueueReachingPastTheStalePointIsWarnedOfOnceWithItsNumbers() {
    RefreshAdmission admission = RefreshAdmission.perSecond(2, "the authorizers of wxcomponent");
    try (LogCapture log = new LogCapture()) {
      for (int i = 0; i < 6; i++) { // slots 0 to 2.5 s: before the stale point at 3 s
        admission.reserve(T0, T0 + 3_000, KEY);
      }
      assertEquals("", log.text());
      for (int i = 0; i < 10; i++) {
        admission.reserve(T0, T0 + 3_000, KEY);
      }
      String text = log.text();
      assertEquals(1, text.split("are too many for", -1).length - 1, text);
      assertTrue(
          text.contains(
              "The background refreshes of the authorizers of wxcomponent are too many for 2 a"
                  + " second: 6 are queued ahead of "
                  + KEY
                  + " (3 s at that rate), whose token goes stale in 3 s"),
          text);
      assertTrue(text.contains(" WARN "), text);
    }
  }

  @Test
  void aRateBelowOneIsRefusedWithTheNumber() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RefreshAdmission.perSecond(0, "x"));
    assertTrue(e.getMessage().contains("not 0"), e.getMessage());
  }
}

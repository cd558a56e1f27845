package io.github.wechatmp.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The soak's arithmetic and log reading, checked in the ordinary build (milliseconds, no JVMs). */
class SoakBoundsTest {
  @TempDir Path dir;

  @Test
  void aHoldOffOfOneSecondDoublingAllowsAttemptsAtZeroOneThreeSevenFifteenSeconds() {
    assertEquals(1, ChaosSoakTest.attemptsWithin(0));
    assertEquals(1, ChaosSoakTest.attemptsWithin(999));
    assertEquals(2, ChaosSoakTest.attemptsWithin(1_000));
    assertEquals(3, ChaosSoakTest.attemptsWithin(3_000));
    assertEquals(4, ChaosSoakTest.attemptsWithin(10_000));
    assertEquals(5, ChaosSoakTest.attemptsWithin(15_000));
  }

  @Test
  void aStoreOutageAllowsEachWorkerOneFetchWithoutTheStorePerMinuteTheFirstAtOnce() {
    assertEquals(1, ChaosSoakTest.storeOutageFetchesWithin(0));
    assertEquals(1, ChaosSoakTest.storeOutageFetchesWithin(59_999));
    assertEquals(2, ChaosSoakTest.storeOutageFetchesWithin(60_000));
    assertEquals(3, ChaosSoakTest.storeOutageFetchesWithin(150_000));
  }

  @Test
  void theRefreshPointsOfSixtySecondTokensWithTheDefaultMarginsComeEveryThirtySeconds() {
    assertEquals(30, ChaosSoakTest.PERIOD.toSeconds());
    assertEquals(30, ChaosSoakTest.REFRESH_OFFSET.toSeconds());
  }

  @Test
  void aCallLogIsReadToItsLastCompleteLineAndTellsWhichTokenWasHeldWhen() throws Exception {
    Path file = dir.resolve("w-1.log");
    Files.writeString(
        file,
        "1000 START 42\n"
            + "1010 TOKENREQ\n"
            + "1020 TOKEN fetched 61020 1020 abcd****wxyz(136 chars)\n"
            + "1100 OK t0 1050\n"
            + "2000 INVALIDATED true\n"
            + "2100 FAIL t1 2050 TokenUnavailableException: The token store failed\n"
            + "3000 TOKEN adopted 91000 31000 efgh****stuv(136 chars)\n"
            + "3100 OK t",
        StandardCharsets.UTF_8);
    CallLog log = new CallLog("w-1", file).tail();
    assertEquals(2, log.calls.size(), "the line cut short is not read");
    assertTrue(log.calls.get(0).ok());
    assertFalse(log.calls.get(1).ok());
    assertEquals("TokenUnavailableException: The token store failed", log.calls.get(1).failure());
    assertEquals(java.util.List.of(1010L), log.tokenRequests);
    assertEquals(-1, log.heldTokenExpiryAt(1000), "nothing held yet");
    assertEquals(61020, log.heldTokenExpiryAt(1500));
    assertEquals(-1, log.heldTokenExpiryAt(2500), "invalidated");
    assertEquals(91000, log.heldTokenExpiryAt(3050));

    Files.writeString(
        file,
        "1 3090\n3150 OK t2 3120\n",
        StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.APPEND);
    assertEquals(4, log.tail().calls.size(), "the line completed, and the next one");
  }
}

package io.github.wechatmp.internal.refresh;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shared timer's check that the wall clock and monotonic time still agree. */
class SharedSchedulerTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  @Test
  void clocksThatAdvanceTogetherAreNoJump() {
    assertFalse(SharedScheduler.jumped(1_000_000, 0, 1_001_000, SECOND));
    assertFalse(SharedScheduler.jumped(1_000_000, 0, 1_001_999, SECOND), "999 ms of drift");
  }

  @Test
  void aSleptHostOrAWallClockStepIsAJump() {
    // Suspended for a minute: the wall clock moved on, monotonic time did not.
    assertTrue(SharedScheduler.jumped(1_000_000, 0, 1_061_000, SECOND));
    // The wall clock was set back by five seconds.
    assertTrue(SharedScheduler.jumped(1_000_000, 0, 996_000, SECOND));
  }
}

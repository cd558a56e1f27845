package io.github.wechatmp.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Bounded polling for conditions that another thread makes true. */
public final class Await {
  private Await() {}

  /** Waits until {@code condition} holds, failing the test after {@code max}. */
  public static void until(BooleanSupplier condition, Duration max, String what) {
    long deadline = System.nanoTime() + max.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + max.toMillis() + " ms waiting until " + what);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting until " + what, e);
      }
    }
  }
}

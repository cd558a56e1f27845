package io.github.wechatmp.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * The whole-JVM figures the scale benchmarks print: live threads, the SDK's threads, heap used
 * after a full collection, and the CPU the JVM burns while idle.
 */
final class JvmFigures {
  private JvmFigures() {}

  /** What the JVM looks like once the SDK's threads have settled. */
  record Settled(int liveThreads, long sdkThreads, long usedHeap, double idleCpuPercent) {}

  /** The JVM's live threads now. */
  static int liveThreads() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }

  /** The JVM's process CPU time so far, in nanoseconds, over every thread. */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** The heap in use after three requested collections, 200 ms apart. */
  static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /**
   * Waits 3 s for the threads the SDK started to settle (and idle ones to end), then takes the
   * thread counts and the heap, and measures the CPU over 10 s of doing nothing.
   */
  static Settled settle() throws InterruptedException {
    Thread.sleep(3000);
    int live = liveThreads();
    long heap = usedHeapAfterGc();
    long cpuBefore = processCpuNanos();
    long wallBefore = System.nanoTime();
    Thread.sleep(10_000);
    double idle = 100.0 * (processCpuNanos() - cpuBefore) / (System.nanoTime() - wallBefore);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long sdk =
        Arrays.stream(threads.getThreadInfo(threads.getAllThreadIds()))
            .filter(t -> t != null && t.getThreadName().startsWith("wechat-"))
            .count();
    return new Settled(live, sdk, heap, idle);
  }
}

package io.github.wechatmp.internal.refresh;

/**
 * Runs one cache's tasks (refreshes, store reconciliations) one at a time, in order, on the shared
 * refresh pool: the cache's work stays serialized as if it had a thread of its own, without costing
 * one while idle. A plain linked list under this object's lock, so that an idle executor is one
 * small object (10,000 accounts in one JVM). Thread-safe.
 */
final class SerialExecutor {
  private final Scheduler scheduler;

  private static final class Node {
    final Runnable task;
    Node next;

    Node(Runnable task) {
      this.task = task;
    }
  }

  private Node head; // guarded by this
  private Node tail; // guarded by this
  private boolean running; // guarded by this

  SerialExecutor(Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  void execute(Runnable task) {
    Node n = new Node(task);
    boolean start;
    synchronized (this) {
      if (tail == null) {
        head = n;
      } else {
        tail.next = n;
      }
      tail = n;
      start = !running;
      running = true;
    }
    if (start) {
      scheduler.execute(this::drainOne);
    }
  }

  /** Runs one task, then hands the rest back to the pool: busy caches share it fairly. */
  private void drainOne() {
    Node n;
    synchronized (this) {
      n = head;
      if (n == null) {
        running = false;
        return;
      }
      head = n.next;
      if (head == null) {
        tail = null;
      }
    }
    try {
      n.task.run();
    } finally {
      boolean more;
      synchronized (this) {
        more = head != null;
        running = more;
      }
      if (more) {
        scheduler.execute(this::drainOne);
      }
    }
  }
}

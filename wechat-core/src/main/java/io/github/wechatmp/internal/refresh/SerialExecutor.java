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

  /**
   * Queues {@code task} without starting it: the caller then calls {@link #runHereIfIdle} or {@link
   * #kick()}, which run it (another thread's {@link #execute} may also start it first).
   */
  void enqueue(Runnable task) {
    Node n = new Node(task);
    synchronized (this) {
      if (tail == null) {
        head = n;
      } else {
        tail.next = n;
      }
      tail = n;
    }
  }

  /** Starts, on the pool, the tasks {@linkplain #enqueue queued} if none is running. */
  void kick() {
    synchronized (this) {
      if (running || head == null) {
        return;
      }
      running = true;
    }
    scheduler.execute(this::drainOne);
  }

  /**
   * If no task of this executor is running, runs the tasks queued and then {@code task} on the
   * calling thread, and returns true; else returns false and runs nothing. For a caller that would
   * only wait for them: the thread hand-offs are saved (100,000 first {@code get()}s adopting from
   * the store), and the tasks still run one at a time and in order, since any submitted meanwhile
   * queue behind and go to the pool when these end.
   */
  boolean runHereIfIdle(Runnable task) {
    synchronized (this) {
      if (running) {
        return false;
      }
      running = true;
    }
    try {
      for (; ; ) {
        Node n;
        synchronized (this) {
          n = head;
          if (n == null) {
            break;
          }
          head = n.next;
          if (head == null) {
            tail = null;
          }
        }
        n.task.run();
      }
      task.run();
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
    return true;
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

package io.github.wechatmp.callback;

import io.github.wechatmp.callback.inbound.WeChatMessage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** A handler that records what it got and can be held inside until the test lets it go. */
final class Handlers implements MessageHandler {
  final List<WeChatMessage> received = new CopyOnWriteArrayList<>();
  final AtomicInteger calls = new AtomicInteger();
  final CountDownLatch entered = new CountDownLatch(1);
  volatile CountDownLatch gate;
  volatile Function<WeChatMessage, Reply> answer = m -> Reply.text("echo");
  volatile RuntimeException failure;

  /** Makes every call wait inside the handler until {@link #open()}. */
  Handlers holding() {
    gate = new CountDownLatch(1);
    return this;
  }

  void open() {
    gate.countDown();
  }

  @Override
  public Reply handle(WeChatMessage message) {
    calls.incrementAndGet();
    received.add(message);
    entered.countDown();
    CountDownLatch g = gate;
    if (g != null) {
      try {
        if (!g.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the test never opened the gate");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    RuntimeException f = failure;
    if (f != null) {
      throw f;
    }
    return answer.apply(message);
  }

  void awaitEntered() throws InterruptedException {
    if (!entered.await(10, TimeUnit.SECONDS)) {
      throw new AssertionError("the handler was never called");
    }
  }

  /** A deduplicator that counts waits, so a test knows a retry is waiting. */
  static final class CountingDeduplicator implements MessageDeduplicator {
    final MessageDeduplicator delegate;
    final AtomicInteger awaits = new AtomicInteger();

    CountingDeduplicator(MessageDeduplicator delegate) {
      this.delegate = delegate;
    }

    @Override
    public Claim claim(String key) {
      return delegate.claim(key);
    }

    @Override
    public void complete(Claim claim, String reply) {
      delegate.complete(claim, reply);
    }

    @Override
    public void release(Claim claim) {
      delegate.release(claim);
    }

    @Override
    public Claim await(String key, Duration maxWait) throws InterruptedException {
      awaits.incrementAndGet();
      return delegate.await(key, maxWait);
    }
  }
}

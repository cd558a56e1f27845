package io.github.wechatmp.callback;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A {@link MessageDeduplicator} in this process's memory: enough for one instance; behind a load
 * balancer use one that all instances share, such as {@code RedisMessageDeduplicator}.
 *
 * <p>Each key lives {@link #DEFAULT_LIFETIME} (or the given lifetime, at least 30 s) from its
 * claim. At most {@link #DEFAULT_MAX_ENTRIES} (or the given number of) keys are kept; beyond that
 * the oldest claims are forgotten first, even before their lifetime ends, so memory stays bounded
 * however fast messages come.
 *
 * <p>Thread-safe: one lock guards the table and is held only for map operations; waiters of {@link
 * #await} wait on it. Never throws a storage failure.
 */
public final class InMemoryMessageDeduplicator implements MessageDeduplicator {
  /** How long a key lives from its claim unless another lifetime is given: one minute. */
  public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(1);

  /** How many keys are kept unless another bound is given. */
  public static final int DEFAULT_MAX_ENTRIES = 100_000;

  /** The shortest lifetime accepted: WeChat's three tries 5 s apart, plus slack. */
  public static final Duration MIN_LIFETIME = Duration.ofSeconds(30);

  private static final class Entry {
    final String owner;
    final long expiresAt;
    String reply;

    Entry(String owner, long expiresAt) {
      this.owner = owner;
      this.expiresAt = expiresAt;
    }
  }

  private final int maxEntries;
  private final long lifetimeNanos;
  private final LongSupplier nanoTime;
  private final AtomicLong owners = new AtomicLong();

  /** In claim order, so the head is always the oldest claim. */
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

  /** A deduplicator with {@link #DEFAULT_MAX_ENTRIES} and {@link #DEFAULT_LIFETIME}. */
  public InMemoryMessageDeduplicator() {
    this(DEFAULT_MAX_ENTRIES, DEFAULT_LIFETIME);
  }

  /**
   * A deduplicator with the given bounds.
   *
   * @param maxEntries the most keys kept, at least 1
   * @param lifetime how long a key lives from its claim, at least {@link #MIN_LIFETIME}
   * @throws IllegalArgumentException if a bound is too small
   * @throws NullPointerException if {@code lifetime} is null
   */
  public InMemoryMessageDeduplicator(int maxEntries, Duration lifetime) {
    this(maxEntries, lifetime, System::nanoTime);
  }

  InMemoryMessageDeduplicator(int maxEntries, Duration lifetime, LongSupplier nanoTime) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be at least 1");
    }
    if (Objects.requireNonNull(lifetime, "lifetime").compareTo(MIN_LIFETIME) < 0) {
      throw new IllegalArgumentException(
          "lifetime must be at least " + MIN_LIFETIME.getSeconds() + " s: WeChat retries for 15 s");
    }
    this.maxEntries = maxEntries;
    this.lifetimeNanos = lifetime.toNanos();
    this.nanoTime = nanoTime;
  }

  @Override
  public Claim claim(String key) {
    Objects.requireNonNull(key, "key");
    long now = nanoTime.getAsLong();
    synchronized (this) {
      evictExpired(now);
      Entry e = entries.get(key);
      if (e != null) {
        return e.reply != null ? Claim.done(key, e.reply) : Claim.running(key);
      }
      if (entries.size() >= maxEntries) {
        Iterator<Entry> oldest = entries.values().iterator();
        oldest.next();
        oldest.remove();
      }
      String owner = Long.toString(owners.incrementAndGet());
      entries.put(key, new Entry(owner, now + lifetimeNanos));
      return Claim.claimed(key, owner);
    }
  }

  @Override
  public void complete(Claim claim, String reply) {
    Objects.requireNonNull(reply, "reply");
    synchronized (this) {
      Entry e = held(claim);
      if (e != null) {
        e.reply = reply;
        notifyAll();
      }
    }
  }

  @Override
  public void release(Claim claim) {
    synchronized (this) {
      if (held(claim) != null) {
        entries.remove(claim.key());
        notifyAll();
      }
    }
  }

  @Override
  public Claim await(String key, Duration maxWait) throws InterruptedException {
    long deadline = nanoTime.getAsLong() + Math.max(0, maxWait.toNanos());
    synchronized (this) {
      while (true) {
        long now = nanoTime.getAsLong();
        Entry e = entries.get(key);
        if (e == null || now - e.expiresAt >= 0) {
          return Claim.absent(key);
        }
        if (e.reply != null) {
          return Claim.done(key, e.reply);
        }
        long left = deadline - now;
        if (left <= 0) {
          return Claim.running(key);
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }
  }

  private Entry held(Claim claim) {
    Objects.requireNonNull(claim, "claim");
    Entry e = entries.get(claim.key());
    return e != null && e.owner.equals(claim.owner()) ? e : null;
  }

  private void evictExpired(long now) {
    Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
    while (it.hasNext()) {
      if (now - it.next().getValue().expiresAt < 0) {
        return;
      }
      it.remove();
    }
  }

  /**
   * Returns the lifetime of a key, from its claim.
   *
   * @return the lifetime
   */
  @Override
  public Optional<Duration> lifetime() {
    return Optional.of(Duration.ofNanos(lifetimeNanos));
  }

  /**
   * Returns how many keys are held now, expired ones not yet evicted included.
   *
   * @return the number of keys
   */
  public synchronized int size() {
    return entries.size();
  }

  @Override
  public String toString() {
    return "InMemoryMessageDeduplicator{maxEntries="
        + maxEntries
        + ", lifetime="
        + Duration.ofNanos(lifetimeNanos)
        + '}';
  }
}

package io.github.wechatmp.internal.refresh;

import io.github.wechatmp.token.TokenKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How fast the caches of one group (a third-party platform's authorizers, in one process) may fetch
 * in the background, and where in its refresh window each token's proactive refresh falls. WeChat
 * rate-limits some credential endpoints ({@code api_authorizer_token}), and tokens issued together
 * (a fleet's first start) would otherwise all come due together.
 *
 * <p>Two parts. The <em>spread</em>: a token's refresh falls at a point of its refresh window, from
 * half its life to the policy's due point, chosen from its key (deterministic, so that every
 * instance of a cluster picks the same point for the same token and the first to refresh shares
 * it). The <em>limiter</em>: when a token's refresh point comes, it reserves the next free slot of
 * a schedule of {@code perSecond} slots a second, evenly spaced, and its background refresh starts
 * at that slot; the token is still valid meanwhile, so nobody waits. A fetch for a caller with no
 * valid token (none held, stale, expired) is never delayed: it takes the current slot if it is
 * free, which pushes the slots not yet handed out back by one. So the background refreshes never
 * exceed the rate; only fetches from no slot (a caller's, a retry within a refresh) may add to it.
 *
 * <p>Thread-safe. Holds two numbers: shared by every cache of the group.
 */
public final class RefreshAdmission {
  private static final Logger log = LoggerFactory.getLogger(RefreshAdmission.class);

  private static final long MICROS_PER_SECOND = 1_000_000;

  private final int perSecond;
  private final long intervalMicros;
  private final String group;

  /** The first slot not yet handed out, in epoch microseconds; guarded by this. */
  private long nextSlotMicros = Long.MIN_VALUE;

  /** Whether the warning that the window is too narrow for the rate was logged; guarded by this. */
  private boolean warned;

  private RefreshAdmission(int perSecond, String group) {
    this.perSecond = perSecond;
    // Rounded up, so that any second holds at most perSecond slots (333,334 us apart for 3 a
    // second: a second never holds a fourth).
    this.intervalMicros = (MICROS_PER_SECOND + perSecond - 1) / perSecond;
    this.group = group;
  }

  /**
   * Returns an admission of at most {@code perSecond} background fetches a second.
   *
   * @param perSecond at least 1
   * @param group what the caches are, for the log (such as "the authorizers of platform wx...")
   * @throws IllegalArgumentException if {@code perSecond} is below 1
   */
  public static RefreshAdmission perSecond(int perSecond, String group) {
    if (perSecond < 1) {
      throw new IllegalArgumentException(
          "the refresh rate must be at least 1 a second, not " + perSecond);
    }
    return new RefreshAdmission(perSecond, group);
  }

  /** Returns the rate: background fetches a second, at most. */
  public int perSecond() {
    return perSecond;
  }

  /**
   * Where in its refresh window the token under {@code key} is refreshed: a fraction in [0, 1), the
   * same for the same key in every process (from {@link String#hashCode()}, whose value the
   * language fixes).
   */
  static double placeOf(TokenKey key) {
    int h = (key.appId() + '/' + key.kind()).hashCode();
    // MurmurHash3's finalizer: neighbouring AppIDs land far apart.
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return (h & 0xffffffffL) / (double) (1L << 32);
  }

  /**
   * Reserves the next free slot for the background refresh of {@code key}, whose token comes due at
   * {@code nowMillis} and goes stale at {@code staleAtMillis}; returns the instant, in epoch
   * milliseconds and no earlier than {@code nowMillis}, at which the refresh may start. Logs a
   * warning, once, if that is past the stale point: the rate is too low for the number of tokens
   * coming due in their windows.
   */
  synchronized long reserve(long nowMillis, long staleAtMillis, TokenKey key) {
    long nowMicros = nowMillis * 1_000;
    long slot = Math.max(nowMicros, nextSlotMicros);
    nextSlotMicros = slot + intervalMicros;
    long atMillis = (slot + 999) / 1_000;
    if (atMillis >= staleAtMillis && !warned) {
      warned = true;
      long queued = (slot - nowMicros) / intervalMicros;
      log.warn(
          "The background refreshes of {} are too many for {} a second: {} are queued ahead of"
              + " {} ({} s at that rate), whose token goes stale in {} s; it will be fetched when a"
              + " caller needs it. Raise the rate, or spread the authorizations over more"
              + " processes (the rate is per process)",
          group,
          perSecond,
          queued,
          key,
          queued / perSecond,
          Math.max(0, (staleAtMillis - nowMillis) / 1_000));
    }
    return atMillis;
  }

  /**
   * A fetch starts at {@code nowMillis}: it holds the slot now, so a fetch a caller waits for
   * (which is never delayed) pushes the slots not yet handed out back.
   */
  synchronized void fetching(long nowMillis) {
    long nowMicros = nowMillis * 1_000;
    if (nextSlotMicros < nowMicros + intervalMicros) {
      nextSlotMicros = nowMicros + intervalMicros;
    }
  }

  @Override
  public String toString() {
    return "RefreshAdmission[" + perSecond + "/s, " + group + "]";
  }
}

package io.github.wechatmp.internal.refresh;

import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.WeChatTransportException;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenKey;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fetch from WeChat with its retries: WeChat's "system busy" and transport failures are tried
 * again after a jittered, doubling pause, configuration errors are not, and nothing runs past the
 * deadline (the refresh lock's lease). Thread-safe.
 */
final class Retrier {
  private static final Logger log = LoggerFactory.getLogger(Retrier.class);

  /** How the retrier waits; a test's never sleeps. */
  interface Pause {
    /** Waits {@code nanos}. */
    void pause(long nanos) throws InterruptedException;
  }

  private final TokenKey key;
  private final CredentialFetcher fetcher;
  private final int maxRetries;
  private final long backoffMillis;
  private final Duration lease;
  private final Pause pause;
  private final LongUnaryOperator random; // bound -> a value in [0, bound)

  Retrier(
      TokenKey key,
      CredentialFetcher fetcher,
      int maxRetries,
      long backoffMillis,
      Duration lease,
      Pause pause,
      LongUnaryOperator random) {
    this.key = key;
    this.fetcher = fetcher;
    this.maxRetries = maxRetries;
    this.backoffMillis = backoffMillis;
    this.lease = lease;
    this.pause = pause;
    this.random = random;
  }

  /** The production retrier: real pauses, real jitter. */
  static Retrier of(
      TokenKey key, CredentialFetcher fetcher, int maxRetries, long backoffMillis, Duration lease) {
    return new Retrier(key, fetcher, maxRetries, backoffMillis, lease, REAL_PAUSE, REAL_JITTER);
  }

  // Shared by every retrier: a bound method reference made per retrier would cost each account.
  private static final Pause REAL_PAUSE = TimeUnit.NANOSECONDS::sleep;
  private static final LongUnaryOperator REAL_JITTER =
      bound -> ThreadLocalRandom.current().nextLong(bound);

  /**
   * The pause before retry {@code attempt + 1}: {@code backoff << attempt}, jittered to between
   * half of that and all of it.
   */
  static long pauseMillis(int attempt, long backoffMillis, LongUnaryOperator random) {
    long cap = backoffMillis << Math.min(attempt, 16);
    return cap / 2 + random.applyAsLong(cap / 2 + 1);
  }

  /**
   * Fetches, retrying what is worth retrying, until {@code deadlineNanos} (of {@link
   * System#nanoTime()}).
   *
   * @throws WeChatApiException the last error WeChat returned
   * @throws WeChatTransportException the last failure to reach WeChat, or no time left
   */
  AccessToken fetch(boolean force, long deadlineNanos) throws InterruptedException {
    for (int attempt = 0; ; attempt++) {
      long remaining = deadlineNanos - System.nanoTime();
      if (remaining <= 0) {
        throw new WeChatTransportException(
            "No time left within the refresh lock's lease of "
                + lease.toMillis()
                + " ms to ask WeChat for "
                + key,
            null);
      }
      try {
        return fetcher.fetch(force, Duration.ofNanos(remaining));
      } catch (WeChatApiException e) {
        if (!e.isRetryable() || attempt >= maxRetries) {
          throw e;
        }
        log.debug("WeChat was busy issuing {} (attempt {}); retrying", key, attempt + 1);
      } catch (WeChatTransportException e) {
        if (attempt >= maxRetries) {
          throw e;
        }
        log.debug(
            "Could not reach WeChat for {} (attempt {}): {}; retrying",
            key,
            attempt + 1,
            e.getMessage());
      }
      long pauseNanos =
          Math.min(
              TimeUnit.MILLISECONDS.toNanos(pauseMillis(attempt, backoffMillis, random)),
              deadlineNanos - System.nanoTime());
      if (pauseNanos > 0) {
        pause.pause(pauseNanos);
      }
    }
  }
}

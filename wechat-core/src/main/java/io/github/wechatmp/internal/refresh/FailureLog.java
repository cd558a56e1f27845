package io.github.wechatmp.internal.refresh;

import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStoreException;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cache's failures as its log tells them, quietly: a store outage is one WARN when it starts
 * and one INFO with its duration when it ends; other identical failures in a row are counted,
 * logged at WARN the 1st, 2nd, 4th, 8th... time with their count, else at DEBUG, and their end is
 * one INFO. Thread-safe as its cache uses it: refreshes run one at a time.
 */
final class FailureLog {
  /** The engine's log, by the name users configure it under. */
  private static final Logger log = LoggerFactory.getLogger(RefreshingCache.class);

  private final TokenKey key;
  private final Clock clock;

  /** When the store's outage began, by the clock; or MIN_VALUE while the store answers. */
  private volatile long storeOutageSinceMillis = Long.MIN_VALUE;

  /** The last failure logged at WARN, to count identical ones rather than repeat them. */
  private volatile String lastLoggedFailure;

  private volatile int identicalFailures;

  FailureLog(TokenKey key, Clock clock) {
    this.key = key;
    this.clock = clock;
  }

  /** A refresh failed; {@code safeMessage} is its message with any token masked. */
  void failed(RuntimeException e, String safeMessage, int consecutive, long holdOff) {
    if (e.getCause() instanceof TokenStoreException) {
      storeFailed(e);
      return;
    }
    String signature = e.getClass().getName() + ": " + safeMessage;
    int n = signature.equals(lastLoggedFailure) ? identicalFailures + 1 : 1;
    lastLoggedFailure = signature;
    identicalFailures = n;
    if (Integer.bitCount(n) == 1) {
      log.warn(
          "Refreshing {} failed ({} in a row{}); no new attempt for {} ms: {}",
          key,
          consecutive,
          n > 1 ? ", the same failure " + n + " times" : "",
          holdOff,
          e.getMessage());
    } else {
      log.debug(
          "Refreshing {} failed again ({} in a row, the same failure {} times); no new attempt for {} ms",
          key,
          consecutive,
          n,
          holdOff);
    }
  }

  /** The store failed: begins a store outage, logging it once; {@code e} names the store. */
  void storeFailed(RuntimeException e) {
    if (storeOutageSinceMillis == Long.MIN_VALUE) {
      storeOutageSinceMillis = clock.millis();
      log.warn(
          "The token store fails for {}; serving the token held, if any, and trying again every "
              + "few seconds (logged again when it answers): {}",
          key,
          e.getMessage());
    } else {
      log.debug("The token store still fails for {}: {}", key, e.getMessage());
    }
  }

  /** The store answered: ends a store outage, logging its duration once. */
  void storeAnswered() {
    long since = storeOutageSinceMillis;
    if (since != Long.MIN_VALUE) {
      storeOutageSinceMillis = Long.MIN_VALUE;
      log.info(
          "The token store answers again for {}, after an outage of {} ms",
          key,
          Math.max(0, clock.millis() - since));
    }
  }

  /** A refresh succeeded: ends a run of identical failures, saying how long it was. */
  void succeeded() {
    int n = identicalFailures;
    if (lastLoggedFailure != null) {
      if (n > 1) {
        log.info("Refreshing {} succeeded after the same failure {} times in a row", key, n);
      }
      lastLoggedFailure = null;
      identicalFailures = 0;
    }
  }
}

package io.github.wechatmp.internal.refresh;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One key of the store a credential is shared through, as the engine sees it: the entry, the
 * refresh lock, change notifications and the shared hold-off. The API package that builds an engine
 * adapts its store to this, so that the engine depends on no API type. Calls may fail with any
 * runtime exception; {@link #isStoreFailure} tells the store's own failure type apart, and {@link
 * #storeFailure} makes one. Thread-safe as the store is. Internal: not part of the SDK's API.
 *
 * @param <T> the credential
 */
public interface SharedSlot<T> {
  /** The entry, or empty (a store of users' own may return null: read as empty). */
  Optional<T> load();

  /** Saves {@code credential} if {@code lease} is still the holder of the refresh lock. */
  boolean saveFenced(T credential, Lease lease);

  /** Removes the entry if its value is {@code expectedValue}; returns whether it did. */
  boolean deleteIfValue(String expectedValue);

  /** Takes the refresh lock for {@code lease}, waiting at most {@code maxWait}. */
  Optional<Lease> tryLock(Duration lease, Duration maxWait) throws InterruptedException;

  /**
   * Subscribes {@code listener} to other parties' changes of the entry: {@link Listener#onChange()}
   * on a change, {@link Listener#onResubscribed()} when notifications were down and are back.
   */
  Watch watch(Listener listener);

  /** Told of changes; see {@link #watch}. Called from the store's thread; must not block. */
  interface Listener {
    /** The entry may have changed. */
    void onChange();

    /** Notifications were down and are back; changes may have been missed. */
    void onResubscribed();
  }

  /** The hold-off recorded after a failed refresh, or empty (null reads as empty). */
  Optional<HoldOffRecord> loadHoldOff();

  /** Records a hold-off for every instance. */
  void saveHoldOff(HoldOffRecord holdOff);

  /** Removes the hold-off: a refresh succeeded. */
  void clearHoldOff();

  /** Whether {@code e} is the store's own failure type. */
  boolean isStoreFailure(Throwable e);

  /** Makes a failure of the store's own type. */
  RuntimeException storeFailure(String message, Throwable cause);

  /** The store's class name, for messages (never the store's own text: it may hold a value). */
  String storeName();

  /** A held refresh lock. */
  interface Lease {
    /** Releases the lock; never throws. */
    void close();
  }

  /** A subscription to changes. */
  interface Watch {
    /** Stops the notifications; idempotent. */
    void close();
  }

  /**
   * A hold-off shared through the store: failures in a row, the instant before which no refresh may
   * be tried, and WeChat's last error. {@code description} is how the store's own type prints it,
   * for the log.
   */
  final class HoldOffRecord {
    final int failures;
    final long notBeforeMillis;
    final int errorCode;
    final String errorMessage;
    private final String description;

    /** A hold-off; see the class. */
    public HoldOffRecord(
        int failures,
        long notBeforeMillis,
        int errorCode,
        String errorMessage,
        String description) {
      this.failures = failures;
      this.notBeforeMillis = notBeforeMillis;
      this.errorCode = errorCode;
      this.errorMessage = errorMessage;
      this.description = description;
    }

    /** Returns the failures in a row. */
    public int failures() {
      return failures;
    }

    /** Returns the instant before which no refresh may be tried. */
    public Instant notBefore() {
      return Instant.ofEpochMilli(notBeforeMillis);
    }

    /** Returns WeChat's errcode of the last failure. */
    public int errorCode() {
      return errorCode;
    }

    /** Returns WeChat's errmsg of the last failure. */
    public String errorMessage() {
      return errorMessage;
    }

    @Override
    public String toString() {
      return description != null
          ? description
          : "HoldOffRecord{failures="
              + failures
              + ", notBeforeMillis="
              + notBeforeMillis
              + ", errcode="
              + errorCode
              + '}';
    }
  }
}

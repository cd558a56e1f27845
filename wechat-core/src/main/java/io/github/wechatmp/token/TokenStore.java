package io.github.wechatmp.token;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Where providers keep tokens so that every instance of an application, in one process or across
 * processes and hosts, uses the same one and asks WeChat for a new one only once per lifetime. This
 * is the SPI that {@link InMemoryTokenStore}, the file store, the Redis store and users' own stores
 * (a database table, say) implement.
 *
 * <h2>How a provider uses a store</h2>
 *
 * A provider reads from its store only when the token it holds in memory is due for refresh or
 * unusable, never on every {@code get()}. To refresh, it
 *
 * <ol>
 *   <li>{@linkplain #load loads} the entry: another instance may already have refreshed it;
 *   <li>takes the {@linkplain #tryLock refresh lock} for the key, waiting a bounded time;
 *   <li>loads the entry again under the lock and adopts a token another instance wrote meanwhile;
 *   <li>only otherwise asks WeChat, {@linkplain #save saves} the new token, and closes the lock.
 * </ol>
 *
 * When WeChat rejects a token, the provider {@linkplain #deleteIfValue deletes} the entry only if
 * it still holds the rejected value, so an instance that held an old token never wipes a newer one.
 *
 * <p>When a fetch fails for a reason that is the account's, not the host's (a wrong AppSecret,
 * WeChat's errcode -1, a used-up quota), the provider {@linkplain #saveHoldOff records the
 * hold-off} under the key, still holding the lock, and every provider sharing the store {@linkplain
 * #loadHoldOff reads it} before steps 2 and 4 and makes no attempt before its end: N instances with
 * a broken configuration make the attempts of one. A success {@linkplain #clearHoldOff clears} it.
 * A store that does not implement these methods (their defaults do nothing) keeps each provider's
 * hold-off to its own process, as before they existed.
 *
 * <h2>Contract for implementations</h2>
 *
 * <ul>
 *   <li><b>Thread-safety:</b> every method may be called concurrently by many threads and many
 *       providers of this process, and (for stores shared between processes) concurrently with
 *       other processes using the same backing storage.
 *   <li><b>Failures:</b> a method that cannot reach or use its backing storage throws {@link
 *       TokenStoreException} (unchecked) with a message that names the storage (a path, a server);
 *       it never returns a wrong answer instead. Providers treat such a failure as "no shared
 *       state": they keep serving a token held in memory until it expires.
 *   <li><b>Corrupt data</b> (a truncated file, a value that does not parse) is not a failure: it
 *       reads as no token, so that the next {@link #save} repairs it.
 *   <li><b>Secrets:</b> a store never logs a whole token value and never includes one in an
 *       exception message; use {@link AccessToken#toString()}, which masks it.
 *   <li><b>Keys:</b> entries are independent per {@link TokenKey}; one store may hold many apps'
 *       and many kinds' tokens.
 * </ul>
 */
public interface TokenStore {

  /**
   * Returns the token stored under {@code key}, if any. A store may return a token that has expired
   * (the provider checks expiry itself) or may drop expired entries.
   *
   * @param key the credential to read
   * @return the stored token, or empty if there is none (or the entry is corrupt)
   * @throws TokenStoreException if the backing storage cannot be read
   */
  Optional<AccessToken> load(TokenKey key);

  /**
   * Stores {@code token} under {@code key}, replacing any entry there, atomically: a concurrent
   * {@link #load} sees either the old entry or the new one, never a mix. A store with its own
   * expiry mechanism (a Redis TTL) must expire the entry no later than {@link
   * AccessToken#expiresAt()}.
   *
   * @param key the credential to write
   * @param token the token to store
   * @throws TokenStoreException if the token could not be stored; the entry is then unchanged
   */
  void save(TokenKey key, AccessToken token);

  /**
   * Stores {@code token} under {@code key} as {@link #save} does, but only if {@code lock}, taken
   * by {@link #tryLock} on this key, is still held: its lease has not lapsed and no one else took
   * it since. The check and the write are one atomic step, so a holder stalled past its lease (a
   * long GC pause, a stopped VM) never overwrites the token the next holder saved: a fenced save.
   * Providers save fetched tokens through this method.
   *
   * <p>The default is {@link #save} without the check, returning true: a store written before this
   * method existed keeps working, without the guarantee (the provider then still re-reads the store
   * after a fetch that outlasted its lease, which narrows the window but does not close it). Each
   * store documents how it checks.
   *
   * @param key the credential to write
   * @param token the token to store
   * @param lock the lock the caller took on {@code key}
   * @return true if saved; false if the lock is no longer held, and nothing was written
   * @throws TokenStoreException if the token could not be stored; the entry is then unchanged
   * @throws IllegalArgumentException if {@code lock} was not made by this store
   */
  default boolean saveFenced(TokenKey key, AccessToken token, RefreshLock lock) {
    save(key, token);
    return true;
  }

  /**
   * Deletes the entry under {@code key} only if its value is {@code expectedValue}, atomically
   * (compare-and-delete): a newer token saved by another instance is never removed.
   *
   * @param key the credential to delete
   * @param expectedValue the whole token value ({@link AccessToken#value()}) the entry must hold
   * @return whether an entry was deleted
   * @throws TokenStoreException if the backing storage cannot be used; the entry is then unchanged
   */
  boolean deleteIfValue(TokenKey key, String expectedValue);

  /**
   * Takes the refresh lock for {@code key}, waiting at most {@code maxWait} for another holder to
   * release it. The lock is held until {@link RefreshLock#close()} or until {@code lease} has
   * passed, whichever comes first, so a holder that crashed blocks the others for at most one
   * lease. How the lease is enforced is the store's to document: a store whose lock the operating
   * system frees when its holder dies (a file lock) frees it sooner, and may not be able to take it
   * from a holder that is alive but stopped; {@code maxWait} bounds the wait in every case. The
   * lock excludes every other holder of the same key: other threads, other providers in this
   * process, and (for stores shared between processes) other processes and hosts.
   *
   * @param key the credential to be refreshed
   * @param lease how long the lock may be held before it lapses by itself; positive
   * @param maxWait how long to wait for it; zero means a single attempt
   * @return the held lock, or empty if it could not be had within {@code maxWait}
   * @throws InterruptedException if the thread was interrupted while waiting
   * @throws TokenStoreException if the backing storage cannot be used
   */
  Optional<RefreshLock> tryLock(TokenKey key, Duration lease, Duration maxWait)
      throws InterruptedException;

  /**
   * Asks to be told when the entry under {@code key} may have been {@linkplain #save saved} or
   * {@linkplain #deleteIfValue deleted} by another party, so that a provider stops serving an
   * invalidated token, and adopts a newer one, without waiting for its own copy to come due. Stores
   * whose entries no other process can change need not implement it; the default does nothing.
   * Expiry and data loss (a restarted Redis without persistence) are not changes to report.
   *
   * <p>Notifications may be spurious (the subscriber's own changes, changes of other keys): the
   * subscriber re-reads the entry and acts on what it finds. They may be delayed, coalesced, or
   * (while the store is unreachable) lost; a store that implements this method documents the delay
   * it bounds. {@code onChange} must not block: it is called from the store's own thread.
   *
   * @param key the credential to watch
   * @param onChange called, with no argument, each time the entry may have changed
   * @return a subscription whose {@code close()} stops the notifications
   * @throws TokenStoreException if the subscription could not be made
   */
  default Subscription subscribe(TokenKey key, Runnable onChange) {
    return () -> {};
  }

  /**
   * Like {@link #subscribe(TokenKey, Runnable)}, and also tells the subscriber when notifications
   * may have been lost: the store's notification channel was down (an outage, a silent connection)
   * and is back. The subscriber then re-reads the entry and adopts a newer token it finds, but
   * takes an absent entry for what it may be after an outage (data lost by a restarted server), not
   * for an invalidation. This is how a provider catches up with a refresh another instance made
   * while its notifications did not arrive.
   *
   * <p>The default subscribes {@code listener}'s {@link ChangeListener#onChange()} through {@link
   * #subscribe(TokenKey, Runnable)} and never calls {@link ChangeListener#onResubscribed()}, so a
   * store written before this method keeps working as it did. The SDK's providers call this method,
   * not {@link #subscribe(TokenKey, Runnable)}. (A method of its own name, not an overload: a
   * lambda would fit either.)
   *
   * @param key the credential to watch
   * @param listener told of changes and of a notification channel that came back
   * @return a subscription whose {@code close()} stops the notifications
   * @throws TokenStoreException if the subscription could not be made
   */
  default Subscription watch(TokenKey key, ChangeListener listener) {
    return subscribe(key, listener::onChange);
  }

  /**
   * What a subscriber of {@link #watch(TokenKey, ChangeListener)} is told. Both methods are called
   * from the store's own thread and must not block.
   */
  interface ChangeListener {
    /**
     * The entry may have been saved or deleted by another party: re-read it. An absent entry means
     * the token was invalidated.
     */
    void onChange();

    /**
     * Notifications may have been lost while the store's channel was down, and it is back: re-read
     * the entry, adopting a newer token, but an absent entry proves nothing. The default does
     * nothing.
     */
    default void onResubscribed() {}
  }

  /**
   * Returns the hold-off recorded under {@code key} after a failed refresh, if any. The default
   * returns empty: hold-offs stay per process. Stores implement the three hold-off methods
   * together.
   *
   * @param key the credential
   * @return the hold-off, or empty if none is recorded (or it is corrupt)
   * @throws TokenStoreException if the backing storage cannot be read
   */
  default Optional<SharedHoldOff> loadHoldOff(TokenKey key) {
    return Optional.empty();
  }

  /**
   * Records {@code holdOff} under {@code key}, replacing any recorded before. A store may drop it
   * once its {@link SharedHoldOff#notBefore()} has passed. The default does nothing.
   *
   * @param key the credential
   * @param holdOff the hold-off
   * @throws TokenStoreException if it could not be stored
   */
  default void saveHoldOff(TokenKey key, SharedHoldOff holdOff) {}

  /**
   * Removes the hold-off recorded under {@code key}, if any: a refresh succeeded. The default does
   * nothing.
   *
   * @param key the credential
   * @throws TokenStoreException if the backing storage cannot be used
   */
  default void clearHoldOff(TokenKey key) {}

  /**
   * Checks the arguments of {@link #tryLock} as every store must: for implementations, so that all
   * stores refuse the same values with the same messages.
   *
   * @param key the key; not null
   * @param lease the lease; positive
   * @param maxWait the longest wait; not negative
   * @throws NullPointerException naming the argument that is null
   * @throws IllegalArgumentException if {@code lease} is not positive or {@code maxWait} is
   *     negative
   */
  static void checkLockArguments(TokenKey key, Duration lease, Duration maxWait) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(lease, "lease");
    Objects.requireNonNull(maxWait, "maxWait");
    if (lease.isNegative() || lease.isZero()) {
      throw new IllegalArgumentException("lease must be positive");
    }
    if (maxWait.isNegative()) {
      throw new IllegalArgumentException("maxWait must not be negative");
    }
  }

  /**
   * A refresh lock held by the caller. Closing it releases it, but only if the caller still owns
   * it: a lock whose lease lapsed and that another party took since is left alone.
   */
  interface RefreshLock extends AutoCloseable {
    /**
     * Releases the lock if still owned. Never throws; a failure to release is logged, and the lease
     * ends it.
     */
    @Override
    void close();
  }

  /**
   * The hold-off after failed refreshes, as providers share it through a store: how many failed in
   * a row, the instant before which none may try again, and WeChat's error. Immutable and
   * thread-safe.
   */
  final class SharedHoldOff {
    /** The longest error message kept; WeChat's are far shorter. */
    public static final int MAX_MESSAGE_LENGTH = 200;

    private final int failures;
    private final Instant notBefore;
    private final int errorCode;
    private final String errorMessage;

    private SharedHoldOff(int failures, Instant notBefore, int errorCode, String errorMessage) {
      this.failures = failures;
      this.notBefore = notBefore;
      this.errorCode = errorCode;
      this.errorMessage = errorMessage;
    }

    /**
     * Creates a hold-off.
     *
     * @param failures the failed refreshes in a row; positive
     * @param notBefore the instant before which no refresh may be tried
     * @param errorCode WeChat's errcode of the last failure
     * @param errorMessage WeChat's errmsg of the last failure (null reads as ""), cut to {@value
     *     #MAX_MESSAGE_LENGTH} characters; it never holds a secret
     * @return the hold-off
     * @throws NullPointerException if {@code notBefore} is null
     * @throws IllegalArgumentException if {@code failures} is not positive or {@code notBefore}
     *     cannot be expressed in epoch milliseconds
     */
    public static SharedHoldOff of(
        int failures, Instant notBefore, int errorCode, String errorMessage) {
      Objects.requireNonNull(notBefore, "notBefore");
      if (failures < 1) {
        throw new IllegalArgumentException("failures must be positive");
      }
      try {
        notBefore.toEpochMilli();
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("notBefore is out of range: " + notBefore);
      }
      String m = errorMessage == null ? "" : errorMessage;
      if (m.length() > MAX_MESSAGE_LENGTH) {
        m = m.substring(0, MAX_MESSAGE_LENGTH);
      }
      return new SharedHoldOff(failures, notBefore, errorCode, m);
    }

    /**
     * Returns how many refreshes failed in a row.
     *
     * @return a positive count
     */
    public int failures() {
      return failures;
    }

    /**
     * Returns the instant before which no refresh may be tried.
     *
     * @return the end of the hold-off
     */
    public Instant notBefore() {
      return notBefore;
    }

    /**
     * Returns WeChat's errcode of the last failure.
     *
     * @return the errcode
     */
    public int errorCode() {
      return errorCode;
    }

    /**
     * Returns WeChat's errmsg of the last failure.
     *
     * @return the message, possibly empty
     */
    public String errorMessage() {
      return errorMessage;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SharedHoldOff
          && ((SharedHoldOff) o).failures == failures
          && ((SharedHoldOff) o).notBefore.equals(notBefore)
          && ((SharedHoldOff) o).errorCode == errorCode
          && ((SharedHoldOff) o).errorMessage.equals(errorMessage);
    }

    @Override
    public int hashCode() {
      return Objects.hash(failures, notBefore, errorCode, errorMessage);
    }

    @Override
    public String toString() {
      return "SharedHoldOff{failures="
          + failures
          + ", notBefore="
          + notBefore
          + ", errcode="
          + errorCode
          + ", errmsg="
          + errorMessage
          + '}';
    }
  }

  /** A change subscription made by {@link #subscribe}. */
  interface Subscription extends AutoCloseable {
    /** Stops the notifications. Idempotent; never throws. */
    @Override
    void close();
  }
}

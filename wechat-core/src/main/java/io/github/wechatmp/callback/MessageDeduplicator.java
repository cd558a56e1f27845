package io.github.wechatmp.callback;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Remembers which pushes are being handled or were handled, so that WeChat's retries (it tries a
 * push three times, about 5 s apart, when it gets no answer) do not run the handler twice, on this
 * instance or any other sharing the deduplicator. {@link InMemoryMessageDeduplicator} serves one
 * process; {@code RedisMessageDeduplicator} (module {@code wechat-token-store-redis}) serves a
 * cluster.
 *
 * <p>Each push has a key (built by {@link WeChatCallback} from the account and {@code MsgId}, or
 * for events the account, sender, {@code CreateTime}, {@code Event}, {@code EventKey}, the {@code
 * MsgID} when there is one and a digest of the other fields) in one of three states: absent,
 * claimed (a delivery is running the handler) and done (with the reply to answer retries with). The
 * first delivery {@linkplain #claim claims} the key and, when the handler has answered, {@linkplain
 * #complete completes} it with the reply, or {@linkplain #release releases} it when the handler
 * failed, so that the next retry runs the handler again. A retry that finds the key claimed
 * {@linkplain #await waits} for it to be done. Entries must live at least 30 s after their claim
 * (three tries 5 s apart, plus slack), and at least twice the callback's replay window when it has
 * one (see {@link #lifetime()}); after that they may be forgotten.
 *
 * <h2>Thread-safety and failures</h2>
 *
 * Implementations must be thread-safe and {@link #claim} atomic across everything that shares the
 * deduplicator: two deliveries of one key racing, on one host or two, must see one {@link
 * Claim.State#CLAIMED} between them. One deduplicator may serve many {@link WeChatCallback}s (the
 * account is part of the key). A method that cannot reach its storage throws a {@link
 * RuntimeException} naming the storage and the failure, never message content; {@link
 * WeChatCallback} then logs it and handles the message without deduplication (a store outage must
 * not silence the account), at the risk of running a retried handler twice.
 */
public interface MessageDeduplicator {

  /**
   * Claims {@code key} if it is absent (or expired), atomically.
   *
   * @param key the push's key
   * @return {@link Claim.State#CLAIMED} with an owner if the caller must now run the handler and
   *     then {@link #complete} or {@link #release}; {@link Claim.State#RUNNING} if another delivery
   *     holds it; {@link Claim.State#DONE} with the cached reply if it was handled
   * @throws RuntimeException if the storage failed
   */
  Claim claim(String key);

  /**
   * Marks a claimed key done, with the reply that retries are to be answered with. Does nothing if
   * {@code claim} no longer holds the key (it expired and was claimed anew).
   *
   * @param claim a {@link Claim.State#CLAIMED} claim returned by {@link #claim}
   * @param reply the reply as plain XML, or the empty string for no reply ({@code success})
   * @throws RuntimeException if the storage failed
   */
  void complete(Claim claim, String reply);

  /**
   * Forgets a claimed key, so that the next delivery claims it and runs the handler. Does nothing
   * if {@code claim} no longer holds the key.
   *
   * @param claim a {@link Claim.State#CLAIMED} claim returned by {@link #claim}
   * @throws RuntimeException if the storage failed
   */
  void release(Claim claim);

  /**
   * Waits until {@code key} is done or absent, for at most {@code maxWait}.
   *
   * @param key the push's key
   * @param maxWait the longest wait
   * @return {@link Claim.State#DONE} with the reply, {@link Claim.State#ABSENT} if the key was
   *     released or expired (the caller may claim it), or {@link Claim.State#RUNNING} if it is
   *     still claimed after {@code maxWait}
   * @throws InterruptedException if the waiting thread was interrupted
   * @throws RuntimeException if the storage failed
   */
  Claim await(String key, Duration maxWait) throws InterruptedException;

  /**
   * Returns how long a key is kept from its claim, when the deduplicator knows: {@link
   * WeChatCallback.Builder#build()} refuses one that forgets pushes while its replay window would
   * still accept them again. The default says nothing (the check is then skipped).
   *
   * @return the lifetime of a key, or empty if unknown
   */
  default Optional<Duration> lifetime() {
    return Optional.empty();
  }

  /**
   * The state of one key as a {@link MessageDeduplicator} found it. Immutable; {@link #toString()}
   * leaves the reply out.
   */
  final class Claim {
    /** What the deduplicator found. */
    public enum State {
      /** The caller claimed the key and must run the handler. */
      CLAIMED,
      /** Another delivery holds the key and is running the handler. */
      RUNNING,
      /** The key was handled; {@link Claim#reply()} answers retries. */
      DONE,
      /** The key is not held (only from {@link MessageDeduplicator#await}). */
      ABSENT
    }

    private final State state;
    private final String key;
    private final String owner;
    private final String reply;

    private Claim(State state, String key, String owner, String reply) {
      this.state = state;
      this.key = Objects.requireNonNull(key, "key");
      this.owner = owner;
      this.reply = reply;
    }

    /**
     * The caller holds {@code key} as {@code owner}.
     *
     * @param key the key
     * @param owner what identifies this holder to {@link MessageDeduplicator#complete} and {@link
     *     MessageDeduplicator#release}, unique among the claims of the key
     * @return the claim
     * @throws NullPointerException if an argument is null
     */
    public static Claim claimed(String key, String owner) {
      return new Claim(State.CLAIMED, key, Objects.requireNonNull(owner, "owner"), null);
    }

    /**
     * Another delivery holds {@code key}.
     *
     * @param key the key
     * @return the state
     * @throws NullPointerException if {@code key} is null
     */
    public static Claim running(String key) {
      return new Claim(State.RUNNING, key, null, null);
    }

    /**
     * {@code key} was handled with {@code reply}.
     *
     * @param key the key
     * @param reply the reply as plain XML, or empty for none
     * @return the state
     * @throws NullPointerException if an argument is null
     */
    public static Claim done(String key, String reply) {
      return new Claim(State.DONE, key, null, Objects.requireNonNull(reply, "reply"));
    }

    /**
     * Nobody holds {@code key}.
     *
     * @param key the key
     * @return the state
     * @throws NullPointerException if {@code key} is null
     */
    public static Claim absent(String key) {
      return new Claim(State.ABSENT, key, null, null);
    }

    /**
     * Returns the state.
     *
     * @return the state
     */
    public State state() {
      return state;
    }

    /**
     * Returns the key.
     *
     * @return the key
     */
    public String key() {
      return key;
    }

    /**
     * Returns the owner of a {@link State#CLAIMED} claim.
     *
     * @return the owner, or null in other states
     */
    public String owner() {
      return owner;
    }

    /**
     * Returns the cached reply of a {@link State#DONE} key.
     *
     * @return the reply as plain XML, empty for none, or null in other states
     */
    public String reply() {
      return reply;
    }

    @Override
    public String toString() {
      return "Claim{" + state + ", " + key + '}';
    }
  }
}

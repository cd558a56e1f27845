package io.github.wechatmp.store.redis;

import io.github.wechatmp.redis.AbstractRedisTokenStore;
import io.github.wechatmp.redis.RedisLayout;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import io.github.wechatmp.token.TokenStoreException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import redis.clients.jedis.UnifiedJedis;

/**
 * A {@link TokenStore} in Redis, so that every instance of an application on every host shares one
 * token and one refresh lock. Works with any Jedis {@link UnifiedJedis}: {@code JedisPooled} (one
 * server), {@code JedisSentineled} (Sentinel) and {@code JedisCluster} (Redis Cluster). Give the
 * same store to every provider of a process; each host makes its own.
 *
 * <pre>{@code
 * JedisPooled jedis = new JedisPooled(poolConfig, "redis.internal", 6379, clientConfig);
 * TokenStore store = RedisTokenStore.builder(jedis).keyPrefix("myapp:wechat:").build();
 * AccessTokenProvider tokens = AccessTokenProvider.builder()
 *     .appId(appId).appSecret(appSecret).store(store).build();
 * }</pre>
 *
 * <h2>Keys, values and the refresh lock</h2>
 *
 * The store reads and writes {@link RedisLayout}'s format, which describes every key, value, script
 * and channel once: the token under {@code P{A}:K} (prefix {@code P}, default {@value
 * #DEFAULT_PREFIX}, AppID {@code A}, kind {@code K}), its refresh lock and shared hold-off beside
 * it, and a change message on the channel {@code P{A}:K}. The Spring Boot starter's store over
 * Spring Data Redis uses the same, so a fleet may mix them. {@link AbstractRedisTokenStore}
 * describes the refresh lock: polled with a jittered backoff, 20 ms doubling to 200 ms by default
 * ({@link Builder#lockPolling}), released by compare-and-delete, and taken over (with a WARN) if
 * its key was left with no TTL. Lease and wait come from the provider ({@code
 * AccessTokenProvider.Builder#lockLease} and {@code #lockWait}, 10 s and 12 s by default): a holder
 * that crashed blocks the others for at most one lease.
 *
 * <h2>Change notifications and the bound on invalidation</h2>
 *
 * {@link #save} and {@link #deleteIfValue} publish from the same Lua script that changes the key,
 * so no change goes out without its message. Subscribers ({@link #subscribe}) share one pattern
 * subscription per store on one connection of the client, kept by a daemon thread that reconnects
 * with a jittered backoff (100 ms doubling to 2 s) while Redis is unreachable, and that ends when
 * the last subscription is closed. While that connection is up, a token invalidated on one node
 * stops being served on every other node within the pub/sub delivery time plus one store read
 * (milliseconds on a healthy network, bounded by the client's socket timeout). Messages published
 * while a node is disconnected are lost, so each reconnect is reported to watchers ({@link #watch})
 * as {@link ChangeListener#onResubscribed()}: every provider re-reads its key and adopts a token
 * saved meanwhile. A reconnect is deliberately not reported as a change, so that a Redis that lost
 * its data does not make every node drop a valid token; a node that missed an invalidation drops
 * that token when it next comes due, or when WeChat rejects it there. Every subscriber of this
 * store is told of every change of its key, the changes made through this very store included; a
 * provider's re-read of its own change is a no-op.
 *
 * <h2>Failures and client settings</h2>
 *
 * Every method that cannot reach Redis throws {@link TokenStoreException} whose message names
 * Redis, the key, and Jedis's description of the failure (which names {@code host:port} for a
 * refused or timed-out connection). A provider then keeps serving the token it holds until that
 * token expires, and recovers by itself once Redis answers again. How long a caller waits for that
 * answer is set by the client: give it short timeouts, for example a {@code
 * DefaultJedisClientConfig} with {@code connectionTimeoutMillis(1000)} and {@code
 * socketTimeoutMillis(1000)}, and a pool config with {@code setMaxWait(Duration.ofSeconds(1))} (a
 * pool's default wait is unbounded) and a {@code maxTotal} that leaves one connection for the
 * notification thread. A store neither closes nor configures its client: close the providers before
 * the client. Jedis gives a subscribed connection no read timeout, so the store checks its
 * subscription with a {@code PING} every {@link Builder#subscriptionCheckInterval} (5 s by
 * default): a connection that died silently (no reset from the peer) is replaced within about three
 * intervals, and every provider then re-reads its key. Notifications are late or lost meanwhile, as
 * described above, never wrong.
 *
 * <p>The store uses the commands {@link RedisLayout} lists and {@code PING}: grant them if Redis
 * ACLs are in use. Any Redis from 2.6.12 on will do; the tests run against Redis 6.2.
 *
 * <p>Thread-safe: one instance serves any number of threads and providers. Token values never
 * appear in logs or exception messages.
 */
public final class RedisTokenStore extends AbstractRedisTokenStore {
  /** The key prefix used unless the builder is given another: {@value}. */
  public static final String DEFAULT_PREFIX = RedisLayout.DEFAULT_PREFIX;

  private final ChangeNotifier notifier;

  /**
   * Creates a store over {@code jedis} with the default prefix {@value #DEFAULT_PREFIX}, the system
   * clock and the default lock polling. Does no I/O.
   *
   * @param jedis the client: {@code JedisPooled}, {@code JedisSentineled} or {@code JedisCluster}
   * @throws NullPointerException if {@code jedis} is null
   */
  public RedisTokenStore(UnifiedJedis jedis) {
    this(builder(jedis));
  }

  private RedisTokenStore(Builder b) {
    super(new JedisAccess(b.jedis), RedisLayout.of(b.keyPrefix), b.clock, b.firstPoll, b.maxPoll);
    this.notifier = new ChangeNotifier(b.jedis, layout(), b.subscriptionCheck);
  }

  /**
   * Returns a builder of a store over {@code jedis}. The store never closes the client.
   *
   * @param jedis the client: {@code JedisPooled}, {@code JedisSentineled} or {@code JedisCluster}
   * @return a new builder
   * @throws NullPointerException if {@code jedis} is null
   */
  public static Builder builder(UnifiedJedis jedis) {
    return new Builder(Objects.requireNonNull(jedis, "jedis"));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Never blocks and never does I/O on the caller's thread: the store's notification thread (see
   * the class description) subscribes in the background and retries until Redis answers, so this
   * never throws {@link TokenStoreException}. {@code onChange} runs on that thread.
   *
   * @throws NullPointerException if an argument is null
   */
  @Override
  public Subscription subscribe(TokenKey key, Runnable onChange) {
    Objects.requireNonNull(onChange, "onChange");
    return watch(key, onChange::run);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Never blocks and never does I/O on the caller's thread, like {@link #subscribe(TokenKey,
   * Runnable)}. {@link ChangeListener#onResubscribed()} is called, on the store's notification
   * thread, each time the subscription is confirmed again after it was lost or replaced (see the
   * class description), so a provider re-reads its key after every reconnect.
   *
   * @throws NullPointerException if an argument is null
   */
  @Override
  public Subscription watch(TokenKey key, ChangeListener listener) {
    String channel = layout().tokenKey(key);
    return notifier.add(channel, Objects.requireNonNull(listener, "listener"));
  }

  /** Whether change notifications are being received right now; for tests. */
  boolean isListening() {
    return notifier.isListening();
  }

  /** Returns a description with the key prefix. */
  @Override
  public String toString() {
    return "RedisTokenStore{keyPrefix=" + layout().prefix() + '}';
  }

  /**
   * Configures a {@link RedisTokenStore}. Not thread-safe; {@link #build()} may be called more than
   * once, each time making an independent store over the same client.
   */
  public static final class Builder {
    private final UnifiedJedis jedis;
    private String keyPrefix = DEFAULT_PREFIX;
    private Clock clock = Clock.systemUTC();
    private Duration firstPoll = Duration.ofMillis(20);
    private Duration maxPoll = Duration.ofMillis(200);
    private Duration subscriptionCheck = ChangeNotifier.DEFAULT_CHECK_INTERVAL;

    private Builder(UnifiedJedis jedis) {
      this.jedis = jedis;
    }

    /**
     * The prefix of every key and channel this store uses. Default {@value #DEFAULT_PREFIX}. Give
     * applications that share a Redis but must not share tokens distinct prefixes.
     *
     * @param keyPrefix the prefix, possibly empty
     * @return this builder
     * @throws NullPointerException if {@code keyPrefix} is null
     * @throws IllegalArgumentException if it is longer than 200 characters, or holds a brace (which
     *     would break the per-app hash tag) or a control character
     */
    public Builder keyPrefix(String keyPrefix) {
      this.keyPrefix = RedisLayout.checkPrefix(keyPrefix);
      return this;
    }

    /**
     * The clock by which a saved token's TTL (the time left until its expiry) is computed. Default
     * {@link Clock#systemUTC()}; give the providers' clock if they have another.
     *
     * @param clock the clock
     * @return this builder
     * @throws NullPointerException if {@code clock} is null
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How often {@link RedisTokenStore#tryLock} retries while another node holds the lock: after
     * {@code first}, doubling up to {@code max}, each pause jittered to between half and all of it.
     * Default 20 ms and 200 ms.
     *
     * @param first the first pause
     * @param max the longest pause
     * @return this builder
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException unless {@code 1 ms <= first <= max <= 5 s}
     */
    public Builder lockPolling(Duration first, Duration max) {
      checkLockPolling(first, max);
      this.firstPoll = first;
      this.maxPoll = max;
      return this;
    }

    /**
     * How often the change subscription is checked with a {@code PING} on its own connection.
     * Default 5 s. A subscription whose {@code PING} goes unanswered for two intervals is abandoned
     * and made again on a new connection, and every provider then re-reads its key, so a connection
     * that died silently delays invalidations by at most about three intervals.
     *
     * @param interval the interval between checks
     * @return this builder
     * @throws NullPointerException if {@code interval} is null
     * @throws IllegalArgumentException unless {@code 10 ms <= interval <= 10 min}
     */
    public Builder subscriptionCheckInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.toMillis() < 10 || interval.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException(
            "subscriptionCheckInterval needs 10 ms <= interval <= 10 min, got "
                + interval.toMillis()
                + " ms");
      }
      this.subscriptionCheck = interval;
      return this;
    }

    /**
     * Makes the store. Does no I/O and never throws.
     *
     * @return a new store
     */
    public RedisTokenStore build() {
      return new RedisTokenStore(this);
    }
  }
}

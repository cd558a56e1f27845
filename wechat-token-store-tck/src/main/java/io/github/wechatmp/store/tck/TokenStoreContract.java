package io.github.wechatmp.store.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import io.github.wechatmp.token.TokenStore.RefreshLock;
import io.github.wechatmp.token.TokenStoreException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The promises of {@link TokenStore}'s Javadoc as tests. A store's test class extends this class,
 * supplies stores with {@link #newStore()}, and overrides the optional hooks its store supports:
 *
 * <pre>{@code
 * class JdbcTokenStoreTest extends TokenStoreContract {
 *   @Override
 *   protected TokenStore newStore() {
 *     return new JdbcTokenStore(dataSource);
 *   }
 *
 *   @Override
 *   protected TokenStore newStoreOnSameStorage(TokenStore store) {
 *     return new JdbcTokenStore(dataSource); // another instance, the same table
 *   }
 * }
 * }</pre>
 *
 * What it checks: an absent key reads as empty; {@code save} replaces and is atomic (concurrent
 * loads, from this and from another instance, see the old entry or the new one, never a mix);
 * {@code deleteIfValue} deletes only the exact value and keeps a newer token; entries and locks are
 * independent per key; the refresh lock excludes other threads and other instances on the same
 * storage, lapses after its lease (and a lapsed holder's close does not release its successor's
 * lock), is released by {@code close()} (idempotent), waits at most {@code maxWait}, makes a single
 * attempt for a zero wait, throws {@link InterruptedException} when interrupted, and checks its
 * arguments as {@link TokenStore#checkLockArguments} does; a lock left in the storage with no lease
 * (by another client or a bug) is taken over rather than waited on forever; corrupt data reads as
 * no token and the next save repairs it; failures are {@link TokenStoreException}s that never
 * contain a token; and a herd of providers over the store makes one fetch from WeChat (a {@link
 * WeChatStandIn}).
 *
 * <p>Every test uses keys of its own (random AppIDs), so the stores may share one backing storage
 * across tests. Tests that need a hook the subclass does not supply are skipped (aborted), not
 * passed. Tests that take real time (leases, waits) are tagged {@code slow}; they take about a
 * second each with the default {@link #shortLease()}.
 */
public abstract class TokenStoreContract {
  private static final String SECRET = "tck-secret-0123456789abcdef0123";

  private final List<Object> created = new ArrayList<>();
  // Made per test, so that a subclass with a per-class test instance gets a fresh pool each time.
  private ExecutorService threads;

  /** For subclasses. */
  protected TokenStoreContract() {}

  /**
   * Returns a store to test. Called once or more per test; each test uses keys of its own, so the
   * stores may all use the same backing storage. Stores that are {@link AutoCloseable} are closed
   * after each test.
   *
   * @return a new store
   * @throws Exception if it cannot be made; the test then fails
   */
  protected abstract TokenStore newStore() throws Exception;

  /**
   * Returns another instance over the same backing storage as {@code store}, as another process or
   * host would have, for the tests of sharing between instances. The default returns null, which
   * skips them: right only for a store whose entries no other instance can see (an in-memory
   * store).
   *
   * @param store a store made by {@link #newStore()}
   * @return another instance on the same storage, or null if the store cannot be shared
   * @throws Exception if it cannot be made; the test then fails
   */
  protected TokenStore newStoreOnSameStorage(TokenStore store) throws Exception {
    return null;
  }

  /**
   * Damages the stored entry of {@code key} in the backing storage (a value that does not parse, a
   * truncated file), for the test that corrupt data reads as no token. The default skips that test.
   *
   * @param store the store holding the entry
   * @param key the entry to damage
   * @throws Exception if it cannot be damaged; the test then fails
   */
  protected void corrupt(TokenStore store, TokenKey key) throws Exception {
    Assumptions.abort("corrupt(store, key) is not implemented for this store");
  }

  /**
   * Leaves the refresh lock of {@code key} held in the backing storage with no lease, as a client
   * other than the SDK, or a bug, could (in Redis: {@code SET} of the lock key without {@code PX}),
   * for the test that such a lock is taken over rather than waited on forever. The default skips
   * that test: right for a store whose locks nothing but the store can take (an in-memory store, an
   * operating system's file lock).
   *
   * @param store the store whose lock to leave
   * @param key the key whose lock to leave
   * @throws Exception if it cannot be left; the test then fails
   */
  protected void leaveLockWithoutLease(TokenStore store, TokenKey key) throws Exception {
    Assumptions.abort("leaveLockWithoutLease(store, key) is not implemented for this store");
  }

  /**
   * Returns a store whose backing storage cannot be used (a server that is down, a path that cannot
   * be written), for the test that failures are {@link TokenStoreException}s without a token in the
   * message. The default skips that test.
   *
   * @return a store that fails
   * @throws Exception if it cannot be made; the test then fails
   */
  protected TokenStore newFailingStore() throws Exception {
    Assumptions.abort("newFailingStore() is not implemented for this store");
    return null;
  }

  /**
   * The lease the lease tests use, and the wait of the {@code maxWait} test. Default 300 ms;
   * lengthen it for a store whose lock takes long to acquire.
   *
   * @return a short positive duration
   */
  protected Duration shortLease() {
    return Duration.ofMillis(300);
  }

  /**
   * How many saves the atomicity test makes while other threads load. Default 300.
   *
   * @return a positive count
   */
  protected int atomicityRounds() {
    return 300;
  }

  /**
   * Whether the store keeps a token's {@linkplain AccessToken#issuedAt() issue time}. Default
   * false: a store written before issue times existed passes if it reads every token back as one of
   * unknown issue time (never a wrong one), and providers then apply the configured margins in
   * full. Stores that keep it (every store of this SDK) return true, and the contract checks that
   * they read it back exactly.
   *
   * @return whether issue times are kept
   */
  protected boolean keepsIssueTimes() {
    return false;
  }

  /**
   * Whether the store shares hold-offs ({@link TokenStore#saveHoldOff} and its siblings). Default
   * false: a store written before they existed passes with the SPI's defaults (nothing recorded,
   * nothing read). Stores that implement them (every store of this SDK) return true, and the
   * contract checks that a hold-off is read back, by another instance too, and cleared.
   *
   * @return whether hold-offs are shared
   */
  protected boolean sharesHoldOffs() {
    return false;
  }

  /**
   * Whether the store fences saves ({@link TokenStore#saveFenced} checks the lock). Default false:
   * a store written before the method existed passes with its default (an unchecked save). Stores
   * of this SDK return true, and the contract checks that a save through a lock that lapsed and was
   * taken by another holder is refused and changes nothing.
   *
   * @return whether saves are fenced
   */
  protected boolean fencesSaves() {
    return false;
  }

  /**
   * Whether the store tells subscribers of other instances' changes ({@link TokenStore#subscribe}
   * and {@link TokenStore#watch}). Default false: the SPI's defaults never notify, and providers
   * then see other instances' changes when their own token comes due. Stores that notify return
   * true, and the contract checks that a save and a delete made through another instance on the
   * same storage reach a watcher, through both methods, within {@link #notificationDelay()}.
   *
   * @return whether changes are notified
   */
  protected boolean notifiesChanges() {
    return false;
  }

  /**
   * The longest a change may take to reach a subscriber, for {@link #notifiesChanges()}. Default 10
   * s.
   *
   * @return the bound the store documents, with slack for a loaded machine
   */
  protected Duration notificationDelay() {
    return Duration.ofSeconds(10);
  }

  /** Closes the stores the test made and stops its threads. */
  @AfterEach
  protected void closeStores() {
    if (threads != null) {
      threads.shutdownNow();
      threads = null;
    }
    for (Object o : created) {
      if (o instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          // a store that fails to close is no failure of the contract
        }
      }
    }
    created.clear();
  }

  // --- helpers --------------------------------------------------------------------------------

  private TokenStore store() throws Exception {
    TokenStore s = newStore();
    if (s == null) {
      fail("newStore() returned null");
    }
    created.add(s);
    return s;
  }

  private TokenStore other(TokenStore store) throws Exception {
    TokenStore s = newStoreOnSameStorage(store);
    Assumptions.assumeTrue(s != null, "the store is not shared between instances");
    created.add(s);
    return s;
  }

  private static TokenKey newKey(String kind) {
    return TokenKey.of(
        "wxtck" + UUID.randomUUID().toString().replace("-", "").substring(0, 14), kind);
  }

  private static TokenKey newKey() {
    return newKey(TokenKey.ACCESS_TOKEN);
  }

  private static AccessToken token(String value, Duration life) {
    return AccessToken.of(value, Instant.now().plus(life).truncatedTo(ChronoUnit.SECONDS));
  }

  private static AccessToken token(String value) {
    return token(value, Duration.ofHours(2));
  }

  private static void assertSameToken(AccessToken expected, Optional<AccessToken> actual) {
    assertTrue(actual.isPresent(), "expected " + expected + " but the store had no token");
    assertEquals(expected.value(), actual.get().value(), "the value read back");
    assertEquals(expected.expiresAt(), actual.get().expiresAt(), "the expiry read back");
  }

  private <T> Future<T> async(java.util.concurrent.Callable<T> task) {
    if (threads == null) {
      threads =
          Executors.newCachedThreadPool(
              r -> {
                Thread t = new Thread(r, "token-store-contract");
                t.setDaemon(true);
                return t;
              });
    }
    return threads.submit(task);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.get(60, TimeUnit.SECONDS);
  }

  // --- load and save --------------------------------------------------------------------------

  @Test
  void anAbsentKeyReadsAsNoToken() throws Exception {
    assertEquals(Optional.empty(), store().load(newKey()));
  }

  @Test
  void aSavedTokenIsReadBackWithItsExpiry() throws Exception {
    TokenStore s = store();
    TokenKey key = newKey();
    AccessToken t = token("TCK_" + "a".repeat(150));
    s.save(key, t);
    assertSameToken(t, s.load(key));
  }

  @Test
  void aTokensIssueTimeIsReadBackWithItByThisInstanceAndAnother() throws Exception {
    TokenStore s = store();
    TokenKey key = newKey();
    Instant issued = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    AccessToken t = AccessToken.of("ISSUED_" + "i".repeat(60), issued, issued.plusSeconds(7200));
    s.save(key, t);
    List<Optional<AccessToken>> reads = new ArrayList<>();
    reads.add(s.load(key));
    TokenStore o = newStoreOnSameStorage(s);
    if (o != null) {
      created.add(o);
      reads.add(o.load(key));
    }
    for (Optional<AccessToken> read : reads) {
      assertSameToken(t, read);
      Optional<Instant> back = read.get().issuedAt();
      if (keepsIssueTimes()) {
        assertEquals(Optional.of(issued), back, "the issue time read back");
      } else {
        assertTrue(
            back.isEmpty() || back.get().equals(issued),
            "a store that does not keep issue times reads them as unknown, never wrong: " + back);
      }
    }
  }

  @Test
  void aTokenOfUnknownIssueTimeReadsBackAsOneOfUnknownIssueTime() throws Exception {
    TokenStore s = store();
    TokenKey key = newKey();
    AccessToken t = token("NO_ISSUE_TIME_" + "u".repeat(40));
    s.save(key, t);
    Optional<AccessToken> read = s.load(key);
    assertSameToken(t, read);
    assertEquals(Optional.empty(), read.get().issuedAt(), "no issue time was made up");
  }

  @Test
  void aHoldOffIsReadBackByEveryInstanceAndClearedOrNeverMadeUp() throws Exception {
    TokenStore s = store();
    TokenKey key = newKey();
    TokenStore.SharedHoldOff h =
        TokenStore.SharedHoldOff.of(
            3, Instant.now().plusSeconds(60).truncatedTo(ChronoUnit.MILLIS), 40125, "invalid: x");
    s.saveHoldOff(key, h);
    TokenStore o = newStoreOnSameStorage(s);
    if (o != null) {
      created.add(o);
    }
    for (TokenStore reader : o == null ? List.of(s) : List.of(s, o)) {
      Optional<TokenStore.SharedHoldOff> read = reader.loadHoldOff(key);
      if (sharesHoldOffs()) {
        assertEquals(Optional.of(h), read, "the hold-off read back");
      } else {
        assertTrue(read.isEmpty() || read.get().equals(h), "never a wrong hold-off: " + read);
      }
    }
    assertEquals(Optional.empty(), s.loadHoldOff(newKey()), "hold-offs are per key");
    s.clearHoldOff(key);
    assertEquals(Optional.empty(), s.loadHoldOff(key), "cleared");
    if (o != null) {
      assertEquals(Optional.empty(), o.loadHoldOff(key), "cleared for every instance");
    }
  }

  @Test
  void aFencedSaveThroughAHeldLockSavesAndOneThroughALapsedLockChangesNothing() throws Exception {
    TokenStore s = store();
    TokenKey key = newKey();
    AccessToken first = token("FENCED_FIRST_" + "f".repeat(30));
    try (TokenStore.RefreshLock held =
        s.tryLock(key, Duration.ofSeconds(30), Duration.ZERO).get()) {
      assertTrue(s.saveFenced(key, first, held), "saved through the held lock");
    }
    assertSameToken(first, s.load(key));

    TokenStore.RefreshLock stalled = s.tryLock(key, shortLease(), Duration.ZERO).orElseThrow();
    Optional<TokenStore.RefreshLock> next =
        s.tryLock(key, Duration.ofSeconds(30), shortLease().multipliedBy(20));
    assertTrue(next.isPresent(), "the next holder takes the lock once the lease lapsed");
    AccessToken second = token("FENCED_NEXT_" + "n".repeat(30));
    assertTrue(s.saveFenced(key, second, next.get()));
    AccessToken late = token("FENCED_LATE_" + "l".repeat(30));
    boolean lateSaved = s.saveFenced(key, late, stalled);
    if (fencesSaves()) {
      assertFalse(lateSaved, "the late save of the lapsed holder is refused");
      assertSameToken(second, s.load(key));
    }
    next.get().close();
    stalled.close();
  }

  @Test
  void saveReplacesTheEntry() throws Exception {
    TokenStore s = store();
    TokenKey key = newKey();
    s.save(key, token("FIRST_" + "a".repeat(100)));
    AccessToken second = token("SECOND_" + "b".repeat(20), Duration.ofMinutes(30));
    s.save(key, second);
    assertSameToken(second, s.load(key));
  }

  @Test
  void aTokenSavedByOneInstanceIsReadByAnother() throws Exception {
    TokenStore s = store();
    TokenStore o = other(s);
    TokenKey key = newKey();
    AccessToken t = token("SHARED_" + "c".repeat(120));
    s.save(key, t);
    assertSameToken(t, o.load(key));
  }

  @Test
  void anExpiredTokenReadsAsItselfOrAsNoToken() throws Exception {
    TokenStore s = store();
    TokenKey key = newKey();
    AccessToken expired =
        AccessToken.of(
            "EXPIRED_TOKEN", Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.SECONDS));
    s.save(key, expired);
    Optional<AccessToken> read = s.load(key);
    if (read.isPresent()) {
      assertSameToken(expired, read);
    }
  }

  @Test
  void concurrentLoadsSeeTheOldEntryOrTheNewOneNeverAMix() throws Exception {
    TokenStore s = store();
    TokenStore o = newStoreOnSameStorage(s);
    if (o != null) {
      created.add(o);
    }
    TokenKey key = newKey();
    AccessToken a = token("A".repeat(1500), Duration.ofHours(2));
    AccessToken b = token("B".repeat(40), Duration.ofMinutes(10));
    s.save(key, a);
    AtomicBoolean done = new AtomicBoolean();
    List<TokenStore> readers = o == null ? List.of(s, s) : List.of(s, o);
    List<Future<Integer>> reads = new ArrayList<>();
    for (TokenStore r : readers) {
      reads.add(
          async(
              () -> {
                int n = 0;
                do {
                  Optional<AccessToken> seen = r.load(key);
                  assertTrue(seen.isPresent(), "an entry vanished while being replaced");
                  AccessToken t = seen.get();
                  boolean isA = t.value().equals(a.value()) && t.expiresAt().equals(a.expiresAt());
                  boolean isB = t.value().equals(b.value()) && t.expiresAt().equals(b.expiresAt());
                  assertTrue(isA || isB, "a mix of two saves was read: " + t);
                  n++;
                } while (!done.get());
                return n;
              }));
    }
    try {
      for (int i = 0; i < atomicityRounds(); i++) {
        s.save(key, i % 2 == 0 ? b : a);
      }
    } finally {
      done.set(true);
    }
    for (Future<Integer> f : reads) {
      assertTrue(await(f) > 0);
    }
  }

  // --- compare-and-delete ---------------------------------------------------------------------

  @Test
  void deleteIfValueDeletesTheEntryHoldingThatValue() throws Exception {
    TokenStore s = store();
    TokenKey key = newKey();
    AccessToken t = token("DELETE_ME_" + "d".repeat(50));
    s.save(key, t);
    assertTrue(s.deleteIfValue(key, t.value()));
    assertEquals(Optional.empty(), s.load(key));
    assertFalse(s.deleteIfValue(key, t.value()), "nothing left to delete");
  }

  @Test
  void deleteIfValueKeepsANewerToken() throws Exception {
    TokenStore s = store();
    TokenKey key = newKey();
    AccessToken old = token("OLD_" + "o".repeat(60));
    AccessToken newer = token("NEW_" + "n".repeat(60));
    s.save(key, old);
    s.save(key, newer);
    assertFalse(s.deleteIfValue(key, old.value()));
    assertSameToken(newer, s.load(key));
  }

  @Test
  void deleteIfValueComparesTheWholeValue() throws Exception {
    TokenStore s = store();
    TokenKey key = newKey();
    AccessToken t = token("PREFIX_AND_MORE");
    s.save(key, t);
    assertFalse(s.deleteIfValue(key, "PREFIX"), "a prefix is not the value");
    assertFalse(s.deleteIfValue(key, "PREFIX_AND_MORE_AND_MORE"), "nor is a longer one");
    assertFalse(s.deleteIfValue(key, "prefix_and_more"), "nor another case");
    assertSameToken(t, s.load(key));
  }

  @Test
  void anotherInstanceKeepsANewerTokenWhenDeletingAnOldOne() throws Exception {
    TokenStore s = store();
    TokenStore o = other(s);
    TokenKey key = newKey();
    AccessToken old = token("OLD_" + "x".repeat(30));
    AccessToken newer = token("NEW_" + "y".repeat(30));
    o.save(key, old);
    s.save(key, newer);
    assertFalse(o.deleteIfValue(key, old.value()));
    assertSameToken(newer, o.load(key));
    assertTrue(o.deleteIfValue(key, newer.value()));
    assertEquals(Optional.empty(), s.load(key));
  }

  // --- keys -------------------------------------------------------------------------------------

  @Test
  void entriesAreIndependentPerKey() throws Exception {
    TokenStore s = store();
    TokenKey a = newKey(TokenKey.ACCESS_TOKEN);
    TokenKey sameAppOtherKind = TokenKey.of(a.appId(), TokenKey.JSAPI_TICKET);
    TokenKey otherApp = newKey(TokenKey.ACCESS_TOKEN);
    AccessToken ta = token("TOKEN_FOR_A");
    AccessToken tk = token("TICKET_FOR_A");
    AccessToken to = token("TOKEN_FOR_OTHER");
    s.save(a, ta);
    s.save(sameAppOtherKind, tk);
    s.save(otherApp, to);
    assertTrue(s.deleteIfValue(a, ta.value()));
    assertEquals(Optional.empty(), s.load(a));
    assertSameToken(tk, s.load(sameAppOtherKind));
    assertSameToken(to, s.load(otherApp));
    assertFalse(s.deleteIfValue(otherApp, tk.value()), "a value of another key deletes nothing");
  }

  @Test
  void locksAreIndependentPerKey() throws Exception {
    TokenStore s = store();
    TokenKey a = newKey();
    TokenKey b = TokenKey.of(a.appId(), TokenKey.JSAPI_TICKET);
    try (RefreshLock la = s.tryLock(a, Duration.ofSeconds(30), Duration.ZERO).orElseThrow()) {
      Optional<RefreshLock> lb =
          await(async(() -> s.tryLock(b, Duration.ofSeconds(30), Duration.ZERO)));
      assertTrue(lb.isPresent(), "another key's lock is free while " + la + " is held");
      lb.get().close();
    }
  }

  // --- the refresh lock ---------------------------------------------------------------------

  @Test
  void aHeldLockExcludesOtherThreadsUntilClosed() throws Exception {
    TokenStore s = store();
    TokenKey key = newKey();
    RefreshLock held = s.tryLock(key, Duration.ofSeconds(30), Duration.ZERO).orElseThrow();
    assertEquals(
        Optional.empty(),
        await(async(() -> s.tryLock(key, Duration.ofSeconds(30), Duration.ZERO))).map(l -> l));
    held.close();
    Optional<RefreshLock> next =
        await(async(() -> s.tryLock(key, Duration.ofSeconds(30), Duration.ZERO)));
    assertTrue(next.isPresent(), "free once closed");
    next.get().close();
  }

  @Test
  void aHeldLockExcludesAnotherInstanceOnTheSameStorage() throws Exception {
    TokenStore s = store();
    TokenStore o = other(s);
    TokenKey key = newKey();
    RefreshLock held = s.tryLock(key, Duration.ofSeconds(30), Duration.ZERO).orElseThrow();
    assertEquals(
        Optional.empty(),
        await(async(() -> o.tryLock(key, Duration.ofSeconds(30), Duration.ZERO))).map(l -> l));
    held.close();
    Optional<RefreshLock> next =
        await(async(() -> o.tryLock(key, Duration.ofSeconds(30), Duration.ofSeconds(10))));
    assertTrue(next.isPresent(), "free for the other instance once closed");
    next.get().close();
  }

  @Test
  void contendingThreadsAndInstancesNeverHoldTheLockTogether() throws Exception {
    TokenStore s = store();
    TokenStore o = newStoreOnSameStorage(s);
    if (o != null) {
      created.add(o);
    }
    TokenKey key = newKey();
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger entered = new AtomicInteger();
    List<Future<Void>> workers = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      TokenStore mine = (w % 2 == 1 && o != null) ? o : s;
      workers.add(
          async(
              () -> {
                for (int i = 0; i < 5; i++) {
                  RefreshLock lock =
                      mine.tryLock(key, Duration.ofSeconds(30), Duration.ofSeconds(30))
                          .orElseThrow(() -> new AssertionError("no lock within 30 s"));
                  try {
                    assertEquals(1, inside.incrementAndGet(), "two holders at once");
                    entered.incrementAndGet();
                    for (int spin = 0; spin < 1000; spin++) {
                      Thread.onSpinWait();
                    }
                    inside.decrementAndGet();
                  } finally {
                    lock.close();
                  }
                }
                return null;
              }));
    }
    for (Future<Void> f : workers) {
      await(f);
    }
    assertEquals(20, entered.get());
  }

  @Test
  void closingALockTwiceIsHarmless() throws Exception {
    TokenStore s = store();
    TokenKey key = newKey();
    RefreshLock lock = s.tryLock(key, Duration.ofSeconds(30), Duration.ZERO).orElseThrow();
    lock.close();
    lock.close();
    RefreshLock again = s.tryLock(key, Duration.ofSeconds(30), Duration.ZERO).orElseThrow();
    lock.close(); // the first holder's stale close must not release the second lock
    assertEquals(
        Optional.empty(),
        await(async(() -> s.tryLock(key, Duration.ofSeconds(30), Duration.ZERO))).map(l -> l));
    again.close();
  }

  @Test
  void aLockLeftWithoutALeaseIsTakenOverRatherThanWaitedOnForever() throws Exception {
    TokenStore s = store();
    TokenKey key = newKey();
    leaveLockWithoutLease(s, key);
    Optional<RefreshLock> taken =
        await(async(() -> s.tryLock(key, Duration.ofSeconds(30), Duration.ZERO)));
    assertTrue(taken.isPresent(), "a lock no lease would ever end is stale: taken over at once");
    assertEquals(
        Optional.empty(),
        await(async(() -> s.tryLock(key, Duration.ofSeconds(30), Duration.ZERO))).map(l -> l),
        "the lock taken over is a lock like any other: it excludes others while held");
    taken.get().close();
    await(async(() -> s.tryLock(key, Duration.ofSeconds(30), Duration.ZERO)))
        .orElseThrow(() -> new AssertionError("released by its close"))
        .close();
  }

  @Test
  @Tag("slow")
  void aLapsedLeaseFreesTheLockAndTheLateCloseLeavesTheNextHolderAlone() throws Exception {
    TokenStore s = store();
    TokenKey key = newKey();
    RefreshLock lapsing = s.tryLock(key, shortLease(), Duration.ZERO).orElseThrow();
    Optional<RefreshLock> next =
        await(async(() -> s.tryLock(key, Duration.ofSeconds(30), Duration.ofSeconds(30))));
    assertTrue(next.isPresent(), "the lock is free once its lease lapsed");
    lapsing.close();
    assertEquals(
        Optional.empty(),
        await(async(() -> s.tryLock(key, Duration.ofSeconds(30), Duration.ZERO))).map(l -> l),
        "the lapsed holder's close released its successor's lock");
    next.get().close();
  }

  @Test
  @Tag("slow")
  void aLapsedLeaseFreesTheLockForAnotherInstance() throws Exception {
    TokenStore s = store();
    TokenStore o = other(s);
    TokenKey key = newKey();
    RefreshLock lapsing = s.tryLock(key, shortLease(), Duration.ZERO).orElseThrow();
    Optional<RefreshLock> next =
        await(async(() -> o.tryLock(key, Duration.ofSeconds(30), Duration.ofSeconds(30))));
    assertTrue(next.isPresent(), "the other instance gets the lock once the lease lapsed");
    lapsing.close();
    next.get().close();
  }

  @Test
  @Tag("slow")
  void maxWaitBoundsTheWait() throws Exception {
    TokenStore s = store();
    TokenKey key = newKey();
    try (RefreshLock held = s.tryLock(key, Duration.ofSeconds(60), Duration.ZERO).orElseThrow()) {
      long start = System.nanoTime();
      Optional<RefreshLock> none =
          await(async(() -> s.tryLock(key, Duration.ofSeconds(30), shortLease())));
      long waited = System.nanoTime() - start;
      assertEquals(Optional.empty(), none.map(l -> l), "not while " + held + " is held");
      // Only a loose upper bound: the machine may be slow, but a wait must end.
      assertTrue(
          waited < shortLease().toNanos() + TimeUnit.SECONDS.toNanos(20),
          "waited " + waited / 1_000_000 + " ms for a maxWait of " + shortLease());
    }
  }

  @Test
  @Tag("slow")
  void aWaiterGetsTheLockWhenItIsReleasedWithinMaxWait() throws Exception {
    TokenStore s = store();
    TokenKey key = newKey();
    RefreshLock held = s.tryLock(key, Duration.ofSeconds(60), Duration.ZERO).orElseThrow();
    CountDownLatch waiting = new CountDownLatch(1);
    Future<Optional<RefreshLock>> waiter =
        async(
            () -> {
              waiting.countDown();
              return s.tryLock(key, Duration.ofSeconds(30), Duration.ofSeconds(30));
            });
    waiting.await();
    Thread.sleep(shortLease().toMillis()); // let it start waiting: the point is that it waits
    held.close();
    Optional<RefreshLock> got = await(waiter);
    assertTrue(got.isPresent(), "the waiter got the released lock");
    got.get().close();
  }

  @Test
  void aZeroWaitIsASingleAttempt() throws Exception {
    TokenStore s = store();
    TokenKey key = newKey();
    Optional<RefreshLock> free = s.tryLock(key, Duration.ofSeconds(30), Duration.ZERO);
    assertTrue(free.isPresent(), "a free lock is taken with no wait");
    long start = System.nanoTime();
    Optional<RefreshLock> none =
        await(async(() -> s.tryLock(key, Duration.ofSeconds(30), Duration.ZERO)));
    long took = System.nanoTime() - start;
    assertEquals(Optional.empty(), none.map(l -> l));
    assertTrue(
        took < TimeUnit.SECONDS.toNanos(10),
        "one attempt, no waiting: took " + took / 1_000_000 + " ms");
    free.get().close();
  }

  @Test
  void anInterruptedWaiterGetsInterruptedExceptionAndHoldsNothing() throws Exception {
    TokenStore s = store();
    TokenKey key = newKey();
    RefreshLock held = s.tryLock(key, Duration.ofSeconds(60), Duration.ZERO).orElseThrow();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Future<?> waiter =
        async(
            () -> {
              Thread.currentThread().interrupt();
              try {
                s.tryLock(key, Duration.ofSeconds(30), Duration.ofSeconds(30))
                    .ifPresent(RefreshLock::close);
              } catch (Throwable t) {
                thrown.set(t);
              }
              return null;
            });
    await(waiter);
    assertTrue(
        thrown.get() instanceof InterruptedException,
        "expected InterruptedException, got " + thrown.get());
    held.close();
    Optional<RefreshLock> next = s.tryLock(key, Duration.ofSeconds(30), Duration.ZERO);
    assertTrue(next.isPresent(), "the interrupted waiter left no lock behind");
    next.get().close();
  }

  @Test
  void lockArgumentsAreCheckedAsEveryStoreMust() throws Exception {
    TokenStore s = store();
    TokenKey key = newKey();
    Duration d = Duration.ofSeconds(1);
    assertEquals(
        "key", assertThrows(NullPointerException.class, () -> s.tryLock(null, d, d)).getMessage());
    assertEquals(
        "lease",
        assertThrows(NullPointerException.class, () -> s.tryLock(key, null, d)).getMessage());
    assertEquals(
        "maxWait",
        assertThrows(NullPointerException.class, () -> s.tryLock(key, d, null)).getMessage());
    assertEquals(
        "lease must be positive",
        assertThrows(IllegalArgumentException.class, () -> s.tryLock(key, Duration.ZERO, d))
            .getMessage());
    assertEquals(
        "lease must be positive",
        assertThrows(IllegalArgumentException.class, () -> s.tryLock(key, d.negated(), d))
            .getMessage());
    assertEquals(
        "maxWait must not be negative",
        assertThrows(IllegalArgumentException.class, () -> s.tryLock(key, d, d.negated()))
            .getMessage());
    Optional<RefreshLock> free = s.tryLock(key, d, Duration.ZERO);
    assertTrue(free.isPresent(), "refused arguments took no lock");
    free.get().close();
  }

  @Test
  void nullArgumentsAreRefusedWithNullPointerException() throws Exception {
    TokenStore s = store();
    TokenKey key = newKey();
    assertThrows(NullPointerException.class, () -> s.load(null));
    assertThrows(NullPointerException.class, () -> s.save(null, token("T")));
    assertThrows(NullPointerException.class, () -> s.save(key, null));
    assertThrows(NullPointerException.class, () -> s.deleteIfValue(null, "T"));
    assertThrows(NullPointerException.class, () -> s.deleteIfValue(key, null));
    assertEquals(Optional.empty(), s.load(key), "nothing was stored");
  }

  // --- subscriptions --------------------------------------------------------------------------

  @Test
  void aSubscriptionCanBeClosedTwice() throws Exception {
    TokenStore s = store();
    TokenStore.Subscription sub = s.subscribe(newKey(), () -> {});
    sub.close();
    sub.close();
  }

  @Test
  void aWatchCanBeClosedTwice() throws Exception {
    TokenStore s = store();
    TokenStore.Subscription sub = s.watch(newKey(), () -> {});
    sub.close();
    sub.close();
  }

  @Test
  void anotherInstancesSaveAndDeleteReachSubscribersAndWatchers() throws Exception {
    Assumptions.assumeTrue(notifiesChanges(), "the store does not notify changes");
    TokenStore s = store();
    TokenStore o = other(s);
    TokenKey key = newKey();
    BlockingQueue<String> heard = new LinkedBlockingQueue<>();
    long waitMillis = notificationDelay().toMillis();
    TokenStore.Subscription a = s.subscribe(key, () -> heard.add("subscribe"));
    TokenStore.Subscription b =
        s.watch(
            key,
            new TokenStore.ChangeListener() {
              @Override
              public void onChange() {
                heard.add("watch");
              }
            });
    try {
      awaitHeard(o, key, heard, waitMillis, () -> o.save(key, token("NOTIFIED_SAVE")));
      awaitHeard(o, key, heard, waitMillis, () -> o.deleteIfValue(key, "NOTIFIED_SAVE"));
    } finally {
      a.close();
      b.close();
    }
  }

  /**
   * Makes the change (again, while nothing is heard: a store may only start listening some time
   * after the subscription was made) until both the subscriber and the watcher heard of it.
   */
  private void awaitHeard(
      TokenStore o, TokenKey key, BlockingQueue<String> heard, long waitMillis, Runnable change)
      throws InterruptedException {
    Set<String> got = new HashSet<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
    while (got.size() < 2 && System.nanoTime() < deadline) {
      if (got.isEmpty()) {
        change.run();
      }
      String h = heard.poll(200, TimeUnit.MILLISECONDS);
      if (h != null) {
        got.add(h);
      }
    }
    assertEquals(Set.of("subscribe", "watch"), got, "both were told of the change of " + key);
    heard.clear();
  }

  // --- corrupt data and failures ------------------------------------------------------------

  @Test
  void corruptDataReadsAsNoTokenAndTheNextSaveRepairsIt() throws Exception {
    TokenStore s = store();
    TokenKey key = newKey();
    s.save(key, token("BEFORE_CORRUPTION"));
    corrupt(s, key);
    assertEquals(Optional.empty(), s.load(key), "a corrupt entry reads as no token");
    assertFalse(s.deleteIfValue(key, "BEFORE_CORRUPTION"));
    AccessToken repaired = token("AFTER_REPAIR");
    s.save(key, repaired);
    assertSameToken(repaired, s.load(key));
  }

  @Test
  void failuresAreTokenStoreExceptionsThatNeverContainAToken() throws Exception {
    TokenStore s = newFailingStore();
    created.add(s);
    TokenKey key = newKey();
    AccessToken t = token("SECRET_TOKEN_VALUE_" + "z".repeat(60));
    List<TokenStoreException> failures = new ArrayList<>();
    failures.add(assertThrows(TokenStoreException.class, () -> s.save(key, t)));
    failures.add(assertThrows(TokenStoreException.class, () -> s.load(key)));
    failures.add(assertThrows(TokenStoreException.class, () -> s.deleteIfValue(key, t.value())));
    failures.add(
        assertThrows(
            TokenStoreException.class, () -> s.tryLock(key, Duration.ofSeconds(1), Duration.ZERO)));
    for (TokenStoreException e : failures) {
      for (Throwable c = e; c != null; c = c.getCause()) {
        String m = String.valueOf(c.getMessage());
        assertFalse(m.contains(t.value()) || m.contains("SECRET_TOKEN_VALUE"), "a token in: " + m);
      }
      assertFalse(String.valueOf(e.getMessage()).isBlank(), "the message names the storage");
    }
  }

  // --- providers over the store ---------------------------------------------------------------

  @Test
  void aHerdOfProvidersOverTheStoreMakesOneFetch() throws Exception {
    TokenStore s = store();
    TokenStore o = newStoreOnSameStorage(s);
    if (o != null) {
      created.add(o);
    }
    String appId = newKey().appId();
    try (WeChatStandIn wechat = WeChatStandIn.builder().appId(appId).appSecret(SECRET).start()) {
      List<AccessTokenProvider> herd = new ArrayList<>();
      try {
        for (int i = 0; i < 8; i++) {
          herd.add(
              AccessTokenProvider.builder()
                  .appId(appId)
                  .appSecret(SECRET)
                  .apiBaseUrl(wechat.baseUrl())
                  .store(i % 2 == 1 && o != null ? o : s)
                  .build());
        }
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> got = new ArrayList<>();
        for (AccessTokenProvider p : herd) {
          got.add(
              async(
                  () -> {
                    go.await();
                    return p.get().value();
                  }));
        }
        go.countDown();
        Set<String> values = ConcurrentHashMap.newKeySet();
        for (Future<String> f : got) {
          values.add(await(f));
        }
        assertEquals(1, values.size(), "every provider got the same token");
        assertEquals(1, wechat.tokenRequests(), "one fetch for the whole herd");
      } finally {
        herd.forEach(AccessTokenProvider::close);
      }
    }
  }
}

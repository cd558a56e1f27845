package io.github.wechatmp.store.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.open.Authorization;
import io.github.wechatmp.open.Authorization.State;
import io.github.wechatmp.open.AuthorizationStore;
import io.github.wechatmp.open.AuthorizationStoreException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The promises of {@link AuthorizationStore}'s Javadoc as tests. A store's test class extends this
 * class and supplies stores with {@link #newStore()}; the optional hooks it overrides unlock the
 * tests of sharing, damage and outages:
 *
 * <pre>{@code
 * class JdbcAuthorizationStoreTest extends AuthorizationStoreContract {
 *   @Override
 *   protected AuthorizationStore newStore() {
 *     return new JdbcAuthorizationStore(dataSource, "t_" + UUID.randomUUID().toString().replace("-", ""));
 *   }
 * }
 * }</pre>
 *
 * What it checks: an account never saved reads as empty; a saved record reads back whole, from this
 * instance and from another on the same storage; a save replaces only a record of the same or an
 * earlier {@code updatedAt}, and an older one changes nothing and says so; concurrent saves of one
 * account from many threads and instances leave the latest version, and readers meanwhile see only
 * whole versions; a revoked authorization is kept; pages visit every record exactly once; counts
 * cover every state; arguments are checked; a damaged record and an unreachable storage are {@link
 * AuthorizationStoreException}s; and no message or {@code toString()} holds a refresh token.
 *
 * <p>Tests that need a hook the subclass does not supply are skipped (aborted), not passed.
 */
public abstract class AuthorizationStoreContract {
  private static final Instant T0 = Instant.parse("2026-12-01T08:00:00Z");

  private final List<Object> created = new ArrayList<>();

  /** For subclasses. */
  protected AuthorizationStoreContract() {}

  /**
   * Returns a store on empty storage of its own (a new table, a new directory): the tests of paging
   * and counting see only what they saved. Stores that are {@link AutoCloseable} are closed after
   * each test.
   *
   * @return a new, empty store
   * @throws Exception if it cannot be made; the test then fails
   */
  protected abstract AuthorizationStore newStore() throws Exception;

  /**
   * Returns another instance over the same storage as {@code store}, as another process or host
   * would have. The default returns null, which skips the tests of sharing: right only for a store
   * no other instance can see (in memory).
   *
   * @param store a store made by {@link #newStore()}
   * @return another instance on the same storage, or null
   * @throws Exception if it cannot be made; the test then fails
   */
  protected AuthorizationStore newStoreOnSameStorage(AuthorizationStore store) throws Exception {
    return null;
  }

  /**
   * Damages the stored record of {@code authorizerAppId} in the backing storage (a value that does
   * not parse). The default skips the test of damaged records.
   *
   * @param store the store holding the record
   * @param authorizerAppId the record to damage
   * @throws Exception if it cannot be damaged; the test then fails
   */
  protected void damage(AuthorizationStore store, String authorizerAppId) throws Exception {
    Assumptions.abort("damage(store, appId) is not implemented for this store");
  }

  /**
   * Returns a store whose storage cannot be reached (a database that is down). The default skips
   * the test of outages.
   *
   * @return a store that fails every call
   * @throws Exception if it cannot be made; the test then fails
   */
  protected AuthorizationStore unreachableStore() throws Exception {
    Assumptions.abort("unreachableStore() is not implemented for this store");
    return null;
  }

  @AfterEach
  void closeCreated() throws Exception {
    for (Object o : created) {
      if (o instanceof AutoCloseable c) {
        c.close();
      }
    }
    created.clear();
  }

  private AuthorizationStore store() throws Exception {
    AuthorizationStore s = newStore();
    created.add(s);
    return s;
  }

  private AuthorizationStore sameStorage(AuthorizationStore store) throws Exception {
    AuthorizationStore other = newStoreOnSameStorage(store);
    Assumptions.assumeTrue(other != null, "this store cannot be shared between instances");
    created.add(other);
    return other;
  }

  private static String appId() {
    return "wx" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  }

  private static String refreshToken(int version) {
    return "refreshtoken@" + version + "@" + UUID.randomUUID().toString().replace("-", "");
  }

  private static Authorization version(String appId, int version) {
    return new Authorization(
        appId,
        refreshToken(version),
        List.of(1, 15, version),
        T0,
        State.AUTHORIZED,
        T0.plusMillis(version));
  }

  @Test
  void anAccountNeverSavedReadsAsEmpty() throws Exception {
    assertEquals(Optional.empty(), store().find(appId()));
  }

  @Test
  void aSavedRecordReadsBackWholeWithEveryField() throws Exception {
    AuthorizationStore store = store();
    Authorization a =
        new Authorization(
            appId(),
            refreshToken(1),
            List.of(1, 2, 3, 15, 24),
            T0.minusSeconds(3600),
            State.AUTHORIZED,
            T0);
    assertTrue(store.save(a));
    assertEquals(Optional.of(a), store.find(a.authorizerAppId()));
  }

  @Test
  void aRecordWithNoFunctionIdsReadsBackWithNone() throws Exception {
    AuthorizationStore store = store();
    Authorization a = Authorization.authorized(appId(), refreshToken(1), List.of(), T0);
    assertTrue(store.save(a));
    assertEquals(List.of(), store.find(a.authorizerAppId()).orElseThrow().functionIds());
  }

  @Test
  void aLaterSaveReplacesTheRecord() throws Exception {
    AuthorizationStore store = store();
    String id = appId();
    assertTrue(store.save(version(id, 1)));
    Authorization later = version(id, 2);
    assertTrue(store.save(later));
    assertEquals(Optional.of(later), store.find(id));
  }

  @Test
  void aSaveWithTheSameUpdatedAtReplacesTheRecord() throws Exception {
    AuthorizationStore store = store();
    String id = appId();
    assertTrue(store.save(version(id, 5)));
    Authorization same = version(id, 5).withRefreshToken(refreshToken(5), T0.plusMillis(5));
    assertTrue(store.save(same));
    assertEquals(Optional.of(same), store.find(id));
  }

  @Test
  void anOlderSaveChangesNothingAndSaysSo() throws Exception {
    AuthorizationStore store = store();
    String id = appId();
    Authorization newer = version(id, 7);
    assertTrue(store.save(newer));
    assertFalse(store.save(version(id, 6)), "an older version must not be stored");
    assertEquals(Optional.of(newer), store.find(id));
  }

  @Test
  void aRevokedAuthorizationIsKeptNotDeleted() throws Exception {
    AuthorizationStore store = store();
    String id = appId();
    Authorization a = version(id, 1);
    store.save(a);
    Authorization revoked = a.withState(State.REVOKED, T0.plusSeconds(60));
    assertTrue(store.save(revoked));
    assertEquals(Optional.of(revoked), store.find(id));
    assertEquals(List.of(revoked), store.list(null, 10));
  }

  @Test
  void anotherInstanceOnTheSameStorageSeesEverySave() throws Exception {
    AuthorizationStore one = store();
    AuthorizationStore two = sameStorage(one);
    String id = appId();
    Authorization first = version(id, 1);
    one.save(first);
    assertEquals(Optional.of(first), two.find(id));
    Authorization later = version(id, 2);
    assertTrue(two.save(later));
    assertEquals(Optional.of(later), one.find(id));
    assertFalse(one.save(version(id, 1)), "an older version from another instance must lose");
    assertEquals(Optional.of(later), two.find(id));
  }

  @Test
  void concurrentSavesOfOneAccountLeaveTheLatestVersionAndReadersSeeOnlyWholeOnes()
      throws Exception {
    AuthorizationStore one = store();
    AuthorizationStore other = newStoreOnSameStorage(one);
    if (other != null) {
      created.add(other);
    }
    AuthorizationStore[] stores =
        other == null ? new AuthorizationStore[] {one} : new AuthorizationStore[] {one, other};
    String id = appId();
    int threads = 8;
    int versionsEach = 25;
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    ConcurrentLinkedQueue<String> torn = new ConcurrentLinkedQueue<>();
    AtomicBoolean writing = new AtomicBoolean(true);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> writers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int first = t;
        AuthorizationStore store = stores[t % stores.length];
        writers.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < versionsEach; i++) {
                    store.save(version(id, 1 + first + i * threads));
                  }
                  return null;
                }));
      }
      Future<?> reader =
          pool.submit(
              () -> {
                start.await();
                while (writing.get()) {
                  Optional<Authorization> seen = stores[stores.length - 1].find(id);
                  seen.ifPresent(
                      a -> {
                        // A whole version: its token, ids and updatedAt all name one version.
                        int v = a.functionIds().get(2);
                        boolean whole =
                            a.refreshToken().startsWith("refreshtoken@" + v + "@")
                                && a.updatedAt().equals(T0.plusMillis(v));
                        if (!whole) {
                          torn.add(a.toString());
                        }
                      });
                }
                return null;
              });
      start.countDown();
      for (Future<?> w : writers) {
        w.get(120, TimeUnit.SECONDS);
      }
      writing.set(false);
      reader.get(60, TimeUnit.SECONDS);
    } finally {
      writing.set(false);
      pool.shutdownNow();
    }
    assertEquals(List.of(), List.copyOf(torn), "readers saw records mixed from two saves");
    int latest = threads * versionsEach;
    Authorization stored = one.find(id).orElseThrow();
    assertEquals(T0.plusMillis(latest), stored.updatedAt(), "the latest version must win");
    assertEquals(latest, stored.functionIds().get(2));
  }

  @Test
  void pagesVisitEveryRecordExactlyOnceInOrder() throws Exception {
    AuthorizationStore store = store();
    Set<String> saved = new HashSet<>();
    for (int i = 0; i < 23; i++) {
      String id = appId();
      saved.add(id);
      store.save(version(id, 1));
    }
    List<String> visited = new ArrayList<>();
    String after = null;
    while (true) {
      List<Authorization> page = store.list(after, 5);
      assertTrue(page.size() <= 5, "a page holds at most the limit");
      for (Authorization a : page) {
        visited.add(a.authorizerAppId());
      }
      if (page.size() < 5) {
        break;
      }
      after = page.get(page.size() - 1).authorizerAppId();
    }
    assertEquals(saved, new HashSet<>(visited), "every record, and only those saved");
    assertEquals(saved.size(), visited.size(), "no record twice");
    List<String> sorted = new ArrayList<>(visited);
    sorted.sort(null);
    assertEquals(sorted, visited, "in the order of the AppIDs");
  }

  @Test
  void anEmptyStoreListsNothingAndCountsZeroForEveryState() throws Exception {
    AuthorizationStore store = store();
    assertEquals(List.of(), store.list(null, AuthorizationStore.MAX_PAGE));
    assertEquals(
        Map.of(State.AUTHORIZED, 0L, State.NEEDS_REAUTHORIZATION, 0L, State.REVOKED, 0L),
        store.countByState());
  }

  @Test
  void countsCoverEveryState() throws Exception {
    AuthorizationStore store = store();
    for (int i = 0; i < 3; i++) {
      store.save(version(appId(), 1));
    }
    store.save(version(appId(), 1).withState(State.REVOKED, T0.plusSeconds(1)));
    store.save(version(appId(), 1).withState(State.NEEDS_REAUTHORIZATION, T0.plusSeconds(1)));
    assertEquals(
        Map.of(State.AUTHORIZED, 3L, State.NEEDS_REAUTHORIZATION, 1L, State.REVOKED, 1L),
        store.countByState());
  }

  @Test
  void argumentsAreChecked() throws Exception {
    AuthorizationStore store = store();
    assertThrows(NullPointerException.class, () -> store.find(null));
    assertThrows(IllegalArgumentException.class, () -> store.find(""));
    assertThrows(IllegalArgumentException.class, () -> store.find("wx/../../etc"));
    assertThrows(NullPointerException.class, () -> store.save(null));
    assertThrows(IllegalArgumentException.class, () -> store.list(null, 0));
    assertThrows(
        IllegalArgumentException.class, () -> store.list(null, AuthorizationStore.MAX_PAGE + 1));
    assertThrows(IllegalArgumentException.class, () -> store.list("bad id", 10));
  }

  @Test
  void aDamagedRecordIsALoudFailureNamingTheAccountWithoutTheToken() throws Exception {
    AuthorizationStore store = store();
    String id = appId();
    Authorization a = version(id, 1);
    store.save(a);
    damage(store, id);
    AuthorizationStoreException e =
        assertThrows(AuthorizationStoreException.class, () -> store.find(id));
    assertTrue(e.getMessage().contains(id), "the message names the account: " + e.getMessage());
    assertNoSecret(e, a.refreshToken());
    assertThrows(AuthorizationStoreException.class, () -> store.list(null, 10));
  }

  @Test
  void anUnreachableStorageIsAFailureThatHoldsNoToken() throws Exception {
    AuthorizationStore store = unreachableStore();
    created.add(store);
    Authorization a = version(appId(), 1);
    assertNoSecret(
        assertThrows(AuthorizationStoreException.class, () -> store.save(a)), a.refreshToken());
    assertThrows(AuthorizationStoreException.class, () -> store.find(a.authorizerAppId()));
    assertThrows(AuthorizationStoreException.class, () -> store.list(null, 10));
    assertThrows(AuthorizationStoreException.class, store::countByState);
  }

  @Test
  void noToStringHoldsTheRefreshToken() throws Exception {
    AuthorizationStore store = store();
    Authorization a = version(appId(), 1);
    store.save(a);
    assertFalse(a.toString().contains(a.refreshToken()), a.toString());
    assertFalse(store.toString().contains(a.refreshToken()), store.toString());
  }

  private static void assertNoSecret(Throwable e, String secret) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertFalse(
          String.valueOf(t.getMessage()).contains(secret),
          "a message holds the refresh token: " + t);
      for (Throwable s : t.getSuppressed()) {
        assertNoSecret(s, secret);
      }
    }
  }
}

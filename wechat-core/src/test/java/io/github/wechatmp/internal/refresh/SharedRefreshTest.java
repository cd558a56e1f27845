package io.github.wechatmp.internal.refresh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import io.github.wechatmp.token.TokenUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The shared-refresh protocol, step by step as {@link TokenStore} numbers it, run synchronously on
 * the test's thread against a store that records what it was asked.
 */
class SharedRefreshTest {
  private static final TokenKey KEY = TokenKey.of("wx0123456789abcdef", TokenKey.ACCESS_TOKEN);

  private static final Instant NOW = Instant.parse("2026-11-24T08:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private final List<String> calls = new ArrayList<>();
  private final List<String> hostCalls = new ArrayList<>();
  private final InMemoryTokenStore backing = new InMemoryTokenStore();
  private Runnable whenLocked = () -> {};
  private int fetches;

  private static AccessToken token(String value, long secondsLeft) {
    return AccessToken.of(value + "-0123456789abcdef", NOW.plusSeconds(secondsLeft));
  }

  private final TokenStore store =
      new TokenStore() {
        @Override
        public Optional<AccessToken> load(TokenKey key) {
          calls.add("load");
          return backing.load(key);
        }

        @Override
        public void save(TokenKey key, AccessToken token) {
          calls.add("save");
          backing.save(key, token);
        }

        @Override
        public boolean deleteIfValue(TokenKey key, String expectedValue) {
          return backing.deleteIfValue(key, expectedValue);
        }

        @Override
        public Optional<RefreshLock> tryLock(TokenKey key, Duration lease, Duration maxWait)
            throws InterruptedException {
          calls.add("lock");
          Optional<RefreshLock> lock = backing.tryLock(key, lease, maxWait);
          if (lock.isPresent()) {
            whenLocked.run();
            RefreshLock held = lock.get();
            return Optional.of(
                () -> {
                  calls.add("unlock");
                  held.close();
                });
          }
          return lock;
        }
      };

  private RefreshingCache.Snapshot snapshotOf(AccessToken t) {
    return new RefreshingCache.Snapshot(
        t, true, true, 0, 0, t.expiresAt().toEpochMilli(), SharedFuture.completed(t));
  }

  private SharedRefresh protocol(AccessToken held, AccessToken fromWeChat) {
    RefreshingCache.Snapshot heldSnapshot =
        held == null
            ? new RefreshingCache.Snapshot(null, false, false, 0, 0, 0, null)
            : snapshotOf(held);
    SharedRefresh.Host host =
        new SharedRefresh.Host() {
          @Override
          public RefreshingCache.Snapshot held() {
            return heldSnapshot;
          }

          @Override
          public RefreshingCache.Failure failure() {
            return null;
          }

          @Override
          public String rejectedValue() {
            return null;
          }

          @Override
          public RefreshingCache.Snapshot adopt(AccessToken stored) {
            hostCalls.add("adopt " + stored.value());
            return snapshotOf(stored);
          }

          @Override
          public void fetchSucceeded(AccessToken fetched) {
            hostCalls.add("fetched " + fetched.value());
          }

          @Override
          public RefreshingCache.Snapshot installFetched(
              AccessToken fetched, boolean saved, Duration latency) {
            hostCalls.add("install " + fetched.value() + " saved=" + saved);
            return snapshotOf(fetched);
          }

          @Override
          public void recordFailure(RuntimeException error, long capMillis) {
            hostCalls.add("failed " + error.getClass().getSimpleName());
          }
        };
    Retrier retrier =
        new Retrier(
            KEY,
            (force, timeout) -> {
              fetches++;
              return fromWeChat;
            },
            0,
            0,
            Duration.ofSeconds(10),
            nanos -> {},
            bound -> 0);
    return new SharedRefresh(
        KEY,
        store,
        CLOCK,
        200_000,
        30_000,
        Duration.ofSeconds(10),
        Duration.ofMillis(50),
        retrier,
        host,
        0);
  }

  @Test
  void step1ATokenAnotherInstanceStoredIsAdoptedWithoutTheLock() throws Exception {
    AccessToken old = token("OLD", 100);
    AccessToken newer = token("NEW", 7000);
    backing.save(KEY, newer);
    calls.clear();
    protocol(old, token("WECHAT", 7200)).run(false, old.value());
    assertEquals(List.of("load"), calls);
    assertEquals(List.of("adopt " + newer.value()), hostCalls);
    assertEquals(0, fetches);
  }

  @Test
  void step3ATokenStoredWhileWaitingForTheLockIsAdoptedUnderIt() throws Exception {
    AccessToken old = token("OLD", 100);
    AccessToken newer = token("NEW", 7000);
    whenLocked = () -> backing.save(KEY, newer);
    protocol(old, token("WECHAT", 7200)).run(false, old.value());
    assertEquals(List.of("load", "lock", "load", "unlock"), calls);
    assertEquals(List.of("adopt " + newer.value()), hostCalls);
    assertEquals(0, fetches);
  }

  @Test
  void step4OnlyOtherwiseItFetchesSavesAndReleasesTheLock() throws Exception {
    AccessToken old = token("OLD", 100);
    AccessToken fresh = token("WECHAT", 7200);
    protocol(old, fresh).run(false, old.value());
    assertEquals(List.of("load", "lock", "load", "save", "unlock"), calls);
    assertEquals(
        List.of("fetched " + fresh.value(), "install " + fresh.value() + " saved=true"), hostCalls);
    assertEquals(1, fetches);
  }

  @Test
  void itNeverFetchesWithoutTheLock() throws Exception {
    TokenStore.RefreshLock other =
        backing.tryLock(KEY, Duration.ofMinutes(1), Duration.ZERO).orElseThrow();
    AccessToken held = token("HELD", 100);
    assertSame(held, protocol(held, token("WECHAT", 7200)).run(false, held.value()).token);
    assertEquals(0, fetches, "the held, valid token is served instead");
    assertThrows(
        TokenUnavailableException.class,
        () -> protocol(null, token("WECHAT", 7200)).run(false, null));
    assertEquals(0, fetches);
    other.close();
  }
}

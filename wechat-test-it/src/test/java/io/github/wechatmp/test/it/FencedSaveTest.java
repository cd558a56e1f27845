package io.github.wechatmp.test.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.RefreshPolicy;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, item 2: a holder stalled past its lease between receiving its token and saving it never
 * replaces the token the next holder saved, and its late token is not handed out.
 */
class FencedSaveTest {
  static final String APP_ID = "wx0123456789abcdef";
  static final String SECRET = "s3cr3t-0123456789abcdef0123456789";
  static final TokenKey KEY = TokenKey.of(APP_ID, TokenKey.ACCESS_TOKEN);

  /** An in-memory store whose first fenced save stalls (a GC pause) until released. */
  static final class StallingStore implements TokenStore {
    final InMemoryTokenStore real = new InMemoryTokenStore();
    final CountDownLatch stalled = new CountDownLatch(1);
    final CountDownLatch resume = new CountDownLatch(1);
    final AtomicInteger fencedSaves = new AtomicInteger();
    final AtomicBoolean lateSaveRefused = new AtomicBoolean();

    @Override
    public boolean saveFenced(TokenKey key, AccessToken token, RefreshLock lock) {
      if (fencedSaves.incrementAndGet() == 1) {
        stalled.countDown();
        try {
          resume.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        boolean saved = real.saveFenced(key, token, lock);
        lateSaveRefused.set(!saved);
        return saved;
      }
      return real.saveFenced(key, token, lock);
    }

    @Override
    public Optional<AccessToken> load(TokenKey key) {
      return real.load(key);
    }

    @Override
    public void save(TokenKey key, AccessToken token) {
      real.save(key, token);
    }

    @Override
    public boolean deleteIfValue(TokenKey key, String expectedValue) {
      return real.deleteIfValue(key, expectedValue);
    }

    @Override
    public Optional<RefreshLock> tryLock(TokenKey key, Duration lease, Duration maxWait)
        throws InterruptedException {
      return real.tryLock(key, lease, maxWait);
    }
  }

  final WeChatStandIn wechat =
      WeChatStandIn.builder().appId(APP_ID).appSecret(SECRET).overlap(Duration.ZERO).start();
  final StallingStore store = new StallingStore();
  final RefreshPolicy policy =
      RefreshPolicy.builder()
          .lockLease(Duration.ofMillis(500))
          .lockWait(Duration.ofSeconds(10))
          .build();
  final AccessTokenProvider a = provider();
  final AccessTokenProvider b = provider();

  AccessTokenProvider provider() {
    return AccessTokenProvider.builder()
        .appId(APP_ID)
        .appSecret(SECRET)
        .apiBaseUrl(wechat.baseUrl())
        .store(store)
        .refreshPolicy(policy)
        .build();
  }

  @AfterEach
  void close() {
    a.close();
    b.close();
    wechat.close();
  }

  @Test
  void theLateSaveOfAHolderStalledPastItsLeaseDoesNotReplaceTheNextHoldersToken() throws Exception {
    CompletableFuture<AccessToken> first = CompletableFuture.supplyAsync(a::get);
    assertTrue(store.stalled.await(30, TimeUnit.SECONDS), "a fetched and stalled before saving");
    String late = wechat.issuedTokens().get(0);

    AccessToken next = b.get(); // takes the lock once a's lease lapsed, fetches, saves
    store.resume.countDown();
    AccessToken aGot = first.get(30, TimeUnit.SECONDS);

    assertEquals(2, wechat.tokenRequests());
    assertFalse(next.value().equals(late));
    assertTrue(store.lateSaveRefused.get(), "the store refused the late save");
    assertEquals(next.value(), store.load(KEY).orElseThrow().value(), "the next holder's token");
    assertEquals(next.value(), aGot.value(), "the late token is not handed out");
    assertEquals(next.value(), a.get().value());
  }
}

package io.github.wechatmp.test.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import io.github.wechatmp.token.TokenStoreException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Issue 14, item 7: a token fetched while the store failed is saved once the store answers. */
class SaveAfterStoreReturnsTest {
  static final String APP_ID = "wx0123456789abcdef";
  static final String SECRET = "s3cr3t-0123456789abcdef0123456789";
  static final TokenKey KEY = TokenKey.of(APP_ID, TokenKey.ACCESS_TOKEN);

  /** A real in-memory store whose saves fail while {@link #down} is set. */
  static final class FlakyStore implements TokenStore {
    final InMemoryTokenStore real = new InMemoryTokenStore();
    final AtomicBoolean down = new AtomicBoolean();
    final AtomicInteger failedSaves = new AtomicInteger();

    @Override
    public Optional<AccessToken> load(TokenKey key) {
      return real.load(key);
    }

    @Override
    public void save(TokenKey key, AccessToken token) {
      if (down.get()) {
        failedSaves.incrementAndGet();
        throw new TokenStoreException("the test store is down", null);
      }
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
  final FlakyStore store = new FlakyStore();
  AccessTokenProvider a;
  AccessTokenProvider b;

  AccessTokenProvider provider() {
    return AccessTokenProvider.builder()
        .appId(APP_ID)
        .appSecret(SECRET)
        .apiBaseUrl(wechat.baseUrl())
        .store(store)
        .build();
  }

  @AfterEach
  void close() {
    for (AccessTokenProvider p : new AccessTokenProvider[] {a, b}) {
      if (p != null) {
        p.close();
      }
    }
    wechat.close();
  }

  static Optional<AccessToken> awaitStored(TokenStore s, Duration within)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<AccessToken> t = s.load(KEY);
      if (t.isPresent()) {
        return t;
      }
      Thread.sleep(20);
    }
    return Optional.empty();
  }

  @Test
  void theStoreFailsTheSaveRecoversAndASecondProviderAdoptsTheTokenOneFetchInAll()
      throws Exception {
    store.down.set(true);
    a = provider();
    AccessToken first = a.get(); // served from memory only
    assertEquals(1, store.failedSaves.get());
    assertEquals(Optional.empty(), store.load(KEY));

    store.down.set(false);
    Optional<AccessToken> saved = awaitStored(store, Duration.ofSeconds(20));

    assertEquals(Optional.of(first.value()), saved.map(AccessToken::value));
    b = provider();
    assertEquals(first.value(), b.get().value());
    assertEquals(1, wechat.tokenRequests(), "one fetch in all");
  }

  @Test
  void aNewerTokenFoundInTheStoreWhenItAnswersIsAdoptedNotOverwritten() throws Exception {
    store.down.set(true);
    a = provider();
    AccessToken first = a.get();
    // Meanwhile another party saved a newer token through a path that worked.
    Instant issued = first.issuedAt().orElseThrow().plusSeconds(1);
    AccessToken newer = AccessToken.of("NEWER_TOKEN_0123456789", issued, issued.plusSeconds(7200));
    store.real.save(KEY, newer);

    store.down.set(false);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!a.get().value().equals(newer.value()) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }

    assertEquals(newer.value(), a.get().value());
    assertEquals(newer.value(), store.load(KEY).orElseThrow().value(), "not overwritten");
    assertTrue(store.failedSaves.get() >= 1);
    assertEquals(1, wechat.tokenRequests());
  }
}

package io.github.wechatmp.internal.refresh;

import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import io.github.wechatmp.token.TokenStoreException;
import io.github.wechatmp.token.TokenUnavailableException;
import java.time.Duration;
import java.util.Optional;

/**
 * The engine's view of an access token and of one key of a {@link TokenStore}, for the engine's own
 * tests: the token package's adapters are package-private there.
 */
final class TestAdapters {
  private TestAdapters() {}

  static final CredentialType<AccessToken> ACCESS_TOKEN =
      CredentialType.of(
          AccessToken::value,
          AccessToken::masked,
          AccessToken::expiresAt,
          AccessToken::issuedAt,
          TokenUnavailableException::new);

  /** The key {@code key} of {@code store}; holds no hold-off and is watched by no one. */
  static SharedSlot<AccessToken> slot(TokenStore store, TokenKey key) {
    return new SharedSlot<>() {
      @Override
      public Optional<AccessToken> load() {
        return store.load(key);
      }

      @Override
      public boolean saveFenced(AccessToken credential, Lease lease) {
        return store.saveFenced(key, credential, ((Held) lease).lock);
      }

      @Override
      public boolean deleteIfValue(String expectedValue) {
        return store.deleteIfValue(key, expectedValue);
      }

      @Override
      public Optional<Lease> tryLock(Duration lease, Duration maxWait) throws InterruptedException {
        Optional<TokenStore.RefreshLock> lock = store.tryLock(key, lease, maxWait);
        return lock.map(Held::new);
      }

      @Override
      public Watch watch(Runnable onChange, Runnable onResubscribed) {
        return store.subscribe(key, onChange)::close;
      }

      @Override
      public Optional<HoldOffRecord> loadHoldOff() {
        return Optional.empty();
      }

      @Override
      public void saveHoldOff(HoldOffRecord holdOff) {}

      @Override
      public void clearHoldOff() {}

      @Override
      public boolean isStoreFailure(Throwable e) {
        return e instanceof TokenStoreException;
      }

      @Override
      public RuntimeException storeFailure(String message, Throwable cause) {
        return new TokenStoreException(message, cause);
      }

      @Override
      public String storeName() {
        return store.getClass().getName();
      }
    };
  }

  private static final class Held implements SharedSlot.Lease {
    final TokenStore.RefreshLock lock;

    Held(TokenStore.RefreshLock lock) {
      this.lock = lock;
    }

    @Override
    public void close() {
      lock.close();
    }
  }
}

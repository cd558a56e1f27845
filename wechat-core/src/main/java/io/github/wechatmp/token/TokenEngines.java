package io.github.wechatmp.token;

import io.github.wechatmp.internal.refresh.CredentialFetcher;
import io.github.wechatmp.internal.refresh.CredentialType;
import io.github.wechatmp.internal.refresh.EngineKit;
import io.github.wechatmp.internal.refresh.RefreshEvents;
import io.github.wechatmp.internal.refresh.RefreshingCache;
import io.github.wechatmp.internal.refresh.Settings;
import io.github.wechatmp.internal.refresh.SharedSlot;
import io.github.wechatmp.internal.refresh.Status;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The adapters from this package's API types to the refresh engine's own: the engine depends on no
 * API package, so what it needs of an access token, a {@link TokenStore}, a {@link RefreshPolicy}
 * and a {@link TokenEventListener}, and how its status becomes a {@link TokenStatus}, is said here.
 * The jssdk package, whose ticket is kept as an {@link AccessToken} too, reaches them through the
 * {@link EngineKit} that {@link TokenKey} registers when it is initialized.
 */
final class TokenEngines {
  private TokenEngines() {}

  /** This package's adapters, as the engine's other users take them. */
  static final EngineKit<
          TokenKey,
          TokenStore,
          RefreshPolicy,
          RefreshPolicy.Builder,
          TokenEventListener,
          AccessToken,
          TokenStatus>
      KIT =
          new EngineKit<>() {
            @Override
            public RefreshingCache<AccessToken> engine(
                TokenKey key,
                CredentialFetcher<AccessToken> fetcher,
                TokenStore store,
                RefreshPolicy policy,
                Clock clock,
                TokenEventListener listener) {
              return TokenEngines.engine(key, fetcher, store, policy, clock, listener);
            }

            @Override
            public TokenStatus status(Status status) {
              return TokenEngines.status(status);
            }

            @Override
            public CredentialType<AccessToken> type() {
              return ACCESS_TOKEN;
            }

            @Override
            public SharedSlot<AccessToken> slot(TokenStore store, TokenKey key) {
              return new Slot(store, key);
            }
          };

  /** An access token, as the engine sees it. */
  static final CredentialType<AccessToken> ACCESS_TOKEN =
      CredentialType.of(
          AccessToken::value,
          AccessToken::masked,
          AccessToken::expiresAt,
          AccessToken::issuedAt,
          TokenUnavailableException::new);

  /** An engine of the credential stored under {@code key}. */
  static RefreshingCache<AccessToken> engine(
      TokenKey key,
      CredentialFetcher<AccessToken> fetcher,
      TokenStore store,
      RefreshPolicy policy,
      Clock clock,
      TokenEventListener listener) {
    return RefreshingCache.<AccessToken>builder()
        .key(key)
        .type(ACCESS_TOKEN)
        .fetcher(fetcher)
        .store(new Slot(store, key))
        .clock(clock)
        .settings(settings(policy))
        .events(listener == TokenEventListener.NONE ? NO_EVENTS : new Events(listener, key))
        .build();
  }

  /** Nobody listens: one instance for every engine, since 10,000 accounts may share one JVM. */
  private static final RefreshEvents<AccessToken> NO_EVENTS = new RefreshEvents<>() {};

  /** The settings last made, and the policy they were made of: most engines share one policy. */
  private static volatile Object[] lastSettings = {null, null};

  static Settings settings(RefreshPolicy p) {
    Object[] last = lastSettings;
    if (last[0] == p) {
      return (Settings) last[1];
    }
    Settings s = newSettings(p);
    lastSettings = new Object[] {p, s};
    return s;
  }

  private static Settings newSettings(RefreshPolicy p) {
    return new Settings(
        p.refreshMargin(),
        p.expiryMargin(),
        p.lockLease(),
        p.lockWait(),
        p.maxRetries(),
        p.retryBackoff(),
        p.failureHoldOffMax(),
        p.rejectionRefetchInterval());
  }

  /** The status the engine reports, as this package's type; the phases map one to one. */
  static TokenStatus status(Status s) {
    return TokenStatus.of(
        STATES[s.phase().ordinal()],
        s.expiresAt(),
        s.lastRefreshAt(),
        s.consecutiveFailures(),
        s.holdOffUntil(),
        s.lastError());
  }

  private static final TokenStatus.State[] STATES = TokenStatus.State.values();

  /** One key of a {@link TokenStore}. */
  static final class Slot implements SharedSlot<AccessToken> {
    private final TokenStore store;
    private final TokenKey key;

    Slot(TokenStore store, TokenKey key) {
      this.store = store;
      this.key = key;
    }

    @Override
    public Optional<AccessToken> load() {
      return store.load(key);
    }

    @Override
    public boolean saveFenced(AccessToken credential, Lease lease) {
      return store.saveFenced(key, credential, ((HeldLock) lease).lock);
    }

    @Override
    public boolean deleteIfValue(String expectedValue) {
      return store.deleteIfValue(key, expectedValue);
    }

    @Override
    public Optional<Lease> tryLock(Duration lease, Duration maxWait) throws InterruptedException {
      Optional<TokenStore.RefreshLock> lock = store.tryLock(key, lease, maxWait);
      return lock.isEmpty() ? Optional.empty() : Optional.of(new HeldLock(lock.get()));
    }

    @Override
    public Watch watch(SharedSlot.Listener listener) {
      SlotWatch w = new SlotWatch(listener);
      w.subscription = store.watch(key, w);
      return w.subscription == null ? null : w;
    }

    @Override
    public Optional<HoldOffRecord> loadHoldOff() {
      Optional<TokenStore.SharedHoldOff> h = store.loadHoldOff(key);
      if (h == null || h.isEmpty()) {
        return Optional.empty();
      }
      TokenStore.SharedHoldOff s = h.get();
      return Optional.of(
          new HoldOffRecord(
              s.failures(),
              s.notBefore().toEpochMilli(),
              s.errorCode(),
              s.errorMessage(),
              s.toString()));
    }

    @Override
    public void saveHoldOff(HoldOffRecord h) {
      store.saveHoldOff(
          key,
          TokenStore.SharedHoldOff.of(
              h.failures(), h.notBefore(), h.errorCode(), h.errorMessage()));
    }

    @Override
    public void clearHoldOff() {
      store.clearHoldOff(key);
    }

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
  }

  /** The engine's listener as the store's, and the store's subscription as the engine's watch. */
  private static final class SlotWatch implements TokenStore.ChangeListener, SharedSlot.Watch {
    private final SharedSlot.Listener listener;
    TokenStore.Subscription subscription;

    SlotWatch(SharedSlot.Listener listener) {
      this.listener = listener;
    }

    @Override
    public void onChange() {
      listener.onChange();
    }

    @Override
    public void onResubscribed() {
      listener.onResubscribed();
    }

    @Override
    public void close() {
      subscription.close();
    }
  }

  /** The store's lock, as the engine holds it. */
  private static final class HeldLock implements SharedSlot.Lease {
    final TokenStore.RefreshLock lock;

    HeldLock(TokenStore.RefreshLock lock) {
      this.lock = lock;
    }

    @Override
    public void close() {
      lock.close();
    }
  }

  /** A {@link TokenEventListener}, told the key. */
  static final class Events implements RefreshEvents<AccessToken> {
    private final TokenEventListener listener;
    private final TokenKey key;

    Events(TokenEventListener listener, TokenKey key) {
      this.listener = listener;
      this.key = key;
    }

    @Override
    public void onFetched(AccessToken credential, Duration latency) {
      listener.onFetched(key, credential, latency);
    }

    @Override
    public void onAdopted(AccessToken credential) {
      listener.onAdopted(key, credential);
    }

    @Override
    public void onRefreshFailed(RuntimeException error, int consecutiveFailures) {
      listener.onRefreshFailed(key, error, consecutiveFailures);
    }

    @Override
    public void onInvalidated(boolean wasCurrent) {
      listener.onInvalidated(key, wasCurrent);
    }
  }
}

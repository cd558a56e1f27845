package io.github.wechatmp.testing;

import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import io.github.wechatmp.token.TokenStoreException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A store that delegates to an in-memory one and can be made to fail like an unreachable server,
 * and that counts loads. Change notifications are not forwarded unless asked for, so tests can
 * check the compare-and-invalidate logic on its own.
 */
public final class SwitchableStore implements TokenStore {
  public static final String FAILURE_MESSAGE = "test store at 127.0.0.1:1 is unreachable";

  private final TokenStore delegate;
  private final boolean forwardSubscriptions;
  private volatile boolean failing;
  public final AtomicInteger loads = new AtomicInteger();

  public SwitchableStore(TokenStore delegate, boolean forwardSubscriptions) {
    this.delegate = delegate;
    this.forwardSubscriptions = forwardSubscriptions;
  }

  public SwitchableStore() {
    this(new InMemoryTokenStore(), false);
  }

  public void failing(boolean failing) {
    this.failing = failing;
  }

  private void check() {
    if (failing) {
      throw new TokenStoreException(FAILURE_MESSAGE, null);
    }
  }

  @Override
  public Optional<AccessToken> load(TokenKey key) {
    loads.incrementAndGet();
    check();
    return delegate.load(key);
  }

  @Override
  public void save(TokenKey key, AccessToken token) {
    check();
    delegate.save(key, token);
  }

  @Override
  public boolean deleteIfValue(TokenKey key, String expectedValue) {
    check();
    return delegate.deleteIfValue(key, expectedValue);
  }

  @Override
  public Optional<RefreshLock> tryLock(TokenKey key, Duration lease, Duration maxWait)
      throws InterruptedException {
    check();
    return delegate.tryLock(key, lease, maxWait);
  }

  @Override
  public Subscription subscribe(TokenKey key, Runnable onChange) {
    return forwardSubscriptions
        ? delegate.subscribe(key, onChange)
        : TokenStore.super.subscribe(key, onChange);
  }
}

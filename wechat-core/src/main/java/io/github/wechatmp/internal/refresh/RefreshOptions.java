package io.github.wechatmp.internal.refresh;

import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.RefreshPolicy;
import io.github.wechatmp.token.TokenEventListener;
import io.github.wechatmp.token.TokenStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The refresh engine's settings that every cached credential's builder offers (the access token's,
 * the jsapi ticket's): the store, the clock, the listener and the {@link RefreshPolicy}, with the
 * policy's single-setting shortcuts. A {@link #refreshPolicy} call replaces the policy and every
 * shortcut given before it; shortcuts given after it change single settings of it: the last call
 * wins. Mutable and not thread-safe, like the builders that hold one. Internal: not part of the
 * API.
 */
public final class RefreshOptions {
  TokenStore store;
  Clock clock = Clock.systemUTC();
  TokenEventListener listener = TokenEventListener.NONE;
  private RefreshPolicy policy; // null: inherited, or the defaults
  private final List<Consumer<RefreshPolicy.Builder>> shortcuts = new ArrayList<>();

  /**
   * Not null; null before {@link #store(TokenStore)} means the inherited store, or a new {@link
   * InMemoryTokenStore} per cache.
   */
  public void store(TokenStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** Returns the store given, or null. */
  public TokenStore store() {
    return store;
  }

  /** Not null. */
  public void clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Returns the clock. */
  public Clock clock() {
    return clock;
  }

  /** Not null; replaces the policy and every shortcut given so far. */
  public void refreshPolicy(RefreshPolicy policy) {
    this.policy = Objects.requireNonNull(policy, "refreshPolicy");
    shortcuts.clear();
  }

  /**
   * Returns the policy in force: the one given (or else {@code inherited}, or else the defaults),
   * with the shortcuts given since applied.
   */
  public RefreshPolicy policy(RefreshPolicy inherited) {
    RefreshPolicy base =
        policy != null ? policy : inherited != null ? inherited : RefreshPolicy.defaults();
    if (shortcuts.isEmpty()) {
      return base;
    }
    RefreshPolicy.Builder b = base.toBuilder();
    shortcuts.forEach(s -> s.accept(b));
    return b.build();
  }

  /** Checks the setting at once, as the policy's builder does, and keeps it. */
  private void shortcut(Consumer<RefreshPolicy.Builder> setting) {
    setting.accept(RefreshPolicy.builder());
    shortcuts.add(setting);
  }

  /** See {@link RefreshPolicy.Builder#refreshMargin}. */
  public void refreshMargin(Duration d) {
    shortcut(b -> b.refreshMargin(d));
  }

  /** See {@link RefreshPolicy.Builder#expiryMargin}. */
  public void expiryMargin(Duration d) {
    shortcut(b -> b.expiryMargin(d));
  }

  /** See {@link RefreshPolicy.Builder#lockLease}. */
  public void lockLease(Duration d) {
    shortcut(b -> b.lockLease(d));
  }

  /** See {@link RefreshPolicy.Builder#lockWait}. */
  public void lockWait(Duration d) {
    shortcut(b -> b.lockWait(d));
  }

  /** See {@link RefreshPolicy.Builder#maxRetries}. */
  public void maxRetries(int n) {
    shortcut(b -> b.maxRetries(n));
  }

  /** See {@link RefreshPolicy.Builder#retryBackoff}. */
  public void retryBackoff(Duration d) {
    shortcut(b -> b.retryBackoff(d));
  }

  /** See {@link RefreshPolicy.Builder#failureHoldOffMax}. */
  public void failureHoldOffMax(Duration d) {
    shortcut(b -> b.failureHoldOffMax(d));
  }

  /** See {@link RefreshPolicy.Builder#rejectionRefetchInterval}. */
  public void rejectionRefetchInterval(Duration d) {
    shortcut(b -> b.rejectionRefetchInterval(d));
  }

  /** Not null. */
  public void listener(TokenEventListener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
  }
}

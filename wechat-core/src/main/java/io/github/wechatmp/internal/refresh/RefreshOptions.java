package io.github.wechatmp.internal.refresh;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The refresh engine's settings that every cached credential's builder offers (the access token's,
 * the jsapi ticket's): the store, the clock, the listener and the refresh policy, with the policy's
 * single-setting shortcuts. A {@link #refreshPolicy} call replaces the policy and every shortcut
 * given before it; shortcuts given after it change single settings of it: the last call wins.
 * Generic in the API's store, listener, policy and policy builder types, which it only holds, so
 * that it depends on no API package. Mutable and not thread-safe, like the builders that hold one.
 * Internal: not part of the API.
 *
 * @param <S> the store type
 * @param <L> the listener type
 * @param <P> the policy type
 * @param <B> the policy's builder type
 */
public final class RefreshOptions<S, L, P, B> {
  /** What the options need of the API's policy type. */
  public interface PolicyType<P, B> {
    /** The default policy. */
    P defaults();

    /** A builder of the default policy. */
    B builder();

    /** A builder initialised with {@code policy}. */
    B toBuilder(P policy);

    /** The policy {@code builder} builds. */
    P build(B builder);

    /** The policy type of these functions. */
    static <P, B> PolicyType<P, B> of(
        Supplier<P> defaults, Supplier<B> builder, Function<P, B> toBuilder, Function<B, P> build) {
      return new PolicyType<>() {
        @Override
        public P defaults() {
          return defaults.get();
        }

        @Override
        public B builder() {
          return builder.get();
        }

        @Override
        public B toBuilder(P policy) {
          return toBuilder.apply(policy);
        }

        @Override
        public P build(B b) {
          return build.apply(b);
        }
      };
    }
  }

  private final PolicyType<P, B> policyType;
  private S store;
  private Clock clock = Clock.systemUTC();
  private L listener;
  private P policy; // null: inherited, or the defaults
  private final List<Consumer<B>> shortcuts = new ArrayList<>();

  /** Options of the defaults: no store, the system clock, {@code noListener}, no policy. */
  public RefreshOptions(PolicyType<P, B> policyType, L noListener) {
    this.policyType = Objects.requireNonNull(policyType, "policyType");
    this.listener = Objects.requireNonNull(noListener, "noListener");
  }

  /**
   * Not null; null before {@link #store(Object)} means the inherited store, or a new in-memory
   * store per cache.
   */
  public void store(S store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** Returns the store given, or null. */
  public S store() {
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
  public void refreshPolicy(P policy) {
    this.policy = Objects.requireNonNull(policy, "refreshPolicy");
    shortcuts.clear();
  }

  /**
   * Returns the policy in force: the one given (or else {@code inherited}, or else the defaults),
   * with the shortcuts given since applied.
   */
  public P policy(P inherited) {
    P base = policy != null ? policy : inherited != null ? inherited : policyType.defaults();
    if (shortcuts.isEmpty()) {
      return base;
    }
    B b = policyType.toBuilder(base);
    shortcuts.forEach(s -> s.accept(b));
    return policyType.build(b);
  }

  /**
   * A shortcut: one setting of the policy's builder. Checked at once, as the policy's builder
   * checks it, and kept.
   */
  public void shortcut(Consumer<B> setting) {
    setting.accept(policyType.builder());
    shortcuts.add(setting);
  }

  /** Not null. */
  public void listener(L listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /** Returns the listener. */
  public L listener() {
    return listener;
  }
}

package io.github.wechatmp.internal.refresh;

import java.time.Clock;
import java.util.Objects;

/**
 * What an API package gives the engine's other users of its types: its options, an engine over its
 * store, policy and listener, and its status type. The token package registers its kit when its
 * {@code TokenKey} class is initialized, and the jssdk package, whose ticket is kept as an access
 * token, takes it from here: so neither needs the other's package-private adapters, nor does this
 * package depend on either (the JDK's own {@code SharedSecrets} idiom). Internal: not part of the
 * SDK's API.
 *
 * @param <K> the key type
 * @param <S> the store type
 * @param <P> the policy type
 * @param <B> the policy's builder type
 * @param <L> the event listener type
 * @param <T> the credential type
 * @param <R> the status type
 */
public interface EngineKit<K, S, P, B, L, T, R> {
  /** An engine of the credential stored under {@code key}. */
  RefreshingCache<T> engine(
      K key, CredentialFetcher<T> fetcher, S store, P policy, Clock clock, L listener);

  /** The engine's status, as the API's type. */
  R status(Status status);

  /** The credential, as the engine sees it. */
  CredentialType<T> type();

  /** One key of {@code store}, as the engine sees it. */
  SharedSlot<T> slot(S store, K key);

  /** Makes {@code kit} the one {@link #tokens()} returns. */
  static void registerTokens(EngineKit<?, ?, ?, ?, ?, ?, ?> kit) {
    Registered.tokens = Objects.requireNonNull(kit, "kit");
  }

  /**
   * The token package's kit. The caller must have initialized its {@code TokenKey} class first
   * (made a key, say), which registers it.
   *
   * @throws IllegalStateException if it was not registered
   */
  @SuppressWarnings("unchecked") // registered once, by the token package, with its own types
  static <K, S, P, B, L, T, R> EngineKit<K, S, P, B, L, T, R> tokens() {
    EngineKit<?, ?, ?, ?, ?, ?, ?> kit = Registered.tokens;
    if (kit == null) {
      throw new IllegalStateException("the token package's engine kit is not registered");
    }
    return (EngineKit<K, S, P, B, L, T, R>) kit;
  }

  /** The registrations; a holder so that the interface has no mutable field. */
  final class Registered {
    static volatile EngineKit<?, ?, ?, ?, ?, ?, ?> tokens;

    private Registered() {}
  }
}

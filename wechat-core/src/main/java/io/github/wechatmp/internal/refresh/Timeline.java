package io.github.wechatmp.internal.refresh;

import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenStatus.State;

/**
 * A credential's timeline: the instants at which it becomes due for refresh, stale (no longer
 * served while a refresh may still succeed) and expired, and the pure function from an instant to
 * the {@link State} it is in. Immutable; no clock, no threads.
 */
final class Timeline {
  /** No credential: every instant is {@link State#NONE}. */
  static final Timeline NONE = new Timeline(Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE);

  final long dueAtMillis;
  final long staleAtMillis;
  final long expiresAtMillis;

  private Timeline(long dueAtMillis, long staleAtMillis, long expiresAtMillis) {
    this.dueAtMillis = dueAtMillis;
    this.staleAtMillis = staleAtMillis;
    this.expiresAtMillis = expiresAtMillis;
  }

  /**
   * The timeline of {@code token} received at {@code nowMillis}. Margins are shortened for tokens
   * that live less than a few of them, so that a short-lived token is still served for most of its
   * life: the expiry margin to a quarter of the lifetime, the refresh margin to half of it (but
   * never below the expiry margin). The lifetime is the token's real one when it knows its issue
   * instant. Otherwise it is the time left from now, but then only for a token just fetched ({@code
   * adopted} false): the remaining life of a token adopted from a store says nothing of its
   * lifetime, so such a token keeps the configured expiry margin in full, and is never served
   * inside it.
   */
  static Timeline of(
      AccessToken token,
      long refreshMarginMillis,
      long expiryMarginMillis,
      long nowMillis,
      boolean adopted) {
    long expiresAt = token.expiresAt().toEpochMilli();
    long expiryMargin = expiryMarginFor(token, expiryMarginMillis, nowMillis, adopted);
    long lifetime = lifetimeMillis(token, nowMillis);
    long refreshMargin = Math.max(expiryMargin, Math.min(refreshMarginMillis, lifetime / 2));
    return new Timeline(expiresAt - refreshMargin, expiresAt - expiryMargin, expiresAt);
  }

  /** {@link #of(AccessToken, long, long, long, boolean)} for a token just fetched. */
  static Timeline of(
      AccessToken token, long refreshMarginMillis, long expiryMarginMillis, long nowMillis) {
    return of(token, refreshMarginMillis, expiryMarginMillis, nowMillis, false);
  }

  /**
   * The expiry margin that applies to {@code token}: the configured one, shortened to a quarter of
   * the lifetime when that is known (see {@link #of(AccessToken, long, long, long, boolean)}).
   */
  static long expiryMarginFor(
      AccessToken token, long expiryMarginMillis, long nowMillis, boolean adopted) {
    if (adopted && token.issuedAt().isEmpty()) {
      return expiryMarginMillis;
    }
    return Math.min(expiryMarginMillis, lifetimeMillis(token, nowMillis) / 4);
  }

  private static long lifetimeMillis(AccessToken token, long nowMillis) {
    long expiresAt = token.expiresAt().toEpochMilli();
    long from = token.issuedAt().isPresent() ? token.issuedAt().get().toEpochMilli() : nowMillis;
    return Math.max(0, expiresAt - from);
  }

  /** The same timeline, due no earlier than {@code dueAtMillis} (but never after it is stale). */
  Timeline dueNoEarlierThan(long dueAtMillis) {
    long due = Math.min(staleAtMillis, Math.max(this.dueAtMillis, dueAtMillis));
    return new Timeline(due, staleAtMillis, expiresAtMillis);
  }

  /** Where the credential is at {@code nowMillis}. */
  State stateAt(long nowMillis) {
    if (this == NONE) {
      return State.NONE;
    }
    return stateAt(dueAtMillis, staleAtMillis, expiresAtMillis, nowMillis);
  }

  /**
   * The four thresholds: fresh before {@code dueAt}, due from it, stale from {@code staleAt},
   * expired from {@code expiresAt}.
   */
  static State stateAt(long dueAtMillis, long staleAtMillis, long expiresAtMillis, long nowMillis) {
    if (nowMillis >= expiresAtMillis) {
      return State.EXPIRED;
    }
    if (nowMillis >= staleAtMillis) {
      return State.STALE;
    }
    if (nowMillis >= dueAtMillis) {
      return State.DUE;
    }
    return State.FRESH;
  }
}

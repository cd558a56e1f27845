package io.github.wechatmp.internal.refresh;

import io.github.wechatmp.token.TokenStatus;

/**
 * A credential's timeline: the instants at which it becomes due for refresh, stale (no longer
 * served while a refresh may still succeed) and expired, and the pure function from an instant to
 * the {@link TokenStatus.State} it is in. Immutable; no clock, no threads.
 */
final class Timeline {
  /** An issue instant that is not known. */
  static final long UNKNOWN = Long.MIN_VALUE;

  /** No credential: every instant is {@link TokenStatus.State#NONE}. */
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
   * The timeline of a token expiring at {@code expiresAtMillis}, issued at {@code issuedAtMillis}
   * ({@link #UNKNOWN} if not known), received at {@code nowMillis}. Margins are shortened for
   * tokens that live less than a few of them, so that a short-lived token is still served for most
   * of its life: the expiry margin to a quarter of the lifetime, the refresh margin to half of it
   * (but never below the expiry margin). The lifetime is the token's real one when it knows its
   * issue instant. Otherwise it is the time left from now, but then only for a token just fetched
   * ({@code adopted} false): the remaining life of a token adopted from a store says nothing of its
   * lifetime, so such a token keeps the configured expiry margin in full, and is never served
   * inside it.
   */
  static Timeline of(
      long expiresAtMillis,
      long issuedAtMillis,
      long refreshMarginMillis,
      long expiryMarginMillis,
      long nowMillis,
      boolean adopted) {
    long expiresAt = expiresAtMillis;
    long expiryMargin =
        expiryMarginFor(expiresAtMillis, issuedAtMillis, expiryMarginMillis, nowMillis, adopted);
    long lifetime = lifetimeMillis(expiresAtMillis, issuedAtMillis, nowMillis);
    long refreshMargin = Math.max(expiryMargin, Math.min(refreshMarginMillis, lifetime / 2));
    return new Timeline(expiresAt - refreshMargin, expiresAt - expiryMargin, expiresAt);
  }

  /** {@link #of(long, long, long, long, long, boolean)} for a token just fetched. */
  static Timeline of(
      long expiresAtMillis,
      long issuedAtMillis,
      long refreshMarginMillis,
      long expiryMarginMillis,
      long nowMillis) {
    return of(
        expiresAtMillis, issuedAtMillis, refreshMarginMillis, expiryMarginMillis, nowMillis, false);
  }

  /**
   * The expiry margin that applies to {@code token}: the configured one, shortened to a quarter of
   * the lifetime when that is known (see {@link #of(long, long, long, long, long, boolean)}).
   */
  static long expiryMarginFor(
      long expiresAtMillis,
      long issuedAtMillis,
      long expiryMarginMillis,
      long nowMillis,
      boolean adopted) {
    if (adopted && issuedAtMillis == UNKNOWN) {
      return expiryMarginMillis;
    }
    return Math.min(
        expiryMarginMillis, lifetimeMillis(expiresAtMillis, issuedAtMillis, nowMillis) / 4);
  }

  private static long lifetimeMillis(long expiresAtMillis, long issuedAtMillis, long nowMillis) {
    long from = issuedAtMillis != UNKNOWN ? issuedAtMillis : nowMillis;
    return Math.max(0, expiresAtMillis - from);
  }

  /**
   * The same timeline, due at the point {@code place} (in [0, 1)) of its refresh window: from half
   * the token's life (the lifetime as {@link #of(long, long, long, long, long, boolean)} takes it)
   * to its due point. Unchanged if the window is empty.
   */
  Timeline dueWithinWindow(long issuedAtMillis, long nowMillis, double place) {
    long halfLife =
        expiresAtMillis - lifetimeMillis(expiresAtMillis, issuedAtMillis, nowMillis) / 2;
    if (halfLife >= dueAtMillis) {
      return this;
    }
    long due = halfLife + (long) ((dueAtMillis - halfLife) * place);
    return new Timeline(due, staleAtMillis, expiresAtMillis);
  }

  /** The same timeline, due no earlier than {@code dueAtMillis} (but never after it is stale). */
  Timeline dueNoEarlierThan(long dueAtMillis) {
    long due = Math.min(staleAtMillis, Math.max(this.dueAtMillis, dueAtMillis));
    return new Timeline(due, staleAtMillis, expiresAtMillis);
  }

  /** Where the credential is at {@code nowMillis}. */
  TokenStatus.State stateAt(long nowMillis) {
    if (this == NONE) {
      return TokenStatus.State.NONE;
    }
    return stateAt(dueAtMillis, staleAtMillis, expiresAtMillis, nowMillis);
  }

  /**
   * The four thresholds: fresh before {@code dueAt}, due from it, stale from {@code staleAt},
   * expired from {@code expiresAt}.
   */
  static TokenStatus.State stateAt(
      long dueAtMillis, long staleAtMillis, long expiresAtMillis, long nowMillis) {
    if (nowMillis >= expiresAtMillis) {
      return TokenStatus.State.EXPIRED;
    }
    if (nowMillis >= staleAtMillis) {
      return TokenStatus.State.STALE;
    }
    if (nowMillis >= dueAtMillis) {
      return TokenStatus.State.DUE;
    }
    return TokenStatus.State.FRESH;
  }
}

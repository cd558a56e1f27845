package io.github.wechatmp.internal.refresh;

/**
 * Where a held credential is on its {@link Timeline}. The API's status enum ({@code
 * TokenStatus.State}) has the same constants in the same order, and maps to this one by ordinal (a
 * test checks they agree). Internal: not part of the SDK's API.
 */
public enum Phase {
  /** No credential is held. */
  NONE,
  /** Held and served; no refresh needed. */
  FRESH,
  /** Held and served; a background refresh is due. */
  DUE,
  /** Held, not expired, within the expiry margin: callers wait for a refresh. */
  STALE,
  /** Held and expired: never served. */
  EXPIRED
}

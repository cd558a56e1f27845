package io.github.wechatmp.internal.refresh;

import java.time.Instant;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * What the engine needs to know of the credential it keeps, and the exception it fails with when no
 * credential can be had: the engine is generic in its credential so that it depends on no API
 * package, and each API package that builds an engine says here what its credential type is.
 * Implementations are stateless and thread-safe. Internal: not part of the SDK's API.
 *
 * @param <T> the credential
 */
public interface CredentialType<T> {
  /** The credential's secret value: what WeChat rejects, and what the store compares. */
  String value(T credential);

  /** The value masked, for logs and status messages. */
  String masked(T credential);

  /** When the credential expires. */
  Instant expiresAt(T credential);

  /** When the credential was issued, if known. */
  Optional<Instant> issuedAt(T credential);

  /**
   * The exception for "no usable credential": the API's own type, since callers of {@code get()}
   * and {@code getAsync()} catch it by name.
   */
  RuntimeException unavailable(String message, Throwable cause);

  /** The credential type of these accessors and this exception. */
  static <T> CredentialType<T> of(
      Function<T, String> value,
      Function<T, String> masked,
      Function<T, Instant> expiresAt,
      Function<T, Optional<Instant>> issuedAt,
      BiFunction<String, Throwable, RuntimeException> unavailable) {
    return new CredentialType<>() {
      @Override
      public String value(T credential) {
        return value.apply(credential);
      }

      @Override
      public String masked(T credential) {
        return masked.apply(credential);
      }

      @Override
      public Instant expiresAt(T credential) {
        return expiresAt.apply(credential);
      }

      @Override
      public Optional<Instant> issuedAt(T credential) {
        return issuedAt.apply(credential);
      }

      @Override
      public RuntimeException unavailable(String message, Throwable cause) {
        return unavailable.apply(message, cause);
      }
    };
  }
}

package io.github.wechatmp.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@link AccessToken} and {@link TokenKey}: validation, equality, masking. */
class TokenValuesTest {

  @Test
  void accessTokenValidatesItsValue() {
    Instant t = Instant.parse("2026-11-24T10:00:00Z");
    assertThrows(NullPointerException.class, () -> AccessToken.of(null, t));
    assertThrows(NullPointerException.class, () -> AccessToken.of("abc", null));
    assertThrows(IllegalArgumentException.class, () -> AccessToken.of("", t));
    assertThrows(IllegalArgumentException.class, () -> AccessToken.of("a b", t));
    assertThrows(IllegalArgumentException.class, () -> AccessToken.of("abc\n", t));
    assertThrows(IllegalArgumentException.class, () -> AccessToken.of("令牌", t));
    assertThrows(
        IllegalArgumentException.class,
        () -> AccessToken.of("x".repeat(AccessToken.MAX_LENGTH + 1), t));
    assertEquals(
        AccessToken.MAX_LENGTH,
        AccessToken.of("x".repeat(AccessToken.MAX_LENGTH), t).value().length());
    assertThrows(IllegalArgumentException.class, () -> AccessToken.of("abc", Instant.MAX));
    assertThrows(IllegalArgumentException.class, () -> AccessToken.of("abc", Instant.MIN));
  }

  @Test
  void policySettingsAreBounded() {
    RefreshPolicy.Builder b = RefreshPolicy.builder();
    assertThrows(
        IllegalArgumentException.class, () -> b.lockLease(java.time.Duration.ofDays(365 * 1000)));
    assertThrows(IllegalArgumentException.class, () -> b.lockWait(java.time.Duration.ofHours(1)));
    assertThrows(
        IllegalArgumentException.class, () -> b.refreshMargin(java.time.Duration.ofDays(2)));
    assertThrows(IllegalArgumentException.class, () -> b.maxRetries(11));
    assertThrows(
        IllegalArgumentException.class, () -> b.failureHoldOffMax(java.time.Duration.ZERO));
    b.lockLease(java.time.Duration.ofMinutes(10)).lockWait(java.time.Duration.ZERO).maxRetries(0);
  }

  @Test
  void accessTokenEqualityAndExpiry() {
    Instant t = Instant.parse("2026-11-24T10:00:00Z");
    assertEquals(AccessToken.of("abc", t), AccessToken.of("abc", t));
    assertEquals(AccessToken.of("abc", t).hashCode(), AccessToken.of("abc", t).hashCode());
    assertFalse(AccessToken.of("abc", t).equals(AccessToken.of("abc", t.plusMillis(1))));
    assertFalse(AccessToken.of("abc", t).isExpiredAt(t.minusMillis(1)));
    assertTrue(AccessToken.of("abc", t).isExpiredAt(t));
  }

  @Test
  void accessTokenToStringNeverShowsTheWholeValue() {
    Instant t = Instant.parse("2026-11-24T10:00:00Z");
    String longValue = "81_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyz";
    String s = AccessToken.of(longValue, t).toString();
    assertFalse(s.contains(longValue), s);
    assertFalse(s.contains(longValue.substring(4, 20)), s);
    assertTrue(s.contains("2026-11-24T10:00:00Z"), s);
    assertFalse(AccessToken.of("short123", t).toString().contains("short123"));
  }

  @Test
  void tokenKeyValidatesAndRoundTrips() {
    TokenKey k = TokenKey.of("wx0123456789abcdef", TokenKey.STABLE_ACCESS_TOKEN);
    assertEquals("wx0123456789abcdef:stable_access_token", k.toString());
    assertEquals(k, TokenKey.parse(k.toString()));
    assertEquals(k.hashCode(), TokenKey.parse(k.toString()).hashCode());
    assertThrows(IllegalArgumentException.class, () -> TokenKey.of(null, "access_token"));
    assertThrows(IllegalArgumentException.class, () -> TokenKey.of("", "access_token"));
    assertThrows(IllegalArgumentException.class, () -> TokenKey.of("wx:1", "access_token"));
    assertThrows(IllegalArgumentException.class, () -> TokenKey.of("wx{1}", "access_token"));
    assertThrows(IllegalArgumentException.class, () -> TokenKey.of("wx1", "Access Token"));
    assertThrows(IllegalArgumentException.class, () -> TokenKey.of("x".repeat(65), "access_token"));
    assertThrows(IllegalArgumentException.class, () -> TokenKey.parse("no-colon"));
    assertThrows(IllegalArgumentException.class, () -> TokenKey.parse(null));
  }
}

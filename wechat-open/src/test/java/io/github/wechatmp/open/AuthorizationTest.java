package io.github.wechatmp.open;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthorizationTest {
  private static final Instant NOW = Instant.parse("2026-12-01T08:00:00Z");
  private static final String TOKEN = "refreshtoken@0123456789abcdefghij";

  @Test
  void toStringShowsTheRefreshTokenOnlyMasked() {
    Authorization a = Authorization.authorized("wx0123456789abcdef", TOKEN, List.of(1), NOW);
    assertFalse(a.toString().contains(TOKEN), a.toString());
    assertTrue(a.toString().contains("refr****ghij(33 chars)"), a.toString());
  }

  @Test
  void malformedValuesAreRefusedWithMessagesThatHoldNoToken() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Authorization.authorized("wx/evil", TOKEN, List.of(), NOW));
    assertThrows(
        IllegalArgumentException.class,
        () -> Authorization.authorized("x".repeat(65), TOKEN, List.of(), NOW));
    assertThrows(
        IllegalArgumentException.class,
        () -> Authorization.authorized("wx0123456789abcdef", "", List.of(), NOW));
    IllegalArgumentException spaced =
        assertThrows(
            IllegalArgumentException.class,
            () -> Authorization.authorized("wx0123456789abcdef", TOKEN + " x", List.of(), NOW));
    assertFalse(spaced.getMessage().contains(TOKEN), spaced.getMessage());
    assertThrows(
        NullPointerException.class,
        () -> Authorization.authorized("wx0123456789abcdef", null, List.of(), NOW));
  }

  @Test
  void functionIdsAreCopied() {
    List<Integer> ids = new ArrayList<>(List.of(1, 2));
    Authorization a = Authorization.authorized("wx0123456789abcdef", TOKEN, ids, NOW);
    ids.add(3);
    assertEquals(List.of(1, 2), a.functionIds());
  }

  @Test
  void aNewVersionKeepsWhatItDoesNotChange() {
    Authorization a = Authorization.authorized("wx0123456789abcdef", TOKEN, List.of(1), NOW);
    Authorization rotated = a.withRefreshToken("another-refresh-token", NOW.plusSeconds(5));
    assertEquals(a.authorizedAt(), rotated.authorizedAt());
    assertEquals(NOW.plusSeconds(5), rotated.updatedAt());
    Authorization revoked = rotated.withState(Authorization.State.REVOKED, NOW.plusSeconds(9));
    assertEquals("another-refresh-token", revoked.refreshToken());
    assertEquals(Authorization.State.REVOKED, revoked.state());
  }
}

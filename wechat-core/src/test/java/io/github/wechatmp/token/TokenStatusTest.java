package io.github.wechatmp.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.test.Fault;
import io.github.wechatmp.testing.Await;
import io.github.wechatmp.testing.ProviderFixture;
import io.github.wechatmp.testing.StandIns;
import io.github.wechatmp.token.TokenStatus.State;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What {@link AccessTokenProvider#status()} reports, without ever fetching. */
class TokenStatusTest extends ProviderFixture {

  private static void assertSafe(TokenStatus status, String... values) {
    String text = status.toString();
    assertFalse(text.contains(StandIns.SECRET), text);
    for (String v : values) {
      assertFalse(text.contains(v), text);
    }
  }

  @Test
  void aNewProviderReportsNoTokenAndAsksNobody() {
    AccessTokenProvider p = build(builder());
    TokenStatus s = p.status();
    assertEquals(State.NONE, s.state());
    assertEquals(Optional.empty(), s.expiresAt());
    assertEquals(Optional.empty(), s.lastRefreshAt());
    assertEquals(0, s.consecutiveFailures());
    assertEquals(Optional.empty(), s.holdOffUntil());
    assertEquals(Optional.empty(), s.lastError());
    assertEquals(0, wechat.tokenRequests());
  }

  @Test
  void theStatusFollowsTheTokenThroughFreshDueStaleAndExpired() {
    restartWeChat(b -> b.expiresIn(Duration.ofSeconds(7200)));
    AccessTokenProvider p =
        build(builder().refreshPolicy(RefreshPolicy.builder().maxRetries(0).build()));
    Instant fetchedAt = clock.instant();
    AccessToken t = p.get();
    TokenStatus fresh = p.status();
    assertEquals(State.FRESH, fresh.state());
    assertEquals(Optional.of(t.expiresAt()), fresh.expiresAt());
    assertEquals(Optional.of(fetchedAt), fresh.lastRefreshAt());
    assertSafe(fresh, t.value());

    // Every refresh from here on fails, so that the held token ages through the states.
    answerAlways(
        Fault.json("{\"errcode\":40164,\"errmsg\":\"invalid ip 1.2.3.4, not in whitelist\"}"));
    // Moving the clock fires the engine's wake-ups: past the due time the proactive refresh runs in
    // the background and fails; the hold-off that follows ends with another attempt. Each step
    // waits for those attempts to finish, so that what status() reports is settled.
    clock.set(t.expiresAt().minusSeconds(100)); // inside the 200 s refresh margin
    awaitFailures(p, 1);
    int before = wechat.tokenRequests();
    assertEquals(State.DUE, p.status().state());
    assertEquals(before, wechat.tokenRequests(), "status() asked WeChat");

    clock.set(t.expiresAt().minusSeconds(10)); // inside the 30 s expiry margin, past the hold-off
    awaitFailures(p, 2);
    assertEquals(State.STALE, p.status().state());
    assertEquals(t, p.get()); // within the hold-off: the valid token, no request
    TokenStatus failed = p.status();
    assertEquals(State.STALE, failed.state());
    assertEquals(2, failed.consecutiveFailures());
    assertTrue(failed.holdOffUntil().isPresent(), failed.toString());
    assertTrue(failed.holdOffUntil().get().isAfter(clock.instant()), failed.toString());
    assertTrue(failed.lastError().orElseThrow().contains("40164"), failed.toString());
    assertEquals(Optional.of(fetchedAt), failed.lastRefreshAt());
    assertSafe(failed, t.value());

    // Calls refused during the hold-off do not count as failures.
    int requests = wechat.tokenRequests();
    assertEquals(t, p.get());
    assertEquals(2, p.status().consecutiveFailures());
    assertEquals(requests, wechat.tokenRequests(), "no request within the hold-off");

    clock.set(t.expiresAt());
    assertThrows(WeChatApiException.class, p::get);
    TokenStatus expired = p.status();
    assertEquals(State.EXPIRED, expired.state());
    assertSafe(expired, t.value());
  }

  private static void awaitFailures(AccessTokenProvider p, int n) {
    Await.until(
        () -> p.status().consecutiveFailures() == n,
        Duration.ofSeconds(10),
        n + " background attempts failed");
  }

  @Test
  void aSuccessClearsTheFailureCountHoldOffAndError() {
    answerNext(Fault.errcode(40164, "invalid ip 1.2.3.4, not in whitelist"));
    AccessTokenProvider p =
        build(builder().refreshPolicy(RefreshPolicy.builder().maxRetries(0).build()));
    assertThrows(WeChatApiException.class, p::get);
    TokenStatus failed = p.status();
    assertEquals(State.NONE, failed.state());
    assertEquals(1, failed.consecutiveFailures());
    assertTrue(failed.lastError().isPresent());
    assertSafe(failed);

    clock.advance(Duration.ofSeconds(2)); // past the first hold-off of 1 s
    AccessToken t = p.get();
    TokenStatus ok = p.status();
    assertEquals(State.FRESH, ok.state());
    assertEquals(0, ok.consecutiveFailures());
    assertEquals(Optional.empty(), ok.holdOffUntil());
    assertEquals(Optional.empty(), ok.lastError());
    assertEquals(Optional.of(clock.instant()), ok.lastRefreshAt());
    assertSafe(ok, t.value());
  }

  @Test
  void anInvalidatedOrClosedProviderReportsNoToken() {
    AccessTokenProvider p = build(builder());
    AccessToken t = p.get();
    p.invalidate(t.value());
    assertEquals(State.NONE, p.status().state());
    p.get();
    p.close();
    assertEquals(State.NONE, p.status().state());
  }

  @Test
  void statusValuesAreCheckedAndCompareByValue() {
    Instant at = Instant.parse("2026-11-24T10:00:00Z");
    assertThrows(
        IllegalArgumentException.class, () -> TokenStatus.of(State.NONE, at, null, 0, null, null));
    assertThrows(
        IllegalArgumentException.class,
        () -> TokenStatus.of(State.FRESH, null, null, 0, null, null));
    assertThrows(
        IllegalArgumentException.class,
        () -> TokenStatus.of(State.FRESH, at, null, -1, null, null));
    assertEquals(
        TokenStatus.of(State.DUE, at, at, 2, at, "x"),
        TokenStatus.of(State.DUE, at, at, 2, at, "x"));
    TokenStatus unsaved = TokenStatus.of(State.DUE, at, at, 2, at, "x").withUnsaved(true);
    assertTrue(unsaved.unsaved());
    assertNotEquals(TokenStatus.of(State.DUE, at, at, 2, at, "x"), unsaved);
    assertEquals(unsaved, unsaved.withUnsaved(false).withUnsaved(true));
    assertThrows(
        IllegalArgumentException.class,
        () -> TokenStatus.of(State.NONE, null, null, 0, null, null).withUnsaved(true));
  }
}

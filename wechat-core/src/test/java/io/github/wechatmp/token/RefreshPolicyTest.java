package io.github.wechatmp.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.testing.Await;
import io.github.wechatmp.testing.ProviderFixture;
import io.github.wechatmp.token.TokenStatus.State;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** {@link RefreshPolicy}, the one place each refresh setting is given. */
class RefreshPolicyTest extends ProviderFixture {
  private static final RefreshPolicy TEN_MINUTES =
      RefreshPolicy.builder().refreshMargin(Duration.ofMinutes(10)).build();

  @Test
  void theDefaultsAreTheDocumentedOnes() {
    RefreshPolicy p = RefreshPolicy.defaults();
    assertEquals(Duration.ofSeconds(200), p.refreshMargin());
    assertEquals(Duration.ofSeconds(30), p.expiryMargin());
    assertEquals(Duration.ofSeconds(10), p.lockLease());
    assertEquals(Duration.ofSeconds(12), p.lockWait());
    assertEquals(2, p.maxRetries());
    assertEquals(Duration.ofMillis(200), p.retryBackoff());
    assertEquals(Duration.ofMinutes(2), p.failureHoldOffMax());
    assertEquals(Duration.ofSeconds(60), p.storeOutageFetchInterval());
    assertEquals(p, RefreshPolicy.builder().build());
    assertEquals(p, p.toBuilder().build());
    assertNotEquals(p, TEN_MINUTES);
  }

  @Test
  void badValuesAreRefusedAtOnceWithTheSettingsName() {
    RefreshPolicy.Builder b = RefreshPolicy.builder();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> b.refreshMargin(Duration.ofSeconds(-1)));
    assertEquals("refreshMargin must not be negative", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> b.lockLease(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> b.lockWait(Duration.ofMinutes(11)));
    assertThrows(IllegalArgumentException.class, () -> b.maxRetries(11));
    assertThrows(NullPointerException.class, () -> b.expiryMargin(null));
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> b.storeOutageFetchInterval(Duration.ofMillis(-1)));
    assertEquals("storeOutageFetchInterval must not be negative", e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> b.storeOutageFetchInterval(Duration.ofDays(2)));
    assertThrows(NullPointerException.class, () -> b.storeOutageFetchInterval(null));
    RefreshPolicy off = b.storeOutageFetchInterval(Duration.ZERO).build();
    assertEquals(Duration.ZERO, off.storeOutageFetchInterval());
    assertEquals(off, off.toBuilder().build());
    assertNotEquals(off, RefreshPolicy.defaults());
    assertTrue(off.toString().contains("storeOutageFetchInterval=PT0S"), off.toString());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            AccessTokenProvider.builder()
                .refreshPolicy(RefreshPolicy.builder().failureHoldOffMax(Duration.ZERO).build()));
    assertThrows(
        NullPointerException.class, () -> AccessTokenProvider.builder().refreshPolicy(null));
  }

  private void assertMargin(AccessTokenProvider p, boolean tenMinutes) {
    p.get();
    clock.advance(Duration.ofSeconds(7200 - 300)); // due with a 10-minute margin, not with 200 s
    if (tenMinutes) {
      Await.until(() -> wechat.tokenRequests() == 2, Duration.ofSeconds(10), "the refresh");
    } else {
      assertEquals(State.FRESH, p.status().state());
      assertEquals(1, wechat.tokenRequests());
    }
  }

  @Test
  void theLastPolicyGivenWins() {
    assertMargin(
        build(builder().refreshPolicy(TEN_MINUTES).refreshPolicy(RefreshPolicy.defaults())), false);
  }

  @Test
  void aPolicyAloneIsFollowed() {
    assertMargin(build(builder().refreshPolicy(TEN_MINUTES)), true);
  }

  @Test
  void eachSettingOfThePolicyIsSetInOnePlaceOnly() {
    Set<String> settings = new TreeSet<>();
    for (Method m : RefreshPolicy.Builder.class.getDeclaredMethods()) {
      if (Modifier.isPublic(m.getModifiers()) && !m.getName().equals("build")) {
        settings.add(m.getName());
      }
    }
    for (Class<?> builder :
        List.of(
            AccessTokenProvider.Builder.class,
            TokenServiceProvider.Builder.class,
            io.github.wechatmp.jssdk.JsapiTicketProvider.Builder.class)) {
      for (Method m : builder.getDeclaredMethods()) {
        assertFalse(
            settings.contains(m.getName()),
            builder.getName() + "." + m.getName() + " repeats a setting of RefreshPolicy.Builder");
      }
    }
  }
}

package io.github.wechatmp.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.test.ManualClock;
import io.github.wechatmp.token.InMemoryTokenStore;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class StateCodecTest {
  static final String APP_ID = "wx0123456789abcdef";
  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  static final String CODE = "061abcDEF0123456789abcdef012345z";

  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-06T02:00:00Z"));

  private StateCodec.Builder codec() {
    return StateCodec.builder().appId(APP_ID).key(KEY).clock(clock);
  }

  private static InvalidStateException.Reason refused(Executable e) {
    return assertThrows(InvalidStateException.class, e).reason();
  }

  @Test
  void aStateCarriesItsReturnPathAndFitsWeChatsLimitAndAlphabet() {
    StateCodec states = codec().build();
    String longest = "/" + "p".repeat(StateCodec.MAX_RETURN_PATH_BYTES - 1);
    String state = states.issue(longest);
    assertTrue(state.matches("[0-9a-z]{1,128}"), state);
    assertEquals(longest, states.verify(state));
    assertEquals("/订单?tab=1", states.verify(states.issue("/订单?tab=1")));
    assertNotEquals(states.issue("/"), states.issue("/"));
  }

  @Test
  void aReturnPathThatCouldLeaveTheSiteOrDoesNotFitIsRefused() {
    StateCodec states = codec().build();
    for (String bad :
        new String[] {"https://evil.example/", "//evil.example/", "/\\evil", "x", "/a\nb", ""}) {
      assertThrows(IllegalArgumentException.class, () -> states.issue(bad), bad);
    }
    IllegalArgumentException tooLong =
        assertThrows(
            IllegalArgumentException.class,
            () -> states.issue("/" + "p".repeat(StateCodec.MAX_RETURN_PATH_BYTES)));
    assertTrue(tooLong.getMessage().contains("" + StateCodec.MAX_RETURN_PATH_BYTES));
    assertThrows(NullPointerException.class, () -> states.issue(null));
  }

  @Test
  void aStateSignedWithAnotherKeyIsRefusedAsForged() {
    byte[] otherKey = KEY.clone();
    otherKey[0] ^= 1;
    String foreign =
        StateCodec.builder().appId(APP_ID).key(otherKey).clock(clock).build().issue("/");
    assertEquals(
        InvalidStateException.Reason.FORGED, refused(() -> codec().build().verify(foreign)));
  }

  @Test
  void aStateWithAnyBitChangedIsRefused() {
    StateCodec states = codec().build();
    byte[] bytes = new BigInteger(states.issue("/orders"), 36).toByteArray();
    for (int i = 1; i < bytes.length; i++) {
      byte[] changed = Arrays.copyOf(bytes, bytes.length);
      changed[i] ^= 0x10;
      String tampered = new BigInteger(1, changed).toString(36);
      assertThrows(InvalidStateException.class, () -> states.verify(tampered), "byte " + i);
    }
  }

  @Test
  void aMissingOrMalformedStateIsRefusedAsMalformed() {
    StateCodec states = codec().build();
    for (String bad : new String[] {null, "", "ABC", "abc-def", "1", "z".repeat(129)}) {
      assertEquals(
          InvalidStateException.Reason.MALFORMED, refused(() -> states.verify(bad)), "" + bad);
    }
  }

  @Test
  void aStatePastItsLifetimeIsRefusedAsExpired() {
    StateCodec states = codec().lifetime(Duration.ofMinutes(10)).build();
    String state = states.issue("/");
    clock.advance(Duration.ofMinutes(9));
    assertEquals("/", states.verify(state));
    clock.advance(Duration.ofMinutes(1));
    assertEquals(InvalidStateException.Reason.EXPIRED, refused(() -> states.verify(state)));
    assertEquals(InvalidStateException.Reason.EXPIRED, refused(() -> states.consume(state, CODE)));
  }

  @Test
  void aStateIsAcceptedOnceAndItsReplayWithAnotherCodeIsRefused() {
    StateCodec states = codec().build();
    String state = states.issue("/orders");
    assertEquals("/orders", states.consume(state, CODE));
    assertEquals(
        InvalidStateException.Reason.REPLAYED,
        refused(() -> states.consume(state, CODE.replace('z', 'y'))));
  }

  @Test
  void wechatsDoubleRedirectWithTheSameCodeIsAcceptedTwice() {
    StateCodec states = codec().build();
    String state = states.issue("/orders");
    assertEquals("/orders", states.consume(state, CODE));
    assertEquals("/orders", states.consume(state, CODE));
  }

  @Test
  void instancesSharingAStoreRefuseAReplayTheOtherSaw() {
    InMemoryTokenStore store = new InMemoryTokenStore();
    StateCodec a = codec().store(store).build();
    StateCodec b = codec().store(store).build();
    String state = a.issue("/x");
    assertEquals("/x", a.consume(state, CODE));
    assertEquals("/x", b.consume(state, CODE));
    assertEquals(
        InvalidStateException.Reason.REPLAYED,
        refused(() -> b.consume(state, CODE.replace('z', 'y'))));
  }

  @Test
  void aKeyDerivedFromTheAppSecretIsTheSameOnEveryInstanceAndDependsOnTheSecret() {
    String secret = "s3cr3t-0123456789abcdef0123456789";
    String state =
        StateCodec.builder().appId(APP_ID).keyFromAppSecret(secret).clock(clock).build().issue("/");
    StateCodec same =
        StateCodec.builder().appId(APP_ID).keyFromAppSecret(secret).clock(clock).build();
    StateCodec other =
        StateCodec.builder().appId(APP_ID).keyFromAppSecret(secret + "x").clock(clock).build();
    assertEquals("/", same.verify(state));
    assertEquals(InvalidStateException.Reason.FORGED, refused(() -> other.verify(state)));
    assertFalse(same.toString().contains(secret));
  }

  @Test
  void aShortKeyOrAMissingPartIsRefusedWhenBuilding() {
    assertThrows(IllegalArgumentException.class, () -> StateCodec.builder().key(new byte[31]));
    assertThrows(IllegalStateException.class, () -> StateCodec.builder().appId(APP_ID).build());
    assertThrows(IllegalStateException.class, () -> StateCodec.builder().key(KEY).build());
    assertThrows(IllegalArgumentException.class, () -> codec().lifetime(Duration.ZERO));
  }
}

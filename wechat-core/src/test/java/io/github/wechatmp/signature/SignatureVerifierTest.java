package io.github.wechatmp.signature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.testing.MutableClock;
import io.github.wechatmp.testing.SharedVectors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class SignatureVerifierTest {
  private static final SignatureVerifier WECHAT = SignatureVerifier.of("AAAAA");
  private static final String DOC_SIGNATURE = "f464b24fc39322e44b38aa78f5edd27bd1441696";

  @Test
  void agreesWithWeChatsDocumentedExample() {
    assertEquals(DOC_SIGNATURE, WECHAT.sign("1714036504", "1514711492"));
    assertTrue(WECHAT.verify(DOC_SIGNATURE, "1714036504", "1514711492"));
    assertTrue(WECHAT.verify(DOC_SIGNATURE.toUpperCase(), "1714036504", "1514711492"));
  }

  @Test
  void agreesWithEverySharedVector() throws Exception {
    List<String[]> rows =
        Files.readAllLines(SharedVectors.file("signature.tsv"), StandardCharsets.UTF_8).stream()
            .filter(l -> !l.isBlank() && !l.startsWith("#"))
            .map(l -> l.split("\t"))
            .collect(Collectors.toList());
    assertTrue(rows.size() >= 5, "expected the shared vectors, got " + rows.size());
    for (String[] r : rows) {
      assertEquals(4, r.length, String.join("|", r));
      SignatureVerifier v = SignatureVerifier.of(r[0]);
      assertEquals(r[3], v.sign(r[1], r[2]), "vector " + String.join(" ", r));
      assertTrue(v.verify(r[3], r[1], r[2]), "vector " + String.join(" ", r));
      assertFalse(v.verify(r[3], r[1], r[2] + "x"));
    }
  }

  @Test
  void rejectsATamperedOrWrongSignature() {
    char[] c = DOC_SIGNATURE.toCharArray();
    for (int i = 0; i < c.length; i++) {
      char[] t = c.clone();
      t[i] = t[i] == '0' ? '1' : '0';
      assertFalse(WECHAT.verify(new String(t), "1714036504", "1514711492"), "position " + i);
    }
    assertFalse(SignatureVerifier.of("BBBBB").verify(DOC_SIGNATURE, "1714036504", "1514711492"));
    // A character that differs from a right digit only in the ASCII case bit is no digit at all.
    for (int i = 0; i < c.length; i++) {
      char[] t = c.clone();
      t[i] = (char) (t[i] ^ 0x20);
      boolean letter = Character.isLetter(c[i]);
      assertEquals(
          letter,
          WECHAT.verify(new String(t), "1714036504", "1514711492"),
          "position "
              + i
              + ": "
              + (letter ? "upper case is accepted" : "0x" + Integer.toHexString(t[i])));
    }
    assertFalse(WECHAT.verify(DOC_SIGNATURE, "1714036505", "1514711492"));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {
        "f464b24fc39322e44b38aa78f5edd27bd144169", // 39 digits
        "f464b24fc39322e44b38aa78f5edd27bd14416966", // 41 digits
        "g464b24fc39322e44b38aa78f5edd27bd1441696", // not hex
        "f464b24fc39322e44b38aa78f5edd27bd144169 ",
        "f464b24fc39322e44b38aa78f5edd27bd144169\u0661", // an Arabic-Indic digit
        "0x64b24fc39322e44b38aa78f5edd27bd1441696"
      })
  void malformedSignaturesAreFalseNotExceptions(String signature) {
    assertFalse(WECHAT.verify(signature, "1714036504", "1514711492"));
  }

  @Test
  void malformedParametersAreFalseNotExceptions() {
    assertFalse(WECHAT.verify(DOC_SIGNATURE, null, "1514711492"));
    assertFalse(WECHAT.verify(DOC_SIGNATURE, "1714036504", null));
    assertFalse(WECHAT.verify(DOC_SIGNATURE, "", "1514711492"));
    assertFalse(WECHAT.verify(DOC_SIGNATURE, "1714036504", ""));
    assertFalse(WECHAT.verify(null, null, null));
    String huge = "1".repeat(1 << 20);
    assertFalse(WECHAT.verify(DOC_SIGNATURE, "1714036504", huge));
    assertFalse(WECHAT.verify(DOC_SIGNATURE, huge, "1514711492"));
    assertFalse(WECHAT.verify(huge, "1714036504", "1514711492"));
    // 40 chars, but not 40 Latin-1 bytes: an emoji's surrogate pair, a CJK character.
    assertFalse(WECHAT.verify("\uD83D\uDE00" + "0".repeat(38), "1714036504", "1514711492"));
    assertFalse(WECHAT.verify("签" + DOC_SIGNATURE.substring(1), "1714036504", "1514711492"));
    // Exactly at the limit is hashed; one over is refused.
    String atLimit = "9".repeat(SignatureVerifier.MAX_PARAMETER_LENGTH);
    assertTrue(WECHAT.verify(WECHAT.sign("1714036504", atLimit), "1714036504", atLimit));
    assertThrows(IllegalArgumentException.class, () -> WECHAT.sign("1714036504", atLimit + "9"));
  }

  @Test
  void signRejectsMissingParametersClearly() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> WECHAT.sign(null, "1"));
    assertTrue(e.getMessage().contains("timestamp"));
    e = assertThrows(IllegalArgumentException.class, () -> WECHAT.sign("1", ""));
    assertTrue(e.getMessage().contains("nonce"));
  }

  @Test
  void tokenIsRequired() {
    assertThrows(IllegalArgumentException.class, () -> SignatureVerifier.of(null));
    assertThrows(IllegalArgumentException.class, () -> SignatureVerifier.of(""));
  }

  @Test
  void replayWindowIsOffByDefault() {
    // The documented example is from 2024; with no window it verifies whatever the time.
    assertTrue(WECHAT.verify(DOC_SIGNATURE, "1714036504", "1514711492"));
  }

  @Test
  void replayWindowRejectsStaleAndFutureTimestamps() {
    MutableClock clock = new MutableClock(Instant.ofEpochSecond(1714036504));
    SignatureVerifier v =
        SignatureVerifier.builder("AAAAA")
            .maxTimestampAge(Duration.ofMinutes(5))
            .clock(clock)
            .build();
    assertTrue(v.verify(DOC_SIGNATURE, "1714036504", "1514711492"));
    clock.advance(Duration.ofSeconds(300));
    assertTrue(v.verify(DOC_SIGNATURE, "1714036504", "1514711492"), "exactly at the edge");
    clock.advance(Duration.ofSeconds(1));
    assertFalse(v.verify(DOC_SIGNATURE, "1714036504", "1514711492"), "stale");
    clock.set(Instant.ofEpochSecond(1714036504 - 301));
    assertFalse(v.verify(DOC_SIGNATURE, "1714036504", "1514711492"), "from the future");
    clock.set(Instant.ofEpochSecond(1714036504 - 299));
    assertTrue(v.verify(DOC_SIGNATURE, "1714036504", "1514711492"));
    String sig = v.sign("not-a-number", "1");
    assertFalse(v.verify(sig, "not-a-number", "1"), "a window needs a numeric timestamp");
    assertTrue(WECHAT.verify(WECHAT.sign("not-a-number", "1"), "not-a-number", "1"));
  }

  @Test
  void replayWindowRejectsNonsense() {
    assertThrows(
        IllegalArgumentException.class,
        () -> SignatureVerifier.builder("t").maxTimestampAge(Duration.ofMillis(10)));
    assertThrows(NullPointerException.class, () -> SignatureVerifier.builder("t").clock(null));
  }

  @Test
  void toStringHidesTheToken() {
    assertFalse(SignatureVerifier.of("myS3cretToken").toString().contains("myS3cretToken"));
  }
}
